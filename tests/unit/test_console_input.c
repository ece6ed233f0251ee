/*
 * Unit tests of serial input (kernel/console_input.c): the focus cycle, Ctrl-A x3 and the
 * fewer-than-three pass-through, skipping domains that shut down, each domain's bounded
 * buffer with VIRQ_CONSOLE per byte, take/untake, a domain going away, and conswitch=.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/console_input.h"
#include "kernel/backend.h"
#include "kernel/domain.h"
#include "kernel/opcon.h"

#define NR_FAKE 4

/* ---- stand-ins: domains by id, VIRQs raised, the monitor's command line ---- */

static struct domain *domains[NR_FAKE];
static unsigned int virqs[NR_FAKE], gone_calls;
static char monitor_got[512];
static size_t monitor_len;

struct domain *domain_by_id(uint16_t id)
{
    return id < NR_FAKE ? domains[id] : NULL;
}

int evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
    assert_int_equal(virq, VIRQ_CONSOLE);
    virqs[d->id]++;
    return 0;
}

static unsigned int kicks[NR_FAKE];

void backend_kick(struct domain *d, unsigned int svc)
{
    assert_int_equal(svc, BACKEND_CONSOLE);
    kicks[d->id]++;
}

void opcon_input(char c)
{
    assert_true(monitor_len < sizeof(monitor_got));
    monitor_got[monitor_len++] = c;
}

void opcon_domain_gone(const struct domain *d)
{
    gone_calls++;
}

static int setup(void **state)
{
    static const char *const names[NR_FAKE] = { NULL, "one", "two", "three" };
    for (unsigned int i = 1; i < NR_FAKE; i++) {
        domains[i] = calloc(1, sizeof(struct domain));
        assert_non_null(domains[i]);
        domains[i]->id = (uint16_t)i;
        strcpy(domains[i]->name, names[i]);
        domains[i]->state = DOMAIN_RUNNING;
        virqs[i] = 0;
        kicks[i] = 0;
    }
    monitor_len = 0;
    gone_calls = 0;
    stub_log_reset();
    return 0;
}

/* Every domain goes away (which also gives the focus back to the monitor). */
static int teardown(void **state)
{
    for (unsigned int i = 1; i < NR_FAKE; i++) {
        console_input_domain_gone(domains[i]);
        free(domains[i]);
        domains[i] = NULL;
    }
    assert_int_equal(console_input_focus_id(), 0);
    return 0;
}

static void type(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        console_rx(s[i]);
    }
}
#define TYPE(lit) type(lit, sizeof(lit) - 1)

static void switch_once(void)
{
    TYPE("\x01\x01\x01");
}

static void focus_cycles_through_every_domain(void **state)
{
    assert_int_equal(console_input_focus_id(), 0);
    switch_once();
    assert_int_equal(console_input_focus_id(), 1);
    assert_non_null(strstr(stub_log_text(), "*** Switching input to domain 1 (one)"));
    switch_once();
    assert_int_equal(console_input_focus_id(), 2);
    switch_once();
    assert_int_equal(console_input_focus_id(), 3);
    switch_once();
    assert_int_equal(console_input_focus_id(), 0);
    assert_non_null(strstr(stub_log_text(), "*** Switching input to the monitor"));
    assert_int_equal(monitor_len, 0);     /* the switching bytes reach nobody */
}

static void cycle_skips_domains_that_shut_down(void **state)
{
    domains[2]->state = DOMAIN_SHUTDOWN;
    domains[3]->state = DOMAIN_PRESERVED;
    switch_once();
    assert_int_equal(console_input_focus_id(), 1);
    switch_once();
    assert_int_equal(console_input_focus_id(), 0);
}

static void fewer_than_three_pass_through(void **state)
{
    TYPE("\x01x\x01\x01y");
    assert_int_equal(monitor_len, 5);
    assert_memory_equal(monitor_got, "\x01x\x01\x01y", 5);
    /* Four in a row: three switch, the fourth waits for what follows. */
    TYPE("\x01\x01\x01\x01z");
    assert_int_equal(console_input_focus_id(), 1);
    char buf[8];
    uint32_t pos;
    assert_int_equal(console_input_take(domains[1], buf, sizeof(buf), &pos), 2);
    assert_memory_equal(buf, "\x01z", 2);
}

