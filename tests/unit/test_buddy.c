/* Unit tests of the buddy allocator of machine frames (mm/buddy.c). */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "mm/buddy.h"

#define BLOCK(o) (1u << (o))

/* The allocator under test and its frame table, rebuilt by each test with make(). */
static struct buddy B;
static struct page_info *F;
/* Test memory freed by teardown(), also when a failed assertion left the test early. */
static void *scratch[6];

static void *scratch_alloc(unsigned int slot, size_t size)
{
    free(scratch[slot]);
    scratch[slot] = malloc(size);
    assert_non_null(scratch[slot]);
    return scratch[slot];
}

static struct buddy *make(uint32_t nr, uint32_t split)
{
    free(F);
    F = calloc(nr, sizeof(*F));   /* zero: FRAME_RESERVED */
    assert_non_null(F);
    buddy_init(&B, F, nr, split);
    return &B;
}

static int teardown(void **state)
{
    free(F);
    F = NULL;
    for (unsigned int i = 0; i < ARRAY_SIZE(scratch); i++) {
        free(scratch[i]);
        scratch[i] = NULL;
    }
    return 0;
}

static unsigned int zone_of(const struct buddy *b, uint32_t f)
{
    return f >= b->zone_split ? 1 : 0;
}

/*
 * Walks every free list and checks it against the frame table: links, alignment, zones, no
 * frame in two blocks, every FRAME_FREE frame in some block, the per-zone counts, and that
 * no two free buddies were left unmerged.  The state of the frames after a block's first is
 * checked by check_free_tails(), so that one bug there does not fail every test.
 */
static void check_consistency(const struct buddy *b)
{
    uint32_t nr = b->nr_frames;
    uint8_t *seen = scratch_alloc(4, nr + 1);
    uint8_t *head = scratch_alloc(5, nr + 1);   /* order + 1 of the free block starting here */
    uint32_t count[BUDDY_ZONES] = { 0, 0 };
    memset(seen, 0, nr + 1);
    memset(head, 0, nr + 1);
    for (unsigned int z = 0; z < BUDDY_ZONES; z++) {
        for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
            uint32_t prev = NO_FRAME, steps = 0;
            for (uint32_t f = b->free_head[z][o]; f != NO_FRAME; f = b->frames[f].u.free.next) {
                if (++steps > nr || f >= nr || (f & (BLOCK(o) - 1)) || f + BLOCK(o) > nr) {
                    fail_msg("zone %u order %u: bad list entry %u (cycle or range)", z, o, f);
                }
                if (b->frames[f].state != FRAME_FREE || b->frames[f].order != o) {
                    fail_msg("free block %u: state %u order %u, on the order-%u list", f,
                             b->frames[f].state, b->frames[f].order, o);
                }
                if (b->frames[f].u.free.prev != prev) {
                    fail_msg("free block %u: prev %u, expected %u", f, b->frames[f].u.free.prev,
                             prev);
                }
                if (zone_of(b, f) != z || zone_of(b, f + BLOCK(o) - 1) != z) {
                    fail_msg("free block %u order %u crosses into another zone than %u", f, o, z);
                }
                for (uint32_t i = f; i < f + BLOCK(o); i++) {
                    if (seen[i]) {
                        fail_msg("frame %u is in two free blocks", i);
                    }
                    seen[i] = 1;
                }
                head[f] = (uint8_t)(o + 1);
                count[z] += BLOCK(o);
                prev = f;
            }
        }
    }
    for (uint32_t f = 0; f < nr; f++) {
        if (b->frames[f].state == FRAME_FREE && !seen[f]) {
            fail_msg("frame %u is FRAME_FREE but on no free list", f);
        }
        if (head[f] && head[f] - 1 < BUDDY_MAX_ORDER) {
            unsigned int o = head[f] - 1u;
            uint32_t buddy = f ^ BLOCK(o);
            if (buddy < nr && head[buddy] == head[f] && zone_of(b, buddy) == zone_of(b, f)) {
                fail_msg("free buddies %u and %u of order %u were not merged", f, buddy, o);
            }
        }
    }
    for (unsigned int z = 0; z < BUDDY_ZONES; z++) {
        if (count[z] != b->free_frames[z]) {
            fail_msg("zone %u: free lists hold %u frames, free_frames says %u", z, count[z],
                     b->free_frames[z]);
        }
    }
}

