/*
 * Grant tables, version 1: each domain's table of grant entries in frames it shares with
 * the monitor, the monitor's view of the entries in use (pin counts), and the mappings
 * made through them (maptrack handles, per mapping domain and for the monitor itself).
 *
 * Frames and references.  A table frame is the domain's (it may map it writable) and the
 * monitor holds a general and a writable type reference on it for the table's life, so it
 * can never become a page table or descriptor page.  A mapping or copy of a granted frame
 * holds a general reference on it (and a writable type reference when writable) while it
 * lasts, taken under the granting domain's mm lock, so that the granting domain can
 * neither free (decrease_reservation) nor retype the frame meanwhile.  The entry in the
 * mapping domain's L1 takes no reference of its own: mm/pagetype.c leaves entries that map
 * another domain's frame alone when an L1 is released, and mmu_update and
 * update_va_mapping refuse to replace them; only unmap_grant_ref removes them.  A granting
 * domain destroyed while others still map its frames leaves those frames to nobody
 * (owner DOMID_NONE); the last unmap frees them.
 *
 * Locking: gnttab_lock (global) protects every table, pin count and maptrack; it is taken
 * before any domain's mm_lock, and at most one mm_lock is held under it at a time.
 */
#ifndef KERNEL_GRANT_TABLE_H
#define KERNEL_GRANT_TABLE_H

#include "kernel/domain.h"
#include "kernel/grant_entry.h"

#define GNT_MAX_FRAMES   64u /* Xen's default max_grant_frames */
#define GNT_PER_FRAME    (4096u / sizeof(grant_entry_v1_t))
#define GNT_MAPTRACK_MAX 256u /* mapping handles per domain */
#define GNT_MONITOR_MAPS 256u /* mapping handles of the monitor's own */

/* One granted (or own) frame held for a mapping or a copy: the references it took. */
struct gnt_hold {
    uint32_t mfn;
    uint16_t granter; /* the granting domain while its table lives; else DOMID_NONE */
    bool pinned;      /* counted in the granter's pin counts (a grant reference) */
    bool writable;    /* holds a writable type reference */
    grant_ref_t ref;
    volatile grant_entry_v1_t *entry; /* kept mapped until the release (short holds) */
};

uint32_t gnttab_lock(void);
void gnttab_unlock(uint32_t irq);

/*
 * Takes the frame that (granter, ref) grants to user: the shared entry is checked and
 * marked (GTF_reading, GTF_writing), the pin counted and the frame referenced.  Returns a
 * GNTST_* status.  With keep_entry (a hold released within the same hypercall, on this
 * CPU) the entry stays mapped for the release, which saves mapping it again; it takes a
 * mapcache slot meanwhile.  gnttab_lock held.
 */
int gnttab_hold_ref(domid_t granter, grant_ref_t ref, domid_t user, bool writable, bool keep_entry,
                    struct gnt_hold *h);
/* Takes d's own frame mfn the same way (a copy by GMFN).  GNTST_*.  gnttab_lock held. */
int gnttab_hold_own(struct domain *d, uint32_t mfn, bool writable, struct gnt_hold *h);
/* Gives back what a hold took.  gnttab_lock held. */
void gnttab_release(struct gnt_hold *h);

/*
 * setup_table: grows d's table to nr frames (at most GNT_MAX_FRAMES) and writes the first
 * nr frame numbers to out.  GNTST_okay, GNTST_general_error (too many, out of memory).
 * gnttab_lock held.
 */
int gnttab_setup(struct domain *d, uint32_t nr, uint32_t *out);
uint32_t gnttab_nr_frames(const struct domain *d);

/* Guests' host and device mappings (kernel/grant_map.c).  gnttab_lock held. */
int gnttab_map(struct vcpu *v, const struct gnttab_map_grant_ref *op, grant_handle_t *handle,
               uint64_t *bus);
int gnttab_unmap(struct domain *d, const struct gnttab_unmap_grant_ref *op);

/*
 * The monitor's own mappings of frames granted to it (DOMID_XEN in the entry's domid is
 * what a guest names; backends are the users).  *va points at the frame; readonly chooses
 * the entry check and the references (those of a guest's mapping), the monitor's own
 * mapping is writable either way and a backend must not write a read-only grant.  GNTST_*
 * (the handle table is full: GNTST_no_device_space).  Take gnttab_lock themselves.
 */
int gnttab_map_for_monitor(struct domain *d, grant_ref_t ref, bool readonly, void **va,
                           grant_handle_t *handle);
int gnttab_unmap_for_monitor(grant_handle_t handle);

/*
 * The monitor's copy to or from a frame d granted to it (DOMID_XEN): len bytes at offset
 * of the granted frame from or to buf (monitor memory).  The grant is held as a
 * guest's copy holds it.  GNTST_* (GNTST_bad_copy_arg: past the page).  Takes gnttab_lock.
 */
int gnttab_copy_for_monitor(struct domain *d, grant_ref_t ref, uint16_t offset, void *buf,
                            uint16_t len, bool to_grant);

/*
 * Domain destruction (kernel/domain.c).  gnttab_domain_unmap_all: d's mappings of other
 * domains' frames go (d no longer runs; takes the locks itself).  gnttab_domain_teardown:
 * with gnttab_lock and d->mm_lock held, after d's own references were dropped: the table
 * frames are released, the frames others still map are left to nobody, the table freed.
 */
void gnttab_domain_unmap_all(struct domain *d);
void gnttab_domain_teardown(struct domain *d);

/* Internal to the grant files: the table of d, NULL when it has none. */
struct gnttab;
struct gnttab *gnttab_of(const struct domain *d);
/* Every maptrack entry naming granter as its granter forgets it (granter destroyed). */
void gnttab_maps_forget_granter(uint16_t granter);
/* Frees d's maptrack (all entries released).  gnttab_lock held. */
void gnttab_maptrack_free(struct domain *d);

#endif
