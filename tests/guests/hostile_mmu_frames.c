/*
 * Hostile test guest: page-table entries, pins, bases, page copies and GDTs aimed at frames
 * that are not ours to use that way.  Every machine frame outside our P2M list (the
 * monitor's image near 1 MiB, its frame table, M2P and page tables, the other domains'
 * memory, free memory) and frames past the end of RAM must be refused by every operation;
 * the shared-info page maps writable but never becomes a table or a copy target; our own
 * page-table and GDT frames never map writable; frames mapped writable never become tables.
 */
#include "hostile_mmu.h"

TEST_NAME("hostile_mmu_frames");

/* The attacks, one multicall entry each, per frame. */
enum kind {
    K_L1_RO,  /* mmu_update: our probe page's L1 entry maps the frame read-only */
    K_L1_RW,  /* ... writable */
    K_PTR,    /* mmu_update with ptr inside the frame, as if it were one of our tables */
    K_UVM_RO, /* update_va_mapping of the probe page, read-only */
    K_UVM_RW, /* ... writable */
    K_L2,     /* an L2 entry of ours points at the frame (as an L1) */
    K_L3,     /* the live L3's slot 1 points at the frame (as an L2) */
    K_PIN_L1,
    K_PIN_L2,
    K_PIN_L3,
    K_BASEPTR,   /* the frame becomes our page-table base */
    K_COPY_FROM, /* copy_page from the frame into one of ours */
    K_COPY_TO,   /* copy_page from one of ours onto the frame */
    K_CLEAR,     /* clear_page of the frame */
    K_MACHPHYS,  /* the frame's M2P entry */
    K_GDT,       /* set_gdt with the frame */
    NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
    "L1 read-only",
    "L1 writable",
    "entry inside it",
    "update_va_mapping read-only",
    "update_va_mapping writable",
    "L2 entry",
    "L3 entry",
    "pin L1",
    "pin L2",
    "pin L3",
    "new_baseptr",
    "copy_page from",
    "copy_page onto",
    "clear_page",
    "machphys",
    "set_gdt",
};

#define BATCH      256
#define MAX_FRAMES (1ul << 18) /* the scan covers machines up to 1 GiB */
#define MAX_SHOWN  12

static uint8_t probe[4096] PAGE_ALIGNED;    /* the page whose L1 entry the attacks rewrite */
static uint8_t gdt_page[4096] PAGE_ALIGNED; /* becomes a GDT frame of ours */
static uint8_t own_map[MAX_FRAMES / 8];     /* the frames we own: P2M list and shared info */

static multicall_entry_t calls[BATCH];
static mmu_update_t reqs[BATCH];
static struct mmuext_op ops[BATCH];
static unsigned long gdt_list[BATCH];
static struct target {
    uint64_t mfn;
    unsigned int kind;
} what[BATCH];
static unsigned int nr_calls;

/* What the attacks write through and what the undo of a wrongly accepted one restores. */
static struct {
    uint64_t probe_ma; /* the probe page's L1 entry */
    pte_t probe_pte;
    unsigned int probe_idx;
    uint64_t l2_ma; /* a spare entry of the L2 under slot 0 */
    uint64_t l3_ma; /* slot 1 of the live L3 */
    pte_t l3_old;
    unsigned long own_mfn; /* a scratch frame of ours for the copies */
    unsigned long accepted, shown, attacks;
    unsigned long per_kind[NR_KINDS];
} scan;

/* Ours: in the P2M list or the shared-info page (the map above 1 GiB, a search below). */
static bool owned(uint64_t mfn)
{
    if (mfn < MAX_FRAMES) {
        return own_map[mfn / 8] & (1u << (mfn % 8));
    }
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++) {
        if (pfn_to_mfn(pfn) == mfn) {
            return true;
        }
    }
    return mfn == start_info->shared_info >> PAGE_SHIFT;
}

static void mark_owned(unsigned long mfn)
{
    if (mfn < MAX_FRAMES) {
        own_map[mfn / 8] |= (uint8_t)(1u << (mfn % 8));
    }
}

static void own_frames_init(void)
{
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++) {
        mark_owned(pfn_to_mfn(pfn));
    }
    mark_owned(start_info->shared_info >> PAGE_SHIFT);
}

/* Frames the M2P describes (its read-only window ends where the frame table ends). */
static unsigned long m2p_bound(void)
{
    unsigned long pages = 0;
    uint32_t word;

    while (pages < (MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) / PAGE_SIZE &&
           try_read(MACH2PHYS_VIRT_START + pages * PAGE_SIZE, &word)) {
        pages++;
    }
    return pages * (PAGE_SIZE / sizeof(uint32_t));
}

