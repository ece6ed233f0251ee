/*
 * Unit tests of the page-type state machine (mm/pagetype.c) over a host frame table
 * (stubs/frames.c): general and type references, validation of L1, L2, slot-3 L2, L3 and
 * descriptor frames, entry checks, and release of whole page-table trees; the frames and
 * helpers are in pagetype_fixture.c.  descriptor_ok is a stand-in (stubs/descriptor.c says
 * why): here only its use is tested.  docs/pv-memory.md has the table of transitions and
 * refusals these cases follow.
 */
#include <string.h>

#include "unit.h"
#include "pagetype_fixture.h"
#include "stubs/descriptor.h"
#include "arch/x86/layout.h"
#include "kernel/errno.h"

#define ALL_L1_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | (7ull << 9) | PTE_NX)

/* ------------------------------------------------------- general references ----- */

static void get_put_counts(void **state)
{
    assert_true(page_get(pg(DATA), DOM));
    assert_true(page_get(pg(DATA), DOM));
    assert_int_equal(gcount(DATA), 3);
    page_put(pg(DATA));
    page_put(pg(DATA));
    assert_int_equal(stub_frees_total(), 0);
    frames_unchanged();
}

static void get_refused(void **state)
{
    assert_false(page_get(pg(DATA), OTHER));       /* owner mismatch */
    assert_false(page_get(pg(F_FOREIGN), DOM));
    assert_false(page_get(pg(F_MONITOR), DOM));
    assert_false(page_get(pg(F_FREE), DOM));
    assert_false(page_get(pg(F_RESERVED), DOM));
    assert_false(page_get(pg(F_RESERVED), DOMID_NONE));
    /* Whatever the other fields of a frame not allocated say, its state decides. */
    pg(F_FREE)->owner = DOM;
    pg(F_FREE)->u.use.count_info = PGC_allocated | 1;
    pg(F_RESERVED)->owner = DOM;
    pg(F_RESERVED)->u.use.count_info = PGC_allocated | 1;
    pg(DATA)->u.use.count_info &= ~PGC_allocated;  /* being released: no new references */
    snapshot();
    assert_false(page_get(pg(F_FREE), DOM));
    assert_false(page_get(pg(F_RESERVED), DOM));
    assert_false(page_get(pg(DATA), DOM));
    frames_unchanged();
}

static void get_count_overflow_refused(void **state)
{
    pg(DATA)->u.use.count_info = PGC_allocated | (PGC_count_mask - 1);
    assert_true(page_get(pg(DATA), DOM));
    assert_int_equal(gcount(DATA), PGC_count_mask);
    snapshot();
    assert_false(page_get(pg(DATA), DOM));
    assert_int_equal(page_get_and_type(pg(DATA), PGT_writable, DOM), -EINVAL);
    assert_int_equal(l1e_get_refs(ent(DATA, PTE_P), DOM), -EINVAL);
    frames_unchanged();
    assert_true(pg(DATA)->u.use.count_info & PGC_allocated);   /* no carry into the flag */
}

static void last_put_frees(void **state)
{
    assert_true(page_get(pg(DATA), DOM));
    drop_allocation(DATA);
    assert_int_equal(stub_frees_total(), 0);
    page_put(pg(DATA));
    assert_int_equal(stub_frees_of(DATA), 1);
    assert_int_equal(stub_frees_total(), 1);
    assert_int_equal(stub_freed_count(), 1);
    assert_int_equal(stub_freed_at(0)->owner, DOM);
    assert_int_equal(stub_freed_at(0)->mfn, DATA);
    assert_int_equal(pg(DATA)->u.use.count_info, 0);
    assert_int_equal(pg(DATA)->u.use.type_info, 0);
}

static void put_underflow_is_bug(void **state)
{
    drop_allocation(DATA);
    pg(DATA)->state = FRAME_ALLOCATED;   /* as if a stale holder still had the frame */
    expect_assert_failure(page_put(pg(DATA)));
    assert_int_equal(stub_panic_count, 1);
    assert_non_null(strstr(stub_panic_msg, "BUG"));
}

static void last_put_with_type_refs_is_bug(void **state)
{
    assert_int_equal(page_get_type(pg(DATA), PGT_writable, DOM), 0);   /* no general ref */
    pg(DATA)->u.use.count_info &= ~PGC_allocated;
    expect_assert_failure(page_put(pg(DATA)));
    assert_int_equal(stub_panic_count, 1);
    assert_int_equal(stub_frees_total(), 0);
}

/* ---------------------------------------------------------- type references ----- */