/* Every frame of every free block is FRAME_FREE, not only the block's first. */
static void check_free_tails(const struct buddy *b)
{
    for (unsigned int z = 0; z < BUDDY_ZONES; z++) {
        for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
            for (uint32_t f = b->free_head[z][o]; f != NO_FRAME; f = b->frames[f].u.free.next) {
                for (uint32_t i = f; i < f + BLOCK(o); i++) {
                    if (b->frames[i].state != FRAME_FREE) {
                        fail_msg("frame %u of free block %u (order %u) has state %u, not "
                                 "FRAME_FREE", i, f, o, b->frames[i].state);
                    }
                }
            }
        }
    }
}

/* True when a free block of exactly this order starts at f (found on its list). */
static bool is_free_block(const struct buddy *b, uint32_t f, unsigned int o)
{
    for (uint32_t g = b->free_head[zone_of(b, f)][o]; g != NO_FRAME; g = b->frames[g].u.free.next) {
        if (g == f) {
            return true;
        }
    }
    return false;
}

static unsigned int list_len(const struct buddy *b, unsigned int z, unsigned int o)
{
    unsigned int n = 0;
    for (uint32_t g = b->free_head[z][o]; g != NO_FRAME; g = b->frames[g].u.free.next) {
        n++;
    }
    return n;
}

/* A copy of the allocator and its frame table, to check that a refused call changed nothing. */
struct snapshot {
    struct buddy b;
    struct page_info *frames;
};

static struct snapshot take_snapshot(const struct buddy *b)
{
    struct snapshot s = { *b, scratch_alloc(0, b->nr_frames * sizeof(*b->frames)) };
    memcpy(s.frames, b->frames, b->nr_frames * sizeof(*b->frames));
    return s;
}

static void assert_unchanged(struct snapshot *s, const struct buddy *b)
{
    assert_memory_equal(&s->b, b, sizeof(*b));
    assert_memory_equal(s->frames, b->frames, b->nr_frames * sizeof(*b->frames));
}

static void assert_block_allocated(const struct buddy *b, uint32_t f, unsigned int o)
{
    assert_int_not_equal(f, NO_FRAME);
    assert_int_equal(f & (BLOCK(o) - 1), 0);
    assert_true(f + BLOCK(o) <= b->nr_frames);
    assert_int_equal(b->frames[f].order, o);
    for (uint32_t i = f; i < f + BLOCK(o); i++) {
        assert_int_equal(b->frames[i].state, FRAME_ALLOCATED);
        assert_int_equal(b->frames[i].u.use.count_info, 0);
        assert_int_equal(b->frames[i].u.use.type_info, 0);
    }
}

static void init_leaves_everything_reserved(void **state)
{
    struct buddy *b = make(4096, 2048);
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 0);
    assert_int_equal(buddy_free_count(b, ZONE_LOW), 0);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 0);
    for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
        assert_int_equal(buddy_alloc(b, o, ZONE_ANY), NO_FRAME);
    }
    for (uint32_t f = 0; f < 4096; f++) {
        assert_int_equal(F[f].state, FRAME_RESERVED);
    }
    check_consistency(b);
}

static void add_aligned_range_makes_max_order_blocks(void **state)
{
    struct buddy *b = make(4096, 2048);
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    assert_int_equal(buddy_free_count(b, ZONE_LOW), 2048);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 2048);
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 4096);
    assert_int_equal(list_len(b, 0, BUDDY_MAX_ORDER), 2);
    assert_int_equal(list_len(b, 1, BUDDY_MAX_ORDER), 2);
    assert_true(is_free_block(b, 0, 10) && is_free_block(b, 1024, 10));
    assert_true(is_free_block(b, 2048, 10) && is_free_block(b, 3072, 10));
    for (uint32_t f = 0; f < 4096; f++) {
        assert_int_equal(F[f].owner, DOMID_NONE);
    }
    check_consistency(b);
}

