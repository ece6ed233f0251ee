/*
 * Hostile test guest: page-table shapes the monitor must refuse.  L2 and L3 entries
 * pointing at their own table or at the wrong level, an L3 aliasing the slot-3 L2 (and
 * with it the monitor's mappings) or sharing it, writes to L3 slot 3 and to the monitor's
 * part of a slot-3 L2, forbidden flag and address bits at every level, misaligned entry
 * addresses, pin and unpin games, tables that fail validation half-way (nothing they took
 * may stay behind), new bases that are not L3s, unknown commands, INVLPG on the monitor,
 * bad set_ldt arguments, and copy_page/clear_page onto tables.
 */
#include "hostile_mmu.h"

TEST_NAME("hostile_mmu_tables");

#define NOT_OURS_MFN 1UL       /* a frame the monitor never gives a domain */
#define IMAGE_MFN    0x100UL   /* the monitor's image is loaded at 1 MiB */
#define PAST_RAM_MFN 0xFFFFFUL /* the last frame below 4 GiB: past the RAM of the test */
#define RO_FLAGS     (_PAGE_PRESENT | _PAGE_ACCESSED)

static uint8_t probe[4096] PAGE_ALIGNED; /* the page whose L1 entry the tests rewrite */
static uint64_t probe_ma;
static pte_t probe_pte;

static pte_t upper(unsigned long mfn)
{
    return pte_make(mfn, UPPER_FLAGS);
}

/* The first start-of-day L1 (an L1 in use). */
static unsigned long boot_l1_mfn(void)
{
    return pfn_to_mfn(va_to_pfn((const void *)start_info->pt_base) + 5);
}

/* An L1 of our own, pinned, mapping nothing: a valid target for L2 entries. */
static unsigned long pinned_l1(void)
{
    unsigned long pfn = table_frame(0, 0);

    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(pfn), 0), 0);
    return pfn;
}

static void unpin_release(unsigned long pfn)
{
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(pfn), 0), 0);
    release_frame(pfn);
}

/* ------------------------------------------------------------ L2 and L3 entries ---- */

/* A fresh frame whose entry 0 maps the frame itself, with flags. */
static unsigned long self_map_frame(pte_t flags)
{
    unsigned long pfn = scratch_pfn();

    ((pte_t *)pfn_to_va(pfn))[0] = pte_make(pfn_to_mfn(pfn), flags);
    TEST_EQ(make_readonly(pfn), 0);
    return pfn;
}

static void test_l2_entries(void)
{
    uint64_t at = l2e_maddr(0, SPARE_L2);
    unsigned long l1 = pinned_l1(), s3, l3 = new_l3(&s3), self;
    uint32_t word = 0;

    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(l3), 0), 0);
    TEST_EQ(mmu1(at, upper(boot_l2_mfn(0))), -XEN_EINVAL); /* its own table */
    TEST_EQ(mmu1(at, upper(boot_l2_mfn(1))), -XEN_EINVAL); /* an L2 */
    TEST_EQ(mmu1(at, upper(boot_l2_mfn(3))), -XEN_EINVAL); /* the slot-3 L2 */
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(s3))), -XEN_EINVAL); /* another slot-3 L2 */
    TEST_EQ(mmu1(at, upper(boot_l3_mfn())), -XEN_EINVAL);  /* the live L3 */
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(l3))), -XEN_EINVAL); /* a pinned L3 */
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(l1))), 0);           /* an L1 is right */
    TEST_EQ(mmu1(at, 0), 0);
    /* As an L1, a frame mapping itself writable is refused; read-only it is fine. */
    self = self_map_frame(PTE_KERNEL_RW);
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(self))), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(self), 0), -XEN_EINVAL);
    release_frame(self);
    self = self_map_frame(RO_FLAGS);
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(self))), 0);
    TEST_ASSERT(try_read((uintptr_t)SPARE_L2 << 21, &word));
    TEST_EQ(word, (uint32_t)pte_make(pfn_to_mfn(self), RO_FLAGS));
    TEST_EQ(mmu1(at, 0), 0);
    release_frame(self);
    /* As an L2, a frame whose entry points at itself would be its own L1. */
    self = self_map_frame(UPPER_FLAGS);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(self), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l3e_maddr(1), upper(pfn_to_mfn(self))), -XEN_EINVAL);
    release_frame(self);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(l3), 0), 0);
    release_frame(l3);
    release_frame(s3);
    unpin_release(l1);
}

