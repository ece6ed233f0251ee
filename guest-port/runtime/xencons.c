/* The console ring driver (guest/xencons.h). */
#include "guest/xencons.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/runtime.h"
#include <xen/io/console.h>

#define WAIT_NS 1000000000ull     /* one wait for the monitor: 1 s */
#define WAITS   10

static volatile struct xencons_interface *ring;
static evtchn_port_t port;

int xencons_init(void)
{
    if (!start_info->console.domU.mfn || !start_info->console.domU.evtchn) {
        return -XEN_ENODEV;
    }
    ring = pfn_to_va(mfn_to_pfn(start_info->console.domU.mfn));
    port = start_info->console.domU.evtchn;
    evtchn_mask(port);  /* waited for with SCHEDOP_poll; the event callback leaves it */
    return 0;
}

/* Tells the monitor and waits for its answer (or 1 s): false when none came. */
static bool kick_and_wait(void)
{
    uint64_t now = vcpu0() ? vcpu0()->time.system_time : 0;
    struct sched_poll p = {.nr_ports = 1, .timeout = now ? now + WAIT_NS : 0};
    set_xen_guest_handle(p.ports, &port);
    evtchn_clear(port);
    evtchn_send(port);
    HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    return evtchn_is_pending(port);
}

int xencons_flush(void)
{
    for (unsigned int i = 0; ring && ring->out_cons != ring->out_prod; i++) {
        if (ring->out_prod - ring->out_cons > sizeof(ring->out) || i == WAITS) {
            return -XEN_EIO;
        }
        kick_and_wait();
    }
    return 0;
}

int xencons_write(const char *s, size_t len)
{
    size_t done = 0;
    unsigned int waited = 0;
    if (!ring) {
        return -XEN_ENODEV;
    }
    while (done < len) {
        uint32_t cons = ring->out_cons, prod = ring->out_prod;
        if (prod - cons > sizeof(ring->out)) {
            return -XEN_EIO;
        }
        if (prod - cons == sizeof(ring->out)) {
            /* Full: the monitor takes some when told, and says so. */
            if (!kick_and_wait() && ++waited == WAITS) {
                return -XEN_EIO;
            }
            continue;
        }
        while (done < len && prod - cons < sizeof(ring->out)) {
            ring->out[MASK_XENCONS_IDX(prod, ring->out)] = s[done++];
            prod++;
        }
        barrier();
        ring->out_prod = prod;
    }
    evtchn_send(port);
    return (int)len;
}

int xencons_read(char *buf, size_t len)
{
    uint32_t cons, prod;
    size_t n = 0;
    if (!ring) {
        return -XEN_ENODEV;
    }
    cons = ring->in_cons;
    prod = ring->in_prod;
    if (prod - cons > sizeof(ring->in)) {
        return -XEN_EIO;
    }
    barrier();
    while (n < len && cons != prod) {
        buf[n++] = ring->in[MASK_XENCONS_IDX(cons, ring->in)];
        cons++;
    }
    barrier();
    ring->in_cons = cons;
    if (n) {
        evtchn_send(port);
    }
    return (int)n;
}