/* ------------------------------------------------------------ building the batch --- */

static void mmu_call(unsigned int i, uint64_t ptr, pte_t val)
{
    reqs[i] = (mmu_update_t){.ptr = ptr, .val = val};
    calls[i] = (multicall_entry_t){.op = __HYPERVISOR_mmu_update,
                                   .args = {(uintptr_t)&reqs[i], 1, 0, DOMID_SELF}};
}

static void ext_call(unsigned int i, unsigned int cmd, unsigned long mfn, unsigned long src)
{
    ops[i] = (struct mmuext_op){.cmd = cmd};
    ops[i].arg1.mfn = mfn;
    ops[i].arg2.src_mfn = src;
    calls[i] = (multicall_entry_t){.op = __HYPERVISOR_mmuext_op,
                                   .args = {(uintptr_t)&ops[i], 1, 0, DOMID_SELF}};
}

static void uvm_call(unsigned int i, pte_t pte)
{
    calls[i] = (multicall_entry_t){
        .op = __HYPERVISOR_update_va_mapping,
        .args = {(uintptr_t)probe, (uint32_t)pte, (uint32_t)(pte >> 32), UVMF_INVLPG},
    };
}

static void gdt_call(unsigned int i, unsigned long mfn)
{
    gdt_list[i] = mfn;
    calls[i] =
        (multicall_entry_t){.op = __HYPERVISOR_set_gdt, .args = {(uintptr_t)&gdt_list[i], 512}};
}

/* The attacks through mmu_update and update_va_mapping, which take 64-bit entries. */
static void fill_entry(unsigned int i, unsigned int kind, uint64_t ma)
{
    const pte_t ro = ma | _PAGE_PRESENT | _PAGE_ACCESSED, rw = ma | PTE_KERNEL_RW;

    switch (kind) {
    case K_L1_RO:
    case K_L1_RW:
        mmu_call(i, scan.probe_ma, kind == K_L1_RO ? ro : rw);
        break;
    case K_UVM_RO:
    case K_UVM_RW:
        uvm_call(i, kind == K_UVM_RO ? ro : rw);
        break;
    case K_PTR:
        mmu_call(i, ma + scan.probe_idx * sizeof(pte_t), 0);
        break;
    case K_L2:
    case K_L3:
        mmu_call(i, kind == K_L2 ? scan.l2_ma : scan.l3_ma, ma | UPPER_FLAGS);
        break;
    default: /* K_MACHPHYS */
        mmu_call(i, ma | MMU_MACHPHYS_UPDATE, 0);
        break;
    }
}

/* The attacks through mmuext_op and set_gdt, which take 32-bit frame numbers. */
static void fill_frame_op(unsigned int i, unsigned int kind, unsigned long mfn)
{
    static const unsigned int cmd[NR_KINDS] = {
        [K_PIN_L1] = MMUEXT_PIN_L1_TABLE, [K_PIN_L2] = MMUEXT_PIN_L2_TABLE,
        [K_PIN_L3] = MMUEXT_PIN_L3_TABLE, [K_BASEPTR] = MMUEXT_NEW_BASEPTR,
        [K_COPY_FROM] = MMUEXT_COPY_PAGE, [K_COPY_TO] = MMUEXT_COPY_PAGE,
        [K_CLEAR] = MMUEXT_CLEAR_PAGE,
    };

    if (kind == K_GDT) {
        gdt_call(i, mfn);
    } else if (kind == K_COPY_FROM) {
        ext_call(i, cmd[kind], scan.own_mfn, mfn);
    } else if (kind == K_COPY_TO) {
        ext_call(i, cmd[kind], mfn, scan.own_mfn);
    } else {
        ext_call(i, cmd[kind], mfn, 0);
    }
}

static bool is_frame_op(unsigned int kind)
{
    return kind >= K_PIN_L1 && kind != K_MACHPHYS;
}

/* Fills entry i with attack kind on mfn; false when the kind cannot name that frame. */
static bool fill_call(unsigned int i, unsigned int kind, uint64_t mfn)
{
    if (!is_frame_op(kind)) {
        fill_entry(i, kind, mfn << PAGE_SHIFT);
    } else if (mfn <= 0xFFFFFFFFull) {
        fill_frame_op(i, kind, (unsigned long)mfn);
    } else {
        return false;
    }
    what[i] = (struct target){mfn, kind};
    return true;
}

