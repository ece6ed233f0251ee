/* Unit tests of the monitor's command-line parser (kernel/cmdline.c) with test options. */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"

/* The options of this test, in the "params" section as the monitor's own are. */
static bool opt_flag;
boolean_param("flag", opt_flag);
static bool opt_other;
boolean_param("other", opt_other);
static unsigned int opt_num;
integer_param("num", opt_num);
static char opt_str[16];
string_param("str", opt_str);
static char opt_long[300];
string_param("long", opt_long);

static unsigned int custom_calls;
static bool custom_had_value;
static char custom_value[64];

/* Records what it is given; refuses "bad". */
static int parse_custom(const char *v)
{
    custom_calls++;
    custom_had_value = v != NULL;
    snprintf(custom_value, sizeof(custom_value), "%s", v ? v : "");
    return v && !strcmp(v, "bad") ? -EINVAL : 0;
}
custom_param("custom", parse_custom, "anything but bad");

static int reset(void **state)
{
    opt_flag = opt_other = false;
    opt_num = 0;
    strcpy(opt_str, "default");
    opt_long[0] = '\0';
    custom_calls = 0;
    custom_had_value = false;
    custom_value[0] = '\0';
    stub_log_reset();
    return 0;
}

/* Parses without the image-name rule; returns the error count. */
static unsigned int parse(const char *s)
{
    return cmdline_parse(s, false);
}

static void assert_logged(const char *text)
{
    if (!strstr(stub_log_text(), text)) {
        fail_msg("expected a message containing \"%s\"; the log is:\n%s", text, stub_log_text());
    }
}

static void params_section_holds_test_options(void **state)
{
    extern const struct param __start_params[], __stop_params[];
    assert_int_equal(__stop_params - __start_params, 6);
}

static void empty_line(void **state)
{
    assert_int_equal(parse(""), 0);
    assert_int_equal(parse("   "), 0);
    assert_int_equal(parse(" \t \t "), 0);
    assert_int_equal(cmdline_parse("", true), 0);
    assert_int_equal(stub_log_count(LOG_ERR), 0);
    assert_false(opt_flag);
}

static void boolean_name_alone_sets(void **state)
{
    assert_int_equal(parse("flag"), 0);
    assert_true(opt_flag);
    assert_false(opt_other);
}

static void boolean_values(void **state)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    char line[64];
    for (unsigned int i = 0; i < ARRAY_SIZE(yes); i++) {
        opt_flag = false;
        snprintf(line, sizeof(line), "flag=%s", yes[i]);
        assert_int_equal(parse(line), 0);
        assert_true(opt_flag);
        snprintf(line, sizeof(line), "flag=%s", no[i]);
        assert_int_equal(parse(line), 0);
        assert_false(opt_flag);
    }
    assert_int_equal(stub_log_count(LOG_ERR), 0);
}

static void boolean_negated(void **state)
{
    opt_flag = true;
    assert_int_equal(parse("no-flag"), 0);
    assert_false(opt_flag);
    /* The last word wins. */
    assert_int_equal(parse("flag no-flag flag"), 0);
    assert_true(opt_flag);
}

static void boolean_negated_with_value_is_error(void **state)
{
    opt_flag = true;
    assert_int_equal(parse("no-flag=1"), 1);
    assert_true(opt_flag);
    assert_int_equal(parse("no-flag=0"), 1);
    assert_true(opt_flag);
    assert_int_equal(stub_log_count(LOG_ERR), 2);
    assert_logged("no-flag=1");
}

static void boolean_bad_value_is_error(void **state)
{
    assert_int_equal(parse("flag=maybe"), 1);
    assert_false(opt_flag);
    assert_int_equal(parse("flag="), 1);
    assert_int_equal(parse("flag=YES"), 1);
    assert_int_equal(parse("flag=2"), 1);
    assert_false(opt_flag);
    assert_logged("flag=maybe");
    assert_logged("0|1");   /* the help text says what it takes */
}