static void test_l3_entries(void)
{
    uint64_t at = l3e_maddr(1);
    pte_t old = boot_l3()[1];
    unsigned long s3, l3 = new_l3(&s3);

    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(l3), 0), 0);
    TEST_EQ(mmu1(at, upper(boot_l3_mfn())), -XEN_EINVAL);  /* itself */
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(l3))), -XEN_EINVAL); /* another L3 */
    TEST_EQ(mmu1(at, upper(boot_l1_mfn())), -XEN_EINVAL);  /* an L1 */
    /* The slot-3 L2 under a low slot would show the monitor's mappings to the guest. */
    TEST_EQ(mmu1(at, upper(boot_l2_mfn(3))), -XEN_EINVAL);
    TEST_EQ(mmu1(at, upper(pfn_to_mfn(s3))), -XEN_EINVAL);
    TEST_EQ(mmu1(at, upper(boot_l2_mfn(0))), 0); /* an L2 in two slots is fine */
    TEST_EQ(mmu1(at, old), 0);
    TEST_EQ(boot_l3()[1], old);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(l3), 0), 0);
    release_frame(l3);
    release_frame(s3);
}

/* ------------------------------------------------------------ new L3s --------------- */

/* A fresh L3 and, unless its slot 3 was given, the fresh slot-3 L2 it holds there. */
struct new_l3 {
    unsigned long l3, s3;
};

/*
 * A fresh L3 that would validate as it is: slots 0-2 as the builder's, slot 3 a fresh
 * copy of the builder's slot-3 L2; then slot := e.  So a refusal is e's doing.
 */
static struct new_l3 l3_with(unsigned int slot, pte_t e)
{
    struct new_l3 n = {scratch_pfn(), 0};
    pte_t *t = pfn_to_va(n.l3);

    for (unsigned int i = 0; i < 3; i++) {
        t[i] = boot_l3()[i];
    }
    if (slot != 3) {
        n.s3 = copy_table(boot_l2(3), MONITOR_L2);
        t[3] = pte_make(pfn_to_mfn(n.s3), boot_l3()[3] & 0xFFF);
    }
    t[slot] = e;
    TEST_EQ(make_readonly(n.l3), 0);
    return n;
}

static void release_l3(struct new_l3 n)
{
    release_frame(n.l3);
    if (n.s3) {
        release_frame(n.s3);
    }
}

/*
 * Neither pinnable nor a base, and nothing it names keeps a reference.  A wrongly
 * accepted one is undone, so that the tests after it still run on our own tables.
 */
static void check_l3_refused(struct new_l3 n, const char *why)
{
    unsigned long mfn = pfn_to_mfn(n.l3);

    if (!TEST_CHECK(ext1(MMUEXT_PIN_L3_TABLE, mfn, 0) == -XEN_EINVAL, "L3 pinned: %s", why)) {
        ext1(MMUEXT_UNPIN_TABLE, mfn, 0);
    }
    if (!TEST_CHECK(ext1(MMUEXT_NEW_BASEPTR, mfn, 0) == -XEN_EINVAL, "L3 as base: %s", why)) {
        ext1(MMUEXT_NEW_BASEPTR, boot_l3_mfn(), 0);
    }
    release_l3(n);
}

