/*
 * The monitor's page tables.  One L2 (the boot one, reused) maps the monitor window of L3
 * slot 3; every L2 entry of the window gets its L1 at boot and never changes afterwards,
 * so guests' slot-3 L2s can copy them.  The image is mapped with W^X permissions and the
 * identity map of the first 4 MiB is dropped.
 */
#include "arch/x86/paging.h"
#include "arch/x86/asm.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/bootmem.h"
#include "mm/mapcache.h"
#include "mm/pagetype.h"

extern pte_t boot_l3[4], boot_l2_low[512], boot_l2_high[512];
extern pte_t mapcache_l1[512];
extern const char __image_start[], __text_end[], __rodata_end[], __image_end[];
extern const char boot_cpu_stack[];

pte_t pte_nx;
static bool paging_ready;   /* early_map() is gone once the final tables are up */
static pte_t image_l1[512] __aligned(4096) __section(".bss.page_aligned");

#define L2_INDEX(va)      (((uint32_t)(va) - 0xC0000000u) >> 21)
#define L1_INDEX(va)      (((uint32_t)(va) >> 12) & 511)
#define EARLY_WINDOW      0xFE800000u  /* 4 MiB of 2 MiB pages, boot only */

void *early_map(paddr_t pa, size_t len)
{
    paddr_t base = ALIGN_DOWN(pa, (paddr_t)(2u << 20));
    unsigned int slot = L2_INDEX(EARLY_WINDOW);
    BUG_ON(len > (2u << 20) || paging_ready);
    boot_l2_high[slot] = base | PTE_PS | PTE_RW | PTE_P;
    boot_l2_high[slot + 1] = (base + (2u << 20)) | PTE_PS | PTE_RW | PTE_P;
    invlpg((void *)EARLY_WINDOW);
    invlpg((void *)(EARLY_WINDOW + (2u << 20)));
    return (void *)(uintptr_t)(EARLY_WINDOW + (uint32_t)(pa - base));
}

/* Image pages: text read-execute, read-only data, the rest read-write no-execute. */
static void map_image(void)
{
    for (uintptr_t va = (uintptr_t)__image_start; va < (uintptr_t)__image_end; va += PAGE_SIZE) {
        pte_t flags = PTE_P | PTE_A | PTE_G;
        if (va >= (uintptr_t)__text_end) {
            flags |= pte_nx;
        }
        if (va >= (uintptr_t)__rodata_end) {
            flags |= PTE_RW | PTE_D;
        }
        /* The lowest page of the boot stack is a guard: an overflow faults into #DF. */
        image_l1[L1_INDEX(va)] = va == (uintptr_t)boot_cpu_stack ? 0 : image_pa(va) | flags;
    }
}

void paging_init(void)
{
    unsigned int first = MONITOR_L2_FIRST;
    unsigned int image_slot = L2_INDEX(MONITOR_VIRT);
    unsigned int mapcache_slot = L2_INDEX(MAPCACHE_START);

    BUG_ON(L2_INDEX(__image_end - 1) != image_slot);
    map_image();
    boot_l2_high[mapcache_slot] = image_pa(mapcache_l1) | PTE_P | PTE_RW | PTE_A;
    invlpg((void *)MAPCACHE_START);

    /* An L1 for every other slot of the window; the early window's and the image's last. */
    for (unsigned int s = first; s < 512; s++) {
        paddr_t l1;
        if (s == image_slot || s == mapcache_slot) {
            continue;
        }
        l1 = bootmem_alloc(1);
        clear_frame(paddr_to_mfn(l1));
        boot_l2_high[s] = l1 | PTE_P | PTE_RW | PTE_A;
    }
    boot_l2_high[image_slot] = image_pa(image_l1) | PTE_P | PTE_RW | PTE_A;
    /* What every guest's slot-3 L2 carries from index 0x1AC on: fixed from now on. */
    static_assert(L2_MONITOR_FIRST == MONITOR_L2_FIRST, "monitor window start");
    memcpy(monitor_l2_entries, &boot_l2_high[first], sizeof(monitor_l2_entries));

    /* Drop the identity map, flush everything including global pages, then use PGE. */
    boot_l3[0] = 0;
    write_cr3(read_cr3());
    write_cr4(read_cr4() | X86_CR4_PGE);
    write_cr4(read_cr4() & ~X86_CR4_PGE);
    write_cr4(read_cr4() | X86_CR4_PGE);
    paging_ready = true;
}

static void set_monitor_pte(uintptr_t va, pte_t e)
{
    pte_t l2e = boot_l2_high[L2_INDEX(va)];
    pte_t *l1;
    BUG_ON(va < MONITOR_WINDOW_START || !(l2e & PTE_P) || (l2e & PTE_PS));
    l1 = map_frame(paddr_to_mfn(l2e & PTE_ADDR));
    l1[L1_INDEX(va)] = e;
    unmap_frame(l1);
    invlpg((void *)va);
}

void map_page(uintptr_t va, paddr_t pa, pte_t flags)
{
    set_monitor_pte(va, (pa & PTE_ADDR) | flags);
}

void unmap_page(uintptr_t va)
{
    set_monitor_pte(va, 0);
}

paddr_t virt_to_maddr(uintptr_t va)
{
    pte_t l2e = boot_l2_high[L2_INDEX(va)];
    pte_t *l1, e;
    BUG_ON(va < MONITOR_WINDOW_START || !(l2e & PTE_P));
    if (l2e & PTE_PS) {
        return (l2e & PTE_ADDR & ~0x1FFFFFull) + (va & 0x1FFFFF);
    }
    l1 = map_frame(paddr_to_mfn(l2e & PTE_ADDR));
    e = l1[L1_INDEX(va)];
    unmap_frame(l1);
    BUG_ON(!(e & PTE_P));
    return (e & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

/* Bump allocation inside [*next, end) for mappings that live forever. */
static void *map_range(uintptr_t *next, uintptr_t end, paddr_t pa, size_t len, pte_t flags)
{
    paddr_t base = ALIGN_DOWN(pa, (paddr_t)PAGE_SIZE);
    size_t size = ALIGN_UP((size_t)(pa - base) + len, (size_t)PAGE_SIZE);
    uintptr_t va = *next;
    if (len == 0 || size > end - va) {
        return NULL;
    }
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        map_page(va + off, base + off, flags);
    }
    *next = va + size;
    return (void *)(va + (uintptr_t)(pa - base));
}

void *ioremap(paddr_t pa, size_t len, bool uncached)
{
    static uintptr_t next = FIXMAP_START;
    pte_t flags = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | pte_nx;
    if (uncached) {
        flags |= PTE_PCD | PTE_PWT;
    }
    return map_range(&next, FIXMAP_END, pa, len, flags);
}

void *fb_remap(paddr_t pa, size_t len)
{
    static uintptr_t next = FB_START;
    /* Write-through: writes reach the screen, reads for scrolling come from the cache. */
    return map_range(&next, FB_END, pa, len, PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PWT | pte_nx);
}
