/*
 * The timers a guest sets: set_timer_op and the vcpu_op timer sub-ops (one single-shot
 * and one periodic timer per vCPU, both raising VIRQ_TIMER on it), and SCHEDOP_poll's
 * timeout.  Each is a struct timer inside the vCPU (kernel/vtime.h), armed on the queue
 * of the CPU that set it: re-arming replaces, so a guest can never hold more.
 *
 * Callbacks run from the timer interrupt; VIRQ_TIMER's delivery wakes a blocked vCPU
 * (kernel/event_2l.c).  A vCPU with VIRQ_TIMER unbound loses the event, as on Xen.
 */
#include "arch/x86/time.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/sched.h"
#include "kernel/vtime.h"
#include "mm/guest_copy.h"
#include <xen/vcpu.h>

#define NS_PER_MS 1000000ull

/*
 * Xen's bounds for a periodic timer: at least 1 ms; at most its largest time difference
 * (2^62 - 1 ns), which keeps deadline + period from wrapping.
 */
#define PERIOD_MIN_NS NS_PER_MS
#define PERIOD_MAX_NS (~0ull >> 2)

static void singleshot_fire(void *arg)
{
    evtchn_send_virq(arg, VIRQ_TIMER);
}

/* Raises the event and arms the next period, one period after this one was due; a vCPU
 * that fell behind (its CPU was busy) gets one event now, not a burst of missed ones. */
static void periodic_fire(void *arg)
{
    struct vcpu *v = arg;
    struct vcpu_timers *vt = &v->timers;
    uint64_t now = time_now_ns(), next = vt->periodic.deadline + vt->period_ns;

    /* Stopped meanwhile: re-arming with no period would fire in a loop. */
    if (vt->period_ns == 0) {
        return;
    }
    evtchn_send_virq(v, VIRQ_TIMER);
    timer_set(&vt->periodic, next > now ? next : now + vt->period_ns);
}

/* SCHEDOP_poll's timeout: wakes the vCPU if it is still in that poll. */
static void poll_fire(void *arg)
{
    struct vcpu *v = arg;
    uint64_t deadline = READ_ONCE(v->poll_deadline);

    if (READ_ONCE(v->blocked) && deadline && deadline <= time_now_ns()) {
        vcpu_unblock(v);
    }
}

void vtimer_vcpu_init(struct vcpu *v)
{
    timer_init(&v->timers.singleshot, singleshot_fire, v);
    timer_init(&v->timers.periodic, periodic_fire, v);
    timer_init(&v->timers.poll, poll_fire, v);
    v->timers.singleshot.domid = v->timers.periodic.domid = v->timers.poll.domid = v->domain->id;
    v->timers.period_ns = 0;
}

void vtimer_vcpu_destroy(struct vcpu *v)
{
    timer_stop(&v->timers.singleshot);
    timer_stop(&v->timers.periodic);
    timer_stop(&v->timers.poll);
    v->timers.period_ns = 0;
}

void vtimer_poll_arm(struct vcpu *v, uint64_t deadline)
{
    timer_set(&v->timers.poll, deadline);
}

/* A deadline already past raises the event before the hypercall returns. */
static void singleshot_arm(struct vcpu *v, uint64_t deadline)
{
    if (deadline <= time_now_ns()) {
        timer_stop(&v->timers.singleshot);
        evtchn_send_virq(v, VIRQ_TIMER);
    } else {
        timer_set(&v->timers.singleshot, deadline);
    }
}

/* set_timer_op(deadline lo, hi): absolute system time in ns; 0 cancels. */
long do_set_timer_op(struct vcpu *v, const uint32_t a[6])
{
    uint64_t deadline = a[0] | (uint64_t)a[1] << 32;

    if (deadline == 0) {
        timer_stop(&v->timers.singleshot);
    } else {
        singleshot_arm(v, deadline);
    }
    return 0;
}

static long set_singleshot(struct vcpu *v, uint32_t arg)
{
    struct vcpu_set_singleshot_timer st;

    if (copy_from_guest(&st, arg, sizeof(st))) {
        return -EFAULT;
    }
    if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < time_now_ns()) {
        return -ETIME;
    }
    singleshot_arm(v, st.timeout_abs_ns);
    return 0;
}

static long set_periodic(struct vcpu *target, uint32_t arg)
{
    struct vcpu_set_periodic_timer pt;

    if (copy_from_guest(&pt, arg, sizeof(pt))) {
        return -EFAULT;
    }
    if (pt.period_ns < PERIOD_MIN_NS || pt.period_ns > PERIOD_MAX_NS) {
        return -EINVAL;
    }
    target->timers.period_ns = pt.period_ns;
    timer_set(&target->timers.periodic, time_now_ns() + pt.period_ns);
    return 0;
}

bool vtimer_is_vcpu_op(uint32_t cmd)
{
    return cmd == VCPUOP_set_periodic_timer || cmd == VCPUOP_stop_periodic_timer ||
           cmd == VCPUOP_set_singleshot_timer || cmd == VCPUOP_stop_singleshot_timer;
}

/*
 * As on Xen, the single-shot timer is only the calling vCPU's own (-EINVAL for another),
 * while the periodic timer of any vCPU of the domain may be set or stopped.
 */
long vtimer_vcpu_op(struct vcpu *v, struct vcpu *target, uint32_t cmd, uint32_t arg)
{
    switch (cmd) {
    case VCPUOP_set_periodic_timer:
        return set_periodic(target, arg);
    case VCPUOP_stop_periodic_timer:
        timer_stop(&target->timers.periodic);
        target->timers.period_ns = 0;
        return 0;
    case VCPUOP_set_singleshot_timer:
        return target == v ? set_singleshot(v, arg) : -EINVAL;
    case VCPUOP_stop_singleshot_timer:
        if (target != v) {
            return -EINVAL;
        }
        timer_stop(&v->timers.singleshot);
        return 0;
    default:
        return -ENOSYS;
    }
}