static void test_new_l3_shapes(void)
{
    struct new_l3 good = l3_with(1, boot_l3()[1]), self = l3_with(1, boot_l3()[1]);
    unsigned long s3, l3 = new_l3(&s3);

    /* The control: as l3_with builds them, they validate. */
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(good.l3), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(good.l3), 0), 0);
    release_l3(good);
    TEST_EQ(make_writable(self.l3), 0);
    ((pte_t *)pfn_to_va(self.l3))[0] = upper(pfn_to_mfn(self.l3));
    TEST_EQ(make_readonly(self.l3), 0);
    check_l3_refused(self, "slot 0 is itself");
    check_l3_refused(l3_with(0, upper(boot_l3_mfn())), "slot 0 is the live L3");
    check_l3_refused(l3_with(2, upper(boot_l1_mfn())), "slot 2 is an L1");
    check_l3_refused(l3_with(3, 0), "slot 3 is empty");
    check_l3_refused(l3_with(3, upper(boot_l2_mfn(0))), "slot 3 is an ordinary L2 in use");
    check_l3_refused(l3_with(3, upper(boot_l1_mfn())), "slot 3 is an L1");
    check_l3_refused(l3_with(3, upper(boot_l2_mfn(3))), "slot 3 shares the live slot-3 L2");
    check_l3_refused(l3_with(1, upper(boot_l2_mfn(3))), "slot 1 is the live slot-3 L2");
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(l3), 0), 0);
    check_l3_refused(l3_with(0, upper(pfn_to_mfn(s3))), "slot 0 is a pinned L3's slot-3 L2");
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(l3), 0), 0);
    release_frame(l3);
    release_frame(s3);
}

/*
 * A good new L3 whose slot-3 L2 carried garbage where the monitor's entries go: they are
 * the monitor's once it is in use, zero again once it is not, and that L2 is neither
 * pinnable nor shareable meanwhile.
 */
static void test_slot3_l2_lifecycle(void)
{
    unsigned long s3 = scratch_pfn();
    struct new_l3 l3;
    pte_t *t = pfn_to_va(s3);
    const volatile pte_t *seen = pfn_to_va(s3);

    for (unsigned int i = 0; i < MONITOR_L2; i++) {
        t[i] = boot_l2(3)[i];
    }
    for (unsigned int i = MONITOR_L2; i < 512; i++) {
        t[i] = pte_make(pfn_to_mfn(s3), PTE_KERNEL_RW); /* itself, writable */
    }
    TEST_EQ(make_readonly(s3), 0);
    l3 = l3_with(3, pte_make(pfn_to_mfn(s3), boot_l3()[3] & 0xFFF));
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(l3.l3), 0), 0);
    for (unsigned int i = MONITOR_L2; i < 512; i++) {
        TEST_CHECK(seen[i] == boot_l2(3)[i], "monitor entry %#x not the monitor's", i);
    }
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(s3), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(frame_maddr(pfn_to_mfn(s3)) + MONITOR_L2 * 8, 0), -XEN_EINVAL);
    check_l3_refused(l3_with(3, pte_make(pfn_to_mfn(s3), boot_l3()[3] & 0xFFF)),
                     "slot 3 shares a pinned L3's slot-3 L2");
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(l3.l3), 0), 0);
    for (unsigned int i = MONITOR_L2; i < 512; i++) {
        TEST_CHECK(seen[i] == 0, "monitor entry %#x left behind: %#llx", i,
                   (unsigned long long)seen[i]);
    }
    release_l3(l3);
    release_frame(s3);
}

/* ------------------------------------------------------------ slot 3 and the monitor */

