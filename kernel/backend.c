/* Service ports of the monitor's ring backends, and where their work runs (backend.h). */
#include "kernel/backend.h"
#include "kernel/console_ring.h"
#include "kernel/domain.h"
#include "kernel/xs_ring.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

/* Domains with a send not yet served, one bit per domain id and service (atomic). */
static uint32_t kicked[2][(MAX_DOMAINS + 31) / 32];

void backend_kick(struct domain *d, unsigned int svc)
{
    if (svc == BACKEND_XENSTORE || svc == BACKEND_CONSOLE) {
        __atomic_fetch_or(&kicked[svc - 1][d->id / 32], 1u << (d->id % 32), __ATOMIC_SEQ_CST);
    }
}

/* Takes the marks of one service: the bits of every domain that was kicked. */
static void take_marks(unsigned int svc, uint32_t *out)
{
    for (unsigned int w = 0; w < ARRAY_SIZE(kicked[0]); w++) {
        out[w] = __atomic_exchange_n(&kicked[svc - 1][w], 0, __ATOMIC_SEQ_CST);
    }
}

void backend_poll(void)
{
    uint32_t marks[ARRAY_SIZE(kicked[0])];
    for (unsigned int svc = BACKEND_XENSTORE; svc <= BACKEND_CONSOLE; svc++) {
        take_marks(svc, marks);
        for (unsigned int id = 0; id < MAX_DOMAINS; id++) {
            if (!(marks[id / 32] & (1u << (id % 32)))) {
                continue;
            }
            /* More work than one turn's budget: the service marks the domain again. */
            bool more = svc == BACKEND_XENSTORE ? xs_ring_serve(id) : console_ring_serve(id);
            if (more) {
                __atomic_fetch_or(&kicked[svc - 1][id / 32], 1u << (id % 32), __ATOMIC_SEQ_CST);
            }
        }
    }
    xs_ring_timeouts();
}

void backend_attach(struct domain *d, mfn_t store, mfn_t console, uint32_t *store_port,
                    uint32_t *console_port)
{
    *store_port = xs_ring_attach(d, store);
    *console_port = console_ring_attach(d, console);
}

void backend_detach(struct domain *d)
{
    xs_ring_detach(d);
    console_ring_detach(d);
}

bool backend_frame_get(struct domain *d, mfn_t frame)
{
    uint32_t f = spin_lock_irqsave(&d->mm_lock);
    int rc = page_get_and_type(mfn_to_page(frame), PGT_writable, d->id);
    spin_unlock_irqrestore(&d->mm_lock, f);
    return rc == 0;
}

void backend_frame_put(struct domain *d, mfn_t frame)
{
    uint32_t f = spin_lock_irqsave(&d->mm_lock);
    page_put_and_type(mfn_to_page(frame));
    spin_unlock_irqrestore(&d->mm_lock, f);
}
