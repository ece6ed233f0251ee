/* sched_op: yield, block, shutdown and its code; poll waits for event channels. */
#include "arch/x86/time.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/sched.h"
#include "mm/guest_copy.h"
#include <xen/sched.h>

#define POLL_PORTS_MAX 128
#define EVTCHN_PORTS   1024   /* 2-level event channels for a 32-bit guest */

static bool port_pending(const struct vcpu *v, uint32_t port)
{
    const shared_info_t *s = v->domain->shared_info;
    return s->evtchn_pending[port / 32] & (1u << (port % 32));
}

/* Returns when a listed port is pending (even with events masked) or at the timeout. */
static long sched_poll(struct vcpu *v, uint32_t arg)
{
    sched_poll_t sp;
    uint32_t ports[POLL_PORTS_MAX];
    if (copy_from_guest(&sp, arg, sizeof(sp))) {
        return -EFAULT;
    }
    if (sp.nr_ports > POLL_PORTS_MAX) {
        return -EINVAL;
    }
    if (copy_from_guest(ports, (uint32_t)(uintptr_t)sp.ports.p, sp.nr_ports * sizeof(ports[0]))) {
        return -EFAULT;
    }
    for (unsigned int i = 0; i < sp.nr_ports; i++) {
        if (ports[i] >= EVTCHN_PORTS) {
            return -EINVAL;
        }
    }
    for (unsigned int i = 0; i < sp.nr_ports; i++) {
        if (port_pending(v, ports[i])) {
            return 0;
        }
    }
    if (sp.timeout && sp.timeout <= time_now_ns()) {
        return 0;
    }
    v->poll_deadline = sp.timeout;
    v->blocked = true;
    sched_request();
    return 0;
}

long do_sched_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], arg = a[1];
    sched_shutdown_t sd;
    switch (cmd) {
    case SCHEDOP_yield:
        sched_request();
        return 0;
    case SCHEDOP_block:
        /* Unmask events; with one deliverable, return at once. */
        v->vcpu_info->evtchn_upcall_mask = 0;
        if (!v->vcpu_info->evtchn_upcall_pending) {
            v->blocked = true;
            sched_request();
        }
        return 0;
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(&sd, arg, sizeof(sd))) {
            return -EFAULT;
        }
        if (sd.reason > SHUTDOWN_MAX) {
            return -EINVAL;
        }
        if (cmd == SCHEDOP_shutdown_code) {
            v->domain->shutdown_reason = sd.reason;
            return 0;
        }
        domain_shutdown(v->domain, sd.reason);
        return 0;
    case SCHEDOP_poll:
        return sched_poll(v, arg);
    default:
        /* remote_shutdown, watchdog, pin_override: not provided (docs/hypercalls.md) */
        return -ENOSYS;
    }
}