static void writable_counts_without_validation(void **state)
{
    memset(tab(DATA), 0xFF, PAGE_SIZE);   /* would fail any validation */
    assert_int_equal(page_get_and_type(pg(DATA), PGT_writable, DOM), 0);
    assert_int_equal(page_get_and_type(pg(DATA), PGT_writable, DOM), 0);
    assert_int_equal(ptype(DATA), PGT_writable);
    assert_int_equal(tcount(DATA), 2);
    assert_int_equal(gcount(DATA), 3);
    page_put_and_type(pg(DATA));
    page_put_and_type(pg(DATA));
    /* The type stays writable at count 0: the next page-table use must flush. */
    assert_int_equal(pg(DATA)->u.use.type_info, PGT_writable);
    assert_int_equal(gcount(DATA), 1);
    assert_int_equal(stub_cr3_writes, 0);
}

static void type_refused_for_frames_not_owned(void **state)
{
    static const uint32_t types[] = { PGT_writable, PGT_l1, PGT_l2, PGT_l2_slot3, PGT_l3,
                                      PGT_seg_desc };
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        assert_int_equal(page_get_type(pg(DATA), types[i], OTHER), -EINVAL);
        assert_int_equal(page_get_type(pg(F_FOREIGN), types[i], DOM), -EINVAL);
        assert_int_equal(page_get_type(pg(F_MONITOR), types[i], DOM), -EINVAL);
        assert_int_equal(page_get_type(pg(F_FREE), types[i], DOM), -EINVAL);
        assert_int_equal(page_get_type(pg(F_RESERVED), types[i], DOMID_NONE), -EINVAL);
        assert_int_equal(page_get_and_type(pg(F_FOREIGN), types[i], DOM), -EINVAL);
    }
    frames_unchanged();
}

/* Every pair of distinct types: a frame in use as one cannot be taken as the other. */
static void type_conflicts_refused(void **state)
{
    static const uint32_t types[] = { PGT_writable, PGT_l1, PGT_l2, PGT_l2_slot3, PGT_l3,
                                      PGT_seg_desc };
    tab(DATA)[3] = ent(L2B, PTE_P);   /* so that it validates as an L3 */
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        assert_int_equal(page_get_and_type(pg(DATA), types[i], DOM), 0);
        snapshot();
        for (unsigned int j = 0; j < ARRAY_SIZE(types); j++) {
            if (j != i) {
                assert_int_equal(page_get_type(pg(DATA), types[j], DOM), -EINVAL);
                assert_int_equal(page_get_and_type(pg(DATA), types[j], DOM), -EINVAL);
                frames_unchanged();
            }
        }
        page_put_and_type(pg(DATA));
        assert_int_equal(tcount(DATA), 0);
    }
}

static void type_count_overflow_refused(void **state)
{
    pg(L1A)->u.use.type_info = PGT_l1 | (PGT_count_mask - 1);
    assert_int_equal(page_get_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(tcount(L1A), PGT_count_mask);
    snapshot();
    assert_int_equal(page_get_type(pg(L1A), PGT_l1, DOM), -EINVAL);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), -EINVAL);
    frames_unchanged();
    assert_false(pg(L1A)->u.use.type_info & PGT_pinned);   /* no carry into the pin bit */
}

