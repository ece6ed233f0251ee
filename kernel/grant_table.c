/* Grant tables v1: the table frames, pin counts, and holding granted frames. */
#include "kernel/grant_table.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/heap.h"
#include "mm/m2p.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

/* The monitor's view of one entry in use: what is pinned and how often. */
struct gnt_active {
    uint32_t frame;
    uint16_t ro, rw; /* read-only and writable pins (mappings and copies in flight) */
};
/*
 * Pin counts come in chunks of 2048 bytes, two per table frame: slab objects, so that
 * large tables do not use up the heap's bounded number of whole-page allocations.
 */
#define ACTIVE_PER_CHUNK (2048 / sizeof(struct gnt_active))
#define ACTIVE_CHUNKS    (GNT_PER_FRAME / ACTIVE_PER_CHUNK)
static_assert(ACTIVE_CHUNKS * ACTIVE_PER_CHUNK == GNT_PER_FRAME, "whole chunks per frame");

struct gnttab {
    uint32_t nr_frames;
    mfn_t frames[GNT_MAX_FRAMES];
    struct gnt_active *active[GNT_MAX_FRAMES * ACTIVE_CHUNKS];
};

static spinlock_t gnt_lock = SPINLOCK_INIT;
static struct gnttab *tables[MAX_DOMAINS]; /* index = domain id */

uint32_t gnttab_lock(void)
{
    return spin_lock_irqsave(&gnt_lock);
}

void gnttab_unlock(uint32_t irq)
{
    spin_unlock_irqrestore(&gnt_lock, irq);
}

struct gnttab *gnttab_of(const struct domain *d)
{
    return tables[d->id];
}

uint32_t gnttab_nr_frames(const struct domain *d)
{
    return tables[d->id] ? tables[d->id]->nr_frames : 0;
}

/* ------------------------------------------------------------- table frames -------- */

/*
 * A fresh zeroed frame for d's table: d's own (PGC_allocated, counted in tot_pages, so the
 * guest can map it), plus the monitor's general and writable type reference.
 */
static mfn_t table_frame_alloc(struct domain *d)
{
    mfn_t m = alloc_frames(0, 0);
    struct page_info *pg;
    uint32_t irq;
    if (mfn_x(m) == INVALID_MFN_RAW) {
        return m;
    }
    clear_frame(m);
    pg = mfn_to_page(m);
    irq = spin_lock_irqsave(&d->mm_lock);
    pg->u.use.count_info = PGC_allocated | 2;
    pg->u.use.type_info = PGT_writable | 1;
    pg->owner = d->id;
    m2p_clear(m);
    d->tot_pages++;
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return m;
}

static struct gnt_active *active_of(struct gnttab *gt, grant_ref_t ref)
{
    return &gt->active[ref / ACTIVE_PER_CHUNK][ref % ACTIVE_PER_CHUNK];
}

static void active_free(struct gnttab *gt, uint32_t frame)
{
    for (uint32_t c = 0; c < ACTIVE_CHUNKS; c++) {
        kfree(gt->active[frame * ACTIVE_CHUNKS + c]);
        gt->active[frame * ACTIVE_CHUNKS + c] = NULL;
    }
}

/* Adds one frame and its pin counts; false when memory runs out. */
static bool table_grow_one(struct domain *d, struct gnttab *gt)
{
    uint32_t f = gt->nr_frames;
    mfn_t m;
    for (uint32_t c = 0; c < ACTIVE_CHUNKS; c++) {
        gt->active[f * ACTIVE_CHUNKS + c] = kmalloc(ACTIVE_PER_CHUNK * sizeof(struct gnt_active));
        if (!gt->active[f * ACTIVE_CHUNKS + c]) {
            active_free(gt, f);
            return false;
        }
    }
    m = table_frame_alloc(d);
    if (mfn_x(m) == INVALID_MFN_RAW) {
        active_free(gt, f);
        return false;
    }
    gt->frames[f] = m;
    gt->nr_frames++;
    return true;
}

int gnttab_setup(struct domain *d, uint32_t nr, uint32_t *out)
{
    struct gnttab *gt = tables[d->id];
    if (nr > GNT_MAX_FRAMES) {
        pr_debug("grant: d%u: setup_table for %u frames (at most %u)\n", d->id, nr, GNT_MAX_FRAMES);
        return GNTST_general_error;
    }
    if (!gt) {
        gt = kmalloc(sizeof(*gt));
        if (!gt) {
            return GNTST_general_error;
        }
        tables[d->id] = gt;
    }
    /* The table only grows (as on Xen): frames the guest mapped stay valid. */
    while (gt->nr_frames < nr) {
        if (!table_grow_one(d, gt)) {
            return GNTST_general_error;
        }
    }
    for (uint32_t i = 0; i < nr; i++) {
        out[i] = mfn_x(gt->frames[i]);
    }
    return GNTST_okay;
}

/* ------------------------------------------------------------- pins -------------- */

static volatile grant_entry_v1_t *entry_map(struct gnttab *gt, grant_ref_t ref)
{
    grant_entry_v1_t *f = map_frame(gt->frames[ref / GNT_PER_FRAME]);
    return &f[ref % GNT_PER_FRAME];
}

static void entry_unmap(volatile grant_entry_v1_t *e)
{
    unmap_frame((const void *)((uintptr_t)e & ~(uintptr_t)4095));
}

/* The shared entry's GTF_writing and GTF_reading follow the pins that are left. */
static void entry_sync(struct gnttab *gt, grant_ref_t ref, volatile grant_entry_v1_t *e)
{
    struct gnt_active *a = active_of(gt, ref);
    gnt_entry_unpin(e, a->rw == 0, a->ro + a->rw == 0);
}