static void test_slot3_writes(void)
{
    uint64_t s3 = l3e_maddr(3);
    pte_t live = boot_l3()[3], monitor_part[512 - MONITOR_L2];
    unsigned long l1 = pinned_l1(), copy_s3, l3 = new_l3(&copy_s3);
    static const uint32_t monitor_vas[] = {0xF5800000, 0xF6000000, 0xF6800000, MONITOR_VA,
                                           0xFFFFF000};

    for (unsigned int i = MONITOR_L2; i < 512; i++) {
        monitor_part[i - MONITOR_L2] = boot_l2(3)[i];
    }
    TEST_EQ(mmu1(s3, live), -XEN_EINVAL);
    TEST_EQ(mmu1(s3, 0), -XEN_EINVAL);
    TEST_EQ(mmu1(s3 | MMU_PT_UPDATE_PRESERVE_AD, live), -XEN_EINVAL);
    TEST_EQ(mmu1(s3 | MMU_PT_UPDATE_NO_TRANSLATE, live), -XEN_EINVAL);
    TEST_EQ(mmu1(s3, pte_make(pfn_to_mfn(copy_s3), live & 0xFFF)), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(l3), 0), 0);
    TEST_EQ(mmu1(frame_maddr(pfn_to_mfn(l3)) + 3 * 8, 0), -XEN_EINVAL); /* a pinned L3's */
    /* The monitor's part of the live slot-3 L2 and of a pinned one. */
    TEST_EQ(mmu1(l2e_maddr(3, MONITOR_L2), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e_maddr(3, MONITOR_L2), monitor_part[0]), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e_maddr(3, 0x1C0), upper(pfn_to_mfn(l1))), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e_maddr(3, 511) | MMU_PT_UPDATE_PRESERVE_AD, 0), -XEN_EINVAL);
    TEST_EQ(mmu1(frame_maddr(pfn_to_mfn(copy_s3)) + 511 * 8, upper(pfn_to_mfn(l1))), -XEN_EINVAL);
    /* The guest's last slot-3 entry is the guest's (maps 0xF5600000-0xF57FFFFF). */
    TEST_EQ(mmu1(l2e_maddr(3, MONITOR_L2 - 1), upper(pfn_to_mfn(l1))), 0);
    TEST_EQ(mmu1(l2e_maddr(3, MONITOR_L2 - 1), 0), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(monitor_vas); i++) {
        TEST_CHECK(HYPERVISOR_update_va_mapping(monitor_vas[i], probe_pte, UVMF_INVLPG) ==
                       -XEN_EINVAL,
                   "update_va_mapping at %#x accepted", monitor_vas[i]);
    }
    TEST_EQ(boot_l3()[3], live);
    for (unsigned int i = MONITOR_L2; i < 512; i++) {
        TEST_CHECK(boot_l2(3)[i] == monitor_part[i - MONITOR_L2], "monitor entry %#x changed", i);
    }
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(l3), 0), 0);
    release_frame(l3);
    release_frame(copy_s3);
    unpin_release(l1);
}

/* ------------------------------------------------------------ flag and address bits - */

static void test_l1_bits(void)
{
    pte_t own = probe_pte & ~(pte_t)0xFFF; /* the probe's own frame */
    static const pte_t bad[] = {_PAGE_PWT,     _PAGE_PCD,  _PAGE_PSE /* PAT */,
                                0x100 /* G */, 1ull << 52, 1ull << 58,
                                1ull << 62,    1ull << 40, 1ull << 51};

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        pte_t e = own | PTE_KERNEL_RW | bad[i];

        TEST_CHECK(mmu1(probe_ma, e) == -XEN_EINVAL, "L1 bits %#llx accepted",
                   (unsigned long long)bad[i]);
        TEST_CHECK(map_page((uintptr_t)probe, e) == -XEN_EINVAL, "L1 bits %#llx accepted by va",
                   (unsigned long long)bad[i]);
    }
    TEST_EQ(mmu1(probe_ma, pte_make(PAST_RAM_MFN, PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(mapping_of((uintptr_t)probe), pte_bare(probe_pte));
    /* The software bits and NX are the guest's. */
    TEST_EQ(mmu1(probe_ma, own | PTE_KERNEL_RW | 0xE00 | _PAGE_NX), 0);
    TEST_EQ(mmu1(probe_ma, probe_pte), 0);
}

static void test_upper_bits(void)
{
    unsigned long l1 = pinned_l1(), l2 = table_frame(0, 0);
    uint64_t l2e = l2e_maddr(0, SPARE_L2), l3e = l3e_maddr(1);
    pte_t old3 = boot_l3()[1];
    static const pte_t bad2[] = {_PAGE_PSE,  _PAGE_PWT,  _PAGE_PCD, 0x100,
                                 1ull << 52, 1ull << 62, 1ull << 40};
    static const pte_t bad3[] = {_PAGE_PSE, _PAGE_PWT,  _PAGE_PCD, 0x100,
                                 _PAGE_NX,  1ull << 52, 1ull << 40};

    for (unsigned int i = 0; i < ARRAY_SIZE(bad2); i++) {
        TEST_CHECK(mmu1(l2e, upper(pfn_to_mfn(l1)) | bad2[i]) == -XEN_EINVAL,
                   "L2 bits %#llx accepted", (unsigned long long)bad2[i]);
    }
    TEST_EQ(mmu1(l2e, upper(PAST_RAM_MFN)), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e, upper(pfn_to_mfn(l1)) | _PAGE_NX), 0);
    TEST_EQ(mmu1(l2e, 0), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(l2), 0), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad3); i++) {
        TEST_CHECK(mmu1(l3e, upper(pfn_to_mfn(l2)) | bad3[i]) == -XEN_EINVAL,
                   "L3 bits %#llx accepted", (unsigned long long)bad3[i]);
    }
    TEST_EQ(mmu1(l3e, upper(PAST_RAM_MFN)), -XEN_EINVAL);
    TEST_EQ(mmu1(l3e, pte_make(pfn_to_mfn(l2), 0xE67)), 0); /* the bits guests use */
    TEST_EQ(mmu1(l3e, old3), 0);
    unpin_release(l2);
    unpin_release(l1);
}