static void first_ref_validates_later_ones_count(void **state)
{
    tab(L1A)[0] = ent(DATA, PTE_P | PTE_RW);
    tab(L1A)[1] = ent(DATA2, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(gcount(DATA), 2);
    assert_int_equal(ptype(DATA), PGT_writable);
    assert_int_equal(tcount(DATA), 1);
    assert_int_equal(gcount(DATA2), 2);
    assert_int_equal(tcount(DATA2), 0);
    /* Later references do not look at the contents again. */
    tab(L1A)[2] = ent(F_FOREIGN, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(tcount(L1A), 2);
    assert_int_equal(gcount(DATA), 2);
    page_put_and_type(pg(L1A));
    assert_int_equal(gcount(DATA), 2);
    /* The last one releases what the entries held (the foreign entry held nothing). */
    tab(L1A)[2] = 0;
    page_put_and_type(pg(L1A));
    assert_int_equal(pg(L1A)->u.use.type_info, PGT_none);
    assert_int_equal(pg(DATA)->u.use.type_info, PGT_writable);   /* count 0 */
    pg(DATA)->u.use.type_info = PGT_none;
    frames_unchanged();
}

static void failed_validation_undoes_everything(void **state)
{
    tab(L1A)[0] = ent(DATA, PTE_P | PTE_RW);
    tab(L1A)[1] = ent(DATA2, PTE_P);
    tab(L1A)[2] = ent(L1A, PTE_P);               /* itself, read-only: fine */
    tab(L1A)[300] = ent(F_FOREIGN, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), -EINVAL);
    assert_int_equal(pg(DATA)->u.use.type_info, PGT_writable);   /* count 0 */
    pg(DATA)->u.use.type_info = PGT_none;
    frames_unchanged();
}

static void pinned_bit_kept_while_counting(void **state)
{
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    pg(L1A)->u.use.type_info |= PGT_pinned;
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(pg(L1A)->u.use.type_info, PGT_l1 | PGT_pinned | 2);
    page_put_and_type(pg(L1A));
    assert_int_equal(pg(L1A)->u.use.type_info, PGT_l1 | PGT_pinned | 1);
}

static void type_put_underflow_is_bug(void **state)
{
    expect_assert_failure(page_put_type(pg(L1A)));
    assert_int_equal(stub_panic_count, 1);
}

/* A frame that was writable is flushed from the TLB when it becomes a table or GDT page. */
static void writable_to_table_flushes(void **state)
{
    static const uint32_t types[] = { PGT_l1, PGT_l2, PGT_l2_slot3, PGT_l3, PGT_seg_desc };
    tab(DATA)[3] = ent(L2B, PTE_P);
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        unsigned int flushes = stub_cr3_writes;
        assert_int_equal(l1e_get_refs(ent(DATA, PTE_P | PTE_RW), DOM), 0);
        l1e_put_refs(ent(DATA, PTE_P | PTE_RW));
        assert_int_equal(stub_cr3_writes, flushes);
        assert_int_equal(page_get_and_type(pg(DATA), types[i], DOM), 0);
        assert_int_equal(stub_cr3_writes, flushes + 1);
        page_put_and_type(pg(DATA));
        /* Untyped to a table: nothing stale to flush. */
        assert_int_equal(page_get_and_type(pg(DATA), types[i], DOM), 0);
        page_put_and_type(pg(DATA));
        assert_int_equal(stub_cr3_writes, flushes + 1);
    }
    assert_int_equal(stub_cr3_writes, ARRAY_SIZE(types));
    /* A refused type change flushes nothing either. */
    assert_int_equal(l1e_get_refs(ent(DATA, PTE_P | PTE_RW), DOM), 0);
    assert_int_equal(page_get_and_type(pg(DATA), PGT_l1, DOM), -EINVAL);
    assert_int_equal(stub_cr3_writes, ARRAY_SIZE(types));
    l1e_put_refs(ent(DATA, PTE_P | PTE_RW));
}

/* ----------------------------------------------------------------- L1 entries ----- */

static void l1_not_present_takes_nothing(void **state)
{
    const pte_t garbage[] = { 0, ~PTE_P, ent(F_FOREIGN, PTE_RW), ent(NR_FRAMES, 0) };
    for (unsigned int i = 0; i < ARRAY_SIZE(garbage); i++) {
        assert_int_equal(l1e_get_refs(garbage[i], DOM), 0);
        l1e_put_refs(garbage[i]);
        assert_int_equal(pt_entry_get_refs(PGT_l1, garbage[i], 0, DOM), 0);
        pt_entry_put_refs(PGT_l1, garbage[i]);
    }
    frames_unchanged();
}

static void l1_allowed_flags(void **state)
{
    static const pte_t flags[] = { PTE_RW, PTE_US, PTE_A, PTE_D, 1ull << 9, 1ull << 10,
                                   1ull << 11, PTE_NX, ALL_L1_FLAGS };
    for (unsigned int i = 0; i < ARRAY_SIZE(flags); i++) {
        pte_t e = ent(DATA, PTE_P | flags[i]);
        assert_int_equal(l1e_get_refs(e, DOM), 0);
        assert_int_equal(gcount(DATA), 2);
        assert_int_equal(tcount(DATA), (flags[i] & PTE_RW) ? 1 : 0);
        l1e_put_refs(e);
        pg(DATA)->u.use.type_info = PGT_none;   /* forget "was writable" for the compare */
        frames_unchanged();
    }
}

/* Without NX in the CPU, bit 63 is reserved: a guest entry may not set it. */
static void nx_only_when_the_cpu_has_it(void **state)
{
    tab(L1A)[0] = ent(DATA, PTE_P | PTE_NX);
    tab(L2A)[0] = ent(L1B, PTE_P | PTE_NX);
    pte_nx = 0;
    assert_int_equal(l1e_get_refs(ent(DATA, PTE_P | PTE_NX), DOM), -EINVAL);
    assert_int_equal(pt_entry_get_refs(PGT_l2, ent(L1B, PTE_P | PTE_NX), 0, DOM), -EINVAL);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), -EINVAL);
    assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), -EINVAL);
    frames_unchanged();
    pte_nx = PTE_NX;
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), 0);
    page_put_and_type(pg(L2A));
    page_put_and_type(pg(L1A));
    frames_unchanged();
}

/* PWT, PCD, PAT (bit 7), G, and the bits between the address and NX are refused. */
static void l1_refused_flags(void **state)
{
    for (unsigned int bit = 3; bit < 63; bit++) {
        pte_t f = 1ull << bit;
        if ((f & ALL_L1_FLAGS) || (f & PTE_ADDR)) {
            continue;
        }
        assert_int_equal(l1e_get_refs(ent(DATA, PTE_P | f), DOM), -EINVAL);
        assert_int_equal(pt_entry_get_refs(PGT_l1, ent(DATA, PTE_P | PTE_RW | f), 0, DOM),
                         -EINVAL);
    }
    frames_unchanged();
}

