/*
 * Page types and reference counts of machine frames (Xen's direct-paging rules).
 *
 * A frame has one type at a time (writable, L1, L2, slot-3 L2, L3, segment descriptors)
 * with a type count, a general count of references and an owner.  Taking the first
 * reference of a page-table or descriptor type validates every entry (each valid entry in
 * turn holds references on what it points to); dropping the last one releases them.  A
 * frame mapped writable cannot take a page-table type and vice versa.
 *
 * Locking: the caller holds the mm lock of the domain that owns the frames (d->mm_lock);
 * every frame touched here belongs to that one domain.
 */
#ifndef MM_PAGETYPE_H
#define MM_PAGETYPE_H

#include "arch/x86/paging.h"
#include "mm/frame.h"
#include "mm/page_alloc.h"

/* type_info */
#define PGT_none        (0u << 28)
#define PGT_writable    (1u << 28)
#define PGT_l1          (2u << 28)
#define PGT_l2          (3u << 28)
#define PGT_l2_slot3    (4u << 28)   /* the L2 under L3 slot 3: carries the monitor's entries */
#define PGT_l3          (5u << 28)
#define PGT_seg_desc    (6u << 28)
#define PGT_type_mask   (0xFu << 28)
#define PGT_pinned      (1u << 27)
#define PGT_count_mask  ((1u << 26) - 1)

/* count_info */
#define PGC_allocated   (1u << 31)   /* the owner's own reference, dropped at release */
#define PGC_count_mask  ((1u << 30) - 1)

/* L1 flags a guest may use (ABI): P, RW, US, A, D, bits 9-11 and NX (if the CPU has it). */
#define L1_GUEST_FLAGS  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | (7ull << 9) | PTE_NX)
/* L2 flags a guest may use: no PSE, no caching bits. */
#define L2_GUEST_FLAGS  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | (7ull << 9) | PTE_NX)
/* L3 (PAE) flags guests are known to set, accepted: 0xE67. */
#define L3_GUEST_FLAGS  0x0000000000000E67ull

/* First L2 index of the monitor's part of a slot-3 L2 (0xF5800000). */
#define L2_MONITOR_FIRST 0x1AC

static inline uint32_t page_type(const struct page_info *pg) { return pg->u.use.type_info & PGT_type_mask; }
static inline uint32_t page_type_count(const struct page_info *pg) { return pg->u.use.type_info & PGT_count_mask; }
static inline uint32_t page_count(const struct page_info *pg) { return pg->u.use.count_info & PGC_count_mask; }

/* A general reference; false when the frame is not owner's or the count would overflow. */
bool page_get(struct page_info *pg, uint16_t owner);
/* Drops one; the last reference frees the frame (and tells the owner, see page_freed). */
void page_put(struct page_info *pg);

/*
 * A type reference.  The first reference of a page-table or descriptor type validates the
 * frame's contents; returns 0, or -EINVAL when the frame has another type in use, is a
 * slot-3 L2 in use already (it serves one L3 only) or does not validate.  Takes no general
 * reference (see page_get_and_type).
 */
int page_get_type(struct page_info *pg, uint32_t type, uint16_t owner);
void page_put_type(struct page_info *pg);

int page_get_and_type(struct page_info *pg, uint32_t type, uint16_t owner);
void page_put_and_type(struct page_info *pg);

/* Validation of one entry (for page-table updates); 0 or -EINVAL. */
int l1e_get_refs(pte_t e, uint16_t owner);
void l1e_put_refs(pte_t e);

/*
 * Inline fast paths of l1e_get_refs() and l1e_put_refs() for the page-table update loops.
 * Each does the whole job, with the same checks, in the common case -- a frame below
 * 4 GiB whose counts are away from their limits and which, when mapped writable, already
 * has the writable type -- and returns true.  Otherwise it changes nothing and returns
 * false: call the full function then, which decides.
 */