/* Entry addresses that are not 8-byte aligned, past an L3's four slots, or too high. */
static void test_bad_ptrs(void)
{
    uint64_t l3 = frame_maddr(boot_l3_mfn());

    TEST_EQ(mmu1(probe_ma + 4, probe_pte), -XEN_EINVAL);
    TEST_EQ(mmu1((probe_ma + 4) | MMU_PT_UPDATE_PRESERVE_AD, probe_pte), -XEN_EINVAL);
    TEST_EQ(mmu1((probe_ma + 4) | MMU_PT_UPDATE_NO_TRANSLATE, probe_pte), -XEN_EINVAL);
    TEST_EQ(mmu1(l3 + 8 + 4, boot_l3()[1]), -XEN_EINVAL);
    TEST_EQ(mmu1(l3 + 4 * 8, 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l3 + 511 * 8, 0), -XEN_EINVAL);
    TEST_EQ(mmu1(probe_ma | (1ull << 40), probe_pte), -XEN_EINVAL);
    TEST_EQ(mmu1(probe_ma | (1ull << 63), probe_pte), -XEN_EINVAL);
    TEST_EQ(mmu1(frame_maddr(IMAGE_MFN) + 8, 0), -XEN_EINVAL);
    TEST_EQ(mapping_of((uintptr_t)probe), pte_bare(probe_pte));
}

/* ------------------------------------------------------------ pins ------------------ */

static void test_pin_games(void)
{
    unsigned long l1 = pinned_l1(), plain = table_frame(0, 0);
    uint64_t spare = l2e_maddr(0, SPARE_L2);

    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(l1), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(l1), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(l1), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L4_TABLE, pfn_to_mfn(plain), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L4_TABLE, boot_l3_mfn(), 0), -XEN_EINVAL);
    /* Unpinning what is not pinned. */
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(plain), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot_l1_mfn(), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot_l2_mfn(0), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot_l2_mfn(3), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, NOT_OURS_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, 0xFFFFFFFF, 0), -XEN_EINVAL);
    /* An L2 in use, pinned and unpinned, stays an L2 in use. */
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, boot_l2_mfn(0), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot_l2_mfn(0), 0), 0);
    TEST_EQ(map_page((uintptr_t)probe, pte_make(boot_l2_mfn(0), PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(mmu1(spare, upper(pfn_to_mfn(l1))), 0);
    TEST_EQ(mmu1(spare, 0), 0);
    /* The live L3 unpinned: still an L3 in use (its vCPU holds it), not demoted. */
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot_l3_mfn(), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot_l3_mfn(), 0), -XEN_EINVAL);
    TEST_EQ(map_page((uintptr_t)probe, pte_make(boot_l3_mfn(), PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(mmu1(l3e_maddr(1), boot_l3()[1]), 0);
    TEST_EQ(boot_l2(3)[MONITOR_L2] != 0, true);
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, boot_l3_mfn(), 0), 0);
    /* Monitor frames and frames past RAM are nobody's to pin. */
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, IMAGE_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, PAST_RAM_MFN, 0), -XEN_EINVAL);
    release_frame(plain);
    unpin_release(l1);
}

/*
 * Tables that fail validation at a late entry: everything the earlier entries took (a
 * writable type, lower tables validated on the way) must be given back.
 */

/* An L1 whose entry 0 maps data writable and entry 7 a frame not ours. */
static unsigned long half_valid_l1(unsigned long data)
{
    unsigned long l1 = scratch_pfn();
    pte_t *t = pfn_to_va(l1);

    t[0] = pte_make(pfn_to_mfn(data), PTE_KERNEL_RW);
    t[7] = pte_make(NOT_OURS_MFN, PTE_KERNEL_RW);
    TEST_EQ(make_readonly(l1), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(l1), 0), -XEN_EINVAL);
    /* Without the writable mapping of the region, data may be an L1: nothing else maps it. */
    TEST_EQ(make_readonly(data), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(data), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(data), 0), 0);
    return l1;
}

