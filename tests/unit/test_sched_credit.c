/*
 * Unit tests of the credit accounting (kernel/sched_credit.c): a simulated CPU with a 10 ms
 * tick and the 30 ms accounting period, run by the same rules as kernel/sched.c.
 */
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "kernel/sched_credit.h"

#define MS           (1000ull * 1000)
#define TICK         (10 * MS)
#define MAX_SIM      8
#define YIELD_RUN_NS 2000   /* a yielding (or waking) vCPU's run between yields (or sleeps) */
#define SLEEP_NS     (50 * MS)   /* a sleeper wakes this often */

enum behaviour { SPIN, BLOCKED, YIELDER, SLEEPER };

struct sim {
    unsigned int nr_dom, nr_vcpu;
    bool jitter;                /* ticks 10 to 30 ms apart, as under a busy emulator */
    bool stalls;                /* every 37th tick 150 ms late: a descheduled emulator */
    struct credit_acct dom[MAX_SIM];
    struct credit_vcpu v[MAX_SIM];
    enum behaviour how[MAX_SIM];
    uint64_t used[MAX_SIM];     /* per vCPU */
    uint64_t wake_at[MAX_SIM];  /* a sleeper's next wake-up */
    uint64_t now;
};

static bool sim_runnable(const struct sim *s, unsigned int i)
{
    return s->how[i] == SPIN || s->how[i] == YIELDER ||
           (s->how[i] == SLEEPER && s->now >= s->wake_at[i]);
}

static void sim_dom(struct sim *s, unsigned int weight, unsigned int cap, unsigned int vcpus,
                    enum behaviour how)
{
    struct credit_acct *a = &s->dom[s->nr_dom++];
    credit_acct_init(a, vcpus);
    assert_int_equal(credit_set(a, (int)weight, (int)cap), 0);
    for (unsigned int i = 0; i < vcpus; i++) {
        unsigned int n = s->nr_vcpu++;
        s->v[n].acct = a;
        s->how[n] = how;
        s->v[n].next = &s->v[0];
        if (n) {
            s->v[n - 1].next = &s->v[n];
        }
    }
}

static void sim_distribute(struct sim *s, uint64_t elapsed)
{
    struct credit_acct *accts[MAX_SIM];
    bool active[MAX_SIM] = { false };
    for (unsigned int d = 0; d < s->nr_dom; d++) {
        accts[d] = &s->dom[d];
    }
    for (unsigned int i = 0; i < s->nr_vcpu; i++) {
        if (sim_runnable(s, i)) {
            active[s->v[i].acct - s->dom] = true;
        }
    }
    credit_distribute(accts, active, s->nr_dom, elapsed, 1);
}

static struct credit_vcpu *sim_pick(struct sim *s)
{
    for (unsigned int i = 0; i < s->nr_vcpu; i++) {
        s->v[i].eligible = sim_runnable(s, i);
    }
    return credit_pick(&s->v[0]);
}

/* Runs one CPU for total ns; the CPU idles when nothing may run. */
static void sim_run(struct sim *s, uint64_t total)
{
    uint64_t now = 0, last_acct = 0, next_tick = TICK;
    struct credit_vcpu *cur = sim_pick(s);
    s->now = 0;
    while (now < total) {
        unsigned int idx = cur ? (unsigned int)(cur - s->v) : 0;
        uint64_t until = next_tick;
        if (cur && (s->how[idx] == YIELDER || s->how[idx] == SLEEPER) && now + YIELD_RUN_NS < until) {
            until = now + YIELD_RUN_NS;
        }
        if (cur) {
            credit_burn(cur->acct, until - now);
            s->used[idx] += until - now;
        }
        now = until;
        s->now = now;
        if (now == next_tick) {
            next_tick += s->jitter ? TICK + (now / 7 % 21) * MS : TICK;
            if (s->stalls && (now / TICK) % 37 == 0) {
                next_tick += 150 * MS;
            }
            if (now - last_acct >= CREDIT_PERIOD_NS) {
                sim_distribute(s, now - last_acct);
                last_acct = now;
            }
        } else if (s->how[idx] == SLEEPER) {
            s->wake_at[idx] = now + SLEEP_NS;
        } else {
            cur->yielded = true;
        }
        cur = sim_pick(s);
    }
}

/* Percent of the run, in tenths. */
static unsigned int dom_share(const struct sim *s, unsigned int d, uint64_t total)
{
    return (unsigned int)(s->dom[d].cpu_ns * 1000 / total);
}

static void shares_follow_weights(void **state)
{
    static struct sim s;
    uint64_t total = 10000 * MS;
    (void)state;
    sim_dom(&s, 128, 0, 1, SPIN);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_dom(&s, 512, 0, 1, SPIN);
    sim_run(&s, total);
    /* 1:2:4 is 14.3 / 28.6 / 57.1 %: within half a point. */
    assert_in_range(dom_share(&s, 0, total), 138, 148);
    assert_in_range(dom_share(&s, 1, total), 281, 291);
    assert_in_range(dom_share(&s, 2, total), 566, 576);
}