static void add_unaligned_range_makes_aligned_blocks(void **state)
{
    struct buddy *b = make(4096, 2048);
    assert_int_equal(buddy_add_range(b, 3, 37), 0);
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 34);
    assert_true(is_free_block(b, 3, 0));
    assert_true(is_free_block(b, 4, 2));
    assert_true(is_free_block(b, 8, 3));
    assert_true(is_free_block(b, 16, 4));
    assert_true(is_free_block(b, 32, 2));
    assert_true(is_free_block(b, 36, 0));
    assert_int_equal(F[2].state, FRAME_RESERVED);
    assert_int_equal(F[37].state, FRAME_RESERVED);
    check_consistency(b);
    /* Adding the missing neighbours completes the order-6 block [0, 64). */
    assert_int_equal(buddy_add_range(b, 0, 3), 0);
    assert_int_equal(buddy_add_range(b, 37, 64), 0);
    assert_true(is_free_block(b, 0, 6));
    check_consistency(b);
}

static void add_range_not_a_power_of_two(void **state)
{
    struct buddy *b = make(1000, 1000);
    assert_int_equal(buddy_add_range(b, 0, 1000), 0);
    assert_true(is_free_block(b, 0, 9));
    assert_true(is_free_block(b, 512, 8));
    assert_true(is_free_block(b, 768, 7));
    assert_true(is_free_block(b, 896, 6));
    assert_true(is_free_block(b, 960, 5));
    assert_true(is_free_block(b, 992, 3));
    check_consistency(b);
    assert_int_equal(buddy_alloc(b, 10, ZONE_ANY), NO_FRAME);
}

static void add_range_straddling_zone_split(void **state)
{
    struct buddy *b = make(4096, 1000);   /* a split that is not even order-3 aligned */
    assert_int_equal(buddy_add_range(b, 990, 1030), 0);
    assert_int_equal(buddy_free_count(b, ZONE_LOW), 10);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 30);
    check_consistency(b);
    assert_int_equal(buddy_alloc(b, 3, ZONE_LOW), 992);
    assert_int_equal(buddy_alloc(b, 3, ZONE_LOW), NO_FRAME);
    assert_int_equal(buddy_alloc(b, 4, ZONE_HIGH), 1008);
    check_consistency(b);
}

static void add_range_straddling_4g(void **state)
{
    const uint32_t split = (uint32_t)((1ull << 32) >> PAGE_SHIFT);
    struct buddy *b = make(split + 4096, split);
    assert_int_equal(buddy_add_range(b, split - 1000, split + 1000), 0);
    assert_int_equal(buddy_free_count(b, ZONE_LOW), 1000);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 1000);
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 2000);
    check_consistency(b);
    assert_int_equal(buddy_alloc(b, 10, ZONE_ANY), NO_FRAME);
    assert_int_equal(buddy_alloc(b, 9, ZONE_ANY), split);
    assert_int_equal(buddy_alloc(b, 9, ZONE_ANY), split - 512);
    assert_int_equal(buddy_alloc(b, 9, ZONE_ANY), NO_FRAME);
    check_consistency(b);
}

static void add_range_refuses_non_reserved_frames(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 100), 0);
    s = take_snapshot(b);
    assert_int_equal(buddy_add_range(b, 50, 150), -EINVAL);   /* overlaps free frames */
    assert_unchanged(&s, b);
    assert_int_equal(F[120].state, FRAME_RESERVED);
    f = buddy_alloc(b, 0, ZONE_ANY);
    assert_int_not_equal(f, NO_FRAME);
    s = take_snapshot(b);
    assert_int_equal(buddy_add_range(b, f, f + 1), -EINVAL);  /* an allocated frame */
    assert_int_equal(buddy_add_range(b, 4000, 4097), -EINVAL); /* past the table */
    assert_int_equal(buddy_add_range(b, 300, 200), -EINVAL);   /* inverted */
    assert_int_equal(buddy_add_range(b, 0xFFFFFFF0u, 0xFFFFFFFFu), -EINVAL);
    assert_int_equal(buddy_add_range(b, 200, 200), 0);         /* empty: nothing to do */
    assert_unchanged(&s, b);
    check_consistency(b);
}

static void alloc_each_order_is_naturally_aligned(void **state)
{
    struct buddy *b = make(8192, 4096);
    uint32_t got[BUDDY_MAX_ORDER + 1];
    uint32_t expect = 8192;
    assert_int_equal(buddy_add_range(b, 0, 8192), 0);
    for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
        got[o] = buddy_alloc(b, o, ZONE_ANY);
        assert_block_allocated(b, got[o], o);
        expect -= BLOCK(o);
        assert_int_equal(buddy_free_count(b, ZONE_ANY), expect);
        check_consistency(b);
    }
    for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
        assert_int_equal(buddy_free(b, got[o], o), 0);
        for (uint32_t i = got[o]; i < got[o] + BLOCK(o); i++) {
            assert_int_equal(F[i].owner, DOMID_NONE);
        }
        check_consistency(b);
    }
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 8192);
    assert_int_equal(list_len(b, 0, BUDDY_MAX_ORDER) + list_len(b, 1, BUDDY_MAX_ORDER), 8);
}