/* An L2 whose entry 0 is a good fresh L1 (child) and entry 3 the bad L1. */
static unsigned long half_valid_l2(unsigned long child, unsigned long bad_l1)
{
    unsigned long l2 = scratch_pfn();
    pte_t *t = pfn_to_va(l2);

    t[0] = upper(pfn_to_mfn(child));
    t[3] = upper(pfn_to_mfn(bad_l1));
    TEST_EQ(make_readonly(l2), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(l2), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l3e_maddr(1), upper(pfn_to_mfn(l2))), -XEN_EINVAL);
    return l2;
}

static void test_half_valid(void)
{
    unsigned long data = scratch_pfn(), l1 = half_valid_l1(data);
    unsigned long child = table_frame(0, pte_make(pfn_to_mfn(data), RO_FLAGS));
    unsigned long bad_l2 = half_valid_l2(child, l1), l2 = table_frame(0, upper(pfn_to_mfn(child)));
    struct new_l3 top = l3_with(0, upper(pfn_to_mfn(l2)));

    /* An L3 whose slot 0 (a good L2 over the good L1) validates, then slot 2 the bad L2. */
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(top.l3), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(top.l3), 0), 0);
    TEST_EQ(make_writable(top.l3), 0);
    ((pte_t *)pfn_to_va(top.l3))[2] = upper(pfn_to_mfn(bad_l2));
    TEST_EQ(make_readonly(top.l3), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(top.l3), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, pfn_to_mfn(top.l3), 0), -XEN_EINVAL);
    /* Nothing was left typed: every one of them maps writable again. */
    release_l3(top);
    release_frame(l2);
    release_frame(bad_l2);
    release_frame(child);
    release_frame(l1);
    release_frame(data);
}

/* ------------------------------------------------------------ bases ----------------- */

static void test_bad_bases(void)
{
    unsigned long plain = table_frame(0, 0);
    static const char canary[] = "still on the same page tables";

    memcpy(probe, canary, sizeof(canary));
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, boot_l1_mfn(), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, boot_l2_mfn(0), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, boot_l2_mfn(3), 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, pfn_to_mfn(plain), 0), -XEN_EINVAL); /* no slot 3 */
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, IMAGE_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, NOT_OURS_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, 0xFFFFFFFF, 0), -XEN_EINVAL);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, start_info->shared_info >> PAGE_SHIFT, 0), -XEN_EINVAL);
    TEST_EQ(memcmp(probe, canary, sizeof(canary)), 0);
    release_frame(plain);
}

/*
 * The builder's L3 unpinned while another L3 is the base: it is demoted (its slot-3 L2
 * loses the monitor's entries), can be mapped writable, and validates again as a base.
 */
static void test_demote_repromote(void)
{
    unsigned long s3, l3 = new_l3(&s3), boot = boot_l3_mfn();
    unsigned long boot_pfn = va_to_pfn((const void *)start_info->pt_base);
    pte_t monitor0 = boot_l2(3)[MONITOR_L2];

    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, pfn_to_mfn(l3), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, boot, 0), 0);
    TEST_EQ(boot_l2(3)[MONITOR_L2], 0);
    TEST_EQ(make_writable(boot_pfn), 0);
    TEST_EQ(make_readonly(boot_pfn), 0);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, boot, 0), 0);
    TEST_EQ(boot_l2(3)[MONITOR_L2], monitor0);
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, boot, 0), 0);
    release_frame(l3);
    release_frame(s3);
}

/* ------------------------------------------------------------ other commands -------- */