/* Puts back what a wrongly accepted attack changed, where that can be undone. */
static void undo(const struct target *t)
{
    switch (t->kind) {
    case K_L1_RO:
    case K_L1_RW:
    case K_PTR:
    case K_UVM_RO:
    case K_UVM_RW:
        mmu1(scan.probe_ma, scan.probe_pte);
        break;
    case K_L2:
        mmu1(scan.l2_ma, 0);
        break;
    case K_L3:
        mmu1(scan.l3_ma, scan.l3_old);
        break;
    case K_PIN_L1:
    case K_PIN_L2:
    case K_PIN_L3:
        ext1(MMUEXT_UNPIN_TABLE, (unsigned long)t->mfn, 0);
        break;
    case K_BASEPTR:
        ext1(MMUEXT_NEW_BASEPTR, boot_l3_mfn(), 0);
        break;
    case K_GDT:
        HYPERVISOR_set_gdt(gdt_list, 0);
        break;
    default:
        break; /* a copy or an M2P change cannot be taken back */
    }
    ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
}

/* Runs the batch; every entry must have been refused with want. */
static void flush_batch(long want)
{
    if (!nr_calls) {
        return;
    }
    TEST_EQ(HYPERVISOR_multicall(calls, nr_calls), 0);
    for (unsigned int i = 0; i < nr_calls; i++) {
        long rc = (long)calls[i].result;

        scan.attacks++;
        if (rc == want) {
            continue;
        }
        scan.accepted++;
        scan.per_kind[what[i].kind]++;
        if (scan.shown++ < MAX_SHOWN) {
            test_note("FAIL: %s of frame %#llx gave %ld (%s), not %ld", kind_name[what[i].kind],
                      (unsigned long long)what[i].mfn, rc, errname(rc), want);
        }
        if (rc == 0) {
            undo(&what[i]);
        }
    }
    nr_calls = 0;
}

static void attack(unsigned int kind, uint64_t mfn, long want)
{
    if (fill_call(nr_calls, kind, mfn)) {
        nr_calls++;
    }
    if (nr_calls == BATCH) {
        flush_batch(want);
    }
}

static void attack_all(uint64_t mfn)
{
    for (unsigned int k = 0; k < NR_KINDS; k++) {
        attack(k, mfn, -XEN_EINVAL);
    }
}

/* ------------------------------------------------------------ the scan ------------- */

static void scan_init(void)
{
    scan.probe_ma = pte_maddr((uintptr_t)probe);
    scan.probe_pte = *pte_lookup((uintptr_t)probe);
    scan.probe_idx = (unsigned int)(((uintptr_t)probe >> PAGE_SHIFT) & 511);
    scan.l2_ma = l2e_maddr(0, SPARE_L2);
    scan.l3_ma = l3e_maddr(1);
    scan.l3_old = boot_l3()[1];
    scan.own_mfn = pfn_to_mfn(scratch_pfn());
}

/*
 * The same calls on frames of our own go through: the refusals below come from whose
 * frame it is, not from a broken probe.  Each success is undone at once.
 */
static void test_controls(void)
{
    unsigned long pfn = scratch_pfn(), mfn = pfn_to_mfn(pfn);
    static const unsigned int kinds[] = {K_L1_RO, K_L1_RW, K_UVM_RO, K_UVM_RW, K_COPY_FROM};

    for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
        TEST_ASSERT(fill_call(0, kinds[i], mfn));
        TEST_EQ(HYPERVISOR_multicall(calls, 1), 0);
        TEST_CHECK(calls[0].result == 0, "%s of our own frame gave %ld", kind_name[kinds[i]],
                   (long)calls[0].result);
        undo(&what[0]);
    }
    TEST_EQ(mapping_of((uintptr_t)probe), pte_bare(scan.probe_pte));
    frame_free(pfn);
}

/*
 * Frames past what the scan covered, most of them past the end of RAM: MMIO holes, the
 * local APIC, above 4 GiB, the largest frame numbers an entry can hold, and our own frames
 * named with high address bits set (a check of the low 32 bits alone would let those
 * through to memory above 1 TiB).
 */
static void attack_past_ram(unsigned long bound)
{
    const uint64_t past_ram[] = {
        bound,
        bound + 1,
        bound + 1023,
        0xFEC00,
        0xFED00,
        0xFEE00,
        0xFFFFF,
        0x100000,
        0x3FFFFF,
        0x400000,
        0xFFFFFF,
        0xFFFFFFF,
        0xFFFFFFFF,
        0xFFFFFFFFFull,
        (1ull << 40) - 1,
        (1ull << 28) | scan.own_mfn,                  /* address bit 40 */
        (1ull << 39) | scan.own_mfn,                  /* address bit 51 */
        (1ull << 28) | (scan.probe_ma >> PAGE_SHIFT), /* our L1, as ptr */
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(past_ram); i++) {
        if (!owned(past_ram[i])) { /* a larger machine than the test's has RAM there */
            attack_all(past_ram[i]);
        }
    }
}

