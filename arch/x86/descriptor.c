/*
 * Checks of guest segment descriptors (set_gdt, update_descriptor): a guest descriptor may
 * never reach the monitor's addresses or run code in ring 0.
 */
#include "arch/x86/layout.h"
#include "arch/x86/segments.h"
#include "mm/pagetype.h"

#define D_TYPE(d)    ((uint32_t)((d) >> 40) & 0xF)
#define D_S          (1ull << 44)       /* code/data rather than system */
#define D_DPL_SHIFT  45
#define D_P          (1ull << 47)
#define D_DB         (1ull << 54)
#define D_G          (1ull << 55)
#define TYPE_CODE    0x8
#define TYPE_EXPDOWN 0x4                /* for data segments */
#define TYPE_CALLGATE 0xC

static uint32_t desc_base(uint64_t d)
{
    return (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)((d >> 56) << 24);
}

static uint32_t desc_limit(uint64_t d)
{
    return (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 32) & 0xF0000);
}

static uint64_t set_limit(uint64_t d, uint32_t limit)
{
    d &= ~(0xFFFFull | (0xFull << 48));
    return d | (limit & 0xFFFF) | ((uint64_t)(limit >> 16) << 48);
}

/* Call gates must not lead into the monitor's code selectors. */
static bool callgate_ok(uint64_t d)
{
    uint16_t sel = (uint16_t)(d >> 16);
    uint32_t index = sel >> 3;
    if (D_TYPE(d) != TYPE_CALLGATE) {
        return false;
    }
    return index < GDT_FIRST_RESERVED || sel == FLAT_RING1_CS || sel == FLAT_RING3_CS;
}

/* Expand-down data: accessible from base + limit + 1 up to base + 4 GiB (or 64 KiB). */
static bool expand_down_ok(uint64_t d, uint64_t base, uint64_t limit)
{
    uint64_t low = base + limit + 1;
    uint64_t top = (d & D_DB) ? base + 0xFFFFFFFFull : base + 0xFFFFull;
    if (!(d & D_DB)) {
        return top < GUEST_SEGMENT_END;
    }
    /* With B set the range wraps: it stays clear only if it starts past 4 GiB. */
    return low >= (1ull << 32) && base <= GUEST_SEGMENT_END;
}

bool descriptor_ok(uint64_t *desc)
{
    uint64_t d = *desc;
    uint64_t base, limit;
    if (!(d & D_P)) {
        return true;
    }
    if (((d >> D_DPL_SHIFT) & 3) == 0) {
        d |= 1ull << D_DPL_SHIFT;           /* ring 0 is the monitor's: raise to 1 */
    }
    if (!(d & D_S)) {
        if (!callgate_ok(d)) {
            return false;
        }
        *desc = d;
        return true;
    }
    base = desc_base(d);
    limit = desc_limit(d);
    if (d & D_G) {
        limit = (limit << 12) | 0xFFF;
    }
    if (!(D_TYPE(d) & TYPE_CODE) && (D_TYPE(d) & TYPE_EXPDOWN)) {
        if (!expand_down_ok(d, base, limit)) {
            return false;
        }
    } else if (base + limit >= GUEST_SEGMENT_END) {
        /* Expand-up: truncate to end below the monitor, in 4 KiB units. */
        if (base + PAGE_SIZE > GUEST_SEGMENT_END) {
            return false;
        }
        d = set_limit(d | D_G, (uint32_t)((GUEST_SEGMENT_END - base) >> 12) - 1);
    }
    *desc = d;
    return true;
}

bool guest_code_selector_ok(uint32_t sel)
{
    uint32_t index = (sel & 0xFFFF) >> 3;
    if (sel > 0xFFFF) {
        return false;
    }
    if ((sel & ~3u) == (FLAT_RING1_CS & ~3u) || (sel & ~3u) == (FLAT_RING3_CS & ~3u)) {
        return true;
    }
    /* The guest's own GDT: its descriptors are checked to have DPL 1 or more. */
    return !(sel & 4) && index != 0 && index < GDT_FIRST_RESERVED;
}