static void alloc_refuses_orders_above_max(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    s = take_snapshot(b);
    assert_int_equal(buddy_alloc(b, BUDDY_MAX_ORDER + 1, ZONE_ANY), NO_FRAME);
    assert_int_equal(buddy_alloc(b, 32, ZONE_ANY), NO_FRAME);
    assert_int_equal(buddy_alloc(b, 0xFFFFFFFFu, ZONE_ANY), NO_FRAME);
    assert_int_equal(buddy_alloc(b, 0, 0), NO_FRAME);            /* no zone at all */
    assert_unchanged(&s, b);
}

static void alloc_prefers_high_zone(void **state)
{
    struct buddy *b = make(4096, 2048);
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    for (unsigned int i = 0; i < 2048; i++) {
        uint32_t f = buddy_alloc(b, 0, ZONE_ANY);
        assert_true(f >= 2048 && f < 4096);
    }
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 0);
    assert_int_equal(buddy_alloc(b, 0, ZONE_HIGH), NO_FRAME);
    assert_true(buddy_alloc(b, 0, ZONE_ANY) < 2048);   /* then falls back to low */
    check_consistency(b);
}

static void alloc_zone_low_stays_low(void **state)
{
    struct buddy *b = make(4096, 2048);
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    for (unsigned int i = 0; i < 2048 / 16; i++) {
        uint32_t f = buddy_alloc(b, 4, ZONE_LOW);
        assert_int_not_equal(f, NO_FRAME);
        assert_true(f + 16 <= 2048);
    }
    assert_int_equal(buddy_free_count(b, ZONE_LOW), 0);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 2048);
    assert_int_equal(buddy_alloc(b, 0, ZONE_LOW), NO_FRAME);  /* high memory does not help */
    check_consistency(b);
}

static void exhaustion_then_free_all_merges_back(void **state)
{
    struct buddy *b = make(4096, 2048);
    uint32_t *got = scratch_alloc(1, 4096 * sizeof(*got));
    unsigned int n = 0;
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    while ((f = buddy_alloc(b, 0, ZONE_ANY)) != NO_FRAME) {
        assert_true(n < 4096);
        assert_int_equal(F[f].state, FRAME_ALLOCATED);
        got[n++] = f;
    }
    assert_int_equal(n, 4096);
    assert_int_equal(buddy_free_count(b, ZONE_LOW), 0);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), 0);
    for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
        assert_int_equal(buddy_alloc(b, o, ZONE_ANY), NO_FRAME);
    }
    check_consistency(b);
    for (unsigned int i = 0; i < n; i++) {
        assert_int_equal(buddy_free(b, got[i], 0), 0);
    }
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 4096);
    check_consistency(b);
    for (unsigned int i = 0; i < 4; i++) {
        assert_int_not_equal(buddy_alloc(b, BUDDY_MAX_ORDER, ZONE_ANY), NO_FRAME);
    }
    assert_int_equal(buddy_alloc(b, 0, ZONE_ANY), NO_FRAME);
}

static void fragmentation_blocks_larger_orders(void **state)
{
    struct buddy *b = make(2048, 1024);
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 2048), 0);
    while (buddy_alloc(b, 0, ZONE_ANY) != NO_FRAME) {
    }
    for (f = 0; f < 2048; f += 2) {
        assert_int_equal(buddy_free(b, f, 0), 0);
    }
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 1024);
    check_consistency(b);
    for (unsigned int o = 1; o <= BUDDY_MAX_ORDER; o++) {
        assert_int_equal(buddy_alloc(b, o, ZONE_ANY), NO_FRAME);
    }
    f = buddy_alloc(b, 0, ZONE_ANY);   /* a single frame is still there */
    assert_int_equal(f & 1, 0);
    assert_int_equal(buddy_free(b, f, 0), 0);
    for (f = 1; f < 2048; f += 2) {
        assert_int_equal(buddy_free(b, f, 0), 0);
    }
    check_consistency(b);
    assert_int_equal(buddy_alloc(b, 10, ZONE_ANY), 1024);
    assert_int_equal(buddy_alloc(b, 10, ZONE_ANY), 0);
}

