/*
 * The frame table: one struct page_info per machine frame, at FRAMETABLE_START, holding
 * the owner, the type and the reference counts the PV MMU uses, or the buddy allocator's
 * links while the frame is free.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "kernel/types.h"

enum frame_state {
    FRAME_RESERVED = 0,   /* not RAM, firmware, the monitor image, boot allocations */
    FRAME_FREE,           /* in the buddy allocator */
    FRAME_ALLOCATED,      /* handed out by the buddy allocator */
};

#define DOMID_MONITOR 0x7FF2u   /* = DOMID_XEN: frames the monitor owns */
#define DOMID_NONE    0x7FF4u   /* = DOMID_INVALID */

struct page_info {
    union {
        struct {
            uint32_t count_info;  /* general references (PV MMU) */
            uint32_t type_info;   /* type and type count (PV MMU) */
        } use;
        struct {
            uint32_t next, prev;  /* buddy free list, as frame numbers */
        } free;
    } u;
    uint16_t owner;               /* domain id, DOMID_MONITOR or DOMID_NONE */
    uint8_t state;                /* enum frame_state */
    uint8_t order;                /* buddy block order, valid on a block's first frame */
    uint32_t spare;               /* reserved for TLB-flush timestamps */
};
static_assert(sizeof(struct page_info) == 16, "frame table entries are 16 bytes");

#define NO_FRAME 0xFFFFFFFFu

#endif
