/* sched_op: yield, block, shutdown and its code; poll waits for event channels. */
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/sched.h"
#include "mm/guest_copy.h"
#include <xen/sched.h>

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
    default:
        /* poll, remote_shutdown, watchdog, pin_override: not provided (docs/hypercalls.md) */
        return -ENOSYS;
    }
}