/* Every frame the M2P describes that is not ours, then frames past the end of RAM. */
static void test_scan(void)
{
    unsigned long bound = m2p_bound(), scanned = 0;

    TEST_CHECK(bound >= 4096, "the M2P describes only %lu frames", bound);
    if (bound > MAX_FRAMES) {
        test_note("scanning the first %lu of %lu frames", MAX_FRAMES, bound);
        bound = MAX_FRAMES;
    }
    for (unsigned long mfn = 0; mfn < bound; mfn++) {
        if (!owned(mfn)) {
            attack_all(mfn);
            scanned++;
        }
    }
    attack_past_ram(bound);
    flush_batch(-XEN_EINVAL);
    test_note("%lu attacks on %lu frames that are not ours (of %lu), %lu accepted", scan.attacks,
              scanned, bound, scan.accepted);
    TEST_CHECK(scanned > 1000, "only %lu frames scanned", scanned);
    for (unsigned int k = 0; k < NR_KINDS; k++) {
        TEST_CHECK(scan.per_kind[k] == 0, "%s: %lu frames accepted", kind_name[k],
                   scan.per_kind[k]);
    }
    TEST_EQ(mapping_of((uintptr_t)probe), pte_bare(scan.probe_pte));
    TEST_EQ(boot_l3()[1], scan.l3_old);
}

/* ------------------------------------------------------------ the shared-info page -- */

/*
 * It maps writable, as on Xen (that is how guests reach it), but the monitor writes it:
 * it may never become a page table, a base, a GDT page or a copy target, nor have its M2P
 * entry set.
 */
static void test_shared_info(void)
{
    unsigned long si = start_info->shared_info >> PAGE_SHIFT;
    const unsigned int refused[] = {K_PTR,     K_L2,     K_L3,       K_PIN_L1,
                                    K_PIN_L2,  K_PIN_L3, K_BASEPTR,  K_COPY_FROM,
                                    K_COPY_TO, K_CLEAR,  K_MACHPHYS, K_GDT};

    TEST_EQ(map_page((uintptr_t)probe, pte_make(si, PTE_KERNEL_RW)), 0);
    TEST_EQ(memcmp(probe, shared_info, sizeof(shared_info_t)), 0);
    TEST_EQ(map_page((uintptr_t)probe, scan.probe_pte), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(refused); i++) {
        attack(refused[i], si, -XEN_EINVAL);
    }
    flush_batch(-XEN_EINVAL);
    TEST_EQ(scan.accepted, 0);
}

/* ------------------------------------------------------------ our own tables -------- */

/* Maps mfn at the probe: writable must be refused both ways, read-only must work. */
static void check_never_writable(unsigned long mfn, const char *what_it_is)
{
    pte_t rw = pte_make(mfn, PTE_KERNEL_RW), ro = pte_make(mfn, _PAGE_PRESENT | _PAGE_ACCESSED);

    TEST_CHECK(mmu1(scan.probe_ma, rw) == -XEN_EINVAL, "%s mapped writable", what_it_is);
    TEST_CHECK(mmu1(scan.probe_ma | MMU_PT_UPDATE_PRESERVE_AD, rw) == -XEN_EINVAL,
               "%s mapped writable (preserving A/D)", what_it_is);
    TEST_CHECK(map_page((uintptr_t)probe, rw) == -XEN_EINVAL, "%s mapped writable by va",
               what_it_is);
    TEST_CHECK(ext1(MMUEXT_CLEAR_PAGE, mfn, 0) == -XEN_EINVAL, "%s cleared", what_it_is);
    TEST_CHECK(ext1(MMUEXT_COPY_PAGE, mfn, scan.own_mfn) == -XEN_EINVAL, "%s copied onto",
               what_it_is);
    TEST_CHECK(map_page((uintptr_t)probe, ro) == 0, "%s not mappable read-only", what_it_is);
    TEST_EQ(map_page((uintptr_t)probe, scan.probe_pte), 0);
}

/*
 * Every start-of-day table (the L3, the four L2s, the L1s), the L1 that maps the probe
 * itself, a pinned L1 that no table uses, and a GDT page of ours.
 */
