/* Page types and reference counts: validation on first use, release on last. */
#include "mm/pagetype.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

pte_t monitor_l2_entries[512 - L2_MONITOR_FIRST];

static inline mfn_t page_to_mfn(const struct page_info *pg)
{
    return _mfn((uint32_t)(pg - mfn_to_page(_mfn(0))));
}

static struct page_info *pte_page(pte_t e)
{
    uint64_t mfn = (e & PTE_ADDR) >> PAGE_SHIFT;
    return mfn < frame_table_frames ? mfn_to_page(_mfn((uint32_t)mfn)) : NULL;
}

bool page_get(struct page_info *pg, uint16_t owner)
{
    uint32_t c = pg->u.use.count_info;
    if (pg->state != FRAME_ALLOCATED || pg->owner != owner || !(c & PGC_allocated) ||
        (c & PGC_count_mask) == PGC_count_mask) {
        return false;
    }
    pg->u.use.count_info = c + 1;
    return true;
}

void page_put(struct page_info *pg)
{
    uint32_t c = pg->u.use.count_info;
    BUG_ON((c & PGC_count_mask) == 0);
    pg->u.use.count_info = --c;
    if ((c & PGC_count_mask) == 0) {
        uint16_t owner = pg->owner;
        BUG_ON(page_type_count(pg) != 0);
        pg->u.use.type_info = 0;
        pg->u.use.count_info = 0;
        page_freed(owner, page_to_mfn(pg));
        free_frames(page_to_mfn(pg), 0);
    }
}

/* ---------------------------------------------------------------- entries ------ */

/* A level's guest flags, NX only when the CPU has it: without EFER.NXE bit 63 is reserved. */
static pte_t guest_flags(pte_t allowed)
{
    return (allowed & ~PTE_NX) | pte_nx;
}

int l1e_get_refs(pte_t e, uint16_t owner)
{
    struct page_info *pg;
    if (!(e & PTE_P)) {
        return 0;
    }
    pg = pte_page(e);
    if ((e & ~(PTE_ADDR | guest_flags(L1_GUEST_FLAGS))) || !pg || !page_get(pg, owner)) {
        return -EINVAL;
    }
    if ((e & PTE_RW) && page_get_type(pg, PGT_writable, owner)) {
        page_put(pg);
        return -EINVAL;
    }
    return 0;
}

void l1e_put_refs(pte_t e)
{
    struct page_info *pg;
    if (!(e & PTE_P)) {
        return;
    }
    pg = pte_page(e);
    if (e & PTE_RW) {
        page_put_type(pg);
    }
    page_put(pg);
}

static int l2e_get_refs(pte_t e, uint16_t owner)
{
    struct page_info *pg;
    if (!(e & PTE_P)) {
        return 0;
    }
    pg = pte_page(e);
    if ((e & ~(PTE_ADDR | guest_flags(L2_GUEST_FLAGS))) || !pg) {
        return -EINVAL;
    }
    return page_get_and_type(pg, PGT_l1, owner);
}

static int l3e_get_refs(pte_t e, unsigned int slot, uint16_t owner)
{
    struct page_info *pg;
    if (!(e & PTE_P)) {
        return slot == 3 ? -EINVAL : 0;   /* the monitor lives under slot 3 */
    }
    pg = pte_page(e);
    if ((e & ~(PTE_ADDR | L3_GUEST_FLAGS)) || !pg) {
        return -EINVAL;
    }
    return page_get_and_type(pg, slot == 3 ? PGT_l2_slot3 : PGT_l2, owner);
}

static void upper_put_refs(pte_t e)
{
    if (e & PTE_P) {
        page_put_and_type(pte_page(e));
    }
}

int pt_entry_get_refs(uint32_t level_type, pte_t e, unsigned int slot, uint16_t owner)
{
    switch (level_type) {
    case PGT_l1:
        return l1e_get_refs(e, owner);
    case PGT_l2:
    case PGT_l2_slot3:
        return l2e_get_refs(e, owner);
    case PGT_l3:
        return l3e_get_refs(e, slot, owner);
    default:
        return -EINVAL;
    }
}

void pt_entry_put_refs(uint32_t level_type, pte_t e)
{
    if (level_type == PGT_l1) {
        l1e_put_refs(e);
    } else {
        upper_put_refs(e);
    }
}

/* ---------------------------------------------------------------- tables ------- */