static void l1_refused_frames(void **state)
{
    static const uint64_t frames[] = { F_RESERVED, F_FREE, F_MONITOR, F_FOREIGN, NR_FRAMES,
                                       0xFFFFFFFFFFull };
    for (unsigned int i = 0; i < ARRAY_SIZE(frames); i++) {
        assert_int_equal(l1e_get_refs(ent(frames[i], PTE_P), DOM), -EINVAL);
        assert_int_equal(l1e_get_refs(ent(frames[i], PTE_P | PTE_RW), DOM), -EINVAL);
    }
    frames_unchanged();
}

/* Page-table and descriptor frames: read-only mappings only. */
static void l1_rw_mapping_of_tables_refused(void **state)
{
    static const uint32_t frames[] = { L1A, L2A, S3A, L3A, DESC };
    tab(L3A)[3] = ent(S3B, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), 0);
    assert_int_equal(page_get_and_type(pg(S3A), PGT_l2_slot3, DOM), 0);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    assert_int_equal(page_get_and_type(pg(DESC), PGT_seg_desc, DOM), 0);
    snapshot();
    for (unsigned int i = 0; i < ARRAY_SIZE(frames); i++) {
        uint32_t types = pg(frames[i])->u.use.type_info;
        assert_int_equal(l1e_get_refs(ent(frames[i], PTE_P | PTE_RW), DOM), -EINVAL);
        frames_unchanged();
        assert_int_equal(l1e_get_refs(ent(frames[i], PTE_P | PTE_US), DOM), 0);
        assert_int_equal(gcount(frames[i]), before[frames[i]].u.use.count_info - PGC_allocated + 1);
        assert_int_equal(pg(frames[i])->u.use.type_info, types);
        l1e_put_refs(ent(frames[i], PTE_P | PTE_US));
        frames_unchanged();
    }
}

/* An L1 may map itself read-only (a common guest idiom), never writable. */
static void l1_maps_itself_read_only_only(void **state)
{
    tab(L1A)[7] = ent(L1A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    assert_int_equal(gcount(L1A), 3);
    page_put_and_type(pg(L1A));
    frames_unchanged();
    tab(L1A)[7] = ent(L1A, PTE_P | PTE_RW);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), -EINVAL);
    frames_unchanged();
}

/* -------------------------------------------------------- L2 and L3 entries ----- */

static void l2_entries(void **state)
{
    tab(L1A)[0] = ent(DATA, PTE_P | PTE_RW);
    tab(L2A)[0] = ent(L1A, PTE_P | PTE_RW | PTE_US | PTE_A);
    tab(L2A)[511] = ent(L1A, PTE_P | PTE_NX | (7ull << 9));
    tab(L2A)[5] = ent(L1B, 0);   /* not present: nothing */
    assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), 0);
    assert_int_equal(ptype(L1A), PGT_l1);
    assert_int_equal(tcount(L1A), 2);
    assert_int_equal(gcount(L1A), 3);
    assert_int_equal(tcount(DATA), 1);   /* validated once */
    assert_int_equal(tcount(L1B), 0);
    page_put_and_type(pg(L2A));
    pg(DATA)->u.use.type_info = PGT_none;
    frames_unchanged();
}

static void l2_refused_flags(void **state)
{
    static const pte_t bad[] = { PTE_PWT, PTE_PCD, PTE_PS, PTE_G, 1ull << 52, 1ull << 62 };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        tab(L2A)[1] = ent(L1A, PTE_P | bad[i]);
        assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), -EINVAL);
        assert_int_equal(pt_entry_get_refs(PGT_l2, tab(L2A)[1], 1, DOM), -EINVAL);
        assert_int_equal(pt_entry_get_refs(PGT_l2_slot3, tab(L2A)[1], 1, DOM), -EINVAL);
        frames_unchanged();
    }
}

/* An L2 entry must point at a frame that is, or can become, an L1. */
static void l2_entry_to_wrong_frame_refused(void **state)
{
    tab(L3A)[3] = ent(S3A, PTE_P);
    tab(L1B)[9] = ent(F_MONITOR, PTE_P);   /* does not validate as an L1 */
    assert_int_equal(page_get_and_type(pg(L2B), PGT_l2, DOM), 0);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    assert_int_equal(page_get_and_type(pg(DESC), PGT_seg_desc, DOM), 0);
    assert_int_equal(l1e_get_refs(ent(DATA, PTE_P | PTE_RW), DOM), 0);
    snapshot();
    static const uint64_t targets[] = { DATA, L2B, S3A, L3A, DESC, L1B, F_FOREIGN, F_MONITOR,
                                        F_FREE, F_RESERVED, NR_FRAMES };
    for (unsigned int i = 0; i < ARRAY_SIZE(targets); i++) {
        tab(L2A)[2] = ent(targets[i], PTE_P);
        assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), -EINVAL);
        assert_int_equal(pt_entry_get_refs(PGT_l2, tab(L2A)[2], 2, DOM), -EINVAL);
        frames_unchanged();
    }
}

