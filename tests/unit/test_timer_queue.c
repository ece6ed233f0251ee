/* Unit tests of the ordered timer queue (kernel/timer_queue.c) and the RTC date arithmetic. */
#include <stdlib.h>

#include "unit.h"
#include "arch/x86/asm.h"
#include "drivers/rtc.h"
#include "kernel/timer_queue.h"

static struct timer *mk(struct timer *t, uint64_t deadline)
{
    *t = (struct timer){.deadline = deadline};
    return t;
}

/* The queue's deadlines head to tail, checking the links and queued flags on the way. */
static unsigned int order(const struct timer_queue *q, uint64_t *out, unsigned int max)
{
    unsigned int n = 0;

    for (const struct timer *t = tq_first(q); t; t = t->next) {
        assert_true(t->queued);
        assert_true(n < max);
        out[n++] = t->deadline;
    }
    return n;
}

static void inserts_keep_deadline_order(void **state)
{
    struct timer_queue q = {0};
    struct timer t[6];
    const uint64_t d[6] = {50, 10, 30, 70, 20, 60};
    uint64_t got[6];

    for (unsigned int i = 0; i < 6; i++) {
        tq_insert(&q, mk(&t[i], d[i]));
    }
    assert_int_equal(order(&q, got, 6), 6);
    for (unsigned int i = 1; i < 6; i++) {
        assert_true(got[i - 1] <= got[i]);
    }
    assert_int_equal(got[0], 10);
    assert_int_equal(got[5], 70);
}

static void insert_reports_new_head(void **state)
{
    struct timer_queue q = {0};
    struct timer a, b, c, e;

    assert_true(tq_insert(&q, mk(&a, 100)));  /* empty queue */
    assert_false(tq_insert(&q, mk(&b, 200))); /* later */
    assert_true(tq_insert(&q, mk(&c, 50)));   /* earlier */
    assert_false(tq_insert(&q, mk(&e, 50)));  /* equal: behind the one set first */
    assert_ptr_equal(tq_first(&q), &c);
    assert_ptr_equal(c.next, &e);
}

static void equal_deadlines_fire_in_arming_order(void **state)
{
    struct timer_queue q = {0};
    struct timer t[4];

    for (unsigned int i = 0; i < 4; i++) {
        tq_insert(&q, mk(&t[i], 42));
    }
    for (unsigned int i = 0; i < 4; i++) {
        assert_ptr_equal(tq_pop_expired(&q, 42), &t[i]);
        assert_false(t[i].queued);
    }
    assert_null(tq_first(&q));
}

static void pop_takes_only_expired(void **state)
{
    struct timer_queue q = {0};
    struct timer a, b;

    assert_null(tq_pop_expired(&q, ~0ull)); /* empty */
    tq_insert(&q, mk(&a, 100));
    tq_insert(&q, mk(&b, 200));
    assert_null(tq_pop_expired(&q, 99));
    assert_ptr_equal(tq_pop_expired(&q, 100), &a); /* at the deadline counts */
    assert_null(tq_pop_expired(&q, 199));
    assert_ptr_equal(tq_pop_expired(&q, 1000), &b);
    assert_null(tq_pop_expired(&q, 1000));
}

static void remove_head_middle_tail_and_absent(void **state)
{
    struct timer_queue q = {0};
    struct timer t[5], other;
    uint64_t got[5];

    for (unsigned int i = 0; i < 5; i++) {
        tq_insert(&q, mk(&t[i], 10 * (i + 1)));
    }
    assert_true(tq_remove(&q, &t[0]));
    assert_true(tq_remove(&q, &t[2]));
    assert_true(tq_remove(&q, &t[4]));
    assert_false(t[0].queued || t[2].queued || t[4].queued);
    assert_false(tq_remove(&q, &t[2]));          /* twice */
    assert_false(tq_remove(&q, mk(&other, 20))); /* never queued */
    assert_int_equal(order(&q, got, 5), 2);
    assert_int_equal(got[0], 20);
    assert_int_equal(got[1], 40);
}

/* What kernel/timer.c does to re-arm: remove (if queued), new deadline, insert. */
static void rearm_moves_a_timer_without_duplicating_it(void **state)
{
    struct timer_queue q = {0};
    struct timer a, b, c;
    uint64_t got[3];

    tq_insert(&q, mk(&a, 10));
    tq_insert(&q, mk(&b, 20));
    tq_insert(&q, mk(&c, 30));
    for (unsigned int round = 0; round < 100; round++) {
        tq_remove(&q, &a);
        a.deadline = round % 2 ? 5 : 35;
        tq_insert(&q, &a);
    }
    assert_int_equal(order(&q, got, 3), 3);
    assert_int_equal(got[0], 5);
    assert_ptr_equal(tq_first(&q), &a);
}

/* A callback that re-arms its own timer after it was popped, as the tick does. */
static void popped_timer_can_be_inserted_again(void **state)
{
    struct timer_queue q = {0};
    struct timer a, b;
    unsigned int fired = 0;

    tq_insert(&q, mk(&a, 10));
    tq_insert(&q, mk(&b, 1000));
    for (uint64_t now = 10; now <= 100; now += 10) {
        struct timer *t;
        while ((t = tq_pop_expired(&q, now))) {
            assert_ptr_equal(t, &a);
            fired++;
            t->deadline = now + 10;
            tq_insert(&q, t);
        }
    }
    assert_int_equal(fired, 10);
    assert_ptr_equal(tq_first(&q), &a);
    assert_ptr_equal(a.next, &b);
}

