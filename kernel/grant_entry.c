/* Checks and atomic updates of one shared grant entry (v1). */
#include "kernel/grant_entry.h"

/* flags are the low half, domid the high half of the entry's first 32-bit word. */
static_assert(offsetof(grant_entry_v1_t, flags) == 0 && offsetof(grant_entry_v1_t, domid) == 2,
              "flags and domid share one 32-bit word");

#define ENTRY_FLAGS(w) ((uint16_t)(w))
#define ENTRY_DOMID(w) ((uint16_t)((w) >> 16))

/*
 * A v1 entry grants access with type GTF_permit_access; GTF_sub_page belongs to v2 and is
 * refused; the cache-attribute hints (GTF_PWT, GTF_PCD, GTF_PAT) are ignored.
 */
static bool entry_allows(uint32_t w, domid_t mapper, bool readonly)
{
    uint16_t f = ENTRY_FLAGS(w);
    if ((f & GTF_type_mask) != GTF_permit_access || (f & GTF_sub_page)) {
        return false;
    }
    return ENTRY_DOMID(w) == mapper && (readonly || !(f & GTF_readonly));
}

int gnt_entry_pin(volatile grant_entry_v1_t *e, domid_t mapper, bool readonly, uint32_t *frame)
{
    volatile uint32_t *word = (volatile uint32_t *)e;
    uint32_t set = GTF_reading | (readonly ? 0 : GTF_writing);
    uint32_t old = *word;
    /* The guest may flip bits between our read and the exchange: look again each time. */
    for (;;) {
        if (!entry_allows(old, mapper, readonly)) {
            return GNTST_permission_denied;
        }
        if (__atomic_compare_exchange_n(word, &old, old | set, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
            break;
        }
    }
    *frame = e->frame;
    return GNTST_okay;
}

void gnt_entry_unpin(volatile grant_entry_v1_t *e, bool writing, bool reading)
{
    uint16_t clear = (uint16_t)((writing ? GTF_writing : 0) | (reading ? GTF_reading : 0));
    __atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}