static void double_free_is_refused(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    uint32_t f, g;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    f = buddy_alloc(b, 2, ZONE_ANY);
    g = buddy_alloc(b, 0, ZONE_ANY);
    assert_int_equal(buddy_free(b, f, 2), 0);
    s = take_snapshot(b);
    assert_int_equal(buddy_free(b, f, 2), -EINVAL);
    assert_int_equal(buddy_free(b, f, 0), -EINVAL);
    assert_unchanged(&s, b);
    /* Also once the freed block has merged into a larger one. */
    assert_int_equal(buddy_free(b, g, 0), 0);
    s = take_snapshot(b);
    assert_int_equal(buddy_free(b, g, 0), -EINVAL);
    assert_int_equal(buddy_free(b, f, 2), -EINVAL);
    assert_unchanged(&s, b);
    assert_int_equal(buddy_free_count(b, ZONE_ANY), 4096);
    check_consistency(b);
}

static void free_with_wrong_order_is_refused(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    uint32_t f, g;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    f = buddy_alloc(b, 2, ZONE_ANY);
    g = buddy_alloc(b, 2, ZONE_ANY);   /* the buddy of f, so order 3 would cover both */
    assert_int_equal(f ^ 4, g);
    s = take_snapshot(b);
    assert_int_equal(buddy_free(b, f, 0), -EINVAL);
    assert_int_equal(buddy_free(b, f, 1), -EINVAL);
    assert_int_equal(buddy_free(b, f & ~7u, 3), -EINVAL);
    assert_int_equal(buddy_free(b, f, 4), -EINVAL);
    assert_unchanged(&s, b);
    assert_int_equal(buddy_free(b, f, 2), 0);
    assert_int_equal(buddy_free(b, g, 2), 0);
    check_consistency(b);
}

static void free_of_tail_frame_is_refused(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    f = buddy_alloc(b, 3, ZONE_ANY);
    s = take_snapshot(b);
    for (uint32_t i = 1; i < 8; i++) {
        assert_int_equal(buddy_free(b, f + i, 0), -EINVAL);
    }
    assert_int_equal(buddy_free(b, f + 2, 1), -EINVAL);
    assert_int_equal(buddy_free(b, f + 4, 2), -EINVAL);
    assert_unchanged(&s, b);
    assert_int_equal(buddy_free(b, f, 3), 0);
    check_consistency(b);
}

/* A split block's frames are freed one by one, in any order, and merge back whole. */
static void split_block_frees_frame_by_frame(void **state)
{
    struct buddy *b = make(4096, 2048);
    uint32_t f, before;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    before = buddy_free_count(b, ZONE_ANY);
    f = buddy_alloc(b, 3, ZONE_ANY);
    assert_block_allocated(b, f, 3);
    assert_int_equal(buddy_split(b, f, 3), 0);
    for (uint32_t i = 0; i < 8; i++) {
        assert_block_allocated(b, f + i, 0);
    }
    assert_int_equal(buddy_free(b, f, 3), -EINVAL);   /* no longer one block */
    for (uint32_t i = 8; i-- > 0;) {
        assert_int_equal(buddy_free(b, f + (i * 5) % 8, 0), 0);
        check_consistency(b);
    }
    check_free_tails(b);
    assert_int_equal(buddy_free_count(b, ZONE_ANY), before);
    assert_int_equal(list_len(b, zone_of(b, f), BUDDY_MAX_ORDER), 2);
    assert_int_equal(buddy_free(b, f + 3, 0), -EINVAL);  /* each frame freed once only */
}

/* Only the first frame of an allocated block, with its order, may be split. */
static void split_refuses_wrong_blocks(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 2048), 0);
    f = buddy_alloc(b, 2, ZONE_ANY);
    s = take_snapshot(b);
    assert_int_equal(buddy_split(b, f + 1, 0), -EINVAL);   /* a tail frame */
    assert_int_equal(buddy_split(b, f, 1), -EINVAL);       /* the wrong order */
    assert_int_equal(buddy_split(b, f, 3), -EINVAL);
    assert_int_equal(buddy_split(b, f + 4, 0), -EINVAL);   /* a free frame */
    assert_int_equal(buddy_split(b, 3000, 0), -EINVAL);    /* a reserved frame */
    assert_int_equal(buddy_split(b, 4096, 0), -EINVAL);    /* out of range */
    assert_int_equal(buddy_split(b, f, BUDDY_MAX_ORDER + 1), -EINVAL);
    assert_unchanged(&s, b);
    assert_int_equal(buddy_split(b, f, 2), 0);
    assert_int_equal(buddy_split(b, f, 0), 0);             /* an order-0 block already */
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(buddy_free(b, f + i, 0), 0);
    }
    check_consistency(b);
}