static void integer_decimal_and_hex(void **state)
{
    assert_int_equal(parse("num=42"), 0);
    assert_int_equal(opt_num, 42);
    assert_int_equal(parse("num=0x3f8"), 0);
    assert_int_equal(opt_num, 0x3f8);
    assert_int_equal(parse("num=0XFF"), 0);
    assert_int_equal(opt_num, 255);
    assert_int_equal(parse("num=0"), 0);
    assert_int_equal(opt_num, 0);
    assert_int_equal(parse("num=4294967295"), 0);
    assert_int_equal(opt_num, 4294967295u);
    assert_int_equal(parse("num=0xffffffff"), 0);
    assert_int_equal(opt_num, 0xffffffffu);
    assert_int_equal(stub_log_count(LOG_ERR), 0);
}

static void integer_bad_values_are_errors(void **state)
{
    static const char *const bad[] = {
        "num=4294967296", "num=0x100000000", "num=99999999999999999999999", "num=",
        "num",            "num=12ab",        "num=-1",                      "num=0x",
        "num=1 2",        "no-num",          "num=+5",                      "num= 5",
    };
    opt_num = 7;
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        char line[64];
        /* quoted, so that the value with a space is one word */
        snprintf(line, sizeof(line), "\"%s\"", bad[i]);
        if (parse(line) != 1) {
            fail_msg("'%s' was accepted", bad[i]);
        }
        assert_int_equal(opt_num, 7);
    }
    assert_int_equal(stub_log_count(LOG_ERR), ARRAY_SIZE(bad));
}

static void string_fits(void **state)
{
    assert_int_equal(parse("str=hello"), 0);
    assert_string_equal(opt_str, "hello");
    assert_int_equal(parse("str=123456789012345"), 0);   /* 15 characters and the NUL */
    assert_string_equal(opt_str, "123456789012345");
    assert_int_equal(parse("str="), 0);
    assert_string_equal(opt_str, "");
    assert_int_equal(parse("str=a=b"), 0);                /* the first '=' splits */
    assert_string_equal(opt_str, "a=b");
}

static void string_too_long_is_error(void **state)
{
    assert_int_equal(parse("str=1234567890123456"), 1);
    assert_string_equal(opt_str, "default");
    assert_int_equal(parse("str"), 1);                    /* no value */
    assert_string_equal(opt_str, "default");
    assert_logged("str=1234567890123456");
}

static void custom_gets_value_or_null(void **state)
{
    assert_int_equal(parse("custom=abc"), 0);
    assert_int_equal(custom_calls, 1);
    assert_true(custom_had_value);
    assert_string_equal(custom_value, "abc");
    assert_int_equal(parse("custom"), 0);
    assert_int_equal(custom_calls, 2);
    assert_false(custom_had_value);
    assert_int_equal(parse("custom="), 0);
    assert_true(custom_had_value);
    assert_string_equal(custom_value, "");
}

static void custom_refusal_is_error(void **state)
{
    assert_int_equal(parse("custom=bad"), 1);
    assert_int_equal(custom_calls, 1);
    assert_logged("custom=bad");
    assert_logged("anything but bad");
    assert_int_equal(parse("no-custom"), 1);   /* only booleans take no- */
    assert_int_equal(custom_calls, 1);
}

static void unknown_options_counted_and_named(void **state)
{
    assert_int_equal(parse("flag alpha beta=1 num=3 no-gamma consol=com1"), 4);
    assert_true(opt_flag);
    assert_int_equal(opt_num, 3);
    assert_int_equal(stub_log_count(LOG_ERR), 4);
    assert_logged("'alpha'");
    assert_logged("'beta'");
    assert_logged("'no-gamma'");
    assert_logged("'consol'");
    assert_int_equal(parse("no- no"), 2);
    assert_logged("'no-'");
}

static void skip_image_name_skips_path(void **state)
{
    assert_int_equal(cmdline_parse("/boot/ringvisor.elf flag num=5", true), 0);
    assert_true(opt_flag);
    assert_int_equal(opt_num, 5);
    assert_int_equal(stub_log_count(LOG_ERR), 0);
    /* Without the rule the path is an unknown option. */
    assert_int_equal(parse("/boot/ringvisor.elf"), 1);
    assert_logged("/boot/ringvisor.elf");
}

