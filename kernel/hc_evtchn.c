/*
 * event_channel_op(cmd, arg): copies the argument in, runs the operation (kernel/event.c)
 * and copies the result out.  The legacy event_channel_op_compat (number 16) has no entry
 * in the hypercall table: -ENOSYS, as for every guest built since Xen 3.0.2.
 */
#include "kernel/errno.h"
#include "kernel/event.h"
#include "kernel/hypercall.h"
#include "mm/guest_copy.h"

union evtchn_args {
    evtchn_alloc_unbound_t alloc_unbound;
    evtchn_bind_interdomain_t bind_interdomain;
    evtchn_bind_virq_t bind_virq;
    evtchn_bind_pirq_t bind_pirq;
    evtchn_bind_ipi_t bind_ipi;
    evtchn_close_t close;
    evtchn_send_t send;
    evtchn_status_t status;
    evtchn_bind_vcpu_t bind_vcpu;
    evtchn_unmask_t unmask;
    evtchn_reset_t reset;
    evtchn_init_control_t init_control;
    evtchn_expand_array_t expand_array;
    evtchn_set_priority_t set_priority;
};

/*
 * The size of cmd's argument; 0 for a command that does not exist.  (Xen's number 14,
 * reset_cont, is its own continuation of a preempted reset, outside the public headers; a
 * reset here never stops half way.)
 */
static size_t arg_size(uint32_t cmd)
{
    static const uint8_t sizes[] = {
        [EVTCHNOP_bind_interdomain] = sizeof(evtchn_bind_interdomain_t),
        [EVTCHNOP_bind_virq] = sizeof(evtchn_bind_virq_t),
        [EVTCHNOP_bind_pirq] = sizeof(evtchn_bind_pirq_t),
        [EVTCHNOP_close] = sizeof(evtchn_close_t),
        [EVTCHNOP_send] = sizeof(evtchn_send_t),
        [EVTCHNOP_status] = sizeof(evtchn_status_t),
        [EVTCHNOP_alloc_unbound] = sizeof(evtchn_alloc_unbound_t),
        [EVTCHNOP_bind_ipi] = sizeof(evtchn_bind_ipi_t),
        [EVTCHNOP_bind_vcpu] = sizeof(evtchn_bind_vcpu_t),
        [EVTCHNOP_unmask] = sizeof(evtchn_unmask_t),
        [EVTCHNOP_reset] = sizeof(evtchn_reset_t),
        [EVTCHNOP_init_control] = sizeof(evtchn_init_control_t),
        [EVTCHNOP_expand_array] = sizeof(evtchn_expand_array_t),
        [EVTCHNOP_set_priority] = sizeof(evtchn_set_priority_t),
    };
    return cmd < ARRAY_SIZE(sizes) ? sizes[cmd] : 0;
}

/* The operations that write a result back: the buffer must take it. */
static bool has_output(uint32_t cmd)
{
    return cmd == EVTCHNOP_alloc_unbound || cmd == EVTCHNOP_bind_interdomain ||
           cmd == EVTCHNOP_bind_virq || cmd == EVTCHNOP_bind_ipi || cmd == EVTCHNOP_status;
}

/* The operation itself, on the copied-in arguments (results written into them). */
static long run(struct vcpu *v, uint32_t cmd, union evtchn_args *op)
{
    struct domain *d = v->domain;
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        return evtchn_alloc_unbound(d, op->alloc_unbound.dom, op->alloc_unbound.remote_dom,
                                    &op->alloc_unbound.port);
    case EVTCHNOP_bind_interdomain:
        return evtchn_bind_interdomain(d, op->bind_interdomain.remote_dom,
                                       op->bind_interdomain.remote_port,
                                       &op->bind_interdomain.local_port);
    case EVTCHNOP_bind_virq:
        return evtchn_bind_virq(d, op->bind_virq.virq, op->bind_virq.vcpu, &op->bind_virq.port);
    case EVTCHNOP_bind_ipi:
        return evtchn_bind_ipi(d, op->bind_ipi.vcpu, &op->bind_ipi.port);
    case EVTCHNOP_bind_vcpu:
        return evtchn_bind_vcpu(d, op->bind_vcpu.port, op->bind_vcpu.vcpu);
    case EVTCHNOP_close:
        return evtchn_close(d, op->close.port);
    case EVTCHNOP_send:
        return evtchn_send(d, op->send.port);
    case EVTCHNOP_status:
        return evtchn_status(d, &op->status);
    case EVTCHNOP_unmask:
        return evtchn_unmask(d, op->unmask.port);
    case EVTCHNOP_reset:
        return evtchn_reset(d, op->reset.dom);
    case EVTCHNOP_init_control:
        return -EINVAL;     /* no FIFO ABI: guests stay with the 2-level one */
    default:
        /* bind_pirq (no physical interrupts reach guests), expand_array, set_priority */
        return -ENOSYS;
    }
}

long do_event_channel_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], arg = a[1];
    size_t size = arg_size(cmd);
    union evtchn_args op;
    long rc;
    if (!size) {
        return -ENOSYS;
    }
    if (copy_from_guest(&op, arg, size)) {
        return -EFAULT;
    }
    /*
     * Writing the arguments back unchanged first proves the buffer takes the result, so a
     * bad buffer changes nothing.  (Xen binds first and then reports -EFAULT.)  Another
     * vCPU unmapping it in between still gets -EFAULT after the binding, as on Xen.
     */
    if (has_output(cmd) && copy_to_guest(arg, &op, size)) {
        return -EFAULT;
    }
    rc = run(v, cmd, &op);
    if (!rc && has_output(cmd) && copy_to_guest(arg, &op, size)) {
        rc = -EFAULT;
    }
    return rc;
}