static void free_of_unallocated_frames_is_refused(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    assert_int_equal(buddy_add_range(b, 1024, 4096), 0);
    s = take_snapshot(b);
    assert_int_equal(buddy_free(b, 1024, 10), -EINVAL);   /* a free max-order block */
    assert_int_equal(buddy_free(b, 1024, 0), -EINVAL);
    assert_int_equal(buddy_free(b, 1029, 0), -EINVAL);    /* inside a free block */
    assert_int_equal(buddy_free(b, 0, 0), -EINVAL);       /* reserved */
    assert_int_equal(buddy_free(b, 512, 9), -EINVAL);
    assert_int_equal(buddy_free(b, 0, 10), -EINVAL);
    assert_unchanged(&s, b);
}

static void free_out_of_range_is_refused(void **state)
{
    struct buddy *b = make(4000, 2048);
    struct snapshot s;
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 4000), 0);
    f = buddy_alloc(b, 0, ZONE_ANY);
    s = take_snapshot(b);
    assert_int_equal(buddy_free(b, 4000, 0), -EINVAL);
    assert_int_equal(buddy_free(b, 4096, 0), -EINVAL);
    assert_int_equal(buddy_free(b, NO_FRAME, 0), -EINVAL);
    assert_int_equal(buddy_free(b, 0xFFFFFC00u, 10), -EINVAL);
    assert_int_equal(buddy_free(b, 3968, 7), -EINVAL);    /* runs past the table */
    assert_int_equal(buddy_free(b, f, BUDDY_MAX_ORDER + 1), -EINVAL);
    assert_int_equal(buddy_free(b, f, 31), -EINVAL);
    assert_int_equal(buddy_free(b, f, 0xFFFFFFFFu), -EINVAL);
    assert_int_equal(buddy_free(b, 3, 1), -EINVAL);        /* misaligned */
    assert_unchanged(&s, b);
    assert_int_equal(buddy_free(b, f, 0), 0);
    check_consistency(b);
}

static void alloc_clears_reference_counts(void **state)
{
    struct buddy *b = make(64, 32);
    uint32_t f;
    assert_int_equal(buddy_add_range(b, 0, 64), 0);
    /* Frames that sat on free lists carry list links where the counts live. */
    f = buddy_alloc(b, 0, ZONE_ANY);
    assert_int_equal(buddy_free(b, f, 0), 0);
    f = buddy_alloc(b, 5, ZONE_ANY);
    assert_block_allocated(b, f, 5);
    f = buddy_alloc(b, 4, ZONE_ANY);
    assert_block_allocated(b, f, 4);
    check_consistency(b);
}

/* After adds, frees and merges, no frame inside a free block still looks reserved or
 * allocated: buddy_add_range() and buddy_free() decide by those states. */
static void free_blocks_are_free_throughout(void **state)
{
    struct buddy *b = make(4096, 2048);
    uint32_t f, g;
    assert_int_equal(buddy_add_range(b, 0, 4096), 0);
    check_free_tails(b);
    f = buddy_alloc(b, 0, ZONE_HIGH);
    g = buddy_alloc(b, 0, ZONE_HIGH);
    assert_int_equal(f ^ 1, g);
    assert_int_equal(buddy_free(b, f, 0), 0);
    assert_int_equal(buddy_free(b, g, 0), 0);   /* merges with f, and on up */
    check_free_tails(b);
    f = buddy_alloc(b, 6, ZONE_LOW);
    assert_int_equal(buddy_free(b, f, 6), 0);
    check_free_tails(b);
    check_consistency(b);
}

/* The upper half of a pair that merged is inside a free block: freeing it again is refused
 * (accepting it would put the frame on a list a second time). */