static void skip_image_name_applies_option(void **state)
{
    assert_int_equal(cmdline_parse("flag other", true), 0);
    assert_true(opt_flag);
    assert_true(opt_other);
    assert_int_equal(cmdline_parse("  no-flag", true), 0);
    assert_false(opt_flag);
    assert_int_equal(cmdline_parse("custom", true), 0);
    assert_int_equal(custom_calls, 1);
    /* A first word with '=' is an option, reported if bad; only the first word is special. */
    assert_int_equal(cmdline_parse("num=zz image", true), 2);
    assert_int_equal(cmdline_parse("num=9 /boot/x", true), 1);
    assert_int_equal(opt_num, 9);
    assert_logged("'/boot/x'");
}

static void quoted_values_with_spaces(void **state)
{
    assert_int_equal(parse("str=\"a b  c\" flag"), 0);
    assert_string_equal(opt_str, "a b  c");
    assert_true(opt_flag);
    assert_int_equal(parse("\"str=x y\""), 0);
    assert_string_equal(opt_str, "x y");
    assert_int_equal(parse("custom=\"\""), 0);
    assert_true(custom_had_value);
    assert_string_equal(custom_value, "");
    assert_int_equal(parse("str=\"to the end flag"), 0);   /* no closing quote */
    assert_string_equal(opt_str, "to the end flag");
}

static void multiple_spaces(void **state)
{
    assert_int_equal(parse("   flag     num=12    str=x   "), 0);
    assert_true(opt_flag);
    assert_int_equal(opt_num, 12);
    assert_string_equal(opt_str, "x");
}

/* Tabs and newlines separate words like spaces do (the loop skips them between words). */
static void tabs_and_newlines_separate(void **state)
{
    assert_int_equal(parse("\tflag\tnum=12\t\tstr=x\n"), 0);
    assert_true(opt_flag);
    assert_int_equal(opt_num, 12);
    assert_string_equal(opt_str, "x");
    assert_int_equal(parse("other\n"), 0);
    assert_true(opt_other);
    assert_int_equal(stub_log_count(LOG_ERR), 0);
}

static void word_of_255_characters_fits(void **state)
{
    char line[300];
    memcpy(line, "long=", 5);
    memset(line + 5, 'x', 250);
    line[255] = '\0';
    assert_int_equal(parse(line), 0);
    assert_int_equal(strlen(opt_long), 250);
}

static void overlong_word_is_reported(void **state)
{
    char line[400];
    memcpy(line, "long=", 5);
    memset(line + 5, 'y', 251);   /* 256 characters */
    strcpy(line + 256, " flag");
    assert_int_equal(parse(line), 1);
    assert_string_equal(opt_long, "");
    assert_true(opt_flag);        /* the next word still counts */
    assert_int_equal(stub_log_count(LOG_ERR), 1);
    line[32] = '\0';
    assert_logged(line);          /* its first 32 characters */
    assert_logged("255");
    /* Far longer, and not an option at all. */
    memset(line, 'z', 399);
    line[399] = '\0';
    assert_int_equal(parse(line), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(params_section_holds_test_options, reset),
        cmocka_unit_test_setup(empty_line, reset),
        cmocka_unit_test_setup(boolean_name_alone_sets, reset),
        cmocka_unit_test_setup(boolean_values, reset),
        cmocka_unit_test_setup(boolean_negated, reset),
        cmocka_unit_test_setup(boolean_negated_with_value_is_error, reset),
        cmocka_unit_test_setup(boolean_bad_value_is_error, reset),
        cmocka_unit_test_setup(integer_decimal_and_hex, reset),
        cmocka_unit_test_setup(integer_bad_values_are_errors, reset),
        cmocka_unit_test_setup(string_fits, reset),
        cmocka_unit_test_setup(string_too_long_is_error, reset),
        cmocka_unit_test_setup(custom_gets_value_or_null, reset),
        cmocka_unit_test_setup(custom_refusal_is_error, reset),
        cmocka_unit_test_setup(unknown_options_counted_and_named, reset),
        cmocka_unit_test_setup(skip_image_name_skips_path, reset),
        cmocka_unit_test_setup(skip_image_name_applies_option, reset),
        cmocka_unit_test_setup(quoted_values_with_spaces, reset),
        cmocka_unit_test_setup(multiple_spaces, reset),
        cmocka_unit_test_setup(tabs_and_newlines_separate, reset),
        cmocka_unit_test_setup(word_of_255_characters_fits, reset),
        cmocka_unit_test_setup(overlong_word_is_reported, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
