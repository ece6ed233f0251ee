/*
 * Guest time: the per-vCPU time record in vcpu_info, the wall clock in shared_info
 * (kernel/vtime.c), and the timers a guest sets (kernel/hc_timer.c): one single-shot and
 * one periodic timer per vCPU, and the timeout of SCHEDOP_poll, each raising VIRQ_TIMER
 * or waking the poller.  All of them live in struct vcpu: nothing a guest does allocates.
 *
 * System time is time_now_ns(): nanoseconds since the monitor calibrated its clock.
 */
#ifndef KERNEL_VTIME_H
#define KERNEL_VTIME_H

#include "kernel/timer.h"

struct vcpu;
struct domain;

/* A vCPU's guest timers (kernel/hc_timer.c).  period_ns: 0 while no periodic timer. */
struct vcpu_timers {
    struct timer singleshot; /* set_timer_op, VCPUOP_set_singleshot_timer */
    struct timer periodic;   /* VCPUOP_set_periodic_timer */
    uint64_t period_ns;
    struct timer poll; /* SCHEDOP_poll's timeout */
};

/*
 * Reads the wall clock from the RTC and starts refreshing the running vCPU's time record
 * every VTIME_REFRESH_NS on this CPU.  Boot CPU, once, after time_init().
 */
void vtime_init(void);

#define VTIME_REFRESH_NS (500u * 1000 * 1000)

/* Writes the wall clock into a new domain's shared_info (wc_version odd meanwhile). */
void vtime_domain_init(struct domain *d);

/*
 * Rewrites v's time record (version odd meanwhile) for the TSC now.  Called as v is
 * loaded onto a CPU and by the refresh timer; interrupts off, v on this CPU.
 */
void vtime_update(struct vcpu *v);

/* Sets up v's timers, not armed (vCPU creation). */
void vtimer_vcpu_init(struct vcpu *v);

/* Disarms v's timers: before its domain's event channels and the vCPU itself go. */
void vtimer_vcpu_destroy(struct vcpu *v);

/* Arms v's SCHEDOP_poll timeout for the absolute system time deadline (not 0). */
void vtimer_poll_arm(struct vcpu *v, uint64_t deadline);

/* The vcpu_op timer sub-ops for target (the caller is v): 0 or a Xen errno. */
long vtimer_vcpu_op(struct vcpu *v, struct vcpu *target, uint32_t cmd, uint32_t arg);

/* True for the vcpu_op commands vtimer_vcpu_op() handles. */
bool vtimer_is_vcpu_op(uint32_t cmd);

#endif