static void domain_input_raises_virq_per_byte(void **state)
{
    char buf[8];
    uint32_t pos;
    switch_once();
    TYPE("abc");
    assert_int_equal(virqs[1], 3);
    assert_int_equal(kicks[1], 3);   /* its console ring is told each time */
    assert_int_equal(kicks[2], 0);
    assert_int_equal(monitor_len, 0);
    assert_int_equal(console_input_take(domains[2], buf, sizeof(buf), &pos), 0);
    assert_int_equal(console_input_take(domains[1], buf, 2, &pos), 2);
    assert_memory_equal(buf, "ab", 2);
    assert_int_equal(console_input_take(domains[1], buf, sizeof(buf), &pos), 1);
    assert_int_equal(buf[0], 'c');
    assert_int_equal(console_input_take(domains[1], buf, sizeof(buf), &pos), 0);
}

static void buffer_is_bounded_and_loss_reported_once(void **state)
{
    char buf[CONSOLE_INPUT_BUF + 16];
    uint32_t pos;
    switch_once();
    for (unsigned int i = 0; i < CONSOLE_INPUT_BUF + 10; i++) {
        console_rx((char)('a' + i % 26));
    }
    assert_int_equal(stub_log_count(LOG_WARN), 1);
    assert_non_null(strstr(stub_log_text(), "input for domain 1 (one) dropped"));
    assert_int_equal(console_input_take(domains[1], buf, sizeof(buf), &pos), CONSOLE_INPUT_BUF);
    assert_int_equal(buf[0], 'a');
    assert_int_equal(buf[CONSOLE_INPUT_BUF - 1], (char)('a' + (CONSOLE_INPUT_BUF - 1) % 26));
}

static void untake_gives_back_only_if_untouched(void **state)
{
    char buf[8];
    uint32_t pos, pos2;
    switch_once();
    TYPE("hello");
    assert_int_equal(console_input_take(domains[1], buf, 3, &pos), 3);
    console_input_untake(domains[1], pos, 3);
    assert_int_equal(console_input_take(domains[1], buf, 3, &pos), 3);
    assert_memory_equal(buf, "hel", 3);
    /* Someone read after us: giving ours back would repeat bytes. */
    assert_int_equal(console_input_take(domains[1], buf, 1, &pos2), 1);
    console_input_untake(domains[1], pos, 3);
    assert_int_equal(console_input_take(domains[1], buf, sizeof(buf), &pos), 1);
    assert_int_equal(buf[0], 'o');
}

static void domain_going_away(void **state)
{
    char buf[8];
    uint32_t pos;
    struct domain *again;
    switch_once();
    TYPE("xyz");
    console_input_domain_gone(domains[1]);
    assert_int_equal(console_input_focus_id(), 0);
    assert_int_equal(gone_calls, 1);
    /* A new domain with the same id starts with nothing typed. */
    again = calloc(1, sizeof(*again));
    again->id = 1;
    again->state = DOMAIN_RUNNING;
    strcpy(again->name, "one-again");
    free(domains[1]);
    domains[1] = again;
    assert_int_equal(console_input_take(again, buf, sizeof(buf), &pos), 0);
}

static void focused_domain_shutting_down(void **state)
{
    switch_once();
    domains[1]->state = DOMAIN_SHUTDOWN;
    TYPE("q");
    assert_int_equal(console_input_focus_id(), 0);
    assert_int_equal(monitor_len, 1);
    assert_int_equal(monitor_got[0], 'q');
    assert_int_equal(virqs[1], 0);
}

static void conswitch_picks_the_key(void **state)
{
    assert_int_equal(cmdline_parse("conswitch=1 conswitch=ab conswitch=", false), 3);
    assert_int_equal(cmdline_parse("conswitch=b", false), 0);
    switch_once();
    assert_int_equal(console_input_focus_id(), 0);
    assert_int_equal(monitor_len, 3);
    TYPE("\x02\x02\x02");
    assert_int_equal(console_input_focus_id(), 1);
    assert_non_null(strstr(stub_log_text(), "type Ctrl-B three times"));
    assert_int_equal(cmdline_parse("conswitch=A", false), 0);
    switch_once();
    assert_int_equal(console_input_focus_id(), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(focus_cycles_through_every_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(cycle_skips_domains_that_shut_down, setup, teardown),
        cmocka_unit_test_setup_teardown(fewer_than_three_pass_through, setup, teardown),
        cmocka_unit_test_setup_teardown(domain_input_raises_virq_per_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(buffer_is_bounded_and_loss_reported_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(untake_gives_back_only_if_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(domain_going_away, setup, teardown),
        cmocka_unit_test_setup_teardown(focused_domain_shutting_down, setup, teardown),
        cmocka_unit_test_setup_teardown(conswitch_picks_the_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
