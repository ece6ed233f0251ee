/* TSC and LAPIC timer calibration, the TSC-based clock and the per-CPU one-shot timer. */
#include "arch/x86/time.h"

#include "arch/x86/apic.h"
#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "drivers/acpi.h"
#include "drivers/hpet.h"
#include "drivers/pit.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define NS_PER_MS       1000000u
/*
 * One calibration interval: 2 ms against the HPET (at least 10 MHz, so at most 50 ppm
 * off), 10 ms against the PIT (1.19 MHz: about 100 ppm).  Boot time counts: the three
 * runs are most of what the monitor spends before its first guest.
 */
#define CALIB_US_HPET   2000u
#define CALIB_US_PIT    10000u
#define CALIB_RUNS      3             /* the median of three shrugs off one disturbed run */
#define CALIB_TSC_BOUND 0xFFFFFFFFull /* > 10 ms even at 400 GHz: a stuck reference */
#define CALIB_POLLS     100000000u
#define GUESS_KHZ       1000000u /* with no reference at all: 1 GHz */

uint32_t tsc_khz;
uint32_t lapic_timer_khz;

/* x * num / den as (x * mult) >> shift, mult < 2^32; set once by time_init(). */
struct scale {
    uint32_t mult;
    unsigned int shift;
};
static struct scale tsc_to_ns;
static struct scale ns_to_lapic;
static uint64_t tsc_at_start;
static uint64_t lapic_max_ns; /* the longest one-shot the 32-bit count can hold */

/*
 * One armed one-shot timer per CPU.  Each entry is only touched by its own CPU with
 * interrupts off (arming, cancelling, the interrupt), so it needs no lock.
 */
struct oneshot {
    void (*fn)(void *);
    void *arg;
};
static struct oneshot oneshots[MAX_CPUS];

/* What one calibration interval measured. */
struct calib {
    uint64_t ns;    /* by the reference */
    uint64_t tsc;   /* TSC cycles */
    uint32_t lapic; /* LAPIC timer counts; 0 if it ran out or is absent */
};

/* ---- fixed-point scaling ------------------------------------------------------------------ */

static struct scale scale_make(uint64_t num, uint64_t den)
{
    struct scale s = {0, 32};
    uint64_t m = (num << 32) / den;

    /* The largest shift whose multiplier still fits 32 bits keeps the most precision. */
    while (m > 0xFFFFFFFFull && s.shift > 0) {
        s.shift--;
        m = (num << s.shift) / den;
    }
    s.mult = m > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)m;
    return s;
}

/* A 64x32-bit multiply and a shift, no division; exact to within one unit below 2^64. */
static inline uint64_t scale_apply(const struct scale *s, uint64_t x)
{
    uint64_t lo = (uint64_t)(uint32_t)x * s->mult;
    uint64_t hi = (uint64_t)(uint32_t)(x >> 32) * s->mult;

    return (lo >> s->shift) + (hi << (32 - s->shift));
}

uint64_t time_now_ns(void)
{
    return time_tsc_to_ns(rdtsc());
}

uint64_t time_tsc_to_ns(uint64_t tsc)
{
    return scale_apply(&tsc_to_ns, tsc - tsc_at_start);
}

/*
 * The same scale in Xen's form: ns = ((tsc_delta << shift) * mul) >> 32.  scale_make()
 * leaves a shift of at most 32, so Xen's shift is 32 minus ours, never negative: a left
 * shift loses nothing, and both forms compute exactly floor(delta * mult / 2^shift).
 */
void time_tsc_scale(uint32_t *mul, int8_t *shift)
{
    *mul = tsc_to_ns.mult;
    *shift = (int8_t)(32 - tsc_to_ns.shift);
}

/* ---- calibration ---------------------------------------------------------------------------- */

/*
 * A run starts the LAPIC timer counting (masked) first, then reads its reference, then
 * calib_begin(); at the end it reads the reference, then calib_end().  Both ends sample
 * in the same order, so the cost of the reads cancels out.
 */
static void calib_begin(uint64_t *tsc, uint32_t *lapic)
{
    *tsc = rdtsc();
    *lapic = lapic_timer_current();
}

static void calib_end(struct calib *c, uint64_t tsc0, uint32_t lapic0)
{
    uint32_t now;

    c->tsc = rdtsc() - tsc0;
    now = lapic_timer_current();
    c->lapic = now ? lapic0 - now : 0;
    lapic_timer_stop();
}

static bool calib_run_hpet(struct calib *c)
{
    uint64_t period = hpet_period_fs();
    uint64_t ticks = (uint64_t)CALIB_US_HPET * 1000000000ull / period; /* 10^9 fs per us */
    uint64_t h0, h1, tsc0;
    uint32_t lapic0;

    lapic_timer_start_masked(0xFFFFFFFFu);
    h0 = hpet_read();
    calib_begin(&tsc0, &lapic0);
    for (uint32_t polls = 0;; polls++) {
        h1 = hpet_read();
        if (h1 - h0 >= ticks) {
            break;
        }
        if (polls == CALIB_POLLS || rdtsc() - tsc0 > CALIB_TSC_BOUND) {
            lapic_timer_stop();
            pr_warn("time: the HPET stopped counting\n");
            return false;
        }
    }
    calib_end(c, tsc0, lapic0);
    c->ns = (h1 - h0) * period / 1000000u;
    return true;
}

