/* Unit tests of the operator's command parser (kernel/opcmd.c): every command, every bad form. */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "kernel/opcmd.h"

static struct opcmd parse_ok(const char *line)
{
    struct opcmd c;
    struct opcmd_error err = { NULL, NULL };
    int rc = opcmd_parse(line, &c, &err);
    if (rc) {
        fail_msg("'%s': refused (%s; %s)", line, err.reason, err.usage);
    }
    return c;
}

/* The line is refused with this reason and this usage line. */
static void parse_bad(const char *line, const char *reason, const char *usage)
{
    struct opcmd c;
    struct opcmd_error err = { NULL, NULL };
    int rc = opcmd_parse(line, &c, &err);
    if (rc != -EINVAL) {
        fail_msg("'%s': rc %d, expected -EINVAL", line, rc);
    }
    if (!err.reason || strcmp(err.reason, reason)) {
        fail_msg("'%s': reason '%s', expected '%s'", line, err.reason ? err.reason : "(none)",
                 reason);
    }
    if (!err.usage || strcmp(err.usage, usage)) {
        fail_msg("'%s': usage '%s', expected '%s'", line, err.usage ? err.usage : "(none)",
                 usage);
    }
}

static void empty_lines(void **state)
{
    assert_int_equal(parse_ok("").kind, OPCMD_EMPTY);
    assert_int_equal(parse_ok("   ").kind, OPCMD_EMPTY);
    assert_int_equal(parse_ok("\t \t").kind, OPCMD_EMPTY);
}

static void debug_keys(void **state)
{
    const char *keys = "hqrmet";
    for (const char *k = keys; *k; k++) {
        char line[4] = { ' ', *k, ' ', '\0' };
        struct opcmd c = parse_ok(line);
        assert_int_equal(c.kind, OPCMD_KEY);
        assert_int_equal(c.key, *k);
    }
    assert_int_equal(opkey_nr_specs, strlen(keys));
    parse_bad("x", "unknown debug key", opcmd_usage_all);
    parse_bad("H", "unknown debug key", opcmd_usage_all);
    parse_bad("1", "unknown debug key", opcmd_usage_all);
    parse_bad("q q", "unknown command", opcmd_usage_all);
}

static void commands_without_arguments(void **state)
{
    assert_int_equal(parse_ok("list").kind, OPCMD_LIST);
    assert_int_equal(parse_ok("  list  ").kind, OPCMD_LIST);
    assert_int_equal(parse_ok("uptime").kind, OPCMD_UPTIME);
    assert_int_equal(parse_ok("help").kind, OPCMD_HELP);
    assert_false(parse_ok("list").has_domid);
    parse_bad("list 1", "takes no arguments", "list");
    parse_bad("uptime now", "takes no arguments", "uptime");
    parse_bad("help pause", "takes no arguments", "help");
}

/* pause, unpause, shutdown, destroy and console take exactly one domain id. */
static void commands_with_a_domain(void **state)
{
    static const struct {
        const char *name;
        enum opcmd_kind kind;
    } cmds[] = {
        { "pause", OPCMD_PAUSE },       { "unpause", OPCMD_UNPAUSE },
        { "shutdown", OPCMD_SHUTDOWN }, { "destroy", OPCMD_DESTROY },
        { "console", OPCMD_CONSOLE },
    };
    char line[64], usage[32];
    for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        struct opcmd c;
        snprintf(line, sizeof(line), "%s 7", cmds[i].name);
        c = parse_ok(line);
        assert_int_equal(c.kind, cmds[i].kind);
        assert_true(c.has_domid);
        assert_int_equal(c.domid, 7);
        assert_false(c.has_weight || c.has_cap);
        snprintf(line, sizeof(line), "\t%s\t  32751 ", cmds[i].name);
        assert_int_equal(parse_ok(line).domid, 0x7FEF);
        snprintf(line, sizeof(line), "%s 0", cmds[i].name);
        assert_int_equal(parse_ok(line).domid, 0);

        snprintf(usage, sizeof(usage), "%s N", cmds[i].name);
        parse_bad(cmds[i].name, "missing domain id", usage);
        snprintf(line, sizeof(line), "%s   ", cmds[i].name);
        parse_bad(line, "missing domain id", usage);
        static const char *const bad_ids[] = { "x", "-1", "+1", "0x1", "1x", "32752", "65536",
                                               "99999999999999999999", "1.5" };
        for (unsigned int j = 0; j < sizeof(bad_ids) / sizeof(bad_ids[0]); j++) {
            snprintf(line, sizeof(line), "%s %s", cmds[i].name, bad_ids[j]);
            parse_bad(line, "bad domain id (a decimal number)", usage);
        }
        snprintf(line, sizeof(line), "%s 1 2", cmds[i].name);
        parse_bad(line, "too many arguments", usage);
    }
}

static void sched_credit_forms(void **state)
{
    struct opcmd c = parse_ok("sched-credit");
    assert_int_equal(c.kind, OPCMD_SCHED_CREDIT);
    assert_false(c.has_domid || c.has_weight || c.has_cap);

    c = parse_ok("sched-credit 3");
    assert_true(c.has_domid);
    assert_int_equal(c.domid, 3);
    assert_false(c.has_weight || c.has_cap);

    c = parse_ok("sched-credit 3 weight 512");
    assert_true(c.has_weight && !c.has_cap);
    assert_int_equal(c.weight, 512);

    c = parse_ok("sched-credit 3 cap 0");
    assert_true(c.has_cap && !c.has_weight);
    assert_int_equal(c.cap, 0);

    c = parse_ok("sched-credit 4 weight 1 cap 150");
    assert_true(c.has_weight && c.has_cap);
    assert_int_equal(c.domid, 4);
    assert_int_equal(c.weight, 1);
    assert_int_equal(c.cap, 150);

    c = parse_ok("sched-credit 4 cap 65535 weight 65535");
    assert_int_equal(c.weight, 65535);
    assert_int_equal(c.cap, 65535);
}