static void shares_follow_weights_with_jittery_ticks(void **state)
{
    static struct sim s = { .jitter = true };
    uint64_t total = 10000 * MS;
    (void)state;
    sim_dom(&s, 64, 0, 1, SPIN);
    sim_dom(&s, 128, 0, 1, SPIN);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    assert_in_range(dom_share(&s, 0, total), 133, 153);
    assert_in_range(dom_share(&s, 1, total), 276, 296);
    assert_in_range(dom_share(&s, 2, total), 561, 581);
}

static void heavy_sleeper_leaves_the_others_their_ratio(void **state)
{
    static struct sim s;
    uint64_t total = 6000 * MS;
    (void)state;
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_dom(&s, 512, 0, 1, SPIN);
    sim_dom(&s, 65535, 0, 1, SLEEPER);
    sim_run(&s, total);
    /* The sleeper wakes every 50 ms for 2 us; the other two keep 1:2 of the rest. */
    assert_in_range(dom_share(&s, 2, total), 0, 2);
    assert_in_range(dom_share(&s, 0, total), 323, 343);
    assert_in_range(dom_share(&s, 1, total), 656, 676);
}

static void shares_and_caps_hold_through_stalls(void **state)
{
    static struct sim s = { .stalls = true }, c = { .stalls = true };
    uint64_t total = 20000 * MS;
    (void)state;
    sim_dom(&s, 64, 0, 1, SPIN);
    sim_dom(&s, 128, 0, 1, SPIN);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    assert_in_range(dom_share(&s, 0, total), 133, 153);
    assert_in_range(dom_share(&s, 1, total), 276, 296);
    assert_in_range(dom_share(&s, 2, total), 561, 581);
    sim_dom(&c, 256, 25, 1, SPIN);
    sim_dom(&c, 256, 0, 1, SPIN);
    sim_run(&c, total);
    assert_in_range(dom_share(&c, 0, total), 240, 260);
}

static void equal_weights_equal_shares(void **state)
{
    static struct sim s;
    uint64_t total = 3000 * MS;
    (void)state;
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    assert_in_range(dom_share(&s, 0, total), 495, 505);
    assert_in_range(dom_share(&s, 1, total), 495, 505);
}

static void cap_holds_against_competition_and_alone(void **state)
{
    static struct sim s, alone;
    uint64_t total = 6000 * MS;
    (void)state;
    sim_dom(&s, 256, 25, 1, SPIN);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    assert_in_range(dom_share(&s, 0, total), 240, 260);
    assert_in_range(dom_share(&s, 1, total), 740, 760);
    /* Alone, the cap idles the CPU rather than letting the domain have it. */
    sim_dom(&alone, 256, 25, 1, SPIN);
    sim_run(&alone, total);
    assert_in_range(dom_share(&alone, 0, total), 240, 260);
}

static void blocked_domain_uses_nothing_and_reserves_nothing(void **state)
{
    static struct sim s;
    uint64_t total = 3000 * MS;
    (void)state;
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_dom(&s, 65535, 0, 1, BLOCKED);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    assert_int_equal(s.dom[1].cpu_ns, 0);
    assert_in_range(dom_share(&s, 0, total), 495, 505);
    assert_in_range(dom_share(&s, 2, total), 495, 505);
}

static void yielder_gives_way_spinner_gets_no_more_than_its_share(void **state)
{
    static struct sim s;
    uint64_t total = 3000 * MS;
    (void)state;
    sim_dom(&s, 256, 0, 1, YIELDER);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    /* The yielder keeps getting the CPU (it is never starved) but uses almost none of it. */
    assert_true(s.dom[0].cpu_ns > 0);
    assert_in_range(dom_share(&s, 0, total), 0, 10);
    assert_in_range(dom_share(&s, 1, total), 490, 510);
    assert_in_range(dom_share(&s, 2, total), 490, 510);
}

static void vcpus_share_their_domain_credit(void **state)
{
    static struct sim s;
    uint64_t total = 6000 * MS;
    (void)state;
    sim_dom(&s, 256, 0, 3, SPIN);   /* three vCPUs, one weight */
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_run(&s, total);
    assert_in_range(dom_share(&s, 0, total), 490, 510);
    assert_in_range(dom_share(&s, 1, total), 490, 510);
    /* Inside the domain, its vCPUs take turns. */
    for (unsigned int i = 0; i < 3; i++) {
        assert_in_range(s.used[i] * 1000 / total, 150, 183);
    }
}

static void yield_alone_returns_to_the_yielder(void **state)
{
    static struct sim s;
    (void)state;
    sim_dom(&s, 256, 0, 1, SPIN);
    sim_dom(&s, 256, 0, 1, BLOCKED);
    s.v[0].eligible = true;
    s.v[0].yielded = true;
    s.v[1].eligible = false;
    assert_ptr_equal(credit_pick(&s.v[0]), &s.v[0]);
    assert_false(s.v[0].yielded);
    /* With another one eligible, the yielder goes after it even when it has more credit. */
    s.dom[0].credit = 1000;
    s.dom[1].credit = -1000;
    s.v[1].eligible = true;
    s.v[0].yielded = true;
    assert_ptr_equal(credit_pick(&s.v[0]), &s.v[1]);
    assert_false(s.v[0].yielded);
}