/* A random mix of inserts, removals and pops against a brute-force model. */
static void random_operations_match_a_model(void **state)
{
    enum { N = 64 };
    struct timer_queue q = {0};
    struct timer t[N];
    bool armed[N] = {false};
    uint64_t now = 0;

    srand(1);
    for (unsigned int i = 0; i < N; i++) {
        mk(&t[i], 0);
    }
    for (unsigned int step = 0; step < 20000; step++) {
        unsigned int i = (unsigned int)rand() % N;
        switch (rand() % 3) {
        case 0:
            tq_remove(&q, &t[i]);
            t[i].deadline = now + (unsigned int)rand() % 1000;
            tq_insert(&q, &t[i]);
            armed[i] = true;
            break;
        case 1:
            assert_int_equal(tq_remove(&q, &t[i]), armed[i]);
            armed[i] = false;
            break;
        default: {
            struct timer *p;
            now += (unsigned int)rand() % 50;
            while ((p = tq_pop_expired(&q, now))) {
                unsigned int k = (unsigned int)(p - t);
                assert_true(armed[k] && p->deadline <= now);
                armed[k] = false;
            }
            /* Nothing expired may be left behind. */
            for (unsigned int k = 0; k < N; k++) {
                assert_false(armed[k] && t[k].deadline <= now);
            }
        }
        }
    }
}

/* ---- a fake CMOS behind ports 0x70/0x71 for rtc_read_unix() ---- */

static uint8_t cmos[128];
static uint8_t cmos_index;
static unsigned int uip_reads; /* register A reads that still show an update in progress */

void outb(uint16_t port, uint8_t v)
{
    assert_int_equal(port, 0x70);
    cmos_index = v & 0x7F;
}

uint8_t inb(uint16_t port)
{
    assert_int_equal(port, 0x71);
    if (cmos_index == 0x0A && uip_reads) {
        uip_reads--;
        return 0x80;
    }
    return cmos[cmos_index];
}

static void cmos_set(uint8_t sec, uint8_t min, uint8_t hour, uint8_t day, uint8_t mon, uint8_t year,
                     uint8_t century, uint8_t reg_b)
{
    cmos[0x00] = sec;
    cmos[0x02] = min;
    cmos[0x04] = hour;
    cmos[0x07] = day;
    cmos[0x08] = mon;
    cmos[0x09] = year;
    cmos[0x32] = century;
    cmos[0x0B] = reg_b;
}

static void rtc_reads_bcd_24h(void **state)
{
    uint64_t secs;

    cmos_set(0x16, 0x07, 0x08, 0x22, 0x11, 0x26, 0x20, 0x02); /* 2026-11-22 08:07:16 */
    uip_reads = 3;
    assert_true(rtc_read_unix(&secs));
    assert_int_equal(secs, 1795334836ull);
    assert_int_equal(uip_reads, 0);
}

static void rtc_reads_binary_12h(void **state)
{
    uint64_t secs;

    cmos_set(59, 59, 0x80 | 11, 31, 12, 99, 19, 0x04); /* 1999-12-31 11:59:59 PM */
    assert_true(rtc_read_unix(&secs));
    assert_int_equal(secs, 946684799ull);
    cmos_set(0, 0, 0x80 | 12, 1, 1, 0, 20, 0x04); /* 12 PM is noon: 2000-01-01 12:00:00 */
    assert_true(rtc_read_unix(&secs));
    assert_int_equal(secs, 946728000ull);
}

static void rtc_refuses_nonsense(void **state)
{
    uint64_t secs = 7;

    cmos_set(0x16, 0x07, 0x08, 0x22, 0x13, 0x26, 0x20, 0x02); /* month 13 */
    assert_false(rtc_read_unix(&secs));
    cmos_set(0x99, 0x07, 0x08, 0x22, 0x11, 0x26, 0x20, 0x02); /* second 99 */
    assert_false(rtc_read_unix(&secs));
    assert_int_equal(secs, 7);
}

static void rtc_days_since_epoch_known_dates(void **state)
{
    assert_int_equal(rtc_days_since_epoch(1970, 1, 1), 0);
    assert_int_equal(rtc_days_since_epoch(1970, 3, 1), 59);
    assert_int_equal(rtc_days_since_epoch(2000, 1, 1), 10957);
    assert_int_equal(rtc_days_since_epoch(2000, 3, 1), 11017); /* 2000 is a leap year */
    assert_int_equal(rtc_days_since_epoch(2100, 3, 1), 47541); /* 2100 is not */
    assert_int_equal(rtc_days_since_epoch(2024, 2, 29), 19782);
    assert_int_equal(rtc_days_since_epoch(2038, 1, 19), 24855);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inserts_keep_deadline_order),
        cmocka_unit_test(insert_reports_new_head),
        cmocka_unit_test(equal_deadlines_fire_in_arming_order),
        cmocka_unit_test(pop_takes_only_expired),
        cmocka_unit_test(remove_head_middle_tail_and_absent),
        cmocka_unit_test(rearm_moves_a_timer_without_duplicating_it),
        cmocka_unit_test(popped_timer_can_be_inserted_again),
        cmocka_unit_test(random_operations_match_a_model),
        cmocka_unit_test(rtc_days_since_epoch_known_dates),
        cmocka_unit_test(rtc_reads_bcd_24h),
        cmocka_unit_test(rtc_reads_binary_12h),
        cmocka_unit_test(rtc_refuses_nonsense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