static void test_own_tables(void)
{
    unsigned long first = va_to_pfn((const void *)start_info->pt_base), pinned = table_frame(0, 0);
    unsigned long gdt_mfn = va_to_mfn(gdt_page);

    for (unsigned long i = 0; i < start_info->nr_pt_frames; i++) {
        check_never_writable(pfn_to_mfn(first + i), "a start-of-day table");
    }
    check_never_writable((unsigned long)(scan.probe_ma >> PAGE_SHIFT), "the probe's own L1");
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(pinned), 0), 0);
    check_never_writable(pfn_to_mfn(pinned), "a pinned L1");
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(pinned), 0), 0);
    release_frame(pinned);
    TEST_EQ(page_set_readonly((uintptr_t)gdt_page), 0);
    TEST_EQ(HYPERVISOR_set_gdt(&gdt_mfn, 16), 0);
    check_never_writable(gdt_mfn, "a GDT frame");
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, gdt_mfn, 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e_maddr(0, SPARE_L2), pte_make(gdt_mfn, UPPER_FLAGS)), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_set_gdt(&gdt_mfn, 0), 0);
    TEST_EQ(map_page((uintptr_t)gdt_page, pte_make(gdt_mfn, PTE_KERNEL_RW)), 0);
}

/* ------------------------------------------------------------ writable to table ---- */

/* Every way of giving frame mfn (which has a writable mapping somewhere) a table type. */
static void check_never_table(unsigned long mfn, const char *why)
{
    unsigned long list[1] = {mfn};

    TEST_CHECK(ext1(MMUEXT_PIN_L1_TABLE, mfn, 0) == -XEN_EINVAL, "%s: pinned as L1", why);
    TEST_CHECK(ext1(MMUEXT_PIN_L2_TABLE, mfn, 0) == -XEN_EINVAL, "%s: pinned as L2", why);
    TEST_CHECK(ext1(MMUEXT_PIN_L3_TABLE, mfn, 0) == -XEN_EINVAL, "%s: pinned as L3", why);
    TEST_CHECK(ext1(MMUEXT_NEW_BASEPTR, mfn, 0) == -XEN_EINVAL, "%s: became the base", why);
    TEST_CHECK(mmu1(scan.l2_ma, pte_make(mfn, UPPER_FLAGS)) == -XEN_EINVAL,
               "%s: hooked in as an L1", why);
    TEST_CHECK(mmu1(scan.l3_ma, pte_make(mfn, UPPER_FLAGS)) == -XEN_EINVAL,
               "%s: hooked in as an L2", why);
    TEST_CHECK(HYPERVISOR_set_gdt(list, 512) == -XEN_EINVAL, "%s: became a GDT page", why);
}

/*
 * A frame mapped writable: directly, through a second alias only, and through an entry of
 * a pinned L1 that no live table uses (that entry still holds the writable type).  Then
 * the other way round: a frame pinned as an L1 is refused to a new L1 that maps it
 * writable, whether pinned or hooked in.
 */
static void test_writable_to_table(void)
{
    unsigned long w = scratch_pfn(), wm = pfn_to_mfn(w), holder;
    uintptr_t w_va = (uintptr_t)pfn_to_va(w);

    check_never_table(wm, "mapped writable");
    TEST_EQ(map_page((uintptr_t)probe, pte_make(wm, PTE_KERNEL_RW)), 0);
    TEST_EQ(make_readonly(w), 0);
    check_never_table(wm, "writable through an alias");
    TEST_EQ(map_page((uintptr_t)probe, scan.probe_pte), 0);
    holder = table_frame(9, pte_make(wm, PTE_KERNEL_RW));
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(holder), 0), 0);
    check_never_table(wm, "writable in a pinned, unused L1");
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(holder), 0), 0);
    /* Now nothing maps it writable: it may be an L1, and then not be mapped writable. */
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, wm, 0), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(holder), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(scan.l2_ma, pte_make(pfn_to_mfn(holder), UPPER_FLAGS)), -XEN_EINVAL);
    TEST_EQ(map_page(w_va, pte_make(wm, PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, wm, 0), 0);
    release_frame(holder);
    release_frame(w);
    TEST_EQ(boot_l2(0)[SPARE_L2], 0);
    TEST_EQ(boot_l3()[1], scan.l3_old);
}

int guest_main(void)
{
    own_frames_init();
    scan_init();
    test_controls();
    test_shared_info();
    test_own_tables();
    test_writable_to_table();
    test_scan();
    test_finish();
}
