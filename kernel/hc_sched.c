/* sched_op: yield, block and poll (woken by event channels), shutdown and its code. */
#include "arch/x86/time.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/sched.h"
#include "kernel/vtime.h"
#include "mm/guest_copy.h"
#include <xen/sched.h>

#define POLL_PORTS_MAX 128   /* Xen's limit */

/* An upcall would be delivered on the way back: pending and not masked. */
static bool events_deliverable(const struct vcpu *v)
{
    return READ_ONCE(v->vcpu_info->evtchn_upcall_pending) &&
           !READ_ONCE(v->vcpu_info->evtchn_upcall_mask);
}

/* Unmasks events and blocks until an event marks the vCPU; returns at once with one there. */
static long sched_block(struct vcpu *v)
{
    v->vcpu_info->evtchn_upcall_mask = 0;
    vcpu_block(v);
    if (READ_ONCE(v->vcpu_info->evtchn_upcall_pending)) {
        vcpu_unblock(v);
    }
    return 0;
}

/*
 * Returns when a listed port is pending (even with events masked), at the timeout (absolute
 * system time; 0 is none), or, as on Xen, when an event newly marks the vCPU.  In Xen's
 * order: a deliverable event returns 0 before the ports are read, and the ports are
 * checked one by one (a pending one before a bad one returns 0).
 */
static long sched_poll(struct vcpu *v, uint32_t arg)
{
    sched_poll_t sp;
    uint32_t ports[POLL_PORTS_MAX], list;
    if (copy_from_guest(&sp, arg, sizeof(sp))) {
        return -EFAULT;
    }
    list = (uint32_t)(uintptr_t)sp.ports.p;
    if (sp.nr_ports > POLL_PORTS_MAX) {
        return -EINVAL;
    }
    if (!guest_range_ok(list, sp.nr_ports * sizeof(ports[0]))) {
        return -EFAULT;
    }
    if (events_deliverable(v)) {
        return 0;
    }
    if (copy_from_guest(ports, list, sp.nr_ports * sizeof(ports[0]))) {
        return -EFAULT;
    }
    for (unsigned int i = 0; i < sp.nr_ports; i++) {
        if (!evtchn_port_valid(v->domain, ports[i])) {
            return -EINVAL;
        }
        if (evtchn_2l_is_pending(v->domain, ports[i])) {
            return 0;
        }
    }
    if (sp.timeout && sp.timeout <= time_now_ns()) {
        return 0;
    }
    v->poll_deadline = sp.timeout;
    vcpu_block(v);
    if (sp.timeout) {
        vtimer_poll_arm(v, sp.timeout);
    }
    if (evtchn_poll_begin(v, ports, sp.nr_ports) || events_deliverable(v)) {
        vcpu_unblock(v);
    }
    return 0;
}

long do_sched_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], arg = a[1];
    sched_shutdown_t sd;
    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield(v);
        return 0;
    case SCHEDOP_block:
        return sched_block(v);
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
