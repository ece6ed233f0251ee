/* Address spaces of processes: page tables built, changed and torn down through the monitor. */
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "kernel.h"

/* The slot-3 L2 entries from here up are the monitor's (it fills them in on validation). */
#define L2_KERNEL_ENTRIES ((HYPERVISOR_VIRT_START >> 21) & 511)

/* A PAE L3 entry the way hardware takes it; the monitor keeps the real PDPT anyway. */
#define L3_FLAGS     (_PAGE_PRESENT)
#define L2_FLAGS     (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
/* A read-only window onto a page table (the ABI forbids writable ones). */
#define WINDOW_FLAGS (_PAGE_PRESENT | _PAGE_ACCESSED)

/*
 * Where the kernel reads a process's L1s: one page of its own address range per L1 a
 * process may have.  Their start-of-day frames went to the pool; each is mapped
 * read-only onto an L1 only while the kernel reads it.
 */
static pte_t windows[USER_L1S][512] PAGE_ALIGNED;

/*
 * What the monitor copies (MMUEXT_COPY_PAGE) into a new slot-3 L2 and a new L3: the
 * kernel's own L2 entries, and an L3 whose slot 3 names the new slot-3 L2.  Slot 3 of an
 * L3 cannot be changed with mmu_update, and the L3 does not validate without it, so it
 * is in the frame's contents before the L3 is pinned; every other entry of every table
 * goes through mmu_update.  The templates themselves are plain writable pages.
 */
static pte_t l2_kernel_template[512] PAGE_ALIGNED;
static pte_t l3_template[512] PAGE_ALIGNED;

static unsigned long boot_l3_mfn, tables_built, torn_down;

/* Frames of a process found in its L1s (at most every entry of every L1). */
static unsigned long found[USER_L1S * 512];
static mmu_update_t unmap_reqs[512];

unsigned long as_tables_built(void)
{
    return tables_built;
}

unsigned long as_torn_down(void)
{
    return torn_down;
}

static mmu_update_t pt_req(unsigned long table_pfn, unsigned int idx, pte_t val)
{
    uint64_t ma = ((uint64_t)pfn_to_mfn(table_pfn) << PAGE_SHIFT) + idx * sizeof(pte_t);

    return (mmu_update_t){.ptr = ma | MMU_NORMAL_PT_UPDATE, .val = val};
}

static struct mmuext_op ext_op(unsigned int cmd, unsigned long pfn)
{
    struct mmuext_op op = {.cmd = cmd};

    op.arg1.mfn = pfn_to_mfn(pfn);
    return op;
}

/* Copies the kernel's slot-3 L2 entries; gives the window pages' frames to the pool. */
void as_init(void)
{
    const volatile pte_t *boot_l3 = (const volatile pte_t *)start_info->pt_base;
    const volatile pte_t *boot_l2 = pfn_to_va(mfn_to_pfn(pte_mfn(boot_l3[3])));
    struct mc_batch b;

    boot_l3_mfn = va_to_mfn((const void *)start_info->pt_base);
    for (unsigned int i = 0; i < L2_KERNEL_ENTRIES; i++) {
        l2_kernel_template[i] = boot_l2[i];
    }
    mc_init(&b);
    for (unsigned int i = 0; i < USER_L1S; i++) {
        mc_va_mapping(&b, (uintptr_t)windows[i], 0, "update_va_mapping (window page)");
    }
    mc_run(&b);
    for (unsigned int i = 0; i < USER_L1S; i++) {
        frame_adopt(va_to_pfn(windows[i]));
    }
}

static void put_if_taken(unsigned long pfn)
{
    if (pfn) {
        frame_put(pfn);
    }
}