static void l3_entries(void **state)
{
    tab(L3A)[0] = ent(L2A, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | (7ull << 9));
    tab(L3A)[2] = ent(L2A, PTE_P);   /* one L2 under two slots: counted twice */
    tab(L3A)[3] = ent(S3A, PTE_P | PTE_RW);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    assert_int_equal(ptype(L2A), PGT_l2);
    assert_int_equal(tcount(L2A), 2);
    assert_int_equal(ptype(S3A), PGT_l2_slot3);
    assert_int_equal(tcount(S3A), 1);
    page_put_and_type(pg(L3A));
    frames_unchanged();
}

static void l3_slot3_must_be_present(void **state)
{
    tab(L3A)[0] = ent(L2A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    assert_int_equal(pt_entry_get_refs(PGT_l3, 0, 3, DOM), -EINVAL);
    assert_int_equal(pt_entry_get_refs(PGT_l3, 0, 1, DOM), 0);
    frames_unchanged();
}

static void l3_refused_flags(void **state)
{
    for (unsigned int bit = 1; bit < 64; bit++) {
        pte_t f = 1ull << bit;
        if ((f & L3_GUEST_FLAGS) || (f & PTE_ADDR)) {
            continue;
        }
        tab(L3A)[3] = ent(S3A, PTE_P | f);
        assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
        tab(L3A)[3] = ent(S3A, PTE_P);
        tab(L3A)[1] = ent(L2A, PTE_P | f);
        assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
        assert_int_equal(pt_entry_get_refs(PGT_l3, tab(L3A)[1], 1, DOM), -EINVAL);
        tab(L3A)[1] = 0;
    }
    frames_unchanged();
}

/* No L3 refers to itself or to another L3. */
static void l3_to_l3_refused(void **state)
{
    tab(L3B)[3] = ent(S3B, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3B), PGT_l3, DOM), 0);
    snapshot();
    tab(L3A)[3] = ent(S3A, PTE_P);
    tab(L3A)[0] = ent(L3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    tab(L3A)[0] = ent(L3B, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    tab(L3A)[0] = 0;
    tab(L3A)[3] = ent(L3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    tab(L3A)[3] = ent(L3B, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    frames_unchanged();
}

/* An L2 entry may not point at its own table (no linear page tables). */
static void l2_to_itself_refused(void **state)
{
    tab(L2A)[100] = ent(L2A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), -EINVAL);
    tab(L3A)[3] = ent(S3A, PTE_P);
    tab(S3A)[0] = ent(S3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    frames_unchanged();
}

/*
 * The slot-3 L2: only the guest's part [0, 0x1AC) is validated; the monitor's entries are
 * copied in at validation and wiped on release, leaving the guest's part as it was.
 */
static void slot3_carries_monitor_entries(void **state)
{
    const size_t mon = sizeof(monitor_l2_entries);
    tab(L1A)[0] = ent(DATA, PTE_P | PTE_RW);
    tab(S3A)[0] = ent(L1A, PTE_P | PTE_RW);
    tab(S3A)[L2_MONITOR_FIRST - 1] = ent(L1A, PTE_P);
    tab(S3A)[L2_MONITOR_FIRST] = ent(F_FOREIGN, PTE_P | PTE_PS);   /* not the guest's part */
    tab(S3A)[511] = ent(F_MONITOR, PTE_P | PTE_RW);
    tab(L3A)[3] = ent(S3A, PTE_P);
    assert_int_equal(L2_MONITOR_FIRST, MONITOR_L2_FIRST);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    assert_int_equal(tcount(L1A), 2);
    assert_memory_equal(&tab(S3A)[L2_MONITOR_FIRST], monitor_l2_entries, mon);
    page_put_and_type(pg(L3A));
    assert_int_equal(ptype(S3A), PGT_none);
    for (unsigned int i = L2_MONITOR_FIRST; i < 512; i++) {
        assert_int_equal(tab(S3A)[i], 0);
    }
    assert_int_equal(tab(S3A)[0], ent(L1A, PTE_P | PTE_RW));
    assert_int_equal(tab(S3A)[L2_MONITOR_FIRST - 1], ent(L1A, PTE_P));
    pg(DATA)->u.use.type_info = PGT_none;
    frames_unchanged();
    /* A bad entry just below the monitor's part is still the guest's, and checked. */
    tab(S3A)[L2_MONITOR_FIRST - 1] = ent(F_FOREIGN, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    pg(DATA)->u.use.type_info = PGT_none;   /* was taken and given back before the refusal */
    frames_unchanged();
}

/* One slot-3 L2 per L3: a second L3 naming the same one is refused (Xen: "shared"). */
static void slot3_l2_not_shared(void **state)
{
    tab(L3A)[3] = ent(S3A, PTE_P);
    tab(L3B)[3] = ent(S3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    snapshot();
    assert_int_equal(page_get_and_type(pg(L3B), PGT_l3, DOM), -EINVAL);
    assert_int_equal(pt_entry_get_refs(PGT_l3, ent(S3A, PTE_P), 3, DOM), -EINVAL);
    assert_int_equal(page_get_and_type(pg(S3A), PGT_l2_slot3, DOM), -EINVAL);
    frames_unchanged();
    /* The same L3 used twice (two vCPUs' bases) is one L3, its slot-3 L2 still single. */
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    assert_int_equal(tcount(L3A), 2);
    assert_int_equal(tcount(S3A), 1);
    page_put_and_type(pg(L3A));
    page_put_and_type(pg(L3A));
    /* Once released, the frame may serve another L3. */
    assert_int_equal(page_get_and_type(pg(L3B), PGT_l3, DOM), 0);
    assert_int_equal(tcount(S3A), 1);
    page_put_and_type(pg(L3B));
}

/* An ordinary L2 in use cannot go under slot 3, nor a slot-3 L2 under slots 0-2. */
static void slot3_and_ordinary_l2_conflict(void **state)
{
    assert_int_equal(page_get_and_type(pg(L2A), PGT_l2, DOM), 0);   /* as a pin does */
    snapshot();
    tab(L3A)[3] = ent(L2A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    assert_int_equal(pt_entry_get_refs(PGT_l3, ent(L2A, PTE_P), 3, DOM), -EINVAL);
    frames_unchanged();
    page_put_and_type(pg(L2A));

    tab(L3A)[3] = ent(S3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    snapshot();
    tab(L3B)[3] = ent(S3B, PTE_P);
    tab(L3B)[1] = ent(S3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3B), PGT_l3, DOM), -EINVAL);
    assert_int_equal(pt_entry_get_refs(PGT_l3, ent(S3A, PTE_P), 0, DOM), -EINVAL);
    assert_int_equal(page_get_and_type(pg(S3A), PGT_l2, DOM), -EINVAL);
    frames_unchanged();
    page_put_and_type(pg(L3A));

    /* Within one L3: slot 0 takes the frame as an ordinary L2, slot 3 then conflicts. */
    tab(L3A)[0] = ent(S3A, PTE_P);
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), -EINVAL);
    assert_int_equal(tcount(S3A), 0);
}

/* ---------------------------------------------------------------- descriptors ----- */

/* A present code or data descriptor with a 20-bit limit; g: 4 KiB granularity. */
static uint64_t code_data(uint32_t base, uint32_t limit, unsigned int type, unsigned int dpl,
                          bool g)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)type << 40) | (1ull << 44) | ((uint64_t)dpl << 45) | (1ull << 47) |
           ((uint64_t)((limit >> 16) & 0xF) << 48) | (1ull << 54) | ((uint64_t)g << 55) |
           ((uint64_t)(base >> 24) << 56);
}

