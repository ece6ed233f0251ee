/*
 * The state of one shared grant entry (v1): the checks and atomic updates the monitor
 * makes on an entry the granting guest may change at the same moment.  No locks, no frame
 * table: host unit tests run this file unchanged (tests/unit/test_grant_entry.c).
 */
#ifndef KERNEL_GRANT_ENTRY_H
#define KERNEL_GRANT_ENTRY_H

#include "kernel/types.h"
#include "kernel/xen.h"
#include <xen/grant_table.h>

static_assert(sizeof(grant_entry_v1_t) == 8, "grant_entry_v1 is 8 bytes");

/*
 * Marks the entry in use for mapper: GTF_reading, and GTF_writing unless readonly.  The
 * entry must be GTF_permit_access (no v2 sub-page or transitive flags), name mapper in
 * domid, and not be GTF_readonly when readonly is false.  The check and the update are
 * one compare-exchange of the flags and domid, retried while the guest changes other
 * bits.  On success *frame is the entry's frame, read after the update (the guest may
 * not change it from then on).  Returns GNTST_okay or GNTST_permission_denied.
 */
int gnt_entry_pin(volatile grant_entry_v1_t *e, domid_t mapper, bool readonly, uint32_t *frame);

/* Clears GTF_writing (writing) and GTF_reading (reading) atomically, keeping other bits. */
void gnt_entry_unpin(volatile grant_entry_v1_t *e, bool writing, bool reading);

#endif