/* One multicall: clear the user L2, copy in the two others, pin the L3, link the L2. */
int as_build(struct aspace *as)
{
    unsigned long l3 = frame_get(), l2k = frame_get(), l2u = frame_get();
    struct mmuext_op ops[4];
    mmu_update_t link;
    struct mc_batch b;

    if (!l3 || !l2k || !l2u) {
        put_if_taken(l3);
        put_if_taken(l2k);
        put_if_taken(l2u);
        return -XEN_ENOMEM;
    }
    l3_template[3] = pte_make(pfn_to_mfn(l2k), L3_FLAGS);
    ops[0] = ext_op(MMUEXT_CLEAR_PAGE, l2u);
    ops[1] = ext_op(MMUEXT_COPY_PAGE, l2k);
    ops[1].arg2.src_mfn = va_to_mfn(l2_kernel_template);
    ops[2] = ext_op(MMUEXT_COPY_PAGE, l3);
    ops[2].arg2.src_mfn = va_to_mfn(l3_template);
    ops[3] = ext_op(MMUEXT_PIN_L3_TABLE, l3);
    link = pt_req(l3, 0, pte_make(pfn_to_mfn(l2u), L3_FLAGS));
    mc_init(&b);
    mc_mmuext(&b, ops, ARRAY_SIZE(ops), "mmuext_op (clear, copy and pin new tables)");
    mc_mmu_update(&b, &link, 1, "mmu_update (L3 slot 0)");
    mc_run(&b);
    *as = (struct aspace){.l3 = l3, .l2_kernel = l2k, .l2_user = l2u, .tables = 3};
    tables_built += 3;
    return 0;
}

/*
 * A fresh zeroed page at va (in [USER_BASE, USER_TOP), not mapped yet), and the L1 for
 * its 2 MiB when there is none: one multicall clears the frames (the monitor does it, as
 * they are mapped nowhere) and writes the entries.  0, or -ENOMEM when the pool is empty.
 */
int as_map(struct aspace *as, uint32_t va)
{
    unsigned int slot = (va - USER_BASE) >> 21, nops = 0, nreqs = 0;
    unsigned long l1 = as->l1[slot], page;
    struct mmuext_op ops[2];
    mmu_update_t reqs[2];
    struct mc_batch b;

    if (!l1 && !(l1 = frame_get())) {
        return -XEN_ENOMEM;
    }
    if (!(page = frame_get())) {
        if (!as->l1[slot]) {
            frame_put(l1);
        }
        return -XEN_ENOMEM;
    }
    if (!as->l1[slot]) {
        ops[nops++] = ext_op(MMUEXT_CLEAR_PAGE, l1);
        reqs[nreqs++] = pt_req(as->l2_user, (va >> 21) & 511, pte_make(pfn_to_mfn(l1), L2_FLAGS));
    }
    ops[nops++] = ext_op(MMUEXT_CLEAR_PAGE, page);
    reqs[nreqs++] = pt_req(l1, (va >> 12) & 511, pte_make(pfn_to_mfn(page), PTE_USER_RW));
    mc_init(&b);
    mc_mmuext(&b, ops, nops, "mmuext_op (clear new frames)");
    mc_mmu_update(&b, reqs, nreqs, "mmu_update (map a user page)");
    mc_run(&b);
    if (!as->l1[slot]) {
        as->l1[slot] = l1;
        as->tables++;
        tables_built++;
    }
    as->pages++;
    return 0;
}

/* Maps the windows of the L1 slots [first, last] that exist, read-only, in one batch. */
static void windows_open(const struct aspace *as, unsigned int first, unsigned int last)
{
    struct mc_batch b;

    mc_init(&b);
    for (unsigned int i = first; i <= last; i++) {
        if (as->l1[i]) {
            mc_va_mapping(&b, (uintptr_t)windows[i], pte_make(pfn_to_mfn(as->l1[i]), WINDOW_FLAGS),
                          "update_va_mapping (L1 window)");
        }
    }
    mc_run(&b);
}

/* Adds the unmapping of those windows to b: a mapped window holds a reference on its L1. */
static void windows_close(struct mc_batch *b, const struct aspace *as, unsigned int first,
                          unsigned int last)
{
    for (unsigned int i = first; i <= last; i++) {
        if (as->l1[i]) {
            mc_va_mapping(b, (uintptr_t)windows[i], 0, "update_va_mapping (close L1 window)");
        }
    }
}

/* The pfn of the frame a present user entry maps; it must be one of the kernel's. */
static unsigned long entry_pfn(pte_t e)
{
    unsigned long mfn = pte_mfn(e), pfn = mfn_to_pfn(mfn);

    if (pfn >= start_info->nr_pages || pfn_to_mfn(pfn) != mfn) {
        panic("a process maps frame %#lx, which is not in the kernel's P2M", mfn);
    }
    return pfn;
}

/*
 * The frames of the user pages of L1 slot i in [lo, hi), read through its open window,
 * into found[n...]; with unmap, also a request clearing each entry into unmap_reqs[]
 * (then n must start at 0: one L1 at a time).  Returns the new n.
 */