static bool calib_run_pit(struct calib *c)
{
    uint64_t tsc0;
    uint32_t lapic0;

    lapic_timer_start_masked(0xFFFFFFFFu);
    if (!pit_oneshot_start(CALIB_US_PIT, &c->ns)) {
        lapic_timer_stop();
        return false;
    }
    calib_begin(&tsc0, &lapic0);
    if (!pit_oneshot_wait()) {
        lapic_timer_stop();
        return false;
    }
    calib_end(c, tsc0, lapic0);
    return true;
}

static uint32_t median3(const uint32_t v[3])
{
    uint32_t lo = MIN(v[0], v[1]), hi = MAX(v[0], v[1]);

    return v[2] < lo ? lo : (v[2] > hi ? hi : v[2]);
}

/* CALIB_RUNS intervals against one reference; the median rate of each counter, in kHz. */
static bool calibrate(bool (*run)(struct calib *), uint32_t *tsc_out, uint32_t *lapic_out)
{
    uint32_t tsc[CALIB_RUNS], lapic[CALIB_RUNS];

    static_assert(CALIB_RUNS == 3, "median3");
    for (unsigned int i = 0; i < CALIB_RUNS; i++) {
        struct calib c;
        if (!run(&c) || c.ns == 0) {
            return false;
        }
        /* counts per ms = counts * 10^6 / ns; no overflow below 10^13 counts. */
        tsc[i] = (uint32_t)(c.tsc * NS_PER_MS / c.ns);
        lapic[i] = (uint32_t)((uint64_t)c.lapic * NS_PER_MS / c.ns);
    }
    *tsc_out = median3(tsc);
    *lapic_out = median3(lapic);
    return *tsc_out != 0;
}

/* Last resort: CPUID's nominal TSC rate, or a guess.  Timing will be off. */
static const char *calibrate_guess(void)
{
    struct cpuid_regs r = {0};

    if (boot_cpu.max_leaf >= 0x16) {
        r = cpuid(0x16, 0);
    }
    tsc_khz = r.eax ? r.eax * 1000u : GUESS_KHZ;
    lapic_timer_khz = lapic_present() ? GUESS_KHZ / LAPIC_TIMER_DIVIDE : 0;
    pr_err("time: no HPET or PIT to calibrate against; timing is guessed\n");
    return r.eax ? "nothing (TSC rate from CPUID)" : "nothing (guessed)";
}

/* Sets tsc_khz and lapic_timer_khz; returns the name of the reference used. */
static const char *calibrate_all(void)
{
    uint32_t flags = irq_save();
    const char *ref = NULL;

    if (platform.hpet_base && hpet_init(platform.hpet_base) &&
        calibrate(calib_run_hpet, &tsc_khz, &lapic_timer_khz)) {
        ref = "HPET";
    } else if (calibrate(calib_run_pit, &tsc_khz, &lapic_timer_khz)) {
        ref = "PIT";
    }
    irq_restore(flags);
    return ref ? ref : calibrate_guess();
}

/* CPUID leaves 0x15/0x16, where the CPU has them: printed only, never used. */
static void cpuid_crosscheck(void)
{
    if (boot_cpu.max_leaf >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        if (r.eax && r.ebx && r.ecx) {
            pr_info("time: CPUID 0x15 says TSC %llu kHz (crystal %u Hz x %u/%u)\n",
                    (uint64_t)r.ecx * r.ebx / r.eax / 1000u, r.ecx, r.ebx, r.eax);
        }
    }
    if (boot_cpu.max_leaf >= 0x16) {
        struct cpuid_regs r = cpuid(0x16, 0);
        if (r.eax) {
            pr_info("time: CPUID 0x16 says base %u MHz, bus %u MHz\n", r.eax, r.ecx);
        }
    }
}

static void print_mhz(char *buf, size_t size, uint32_t khz)
{
    snprintf(buf, size, "%u.%03u MHz", khz / 1000u, khz % 1000u);
}

void time_init(void)
{
    const char *ref;
    char tsc[24], lapic[24];

    if (!boot_cpu.tsc) {
        panic("time: this CPU has no TSC");
    }
    ref = calibrate_all();
    tsc_to_ns = scale_make(NS_PER_MS, tsc_khz);
    if (lapic_timer_khz) {
        ns_to_lapic = scale_make(lapic_timer_khz, NS_PER_MS);
        lapic_max_ns = 0xFFFFFFFFull * NS_PER_MS / lapic_timer_khz;
    }
    tsc_at_start = rdtsc();
    print_mhz(tsc, sizeof(tsc), tsc_khz);
    print_mhz(lapic, sizeof(lapic), lapic_timer_khz);
    pr_info("time: TSC %s, LAPIC timer %s, calibrated against %s\n", tsc,
            lapic_timer_khz ? lapic : "absent", ref);
    cpuid_crosscheck();
}

