/* Guest time: reading the time record and the wall clock of the shared info page. */
#include "guest/time.h"

#include "guest/runtime.h"

#define NS_PER_SEC 1000000000ull

static inline void compiler_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

uint64_t time_scale_tsc(uint64_t delta, uint32_t mul, int8_t shift)
{
    uint64_t lo, hi;

    delta = shift >= 0 ? delta << shift : delta >> -shift;
    lo = (uint64_t)(uint32_t)delta * mul;
    hi = (uint64_t)(uint32_t)(delta >> 32) * mul;
    return (lo >> 32) + hi;
}

/*
 * The monitor makes version odd before it writes and even after: a copy taken between two
 * equal even readings is whole.  x86 keeps loads in order, so compiler barriers suffice.
 */
void time_record_read(const vcpu_info_t *vi, vcpu_time_info_t *out)
{
    const volatile vcpu_time_info_t *t = &vi->time;
    uint32_t version;

    do {
        version = t->version;
        compiler_barrier();
        out->tsc_timestamp = t->tsc_timestamp;
        out->system_time = t->system_time;
        out->tsc_to_system_mul = t->tsc_to_system_mul;
        out->tsc_shift = t->tsc_shift;
        out->flags = t->flags;
        compiler_barrier();
    } while ((version & 1) || version != t->version);
    out->version = version;
}

uint64_t time_at_tsc(const vcpu_time_info_t *r, uint64_t tsc)
{
    /* A TSC read before the record was written (another CPU's record) counts as no time. */
    if (tsc < r->tsc_timestamp) {
        tsc = r->tsc_timestamp;
    }
    return r->system_time +
           time_scale_tsc(tsc - r->tsc_timestamp, r->tsc_to_system_mul, r->tsc_shift);
}

uint64_t time_system_ns_of(const vcpu_info_t *vi)
{
    vcpu_time_info_t r;

    time_record_read(vi, &r);
    return time_at_tsc(&r, rdtsc());
}

uint64_t time_system_ns(void)
{
    return time_system_ns_of(vcpu0());
}

void time_wallclock(uint64_t *sec, uint32_t *nsec)
{
    const volatile shared_info_t *s = shared_info;
    uint32_t version, wc_nsec;
    uint64_t wc_sec, now, ns;

    do {
        version = s->wc_version;
        compiler_barrier();
        wc_sec = (uint64_t)s->arch.wc_sec_hi << 32 | s->wc_sec;
        wc_nsec = s->wc_nsec;
        compiler_barrier();
    } while ((version & 1) || version != s->wc_version);
    now = time_system_ns();
    ns = wc_nsec + now % NS_PER_SEC;
    *sec = wc_sec + now / NS_PER_SEC + ns / NS_PER_SEC;
    *nsec = (uint32_t)(ns % NS_PER_SEC);
}

/* Days since 1970-01-01 to a civil date, by 400-year eras starting on 1 March. */
void time_civil(uint64_t secs, uint32_t *year, uint32_t *month, uint32_t *day)
{
    uint32_t days = (uint32_t)(secs / 86400u) + 719468u; /* days from 0000-03-01 */
    uint32_t era = days / 146097u, doe = days % 146097u;
    uint32_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint32_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint32_t mp = (5u * doy + 2u) / 153u;

    *day = doy - (153u * mp + 2u) / 5u + 1u;
    *month = mp < 10u ? mp + 3u : mp - 9u;
    *year = yoe + era * 400u + (*month <= 2u);
}