static unsigned int collect(const struct aspace *as, unsigned int i, uint32_t lo, uint32_t hi,
                            unsigned int n, bool unmap)
{
    const volatile pte_t *w = windows[i];

    for (uint32_t va = lo; va < hi; va += PAGE_SIZE) {
        unsigned int idx = (va >> 12) & 511;
        pte_t e = w[idx];
        if (!(e & _PAGE_PRESENT)) {
            continue;
        }
        if (unmap) {
            unmap_reqs[n] = pt_req(as->l1[i], idx, 0);
        }
        found[n++] = entry_pfn(e);
    }
    return n;
}

static uint32_t slot_base(unsigned int i)
{
    return USER_BASE + (i << 21);
}

/*
 * Unmaps the user pages in [start, end) (page-aligned, inside the user range) and gives
 * their frames to the pool: per L1, one batch closes its window, clears the entries and
 * flushes the TLB.  The L1s stay until the process ends.  Returns the pages unmapped.
 */
unsigned long as_unmap(struct aspace *as, uint32_t start, uint32_t end)
{
    struct mmuext_op flush = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    unsigned long freed = 0;
    struct mc_batch b;

    for (unsigned int i = (start - USER_BASE) >> 21; start < end && i < USER_L1S; i++) {
        uint32_t lo = start > slot_base(i) ? start : slot_base(i);
        uint32_t hi = end < slot_base(i + 1) ? end : slot_base(i + 1);
        unsigned int n;
        if (!as->l1[i] || lo >= hi) {
            continue;
        }
        windows_open(as, i, i);
        n = collect(as, i, lo, hi, 0, true);
        mc_init(&b);
        windows_close(&b, as, i, i);
        mc_mmu_update(&b, unmap_reqs, n, "mmu_update (unmap user pages)");
        mc_mmuext(&b, &flush, n ? 1 : 0, "mmuext_op (TLB flush)");
        mc_run(&b);
        for (unsigned int k = 0; k < n; k++) {
            frame_put(found[k]);
        }
        as->pages -= n;
        freed += n;
    }
    return freed;
}

static void switch_to_mfn(unsigned long mfn)
{
    struct mmuext_op op = {.cmd = MMUEXT_NEW_BASEPTR};

    op.arg1.mfn = mfn;
    check_hypercall(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), "mmuext_op (new_baseptr)");
}

/* Loads as's L3 (NULL: the kernel's start-of-day L3) on this vCPU. */
void as_switch(const struct aspace *as)
{
    switch_to_mfn(as ? pfn_to_mfn(as->l3) : boot_l3_mfn);
}

/*
 * Ends an address space: reads its L1s for the frames it maps, then one batch closes the
 * windows, moves this vCPU to next's L3 (NULL: the kernel's) and unpins the old L3.  The
 * unpin drops the last reference of the whole tree, so the monitor releases every entry
 * on the way down; then all its frames, tables included, go to the pool.
 */
void as_destroy(struct aspace *as, const struct aspace *next)
{
    struct mmuext_op ops[2] = {{.cmd = MMUEXT_NEW_BASEPTR}, ext_op(MMUEXT_UNPIN_TABLE, as->l3)};
    unsigned int n = 0;
    struct mc_batch b;

    ops[0].arg1.mfn = next ? pfn_to_mfn(next->l3) : boot_l3_mfn;
    windows_open(as, 0, USER_L1S - 1);
    for (unsigned int i = 0; i < USER_L1S; i++) {
        if (as->l1[i]) {
            n = collect(as, i, slot_base(i), slot_base(i + 1), n, false);
        }
    }
    if (n != as->pages) {
        panic("address space: %u pages in its L1s, %lu counted", n, as->pages);
    }
    mc_init(&b);
    windows_close(&b, as, 0, USER_L1S - 1);
    mc_mmuext(&b, ops, ARRAY_SIZE(ops), "mmuext_op (switch away and unpin)");
    mc_run(&b);
    for (unsigned int k = 0; k < n; k++) {
        frame_put(found[k]);
    }
    for (unsigned int i = 0; i < USER_L1S; i++) {
        put_if_taken(as->l1[i]);
    }
    frame_put(as->l2_user);
    frame_put(as->l2_kernel);
    frame_put(as->l3);
    *as = (struct aspace){0};
    torn_down++;
}