/* Every descriptor is checked once, at the first reference, and the checked value kept. */
static void descriptors_validated_on_first_ref(void **state)
{
    uint64_t *d = stub_frame_mem(DESC);
    unsigned int calls = stub_descriptor_calls;
    uint64_t kept;
    d[1] = code_data(0, 0xFFFFF, 0x2, 0, true);   /* DPL 0: the check raises it to 1 */
    d[511] = kept = code_data(0x1000, 0xFFFF, 0xA, 3, false);
    assert_int_equal(page_get_and_type(pg(DESC), PGT_seg_desc, DOM), 0);
    assert_int_equal(stub_descriptor_calls - calls, 512);
    assert_int_equal(d[1], code_data(0, 0xFFFFF, 0x2, 1, true));
    assert_int_equal(d[511], kept);
    /* Later references only count: a descriptor refused now is not looked at. */
    stub_descriptor_refused = kept;
    calls = stub_descriptor_calls;
    assert_int_equal(page_get_and_type(pg(DESC), PGT_seg_desc, DOM), 0);
    assert_int_equal(tcount(DESC), 2);
    page_put_and_type(pg(DESC));
    page_put_and_type(pg(DESC));
    assert_int_equal(stub_descriptor_calls, calls);
    assert_int_equal(d[511], kept);   /* the last put has nothing to release */
    frames_unchanged();
}