static void double_free_of_merged_upper_half_is_refused(void **state)
{
    struct buddy *b = make(64, 32);
    struct snapshot s;
    uint32_t f, g;
    assert_int_equal(buddy_add_range(b, 0, 64), 0);
    f = buddy_alloc(b, 0, ZONE_HIGH);
    g = buddy_alloc(b, 0, ZONE_HIGH);
    assert_int_equal(f ^ 1, g);
    assert_int_equal(buddy_free(b, f, 0), 0);
    assert_int_equal(buddy_free(b, g, 0), 0);
    s = take_snapshot(b);
    assert_int_equal(buddy_free(b, g, 0), -EINVAL);
    assert_unchanged(&s, b);
    check_consistency(b);
}

/* A frame already given to the allocator cannot be added again, merged block or not. */
static void add_range_refuses_frames_already_free(void **state)
{
    struct buddy *b = make(4096, 2048);
    struct snapshot s;
    assert_int_equal(buddy_add_range(b, 0, 100), 0);
    s = take_snapshot(b);
    for (uint32_t f = 0; f < 100; f++) {
        if (buddy_add_range(b, f, f + 1) != -EINVAL) {
            fail_msg("frame %u was added a second time", f);
        }
    }
    assert_unchanged(&s, b);
    check_consistency(b);
}

/* xorshift32: the same sequence on every machine. */
static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* True when a zone has a free block of at least this order. */
static bool zone_can_give(const struct buddy *b, unsigned int z, unsigned int order)
{
    for (unsigned int o = order; o <= BUDDY_MAX_ORDER; o++) {
        if (b->free_head[z][o] != NO_FRAME) {
            return true;
        }
    }
    return false;
}

struct live {
    uint32_t first;
    unsigned int order;
};

/*
 * Thousands of random allocations and frees against a shadow owner map: no two live blocks
 * overlap, zones and the high-zone preference hold, bad frees are refused, counts add up.
 */
