/* Buddy allocator of machine frames (pure logic; the caller serializes). */
#include "mm/buddy.h"
#include "kernel/errno.h"

/* order of the frames of an allocated block after its first: no block starts there. */
#define BLOCK_TAIL 0xFF

static unsigned int zone_of(const struct buddy *b, uint32_t f)
{
    return f >= b->zone_split ? 1 : 0;
}

static void list_push(struct buddy *b, uint32_t f, unsigned int order)
{
    uint32_t *head = &b->free_head[zone_of(b, f)][order];
    struct page_info *p = &b->frames[f];
    p->state = FRAME_FREE;
    p->order = (uint8_t)order;
    p->u.free.prev = NO_FRAME;
    p->u.free.next = *head;
    if (*head != NO_FRAME) {
        b->frames[*head].u.free.prev = f;
    }
    *head = f;
}

static void list_remove(struct buddy *b, uint32_t f, unsigned int order)
{
    struct page_info *p = &b->frames[f];
    if (p->u.free.prev != NO_FRAME) {
        b->frames[p->u.free.prev].u.free.next = p->u.free.next;
    } else {
        b->free_head[zone_of(b, f)][order] = p->u.free.next;
    }
    if (p->u.free.next != NO_FRAME) {
        b->frames[p->u.free.next].u.free.prev = p->u.free.prev;
    }
}

void buddy_init(struct buddy *b, struct page_info *frames, uint32_t nr, uint32_t zone_split)
{
    b->frames = frames;
    b->nr_frames = nr;
    b->zone_split = zone_split;
    for (unsigned int z = 0; z < BUDDY_ZONES; z++) {
        b->free_frames[z] = 0;
        for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
            b->free_head[z][o] = NO_FRAME;
        }
    }
}

/* Frees one block, merging with its free buddies of the same zone. */
static void free_block(struct buddy *b, uint32_t f, unsigned int order)
{
    /* Every frame of a free block says so: that is what catches a double free. */
    for (uint32_t i = 0; i < (1u << order); i++) {
        b->frames[f + i].state = FRAME_FREE;
    }
    b->free_frames[zone_of(b, f)] += 1u << order;
    while (order < BUDDY_MAX_ORDER) {
        uint32_t buddy = f ^ (1u << order);
        const struct page_info *bp = &b->frames[buddy];
        if (buddy >= b->nr_frames || bp->state != FRAME_FREE || bp->order != order ||
            zone_of(b, buddy) != zone_of(b, f)) {
            break;
        }
        list_remove(b, buddy, order);
        f &= ~(1u << order);
        order++;
    }
    list_push(b, f, order);
}

int buddy_add_range(struct buddy *b, uint32_t start, uint32_t end)
{
    if (end > b->nr_frames || start > end) {
        return -EINVAL;
    }
    for (uint32_t f = start; f < end; f++) {
        if (b->frames[f].state != FRAME_RESERVED) {
            return -EINVAL;
        }
    }
    for (uint32_t f = start; f < end; f++) {
        b->frames[f].owner = DOMID_NONE;
        free_block(b, f, 0);
    }
    return 0;
}

static uint32_t alloc_from_zone(struct buddy *b, unsigned int zone, unsigned int order)
{
    unsigned int o = order;
    uint32_t f;
    while (o <= BUDDY_MAX_ORDER && b->free_head[zone][o] == NO_FRAME) {
        o++;
    }
    if (o > BUDDY_MAX_ORDER) {
        return NO_FRAME;
    }
    f = b->free_head[zone][o];
    list_remove(b, f, o);
    /* Split: give back the upper halves until the block has the wanted order. */
    while (o > order) {
        o--;
        list_push(b, f + (1u << o), o);
    }
    for (uint32_t i = 0; i < (1u << order); i++) {
        b->frames[f + i].state = FRAME_ALLOCATED;
        b->frames[f + i].order = BLOCK_TAIL;
        b->frames[f + i].u.use.count_info = 0;
        b->frames[f + i].u.use.type_info = 0;
    }
    b->frames[f].order = (uint8_t)order;
    b->free_frames[zone] -= 1u << order;
    return f;
}

uint32_t buddy_alloc(struct buddy *b, unsigned int order, unsigned int zone_mask)
{
    uint32_t f = NO_FRAME;
    if (order > BUDDY_MAX_ORDER) {
        return NO_FRAME;
    }
    if (zone_mask & ZONE_HIGH) {
        f = alloc_from_zone(b, 1, order);
    }
    if (f == NO_FRAME && (zone_mask & ZONE_LOW)) {
        f = alloc_from_zone(b, 0, order);
    }
    return f;
}

int buddy_free(struct buddy *b, uint32_t first, unsigned int order)
{
    if (order > BUDDY_MAX_ORDER || first >= b->nr_frames ||
        (first & ((1u << order) - 1)) || first + (1u << order) > b->nr_frames ||
        b->frames[first].order != order) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < (1u << order); i++) {
        if (b->frames[first + i].state != FRAME_ALLOCATED) {
            return -EINVAL;
        }
    }
    for (uint32_t i = 0; i < (1u << order); i++) {
        b->frames[first + i].owner = DOMID_NONE;
        b->frames[first + i].order = 0;
    }
    free_block(b, first, order);
    return 0;
}

int buddy_split(struct buddy *b, uint32_t first, unsigned int order)
{
    if (order > BUDDY_MAX_ORDER || first >= b->nr_frames || (first & ((1u << order) - 1)) ||
        first + (1u << order) > b->nr_frames || b->frames[first].order != order) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < (1u << order); i++) {
        if (b->frames[first + i].state != FRAME_ALLOCATED) {
            return -EINVAL;
        }
    }
    for (uint32_t i = 0; i < (1u << order); i++) {
        b->frames[first + i].order = 0;
    }
    return 0;
}

uint32_t buddy_free_count(const struct buddy *b, unsigned int zone_mask)
{
    return ((zone_mask & ZONE_LOW) ? b->free_frames[0] : 0) +
           ((zone_mask & ZONE_HIGH) ? b->free_frames[1] : 0);
}