/* Entries [0, n) of a table, with the getter for its level; undoes itself on failure. */
static int validate_entries(pte_t *t, unsigned int n, uint32_t type, uint16_t owner)
{
    for (unsigned int i = 0; i < n; i++) {
        int rc = type == PGT_l1 ? l1e_get_refs(t[i], owner)
               : type == PGT_l3 ? l3e_get_refs(t[i], i, owner)
                                : l2e_get_refs(t[i], owner);
        if (rc) {
            pr_debug("mm: entry %u of a %s frame refused: %llx\n", i,
                     type == PGT_l1 ? "L1" : type == PGT_l3 ? "L3" : "L2",
                     (unsigned long long)t[i]);   /* uint64_t is long on 64-bit hosts */
            while (i-- > 0) {
                if (type == PGT_l1) {
                    l1e_put_refs(t[i]);
                } else {
                    upper_put_refs(t[i]);
                }
            }
            return -EINVAL;
        }
    }
    return 0;
}

static unsigned int entries_of(uint32_t type)
{
    return type == PGT_l3 ? 4 : type == PGT_l2_slot3 ? L2_MONITOR_FIRST : 512;
}

static int validate_descriptors(uint64_t *d)
{
    for (unsigned int i = 0; i < 512; i++) {
        if (!descriptor_ok(&d[i])) {
            return -EINVAL;
        }
    }
    return 0;
}

static int validate(struct page_info *pg, uint32_t type, uint16_t owner)
{
    pte_t *t = map_frame(page_to_mfn(pg));
    int rc;
    if (type == PGT_seg_desc) {
        rc = validate_descriptors((uint64_t *)t);
    } else {
        rc = validate_entries(t, entries_of(type), type, owner);
        if (!rc && type == PGT_l2_slot3) {
            memcpy(&t[L2_MONITOR_FIRST], monitor_l2_entries, sizeof(monitor_l2_entries));
        }
    }
    unmap_frame(t);
    return rc;
}

static void devalidate(struct page_info *pg, uint32_t type)
{
    pte_t *t = map_frame(page_to_mfn(pg));
    unsigned int n = entries_of(type);
    for (unsigned int i = 0; type != PGT_seg_desc && i < n; i++) {
        if (type == PGT_l1) {
            if (!l1e_is_foreign(t[i], pg->owner)) {
                l1e_put_refs(t[i]);
            }
        } else {
            upper_put_refs(t[i]);
        }
    }
    if (type == PGT_l2_slot3) {
        /* The guest may get this frame back writable: no monitor addresses left in it. */
        memset(&t[L2_MONITOR_FIRST], 0, sizeof(monitor_l2_entries));
    }
    unmap_frame(t);
}

static bool needs_validation(uint32_t type)
{
    return type != PGT_writable && type != PGT_none;
}

int page_get_type(struct page_info *pg, uint32_t type, uint16_t owner)
{
    uint32_t x = pg->u.use.type_info;
    if (pg->owner != owner || pg->state != FRAME_ALLOCATED) {
        return -EINVAL;
    }
    if ((x & PGT_count_mask) != 0) {
        /* A slot-3 L2 holds the monitor's entries for the one L3 above it: never shared. */
        if ((x & PGT_type_mask) != type || type == PGT_l2_slot3 ||
            (x & PGT_count_mask) == PGT_count_mask) {
            return -EINVAL;
        }
        pg->u.use.type_info = x + 1;
        return 0;
    }
    if ((x & PGT_type_mask) == PGT_writable && type != PGT_writable) {
        /* Stale writable TLB entries of this frame must go before it is trusted. */
        flush_tlb_local();
    }
    pg->u.use.type_info = type | 1;
    if (needs_validation(type) && validate(pg, type, owner)) {
        pg->u.use.type_info = PGT_none;
        return -EINVAL;
    }
    return 0;
}

void page_put_type(struct page_info *pg)
{
    uint32_t x = pg->u.use.type_info;
    uint32_t type = x & PGT_type_mask;
    BUG_ON((x & PGT_count_mask) == 0);
    if ((x & PGT_count_mask) > 1) {
        pg->u.use.type_info = x - 1;
        return;
    }
    /* Last type reference: a page table gives back what its entries held. */
    pg->u.use.type_info = type == PGT_writable ? PGT_writable : PGT_none;
    if (needs_validation(type)) {
        devalidate(pg, type);
    }
}

int page_get_and_type(struct page_info *pg, uint32_t type, uint16_t owner)
{
    if (!page_get(pg, owner)) {
        return -EINVAL;
    }
    if (page_get_type(pg, type, owner)) {
        page_put(pg);
        return -EINVAL;
    }
    return 0;
}

void page_put_and_type(struct page_info *pg)
{
    page_put_type(pg);
    page_put(pg);
}