static void descriptors_refused(void **state)
{
    uint64_t *d = stub_frame_mem(DESC);
    static const unsigned int where[] = { 0, 1, 300, 511 };
    stub_descriptor_refused = code_data(0xF6000000u, 0xFFFFF, 0x2, 1, true);
    for (unsigned int i = 0; i < ARRAY_SIZE(where); i++) {
        memset(d, 0, PAGE_SIZE);
        d[where[i]] = stub_descriptor_refused;
        assert_int_equal(page_get_and_type(pg(DESC), PGT_seg_desc, DOM), -EINVAL);
        assert_int_equal(page_get_type(pg(DESC), PGT_seg_desc, DOM), -EINVAL);
        frames_unchanged();
    }
    d[511] = 0;
    assert_int_equal(page_get_and_type(pg(DESC), PGT_seg_desc, DOM), 0);
    page_put_and_type(pg(DESC));
    frames_unchanged();
}

/* ------------------------------------------------------------------ entries ----- */

static void pt_entry_unknown_level_refused(void **state)
{
    static const uint32_t levels[] = { PGT_none, PGT_writable, PGT_seg_desc, PGT_type_mask };
    for (unsigned int i = 0; i < ARRAY_SIZE(levels); i++) {
        assert_int_equal(pt_entry_get_refs(levels[i], ent(DATA, PTE_P), 0, DOM), -EINVAL);
    }
    frames_unchanged();
}

static void pt_entry_refs_each_level(void **state)
{
    assert_int_equal(pt_entry_get_refs(PGT_l1, ent(DATA, PTE_P | PTE_RW), 0, DOM), 0);
    assert_int_equal(tcount(DATA), 1);
    pt_entry_put_refs(PGT_l1, ent(DATA, PTE_P | PTE_RW));
    assert_int_equal(tcount(DATA), 0);
    pg(DATA)->u.use.type_info = PGT_none;
    frames_unchanged();

    assert_int_equal(pt_entry_get_refs(PGT_l2, ent(L1A, PTE_P), 0, DOM), 0);
    assert_int_equal(pt_entry_get_refs(PGT_l2_slot3, ent(L1A, PTE_P), 3, DOM), 0);
    assert_int_equal(ptype(L1A), PGT_l1);
    assert_int_equal(tcount(L1A), 2);
    assert_int_equal(gcount(L1A), 3);
    pt_entry_put_refs(PGT_l2, ent(L1A, PTE_P));
    pt_entry_put_refs(PGT_l2_slot3, ent(L1A, PTE_P));
    frames_unchanged();

    assert_int_equal(pt_entry_get_refs(PGT_l3, ent(L2A, PTE_P), 2, DOM), 0);
    assert_int_equal(pt_entry_get_refs(PGT_l3, ent(S3A, PTE_P), 3, DOM), 0);
    assert_int_equal(ptype(L2A), PGT_l2);
    assert_int_equal(ptype(S3A), PGT_l2_slot3);
    assert_memory_equal(&tab(S3A)[L2_MONITOR_FIRST], monitor_l2_entries,
                        sizeof(monitor_l2_entries));
    pt_entry_put_refs(PGT_l3, ent(L2A, PTE_P));
    pt_entry_put_refs(PGT_l3, ent(S3A, PTE_P));
    assert_int_equal(tab(S3A)[L2_MONITOR_FIRST], 0);
    frames_unchanged();
}

/* ------------------------------------------------------------ whole trees ----- */

/* L3A -> L2A (twice) -> L1A -> DATA (RW, twice), DATA2; slot 3 -> S3A -> L1B -> DATA3. */
static void build_tree(void)
{
    tab(L3A)[0] = ent(L2A, PTE_P);
    tab(L3A)[1] = ent(L2A, PTE_P);
    tab(L3A)[3] = ent(S3A, PTE_P);
    tab(L2A)[0] = ent(L1A, PTE_P | PTE_RW);
    tab(L1A)[0] = ent(DATA, PTE_P | PTE_RW);
    tab(L1A)[1] = ent(DATA2, PTE_P);
    tab(L1A)[2] = ent(DATA, PTE_P | PTE_RW | PTE_US);
    tab(S3A)[5] = ent(L1B, PTE_P);
    tab(L1B)[0] = ent(DATA3, PTE_P | PTE_RW);
    tab(L1B)[1] = ent(L1B, PTE_P);   /* maps itself */
    assert_int_equal(page_get_and_type(pg(L3A), PGT_l3, DOM), 0);
    assert_int_equal(tcount(L2A), 2);
    assert_int_equal(gcount(L2A), 3);
    assert_int_equal(tcount(L1A), 1);
    assert_int_equal(tcount(DATA), 2);
    assert_int_equal(gcount(DATA), 3);
    assert_int_equal(gcount(DATA2), 2);
    assert_int_equal(ptype(S3A), PGT_l2_slot3);
    assert_int_equal(gcount(L1B), 3);
    assert_int_equal(tcount(DATA3), 1);
}