/* ------------------------------------------------------------- frame references ---- */

/* The mm lock that guards pg's counts: its owner's, or none for a frame left to nobody. */
static spinlock_t *frame_lock(const struct page_info *pg)
{
    struct domain *o = domain_by_id(pg->owner);
    return o ? &o->mm_lock : NULL;
}

/* A general (and, writable, a writable type) reference on owner's frame mfn. */
static bool frame_get(uint16_t owner, uint32_t mfn, bool writable)
{
    struct domain *o = domain_by_id(owner);
    struct page_info *pg;
    bool ok = false;
    uint32_t irq;
    if (!o || mfn >= frame_table_frames) {
        return false;
    }
    pg = mfn_to_page(_mfn(mfn));
    irq = spin_lock_irqsave(&o->mm_lock);
    if (page_get(pg, owner)) {
        ok = !writable || !page_get_type(pg, PGT_writable, owner);
        if (!ok) {
            page_put(pg);
        }
    }
    spin_unlock_irqrestore(&o->mm_lock, irq);
    return ok;
}

static void frame_put(uint32_t mfn, bool writable)
{
    struct page_info *pg = mfn_to_page(_mfn(mfn));
    spinlock_t *l = frame_lock(pg);
    uint32_t irq = l ? spin_lock_irqsave(l) : 0;
    if (writable) {
        page_put_type(pg);
    }
    page_put(pg);
    if (l) {
        spin_unlock_irqrestore(l, irq);
    }
}

/* ------------------------------------------------------------- holds -------------- */

int gnttab_hold_ref(domid_t granter, grant_ref_t ref, domid_t user, bool writable, bool keep_entry,
                    struct gnt_hold *h)
{
    struct domain *gd = domain_by_id(granter);
    struct gnttab *gt = gd ? tables[gd->id] : NULL;
    volatile grant_entry_v1_t *e;
    struct gnt_active *a;
    uint32_t frame;
    int rc;
    if (!gd) {
        return GNTST_bad_domain;
    }
    if (!gt || ref >= gt->nr_frames * GNT_PER_FRAME) {
        return GNTST_bad_gntref;
    }
    a = active_of(gt, ref);
    e = entry_map(gt, ref);
    rc = gnt_entry_pin(e, user, !writable, &frame);
    /* While pinned the frame is fixed; a guest that changed it gets no new pin. */
    if (!rc && ((a->ro + a->rw && a->frame != frame) || !frame_get(gd->id, frame, writable))) {
        entry_sync(gt, ref, e);
        rc = GNTST_general_error;
    }
    if (rc || !keep_entry) {
        entry_unmap(e);
        e = NULL;
    }
    if (rc) {
        return rc;
    }
    a->frame = frame;
    if (writable) {
        a->rw++;
    } else {
        a->ro++;
    }
    *h = (struct gnt_hold){.mfn = frame,
                           .granter = gd->id,
                           .pinned = true,
                           .writable = writable,
                           .ref = ref,
                           .entry = e};
    return GNTST_okay;
}

int gnttab_hold_own(struct domain *d, uint32_t mfn, bool writable, struct gnt_hold *h)
{
    /* The shared-info page is the monitor's to write: never a copy target or source. */
    if (mfn == mfn_x(d->shared_info_mfn) || !frame_get(d->id, mfn, writable)) {
        return GNTST_bad_page;
    }
    *h = (struct gnt_hold){.mfn = mfn, .granter = DOMID_NONE, .writable = writable};
    return GNTST_okay;
}

void gnttab_release(struct gnt_hold *h)
{
    struct domain *gd = h->pinned ? domain_by_id(h->granter) : NULL;
    struct gnttab *gt = gd ? tables[gd->id] : NULL;
    if (gt) {
        struct gnt_active *a = active_of(gt, h->ref);
        BUG_ON(h->writable ? !a->rw : !a->ro);
        volatile grant_entry_v1_t *e = h->entry ? h->entry : entry_map(gt, h->ref);
        if (h->writable) {
            a->rw--;
        } else {
            a->ro--;
        }
        entry_sync(gt, h->ref, e);
        if (!h->entry) {
            entry_unmap(e);
        }
    }
    if (h->entry) {
        entry_unmap(h->entry); /* kept mapped although the granter has gone since */
        h->entry = NULL;
    }
    frame_put(h->mfn, h->writable);
    h->pinned = false;
}

/* ------------------------------------------------------------- teardown ----------- */

/* Frames still pinned by others' mappings: no owner any more, the last unmap frees them. */
static void orphan_pinned(struct domain *d, struct gnttab *gt)
{
    for (grant_ref_t ref = 0; ref < gt->nr_frames * GNT_PER_FRAME; ref++) {
        struct gnt_active *a = active_of(gt, ref);
        struct page_info *pg;
        if (!(a->ro + a->rw)) {
            continue;
        }
        pg = mfn_to_page(_mfn(a->frame));
        if (pg->owner == d->id && page_count(pg)) {
            pg->owner = DOMID_NONE;
            pr_info("grant: d%u: frame 0x%x (ref %u) still mapped by another domain %u times: "
                    "kept until unmapped\n",
                    d->id, a->frame, ref, a->ro + a->rw);
        }
    }
}

void gnttab_domain_teardown(struct domain *d)
{
    struct gnttab *gt = tables[d->id];
    gnttab_maptrack_free(d);
    if (!gt) {
        return;
    }
    orphan_pinned(d, gt);
    gnttab_maps_forget_granter(d->id);
    for (uint32_t f = 0; f < gt->nr_frames; f++) {
        page_put_and_type(mfn_to_page(gt->frames[f])); /* the monitor's references */
        active_free(gt, f);
    }
    tables[d->id] = NULL;
    kfree(gt);
}