static void sched_credit_malformed(void **state)
{
    const char *u = "sched-credit [N [weight W] [cap C]]";
    parse_bad("sched-credit x", "bad domain id (a decimal number)", u);
    parse_bad("sched-credit 1 weight", "missing weight", u);
    parse_bad("sched-credit 1 cap", "missing cap", u);
    parse_bad("sched-credit 1 weight 0", "weight must be 1-65535", u);
    parse_bad("sched-credit 1 weight 65536", "weight must be 1-65535", u);
    parse_bad("sched-credit 1 weight -5", "weight must be 1-65535", u);
    parse_bad("sched-credit 1 weight ten", "weight must be 1-65535", u);
    parse_bad("sched-credit 1 cap 65536", "cap must be 0-65535", u);
    parse_bad("sched-credit 1 cap 50%", "cap must be 0-65535", u);
    parse_bad("sched-credit 1 weight 5 weight 6", "weight given twice", u);
    parse_bad("sched-credit 1 cap 5 cap 6", "cap given twice", u);
    parse_bad("sched-credit 1 cap 5 weight 2 cap 6", "cap given twice", u);
    parse_bad("sched-credit 1 prio 5", "expected 'weight' or 'cap'", u);
    parse_bad("sched-credit 1 5", "expected 'weight' or 'cap'", u);
    parse_bad("sched-credit 1 weight 5 cap", "missing cap", u);
    parse_bad("sched-credit 1 -w 5", "expected 'weight' or 'cap'", u);
}

static void mem_set_forms_and_refusals(void **state)
{
    const char *u = "mem-set N SIZE";
    struct opcmd c = parse_ok("mem-set 2 64");
    (void)state;
    assert_int_equal(c.kind, OPCMD_MEM_SET);
    assert_int_equal(c.domid, 2);
    assert_int_equal(c.mem_kib, 64 * 1024); /* MiB by default */
    assert_int_equal(parse_ok("mem-set 2 8M").mem_kib, 8192);
    assert_int_equal(parse_ok("mem-set 2 2G").mem_kib, 2 * 1024 * 1024);
    assert_int_equal(parse_ok("mem-set 2 4100k").mem_kib, 4100);
    parse_bad("mem-set", "missing domain id", u);
    parse_bad("mem-set 2", "missing size", u);
    parse_bad("mem-set 2 8M 9", "too many arguments", u);
    parse_bad("mem-set x 8M", "bad domain id (a decimal number)", u);
    parse_bad("mem-set 2 12x", "size must be 1M or more, in whole KiB", u);
    parse_bad("mem-set 2 1000k", "size must be 1M or more, in whole KiB", u);
    parse_bad("mem-set 2 1025b", "size must be 1M or more, in whole KiB", u);
    parse_bad("mem-set 2 0", "size must be 1M or more, in whole KiB", u);
    parse_bad("mem-set 2 99999999G", "size must be 1M or more, in whole KiB", u);
}

static void unknown_and_oversized(void **state)
{
    char longline[OPCMD_LINE_MAX + 2];
    parse_bad("lsit", "unknown command", opcmd_usage_all);
    parse_bad("List", "unknown command", opcmd_usage_all);
    parse_bad("pause1", "unknown command", opcmd_usage_all);
    parse_bad("sched-credit-x 1", "unknown command", opcmd_usage_all);
    parse_bad("\x01\x02", "unknown command", opcmd_usage_all);
    parse_bad("a b c d e f g h i", "too many words", opcmd_usage_all);

    memset(longline, 'l', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    parse_bad(longline, "line too long", opcmd_usage_all);
    /* Exactly the limit is accepted as far as length goes (then it is unknown). */
    longline[OPCMD_LINE_MAX] = '\0';
    parse_bad(longline, "unknown command", opcmd_usage_all);
}

/* Every command in the help table parses with the arguments its usage line shows. */
static void help_table_matches_parser(void **state)
{
    for (unsigned int i = 0; i < opcmd_nr_specs; i++) {
        const char *u = opcmd_specs[i].usage;
        char line[80];
        assert_int_equal(strncmp(u, opcmd_specs[i].name, strlen(opcmd_specs[i].name)), 0);
        snprintf(line, sizeof(line), "%s%s%s", opcmd_specs[i].name, strstr(u, " N") ? " 1" : "",
                 strstr(u, " SIZE") ? " 16" : "");
        assert_int_equal(parse_ok(line).kind, opcmd_specs[i].kind);
        assert_non_null(strstr(opcmd_usage_all, opcmd_specs[i].name));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_lines),
        cmocka_unit_test(debug_keys),
        cmocka_unit_test(commands_without_arguments),
        cmocka_unit_test(commands_with_a_domain),
        cmocka_unit_test(sched_credit_forms),
        cmocka_unit_test(sched_credit_malformed),
        cmocka_unit_test(mem_set_forms_and_refusals),
        cmocka_unit_test(unknown_and_oversized),
        cmocka_unit_test(help_table_matches_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
