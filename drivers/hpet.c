/* HPET main counter: mapped, started and read as a 64-bit count. */
#include "drivers/hpet.h"

#include "arch/x86/paging.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

/* Register offsets (bytes) and fields, from the IA-PC HPET specification. */
#define HPET_CAP_LO          0x000
#define HPET_CAP_HI          0x004 /* the counter period in femtoseconds */
#define HPET_CONFIG          0x010
#define HPET_COUNTER_LO      0x0F0
#define HPET_COUNTER_HI      0x0F4
#define HPET_TIMER_CONFIG(n) (0x100 + 0x20 * (n))
#define HPET_REGS_SIZE       0x400

#define CAP_NUM_TIMERS(c)   ((((c) >> 8) & 0x1F) + 1)
#define CAP_COUNTER_64      (1u << 13)
#define CONFIG_ENABLE       (1u << 0)
#define CONFIG_LEGACY_ROUTE (1u << 1)
#define TIMER_INT_ENABLE    (1u << 2)
#define HPET_MAX_PERIOD_FS  100000000u /* the specification's upper bound: 100 ns */
#define HPET_MOVE_POLLS     1000000u

static volatile uint32_t *hpet_regs;
static uint32_t period_fs;
static bool counter_64;

/* Software extension of a 32-bit counter; protected by wrap_lock. */
static spinlock_t wrap_lock = SPINLOCK_INIT;
static uint32_t wrap_last;
static uint32_t wrap_high;

static inline uint32_t hpet_rd(unsigned int reg)
{
    return hpet_regs[reg / 4];
}
static inline void hpet_wr(unsigned int reg, uint32_t v)
{
    hpet_regs[reg / 4] = v;
}

bool hpet_present(void)
{
    return hpet_regs != NULL && period_fs != 0;
}

uint32_t hpet_period_fs(void)
{
    return period_fs;
}

static uint64_t hpet_read64(void)
{
    uint32_t hi, lo;

    /* Two 32-bit reads: retry when the high half moved between them. */
    do {
        hi = hpet_rd(HPET_COUNTER_HI);
        lo = hpet_rd(HPET_COUNTER_LO);
    } while (hpet_rd(HPET_COUNTER_HI) != hi);
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t hpet_read32_extended(void)
{
    uint32_t flags = spin_lock_irqsave(&wrap_lock);
    uint32_t lo = hpet_rd(HPET_COUNTER_LO);
    uint64_t v;

    if (lo < wrap_last) {
        wrap_high++;
    }
    wrap_last = lo;
    v = ((uint64_t)wrap_high << 32) | lo;
    spin_unlock_irqrestore(&wrap_lock, flags);
    return v;
}

uint64_t hpet_read(void)
{
    if (!hpet_present()) {
        return 0;
    }
    return counter_64 ? hpet_read64() : hpet_read32_extended();
}

/* Enables the main counter with no interrupt of its own and checks that it moves. */
static bool hpet_start(unsigned int timers)
{
    uint32_t first;

    for (unsigned int n = 0; n < timers; n++) {
        hpet_wr(HPET_TIMER_CONFIG(n), hpet_rd(HPET_TIMER_CONFIG(n)) & ~TIMER_INT_ENABLE);
    }
    hpet_wr(HPET_CONFIG, (hpet_rd(HPET_CONFIG) & ~CONFIG_LEGACY_ROUTE) | CONFIG_ENABLE);
    first = hpet_rd(HPET_COUNTER_LO);
    wrap_last = first;
    for (uint32_t i = 0; i < HPET_MOVE_POLLS; i++) {
        if (hpet_rd(HPET_COUNTER_LO) != first) {
            return true;
        }
    }
    return false;
}

bool hpet_init(paddr_t base)
{
    uint32_t cap;

    hpet_regs = ioremap(base, HPET_REGS_SIZE, true);
    if (!hpet_regs) {
        pr_warn("hpet: cannot map the registers at 0x%llx\n", base);
        return false;
    }
    cap = hpet_rd(HPET_CAP_LO);
    period_fs = hpet_rd(HPET_CAP_HI);
    if (cap == 0xFFFFFFFFu || period_fs == 0 || period_fs > HPET_MAX_PERIOD_FS) {
        pr_warn("hpet: at 0x%llx: bad capabilities 0x%x, period %u fs; not used\n", base, cap,
                period_fs);
        period_fs = 0;
        return false;
    }
    counter_64 = cap & CAP_COUNTER_64;
    if (!hpet_start(CAP_NUM_TIMERS(cap))) {
        pr_warn("hpet: at 0x%llx: the main counter does not count; not used\n", base);
        period_fs = 0;
        return false;
    }
    pr_debug("hpet: at 0x%llx: %u timers, %u-bit counter, period %u fs\n", base,
             CAP_NUM_TIMERS(cap), counter_64 ? 64 : 32, period_fs);
    return true;
}