static inline bool l1e_get_refs_fast(pte_t e, uint16_t owner)
{
    uint32_t lo = (uint32_t)e, hi = (uint32_t)(e >> 32), c, x;
    struct page_info *pg;
    if (!(lo & (uint32_t)PTE_P)) {
        return true;
    }
    /* Only guest flags, and no address bits above 4 GiB (only NX in the high half). */
    if ((lo & ~(uint32_t)(PTE_ADDR | L1_GUEST_FLAGS)) || (hi & ~(uint32_t)(PTE_NX >> 32)) ||
        (lo >> PAGE_SHIFT) >= frame_table_frames) {
        return false;
    }
    pg = mfn_to_page(_mfn(lo >> PAGE_SHIFT));
    c = pg->u.use.count_info;
    /* One compare each: allocated and count below its limit; exactly writable, ditto. */
    static_assert(PGC_allocated > PGC_count_mask && PGT_writable > PGT_count_mask, "layout");
    if (pg->state != FRAME_ALLOCATED || pg->owner != owner || c - PGC_allocated >= PGC_count_mask) {
        return false;
    }
    if (lo & (uint32_t)PTE_RW) {
        x = pg->u.use.type_info;
        if (x - PGT_writable >= PGT_count_mask) {
            return false;
        }
        pg->u.use.type_info = x + 1;
    }
    pg->u.use.count_info = c + 1;
    return true;
}

/* The entry was validated when it was written, so its frame is in the frame table. */
static inline bool l1e_put_refs_fast(pte_t e)
{
    uint32_t lo = (uint32_t)e, hi = (uint32_t)(e >> 32), c, x = 0;
    struct page_info *pg;
    if (!(lo & (uint32_t)PTE_P)) {
        return true;
    }
    if (hi & ~(uint32_t)(PTE_NX >> 32)) {
        return false;
    }
    pg = mfn_to_page(_mfn(lo >> PAGE_SHIFT));
    c = pg->u.use.count_info;
    if (lo & (uint32_t)PTE_RW) {
        /* Exactly writable, count 1 or more: the last reference leaves it writable, 0. */
        x = pg->u.use.type_info;
        if (x - (PGT_writable + 1) >= PGT_count_mask) {
            return false;
        }
    }
    if ((c & PGC_count_mask) <= 1) {
        return false; /* the last reference frees the frame */
    }
    if (lo & (uint32_t)PTE_RW) {
        pg->u.use.type_info = x - 1;
    }
    pg->u.use.count_info = c - 1;
    return true;
}

/*
 * True when an L1 entry of owner's maps another domain's frame: only a grant mapping
 * (kernel/grant_map.c) makes one, and its references belong to the grant, not the entry.
 * Releasing an L1 leaves such entries alone; callers replacing one entry must refuse.
 */
static inline bool l1e_is_foreign(pte_t e, uint16_t owner)
{
    uint64_t mfn = (e & PTE_ADDR) >> PAGE_SHIFT;
    return (e & PTE_P) && mfn < frame_table_frames &&
           mfn_to_page(_mfn((uint32_t)mfn))->owner != owner;
}

/*
 * The same for an entry of any page-table level (level_type PGT_l1, PGT_l2, PGT_l2_slot3
 * or PGT_l3; slot is the entry's index, which matters for an L3).  0 or -EINVAL.
 */
int pt_entry_get_refs(uint32_t level_type, pte_t e, unsigned int slot, uint16_t owner);
void pt_entry_put_refs(uint32_t level_type, pte_t e);

/* Implemented by the domain code: the last reference of one of owner's frames is gone. */
void page_freed(uint16_t owner, mfn_t mfn);

/* The monitor's L2 entries that every slot-3 L2 carries (set once by paging). */
extern pte_t monitor_l2_entries[512 - L2_MONITOR_FIRST];

/* Checks one guest segment descriptor, fixing DPL 0 up to 1; false when refused. */
bool descriptor_ok(uint64_t *desc);

#endif
