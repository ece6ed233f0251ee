/* The heap window's pages: contiguous virtual ranges backed by single machine frames. */
#include "arch/x86/paging.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/heap.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

#define HEAP_PAGES ((HEAP_END - HEAP_START) / PAGE_SIZE)

static uint32_t used[HEAP_PAGES / 32];          /* window pages in use */
static spinlock_t vmap_lock = SPINLOCK_INIT;

static bool page_used(size_t i) { return used[i / 32] & (1u << (i % 32)); }
static void set_used(size_t i, bool v)
{
    if (v) {
        used[i / 32] |= 1u << (i % 32);
    } else {
        used[i / 32] &= ~(1u << (i % 32));
    }
}

/* First fit; returns the first page index or HEAP_PAGES. */
static size_t find_range(size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < HEAP_PAGES; i++) {
        run = page_used(i) ? 0 : run + 1;
        if (run == n) {
            return i + 1 - n;
        }
    }
    return HEAP_PAGES;
}

static void heap_pages_free_va(size_t first, size_t n)
{
    uint32_t flags = spin_lock_irqsave(&vmap_lock);
    for (size_t i = 0; i < n; i++) {
        BUG_ON(!page_used(first + i));
        set_used(first + i, false);
    }
    spin_unlock_irqrestore(&vmap_lock, flags);
}

static void unmap_range(uintptr_t va, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mfn_t m = paddr_to_mfn(virt_to_maddr(va + i * PAGE_SIZE));
        unmap_page(va + i * PAGE_SIZE);
        free_frames(m, 0);
    }
}

/* Takes n contiguous pages of the window; returns their address, or 0 when there is no room. */
static uintptr_t reserve_va(size_t n)
{
    uint32_t flags = spin_lock_irqsave(&vmap_lock);
    size_t first = n ? find_range(n) : HEAP_PAGES;
    if (first == HEAP_PAGES) {
        spin_unlock_irqrestore(&vmap_lock, flags);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        set_used(first + i, true);
    }
    spin_unlock_irqrestore(&vmap_lock, flags);
    return HEAP_START + first * PAGE_SIZE;
}

void *heap_pages_alloc(size_t n)
{
    uintptr_t va = reserve_va(n);
    if (!va) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        mfn_t m = alloc_frames(0, 0);
        if (mfn_x(m) == INVALID_MFN_RAW) {
            unmap_range(va, i);
            heap_pages_free_va((va - HEAP_START) / PAGE_SIZE, n);
            return NULL;
        }
        clear_frame(m);
        map_page(va + i * PAGE_SIZE, mfn_to_paddr(m), PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | pte_nx);
    }
    return (void *)va;
}

void *vmap_machine(paddr_t pa, size_t len)
{
    paddr_t base = ALIGN_DOWN(pa, (paddr_t)PAGE_SIZE);
    size_t n = len ? ALIGN_UP((size_t)(pa - base) + len, (size_t)PAGE_SIZE) / PAGE_SIZE : 0;
    uintptr_t va = reserve_va(n);
    if (!va) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        map_page(va + i * PAGE_SIZE, base + i * PAGE_SIZE, PTE_P | PTE_RW | PTE_A | PTE_D | pte_nx);
    }
    return (void *)(va + (uintptr_t)(pa - base));
}

void vunmap_machine(const void *p, size_t len)
{
    uintptr_t va = ALIGN_DOWN((uintptr_t)p, (uintptr_t)PAGE_SIZE);
    size_t n = ALIGN_UP((size_t)((uintptr_t)p - va) + len, (size_t)PAGE_SIZE) / PAGE_SIZE;
    for (size_t i = 0; i < n; i++) {
        unmap_page(va + i * PAGE_SIZE);
    }
    heap_pages_free_va((va - HEAP_START) / PAGE_SIZE, n);
}

void heap_pages_free(void *p, size_t n)
{
    uintptr_t va = (uintptr_t)p;
    BUG_ON(va < HEAP_START || va + n * PAGE_SIZE > HEAP_END);
    unmap_range(va, n);
    heap_pages_free_va((va - HEAP_START) / PAGE_SIZE, n);
}
