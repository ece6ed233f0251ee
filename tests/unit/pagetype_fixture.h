/*
 * The frames of the page-type unit test (test_pagetype.c) and its helpers: a 64-frame host
 * table (stubs/frames.c) with a few special frames, the rest owned by the domain under test,
 * and a snapshot of every frame's counts to show that a refusal changed nothing.
 */
#ifndef UNIT_PAGETYPE_FIXTURE_H
#define UNIT_PAGETYPE_FIXTURE_H

#include "stubs/frames.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

#define DOM   1u   /* the domain under test */
#define OTHER 2u   /* another domain */

/* Frame numbers: a few special frames, the rest are DOM's (allocated, untyped, count 1). */
enum {
    F_RESERVED = 0,   /* not RAM */
    F_FREE = 1,       /* in the allocator */
    F_MONITOR = 2,    /* the monitor's */
    F_FOREIGN = 3,    /* OTHER's */
    DATA = 8,
    DATA2,
    DATA3,
    L1A = 16,
    L1B,
    L2A = 24,
    L2B,
    S3A = 32,
    S3B,
    L3A = 40,
    L3B,
    DESC = 48,
    NR_FRAMES = 64,   /* first frame number beyond the table */
};

/* Every frame as the last snapshot() saw it. */
extern struct page_info before[NR_FRAMES];

static inline struct page_info *pg(uint32_t m) { return mfn_to_page(_mfn(m)); }
static inline pte_t *tab(uint32_t m) { return stub_frame_mem(m); }
static inline pte_t ent(uint64_t m, pte_t flags) { return (m << PAGE_SHIFT) | flags; }
static inline uint32_t gcount(uint32_t m) { return page_count(pg(m)); }
static inline uint32_t tcount(uint32_t m) { return page_type_count(pg(m)); }
static inline uint32_t ptype(uint32_t m) { return page_type(pg(m)); }

/* cmocka set-up and tear-down of each case: fresh frames, stand-ins reset, a snapshot. */
int pagetype_setup(void **state);
int pagetype_teardown(void **state);

/* Remembers every frame's counts, type, state and owner; frames_unchanged() compares. */
void snapshot(void);
void frames_unchanged(void);

/* Drops frame f's allocation reference, as domain destruction does. */
void drop_allocation(uint32_t f);

#endif