static void test_commands(void)
{
    static const unsigned int unknown[] = {MMUEXT_FLUSH_CACHE,
                                           14,
                                           MMUEXT_NEW_USER_BASEPTR,
                                           MMUEXT_FLUSH_CACHE_GLOBAL,
                                           MMUEXT_MARK_SUPER,
                                           MMUEXT_UNMARK_SUPER,
                                           21,
                                           64,
                                           255,
                                           0x10000,
                                           0x7FFFFFFF,
                                           0xFFFFFFFF};
    static const uint32_t monitor_vas[] = {0xF5800000, 0xF6800000, MONITOR_VA, 0xFFFFF000,
                                           0xFFFFFFFF};
    uint32_t mask = 1;

    for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++) {
        TEST_CHECK(ext1(unknown[i], boot_l3_mfn(), 0) == -XEN_ENOSYS, "command %#x", unknown[i]);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(monitor_vas); i++) {
        TEST_CHECK(ext1(MMUEXT_INVLPG_LOCAL, monitor_vas[i], 0) == -XEN_EINVAL, "invlpg %#x",
                   monitor_vas[i]);
        TEST_CHECK(ext1(MMUEXT_INVLPG_ALL, monitor_vas[i], 0) == -XEN_EINVAL, "invlpg %#x",
                   monitor_vas[i]);
        TEST_CHECK(ext1(MMUEXT_INVLPG_MULTI, monitor_vas[i], (unsigned long)&mask) == -XEN_EINVAL,
                   "invlpg %#x", monitor_vas[i]);
    }
    TEST_EQ(ext1(MMUEXT_INVLPG_LOCAL, 0xF57FF000, 0), 0);
}

static void test_set_ldt(void)
{
    const struct {
        uint32_t base, nr;
    } refused[] = {
        {(uint32_t)(uintptr_t)probe + 8, 1},
        {(uint32_t)(uintptr_t)probe, 8193},
        {(uint32_t)(uintptr_t)probe, 0xFFFFFFFF},
        {(uint32_t)(uintptr_t)probe, 0x20000000},
        {0xF5800000, 1},
        {0xF57FF000, 513},
        {MONITOR_VA, 16},
        {0xFFFFF000, 1},
    };

    TEST_EQ(ext1(MMUEXT_SET_LDT, 0, 0), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(refused); i++) {
        TEST_CHECK(ext1(MMUEXT_SET_LDT, refused[i].base, refused[i].nr) == -XEN_EINVAL,
                   "set_ldt(%#x, %u) not refused", refused[i].base, refused[i].nr);
    }
}

/* copy_page and clear_page onto tables of every level: refused, contents unchanged. */
static void test_copy_onto_tables(void)
{
    unsigned long src = scratch_pfn(), l2 = table_frame(0, 0);
    const unsigned long targets[] = {boot_l3_mfn(),  boot_l2_mfn(0),
                                     boot_l2_mfn(3), boot_l1_mfn(),
                                     pfn_to_mfn(l2), (unsigned long)(probe_ma >> PAGE_SHIFT)};
    pte_t l3_0 = boot_l3()[0], s3_0 = boot_l2(3)[0];

    memset(pfn_to_va(src), 0xAB, PAGE_SIZE);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(l2), 0), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(targets); i++) {
        TEST_CHECK(ext1(MMUEXT_COPY_PAGE, targets[i], pfn_to_mfn(src)) == -XEN_EINVAL,
                   "copy onto table %u", i);
        TEST_CHECK(ext1(MMUEXT_CLEAR_PAGE, targets[i], 0) == -XEN_EINVAL, "clear table %u", i);
        TEST_CHECK(ext1(MMUEXT_COPY_PAGE, targets[i], targets[i]) == -XEN_EINVAL,
                   "copy table %u onto itself", i);
    }
    TEST_EQ(boot_l3()[0], l3_0);
    TEST_EQ(boot_l2(3)[0], s3_0);
    TEST_EQ(mapping_of((uintptr_t)probe), pte_bare(probe_pte));
    unpin_release(l2);
    release_frame(src);
}

int guest_main(void)
{
    probe_ma = pte_maddr((uintptr_t)probe);
    probe_pte = *pte_lookup((uintptr_t)probe);
    test_l2_entries();
    test_l3_entries();
    test_new_l3_shapes();
    test_slot3_l2_lifecycle();
    test_slot3_writes();
    test_l1_bits();
    test_upper_bits();
    test_bad_ptrs();
    test_pin_games();
    test_half_valid();
    test_bad_bases();
    test_demote_repromote();
    test_commands();
    test_set_ldt();
    test_copy_onto_tables();
    test_finish();
}
