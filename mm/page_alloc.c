/* The frame table and the monitor-wide frame allocator (buddy under one IRQ-safe lock). */
#include "mm/page_alloc.h"
#include "arch/x86/paging.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "mm/bootmem.h"
#include "mm/mapcache.h"

uint32_t frame_table_frames;

static struct buddy buddy;
static spinlock_t buddy_lock = SPINLOCK_INIT;   /* protects buddy and frame states */

/*
 * A guest's frame was freed since this CPU last flushed its TLB: a stale guest mapping of
 * it may still be cached (L1 changes leave flushing to the guest), so the frame must not
 * reach a new user before a flush.  Only the boot CPU runs guests, and switching address
 * spaces flushes every guest entry (they are never global), so a flush of this CPU before
 * the next allocation covers every stale entry.
 */
static bool guest_frames_freed;

static void map_frame_table(uint32_t nr)
{
    uint32_t pages = ALIGN_UP(nr * (uint32_t)sizeof(struct page_info), PAGE_SIZE) / PAGE_SIZE;
    paddr_t pa = bootmem_alloc(pages);
    for (uint32_t i = 0; i < pages; i++) {
        clear_frame(paddr_to_mfn(pa + (paddr_t)i * PAGE_SIZE));
        map_page(FRAMETABLE_START + i * PAGE_SIZE, pa + (paddr_t)i * PAGE_SIZE,
                 PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | pte_nx);
    }
}

void frame_table_init(const struct memmap *machine_map, const struct memmap *free_map)
{
    uint64_t ram_end = memmap_ram_end(machine_map);
    uint64_t limit = (uint64_t)MAX_MFN_M2P << PAGE_SHIFT;
    struct page_info *ft = (struct page_info *)FRAMETABLE_START;
    uint32_t nr;

    if (ram_end > limit) {
        pr_warn("mm: RAM above %llu GiB (%llu MiB) is not used: the M2P cannot describe it\n",
                limit >> 30, (ram_end - limit) >> 20);
        ram_end = limit;
    }
    nr = (uint32_t)(ram_end >> PAGE_SHIFT);
    frame_table_frames = nr;
    map_frame_table(nr);
    for (uint32_t f = 0; f < nr; f++) {
        ft[f].owner = DOMID_NONE;
    }
    buddy_init(&buddy, ft, nr, (uint32_t)((1ull << 32) >> PAGE_SHIFT));
    for (unsigned int i = 0; i < free_map->nr; i++) {
        const struct mem_range *r = &free_map->r[i];
        uint64_t end = MIN(r->end, ram_end);
        if (r->type != MEM_RAM || r->start >= end) {
            continue;
        }
        BUG_ON(buddy_add_range(&buddy, (uint32_t)(r->start >> PAGE_SHIFT),
                               (uint32_t)(end >> PAGE_SHIFT)));
    }
}

mfn_t alloc_frames(unsigned int order, unsigned int flags)
{
    unsigned int zones = (flags & FRAME_BELOW_4G) ? ZONE_LOW : ZONE_ANY;
    uint32_t irq = spin_lock_irqsave(&buddy_lock);
    uint32_t f = buddy_alloc(&buddy, order, zones);
    if (guest_frames_freed) {
        flush_tlb_local();
        guest_frames_freed = false;
    }
    if (f != NO_FRAME) {
        for (uint32_t i = 0; i < (1u << order); i++) {
            buddy.frames[f + i].owner = DOMID_MONITOR;
        }
    }
    spin_unlock_irqrestore(&buddy_lock, irq);
    return _mfn(f);
}

void free_frames(mfn_t first, unsigned int order)
{
    uint32_t irq;
    /* Poison, so a stale user of the frame shows itself. */
    if (mfn_x(first) < frame_table_frames) {
        for (uint32_t i = 0; i < (1u << order); i++) {
            void *p = map_frame(mfn_add(first, i));
            memset(p, 0xA5, PAGE_SIZE);
            unmap_frame(p);
        }
    }
    irq = spin_lock_irqsave(&buddy_lock);
    if (mfn_x(first) < frame_table_frames && mfn_to_page(first)->owner < DOMID_MONITOR) {
        guest_frames_freed = true;
    }
    int rc = buddy_free(&buddy, mfn_x(first), order);
    spin_unlock_irqrestore(&buddy_lock, irq);
    if (rc) {
        panic("mm: bad free of frame 0x%x order %u (double free or not a block)", mfn_x(first), order);
    }
}

void split_frames(mfn_t first, unsigned int order)
{
    uint32_t irq = spin_lock_irqsave(&buddy_lock);
    int rc = buddy_split(&buddy, mfn_x(first), order);
    spin_unlock_irqrestore(&buddy_lock, irq);
    if (rc) {
        panic("mm: bad split of frame 0x%x order %u (not an allocated block)", mfn_x(first), order);
    }
}

uint32_t frames_free(void)
{
    return buddy_free_count(&buddy, ZONE_ANY);
}