static void random_against_shadow_model(void **state)
{
    enum { NR = 3000, SPLIT = 1000, OPS = 30000, OWNER_FREE = -1, OWNER_RESERVED = -2 };
    struct buddy *b = make(NR, SPLIT);
    int *owner = scratch_alloc(1, NR * sizeof(*owner));
    struct live *live = scratch_alloc(2, NR * sizeof(*live));
    unsigned int nlive = 0, live_frames[2] = { 0, 0 }, added[2] = { 0, 0 };
    static const unsigned int masks[] = { ZONE_ANY, ZONE_ANY, ZONE_ANY, ZONE_LOW, ZONE_HIGH };
    rng_state = 0x1234567u;
    for (uint32_t f = 0; f < NR; f++) {
        owner[f] = OWNER_RESERVED;
    }
    /* RAM with holes: frame 0, [700, 705) and [2900, 3000) stay reserved. */
    assert_int_equal(buddy_add_range(b, 1, 700), 0);
    assert_int_equal(buddy_add_range(b, 705, 2900), 0);
    for (uint32_t f = 0; f < NR; f++) {
        if ((f >= 1 && f < 700) || (f >= 705 && f < 2900)) {
            owner[f] = OWNER_FREE;
            added[f >= SPLIT]++;
        }
    }
    for (unsigned int op = 0; op < OPS; op++) {
        uint32_t r = rng();
        if (nlive == 0 || r % 100 < 55) {
            unsigned int o = (r >> 8) % 10 < 6 ? 0 : 1 + (r >> 12) % BUDDY_MAX_ORDER;
            unsigned int mask = masks[(r >> 20) % ARRAY_SIZE(masks)];
            bool high = (mask & ZONE_HIGH) && zone_can_give(b, 1, o);
            bool low = (mask & ZONE_LOW) && zone_can_give(b, 0, o);
            uint32_t f = buddy_alloc(b, o, mask);
            if (!high && !low) {
                assert_int_equal(f, NO_FRAME);
                continue;
            }
            assert_block_allocated(b, f, o);
            if (high) {
                assert_true(f >= SPLIT);
            } else {
                assert_true(f + BLOCK(o) <= SPLIT);
            }
            for (uint32_t i = f; i < f + BLOCK(o); i++) {
                if (owner[i] != OWNER_FREE) {
                    fail_msg("op %u: frame %u handed out while owned by %d", op, i, owner[i]);
                }
                owner[i] = (int)nlive;
            }
            live[nlive++] = (struct live){ f, o };
            live_frames[f >= SPLIT] += BLOCK(o);
        } else {
            unsigned int k = (r >> 8) % nlive;
            struct live l = live[k];
            if ((r >> 24) % 8 == 0) {   /* a wrong order first: refused */
                unsigned int bad = l.order ? l.order - 1 : 1;
                assert_int_equal(buddy_free(b, l.first, bad), -EINVAL);
            }
            assert_int_equal(buddy_free(b, l.first, l.order), 0);
            if ((r >> 28) % 4 == 0) {   /* a double free: refused */
                assert_int_equal(buddy_free(b, l.first, l.order), -EINVAL);
            }
            for (uint32_t i = l.first; i < l.first + BLOCK(l.order); i++) {
                owner[i] = OWNER_FREE;
            }
            live_frames[l.first >= SPLIT] -= BLOCK(l.order);
            live[k] = live[--nlive];
            for (uint32_t i = live[k].first; k < nlive && i < live[k].first + BLOCK(live[k].order);
                 i++) {
                owner[i] = (int)k;
            }
        }
        assert_int_equal(buddy_free_count(b, ZONE_LOW), added[0] - live_frames[0]);
        assert_int_equal(buddy_free_count(b, ZONE_HIGH), added[1] - live_frames[1]);
        if (op % 1000 == 0) {
            check_consistency(b);
            for (uint32_t f = 0; f < NR; f++) {
                unsigned int st = owner[f] == OWNER_RESERVED ? FRAME_RESERVED
                                  : owner[f] == OWNER_FREE   ? FRAME_FREE
                                                             : FRAME_ALLOCATED;
                assert_int_equal(F[f].state, st);
            }
        }
    }
    while (nlive) {
        nlive--;
        assert_int_equal(buddy_free(b, live[nlive].first, live[nlive].order), 0);
    }
    assert_int_equal(buddy_free_count(b, ZONE_LOW), added[0]);
    assert_int_equal(buddy_free_count(b, ZONE_HIGH), added[1]);
    check_consistency(b);
    /* Everything merged back: [1024, 2048) is a whole max-order block in the high zone. */
    assert_true(is_free_block(b, 1024, BUDDY_MAX_ORDER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(init_leaves_everything_reserved, teardown),
        cmocka_unit_test_teardown(add_aligned_range_makes_max_order_blocks, teardown),
        cmocka_unit_test_teardown(add_unaligned_range_makes_aligned_blocks, teardown),
        cmocka_unit_test_teardown(add_range_not_a_power_of_two, teardown),
        cmocka_unit_test_teardown(add_range_straddling_zone_split, teardown),
        cmocka_unit_test_teardown(add_range_straddling_4g, teardown),
        cmocka_unit_test_teardown(add_range_refuses_non_reserved_frames, teardown),
        cmocka_unit_test_teardown(alloc_each_order_is_naturally_aligned, teardown),
        cmocka_unit_test_teardown(alloc_refuses_orders_above_max, teardown),
        cmocka_unit_test_teardown(alloc_prefers_high_zone, teardown),
        cmocka_unit_test_teardown(alloc_zone_low_stays_low, teardown),
        cmocka_unit_test_teardown(exhaustion_then_free_all_merges_back, teardown),
        cmocka_unit_test_teardown(fragmentation_blocks_larger_orders, teardown),
        cmocka_unit_test_teardown(double_free_is_refused, teardown),
        cmocka_unit_test_teardown(free_with_wrong_order_is_refused, teardown),
        cmocka_unit_test_teardown(free_of_tail_frame_is_refused, teardown),
        cmocka_unit_test_teardown(split_block_frees_frame_by_frame, teardown),
        cmocka_unit_test_teardown(split_refuses_wrong_blocks, teardown),
        cmocka_unit_test_teardown(free_of_unallocated_frames_is_refused, teardown),
        cmocka_unit_test_teardown(free_out_of_range_is_refused, teardown),
        cmocka_unit_test_teardown(alloc_clears_reference_counts, teardown),
        cmocka_unit_test_teardown(free_blocks_are_free_throughout, teardown),
        cmocka_unit_test_teardown(double_free_of_merged_upper_half_is_refused, teardown),
        cmocka_unit_test_teardown(add_range_refuses_frames_already_free, teardown),
        cmocka_unit_test_teardown(random_against_shadow_model, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