static void release_of_l3_releases_tree(void **state)
{
    build_tree();
    page_put_and_type(pg(L3A));
    assert_int_equal(stub_frees_total(), 0);
    pg(DATA)->u.use.type_info = PGT_none;
    pg(DATA3)->u.use.type_info = PGT_none;
    frames_unchanged();
}

/* With the domain's allocation references gone, the last L3 reference frees everything. */
static void release_of_l3_frees_tree(void **state)
{
    static const uint32_t tree[] = { L3A, L2A, S3A, L1A, L1B, DATA, DATA2, DATA3 };
    unsigned int frees;
    build_tree();
    for (uint32_t f = 4; f < NR_FRAMES; f++) {
        drop_allocation(f);
    }
    stub_freed_reset();
    frees = stub_frees_total();
    page_put_and_type(pg(L3A));
    assert_int_equal(stub_frees_total(), frees + ARRAY_SIZE(tree));
    assert_int_equal(stub_freed_count(), ARRAY_SIZE(tree));
    for (unsigned int i = 0; i < ARRAY_SIZE(tree); i++) {
        bool told = false;
        assert_int_equal(stub_frees_of(tree[i]), 1);
        assert_int_equal(pg(tree[i])->state, FRAME_FREE);
        for (unsigned int j = 0; j < stub_freed_count(); j++) {
            told |= stub_freed_at(j)->mfn == tree[i] && stub_freed_at(j)->owner == DOM;
        }
        assert_true(told);
    }
    for (uint32_t f = 4; f < NR_FRAMES; f++) {
        assert_int_equal(stub_frees_of(f), 1);   /* every frame exactly once */
    }
    /* One temporary mapping per level of the walk. */
    print_message("deepest map_frame nesting while releasing: %u\n", stub_maps_deepest());
    assert_true(stub_maps_deepest() <= 3);
}

/*
 * A grant mapping's L1 entry names another domain's frame; the grant holds its references
 * (kernel/grant_map.c).  Releasing the L1 leaves that frame's counts alone.
 */
static void l1_release_leaves_grant_entries(void **state)
{
    assert_true(l1e_is_foreign(ent(F_FOREIGN, PTE_P), DOM));
    assert_false(l1e_is_foreign(ent(F_FOREIGN, PTE_RW), DOM));   /* not present */
    assert_false(l1e_is_foreign(ent(F_FOREIGN, PTE_P), OTHER));
    assert_false(l1e_is_foreign(ent(DATA, PTE_P | PTE_RW), DOM));
    assert_false(l1e_is_foreign(ent(NR_FRAMES, PTE_P), DOM));
    tab(L1A)[0] = ent(DATA, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), 0);
    tab(L1A)[7] = ent(F_FOREIGN, PTE_P | PTE_RW);   /* as map_grant_ref writes it */
    page_put_and_type(pg(L1A));
    assert_int_equal(ptype(L1A), PGT_none);
    tab(L1A)[0] = 0;
    tab(L1A)[7] = 0;
    frames_unchanged();
    /* Validation still refuses such an entry: a guest cannot make or copy one. */
    tab(L1A)[7] = ent(F_FOREIGN, PTE_P);
    assert_int_equal(page_get_and_type(pg(L1A), PGT_l1, DOM), -EINVAL);
    tab(L1A)[7] = 0;
    frames_unchanged();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, pagetype_setup, pagetype_teardown)
        T(get_put_counts),
        T(get_refused),
        T(get_count_overflow_refused),
        T(last_put_frees),
        T(put_underflow_is_bug),
        T(last_put_with_type_refs_is_bug),
        T(writable_counts_without_validation),
        T(type_refused_for_frames_not_owned),
        T(type_conflicts_refused),
        T(type_count_overflow_refused),
        T(first_ref_validates_later_ones_count),
        T(failed_validation_undoes_everything),
        T(pinned_bit_kept_while_counting),
        T(l1_release_leaves_grant_entries),
        T(type_put_underflow_is_bug),
        T(writable_to_table_flushes),
        T(l1_not_present_takes_nothing),
        T(l1_allowed_flags),
        T(l1_refused_flags),
        T(nx_only_when_the_cpu_has_it),
        T(l1_refused_frames),
        T(l1_rw_mapping_of_tables_refused),
        T(l1_maps_itself_read_only_only),
        T(l2_entries),
        T(l2_refused_flags),
        T(l2_entry_to_wrong_frame_refused),
        T(l2_to_itself_refused),
        T(l3_entries),
        T(l3_slot3_must_be_present),
        T(l3_refused_flags),
        T(l3_to_l3_refused),
        T(slot3_carries_monitor_entries),
        T(slot3_l2_not_shared),
        T(slot3_and_ordinary_l2_conflict),
        T(descriptors_validated_on_first_ref),
        T(descriptors_refused),
        T(pt_entry_unknown_level_refused),
        T(pt_entry_refs_each_level),
        T(release_of_l3_releases_tree),
        T(release_of_l3_frees_tree),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