static void set_checks_ranges_and_leaves_negatives_alone(void **state)
{
    struct credit_acct a;
    (void)state;
    credit_acct_init(&a, 2);
    assert_int_equal(a.weight, 256);
    assert_int_equal(a.cap, 0);
    assert_int_equal(credit_set(&a, 0, -1), -EINVAL);
    assert_int_equal(credit_set(&a, 65536, -1), -EINVAL);
    assert_int_equal(credit_set(&a, 100, 201), -EINVAL);
    assert_int_equal(a.weight, 256);    /* a refused call changes nothing */
    assert_int_equal(credit_set(&a, 1, 200), 0);
    assert_int_equal(a.weight, 1);
    assert_int_equal(a.cap, 200);
    assert_int_equal(credit_set(&a, 65535, -1), 0);
    assert_int_equal(credit_set(&a, -1, 0), 0);
    assert_int_equal(a.weight, 65535);
    assert_int_equal(a.cap, 0);
}

static void parked_only_until_the_refill(void **state)
{
    struct credit_acct a;
    struct credit_acct *list[1] = { &a };
    bool active[1] = { true };
    (void)state;
    credit_acct_init(&a, 1);
    assert_int_equal(credit_set(&a, -1, 10), 0);
    credit_burn(&a, CREDIT_PERIOD_NS / 10 - 1);
    assert_int_not_equal(credit_prio(&a), CREDIT_PARKED);
    credit_burn(&a, 2);
    assert_int_equal(credit_prio(&a), CREDIT_PARKED);
    credit_distribute(list, active, 1, CREDIT_PERIOD_NS, 1);
    assert_int_equal(credit_prio(&a), CREDIT_UNDER);
}

static void an_overrun_is_paid_back_in_full(void **state)
{
    struct credit_acct a;
    struct credit_acct *list[1] = { &a };
    bool active[1] = { true };
    unsigned int periods = 0;
    (void)state;
    credit_acct_init(&a, 1);
    assert_int_equal(credit_set(&a, -1, 25), 0);
    /* A 200 ms slice (a late tick): at 7.5 ms a period, 26 periods pay it back. */
    credit_burn(&a, 200 * MS);
    while (credit_prio(&a) == CREDIT_PARKED && periods < 100) {
        credit_distribute(list, active, 1, CREDIT_PERIOD_NS, 1);
        periods++;
    }
    assert_int_equal(periods, 26);
}

static void runstate_times_add_up(void **state)
{
    struct vcpu_runstate_info rs, snap;
    (void)state;
    runstate_init(&rs, RUNSTATE_offline, 100);
    runstate_change(&rs, RUNSTATE_runnable, 150);
    runstate_change(&rs, RUNSTATE_running, 175);
    runstate_change(&rs, RUNSTATE_blocked, 1175);
    runstate_change(&rs, RUNSTATE_runnable, 1200);
    runstate_change(&rs, RUNSTATE_running, 1200);
    assert_int_equal(rs.time[RUNSTATE_offline], 50);
    assert_int_equal(rs.time[RUNSTATE_runnable], 25);
    assert_int_equal(rs.time[RUNSTATE_running], 1000);
    assert_int_equal(rs.time[RUNSTATE_blocked], 25);
    assert_int_equal(rs.state_entry_time, 1200);
    runstate_snapshot(&rs, 1300, &snap);
    assert_int_equal(snap.time[RUNSTATE_running], 1100);
    assert_int_equal(rs.time[RUNSTATE_running], 1000);
    assert_int_equal(snap.state, RUNSTATE_running);
    /* A clock that reads earlier than the last change adds nothing. */
    runstate_change(&rs, RUNSTATE_blocked, 1000);
    assert_int_equal(rs.time[RUNSTATE_running], 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shares_follow_weights),
        cmocka_unit_test(shares_follow_weights_with_jittery_ticks),
        cmocka_unit_test(heavy_sleeper_leaves_the_others_their_ratio),
        cmocka_unit_test(shares_and_caps_hold_through_stalls),
        cmocka_unit_test(equal_weights_equal_shares),
        cmocka_unit_test(cap_holds_against_competition_and_alone),
        cmocka_unit_test(blocked_domain_uses_nothing_and_reserves_nothing),
        cmocka_unit_test(yielder_gives_way_spinner_gets_no_more_than_its_share),
        cmocka_unit_test(vcpus_share_their_domain_credit),
        cmocka_unit_test(yield_alone_returns_to_the_yielder),
        cmocka_unit_test(set_checks_ranges_and_leaves_negatives_alone),
        cmocka_unit_test(parked_only_until_the_refill),
        cmocka_unit_test(an_overrun_is_paid_back_in_full),
        cmocka_unit_test(runstate_times_add_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
