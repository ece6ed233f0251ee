/*
 * Guest time: each vCPU's time record and each domain's wall clock.
 *
 * The record (vcpu_info.time) lets a guest read system time without a hypercall:
 *     system_time + (((rdtsc() - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 * (the shift is never negative here; the product is taken to 96 bits).  The monitor's own
 * clock is the same function of the TSC counted from its start, floor-rounded the same
 * way, so the sum of two rounded intervals may trail the rounded whole by one ns: the
 * record's system_time is the monitor's time at tsc_timestamp plus 1 ns, which keeps a
 * guest's reading at or above the monitor's (a timer that fired is never seen early) and
 * never lets it go backwards at a refresh.  A 32-bit guest keeps the interval's
 * nanoseconds in 32 bits (4.29 s), so the record is refreshed every VTIME_REFRESH_NS on
 * the CPU a vCPU runs on, and rewritten whenever a vCPU is loaded onto a CPU.
 *
 * The wall clock (shared_info wc_sec, wc_nsec, arch.wc_sec_hi) is, as on Xen, the
 * Unix time at system time 0: a guest adds system time to it.  It comes from the CMOS RTC,
 * read once at boot, to within its one-second resolution.
 */
#include "kernel/vtime.h"

#include "arch/x86/asm.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "drivers/rtc.h"
#include "kernel/domain.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

#define NS_PER_SEC 1000000000ull

static uint64_t wallclock_at_zero_ns; /* Unix time at system time 0; set once at boot */
static struct timer refresh_timer[MAX_CPUS];

void vtime_update(struct vcpu *v)
{
    vcpu_time_info_t *t = &v->vcpu_info->time;
    uint32_t version = (READ_ONCE(t->version) + 1) | 1; /* odd, whatever the guest wrote */
    uint64_t tsc;
    uint32_t mul;
    int8_t shift;

    WRITE_ONCE(t->version, version);
    __asm__ volatile("" ::: "memory"); /* x86 keeps stores in order; the compiler must too */
    tsc = rdtsc();
    time_tsc_scale(&mul, &shift);
    t->tsc_timestamp = tsc;
    t->system_time = time_tsc_to_ns(tsc) + 1;
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = 0; /* no XEN_PVCLOCK_TSC_STABLE_BIT: the CPUs' TSCs are not checked yet */
    __asm__ volatile("" ::: "memory");
    WRITE_ONCE(t->version, version + 1);
}

void vtime_domain_init(struct domain *d)
{
    shared_info_t *s = d->shared_info;
    uint64_t secs = wallclock_at_zero_ns / NS_PER_SEC;
    uint32_t version = (s->wc_version + 1) | 1;

    WRITE_ONCE(s->wc_version, version);
    __asm__ volatile("" ::: "memory");
    s->wc_sec = (uint32_t)secs;
    s->wc_nsec = (uint32_t)(wallclock_at_zero_ns % NS_PER_SEC);
    s->arch.wc_sec_hi = (uint32_t)(secs >> 32);
    __asm__ volatile("" ::: "memory");
    WRITE_ONCE(s->wc_version, version + 1);
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        vtime_update(d->vcpu[i]);
    }
}

/* The running vCPU's record may not age past the 32-bit interval a guest can scale. */
static void refresh(void *arg)
{
    struct timer *self = arg;
    struct vcpu *v = current_vcpu();

    if (v) {
        vtime_update(v);
    }
    timer_set(self, time_now_ns() + VTIME_REFRESH_NS);
}

void vtime_init(void)
{
    struct timer *t = &refresh_timer[smp_processor_id()];
    uint64_t secs, now;

    if (rtc_read_unix(&secs)) {
        now = time_now_ns();
        wallclock_at_zero_ns = secs * NS_PER_SEC - MIN(now, secs * NS_PER_SEC);
        pr_info("time: wall clock from the RTC: %llu s since 1970\n", secs);
    } else {
        pr_warn("time: the RTC reads as nonsense; guests' wall clock starts at 1970\n");
    }
    timer_init(t, refresh, t);
    timer_set(t, time_now_ns() + VTIME_REFRESH_NS);
}