/* ---- one-shot timers ----------------------------------------------------------------------- */

int timer_oneshot_ns(uint64_t ns, void (*fn)(void *), void *arg)
{
    struct oneshot *t;
    uint64_t ticks;
    uint32_t flags;

    if (!lapic_timer_khz || !lapic_present()) {
        return -ENODEV;
    }
    if (ns == 0 || ns > lapic_max_ns || !fn) {
        return -EINVAL;
    }
    flags = irq_save();
    ASSERT(smp_processor_id() < MAX_CPUS);
    t = &oneshots[smp_processor_id()];
    if (t->fn) {
        irq_restore(flags);
        return -EBUSY;
    }
    t->fn = fn;
    t->arg = arg;
    ticks = scale_apply(&ns_to_lapic, ns);
    lapic_timer_oneshot((uint32_t)MIN(MAX(ticks, 1u), 0xFFFFFFFFull));
    irq_restore(flags);
    return 0;
}

void timer_oneshot_cancel(void)
{
    uint32_t flags = irq_save();

    lapic_timer_stop();
    oneshots[smp_processor_id()].fn = NULL;
    irq_restore(flags);
}

void time_lapic_timer_interrupt(void)
{
    struct oneshot *t = &oneshots[smp_processor_id()];
    void (*fn)(void *) = t->fn;
    void *arg = t->arg;

    /*
     * A count still running means this interrupt belongs to an earlier arming that was
     * cancelled after it fired: the armed one has not expired yet.
     */
    if (!fn || lapic_timer_current() != 0) {
        return;
    }
    t->fn = NULL;
    fn(arg);
}

/* ---- boot self-test -------------------------------------------------------------------------- */

/*
 * Short, as it delays the first guest: 2 ms.  Too early means a miscalibration; the upper
 * bound is absolute, because an emulator on a busy host delivers the interrupt tens of
 * milliseconds late.
 */
#define SELFTEST_NS     (2u * NS_PER_MS)
#define SELFTEST_MIN_NS (1u * NS_PER_MS)
#define SELFTEST_MAX_NS (50u * NS_PER_MS)

static volatile bool selftest_fired;
static volatile uint64_t selftest_fired_ns;

static void selftest_fire(void *arg)
{
    selftest_fired_ns = time_now_ns();
    selftest_fired = true;
}

/*
 * Waits with interrupts on for the timer, at most 1 s by the TSC.  It polls instead of
 * halting: with every other interrupt source masked, a timer that never fires would
 * leave a halted CPU asleep for good and the timeout could never be checked.
 */
static bool selftest_wait(void)
{
    uint64_t deadline = rdtsc() + (uint64_t)tsc_khz * 1000u;

    irq_enable();
    while (!selftest_fired && rdtsc() < deadline) {
        cpu_relax();
    }
    irq_disable();
    return selftest_fired;
}

/* One shot of SELFTEST_NS: its duration in ns, or 0 when it could not be armed or never fired. */
static uint64_t selftest_once(void)
{
    uint32_t flags = irq_save();
    uint64_t start;
    int rc;

    selftest_fired = false;
    start = time_now_ns();
    rc = timer_oneshot_ns(SELFTEST_NS, selftest_fire, NULL);
    if (rc) {
        irq_restore(flags);
        pr_err("time: cannot arm a one-shot timer (%d)\n", rc);
        return 0;
    }
    if (!selftest_wait()) {
        timer_oneshot_cancel();
        irq_restore(flags);
        pr_err("time: one-shot timer did not fire\n");
        return 0;
    }
    irq_restore(flags);
    return selftest_fired_ns - start;
}

/*
 * An early shot is a calibration error.  A late one may only mean that the machine under
 * an emulator was busy (a TCG vCPU thread waits for the host's scheduler), so a late shot
 * is tried again, a few times, before the timer is declared unusable.
 */
#define SELFTEST_TRIES 4

bool time_selftest(void)
{
    for (unsigned int i = 0; i < SELFTEST_TRIES; i++) {
        uint64_t took = selftest_once();
        if (!took) {
            return false;
        }
        pr_info("time: %u ms one-shot timer fired after %u.%03u ms\n", SELFTEST_NS / NS_PER_MS,
                (uint32_t)(took / NS_PER_MS), (uint32_t)(took % NS_PER_MS / 1000u));
        if (took < SELFTEST_MIN_NS) {
            break;
        }
        if (took <= SELFTEST_MAX_NS) {
            return true;
        }
    }
    pr_err("time: one-shot timer interval out of range (%u-%u ms expected)\n",
           SELFTEST_MIN_NS / NS_PER_MS, SELFTEST_MAX_NS / NS_PER_MS);
    return false;
}
