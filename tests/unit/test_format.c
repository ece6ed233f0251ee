/* Unit tests of the monitor's snprintf (kernel/format.c), against the C library's. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* kernel/format.c, built with its functions renamed so they do not replace the C library's. */
int rv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int rv_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static char got[512], want[512];
static unsigned int mismatches;

static int check_counts(void **state)
{
    mismatches = 0;
    return 0;
}

/* Records one comparison; the test fails at its end, after every mismatch was printed. */
static void compare(int line, const char *fmt, int got_n, int want_n)
{
    if (got_n != want_n || strcmp(got, want)) {
        print_message("line %d: format \"%s\": got \"%s\" (%d), C library \"%s\" (%d)\n", line, fmt,
                      got, got_n, want, want_n);
        mismatches++;
    }
}

/* Without the format attribute: for formats the compiler would refuse. */
static int unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = rv_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static int libc_unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

#define SAME(fmt, ...)                                                                     \
    compare(__LINE__, fmt, rv_snprintf(got, sizeof(got), fmt, __VA_ARGS__),                \
            snprintf(want, sizeof(want), fmt, __VA_ARGS__))

#define SAME0(fmt)                                                                         \
    compare(__LINE__, fmt, rv_snprintf(got, sizeof(got), fmt), snprintf(want, sizeof(want), fmt))

/* The same through wrappers the compiler does not check (formats it would warn about). */
#define SAME_NC(fmt, ...)                                                                  \
    compare(__LINE__, fmt, unchecked(got, sizeof(got), fmt, __VA_ARGS__),                  \
            libc_unchecked(want, sizeof(want), fmt, __VA_ARGS__))

static void assert_no_mismatch(void)
{
    if (mismatches) {
        fail_msg("%u outputs differ from the C library's (listed in the log)", mismatches);
    }
}

/* Exact output of ours alone: for what the C library does differently on purpose. */
static void expect(const char *want_s, int n)
{
    assert_string_equal(got, want_s);
    assert_int_equal(n, (int)strlen(want_s));
}

static void plain_text_and_percent(void **state)
{
    SAME_NC("", 0);
    SAME0("hello, world\n");
    SAME0("100%%");
    SAME0("%%d");
    SAME("%c", 'A');
    SAME("%c%c%c", 'x', 'y', 'z');
    SAME("[%s]", "text");
    SAME("%s and %s", "one", "two");
    assert_no_mismatch();
}

static void unsigned_conversions(void **state)
{
    SAME("%u", 0u);
    SAME("%u", 42u);
    SAME("%u", UINT_MAX);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%x", 0u);
    SAME("%o", 8u);
    SAME("%o", 0777u);
    SAME("%o", UINT_MAX);
    assert_no_mismatch();
}

static void signed_positive(void **state)
{
    SAME("%d", 0);
    SAME("%d", 42);
    SAME("%i", 12345);
    SAME("%d", INT_MAX);
    SAME("%5d|", 42);
    SAME("%05d", 42);
    assert_no_mismatch();
}

/* An int argument is an int: reading it as a long breaks on LP64 hosts (and is undefined). */
static void signed_negative(void **state)
{
    SAME("%d", -1);
    SAME("%d", -42);
    SAME("%i", -12345);
    SAME("%d", INT_MIN);
    SAME("%5d|", -42);
    SAME("%-5d|", -42);
    SAME("%05d", -42);
    SAME("%08d", INT_MIN);
    SAME("%x", -1);
    SAME("%u", -1);
    assert_no_mismatch();
}

/* Arguments after the sixth travel on the stack on x86-64, where an int has a 4-byte slot
 * half: reading them as longs picks up whatever lies above. */
static void many_arguments(void **state)
{
    SAME("%u %u %u %u %u %u %u %u %u %u", 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u);
    SAME("%x %x %x %x %x %x %x %x", 0xa1u, 0xb2u, 0xc3u, 0xd4u, 0xe5u, 0xf6u, 0x17u, 0x28u);
    SAME("%d %d %d %d %d %d %d %d", 1, -2, 3, -4, 5, -6, 7, -8);
    SAME("%s=%u %s=%u %s=%u %s=%u", "a", 1u, "b", 2u, "c", 3u, "d", 4u);
    assert_no_mismatch();
}

static void widths_and_flags(void **state)
{
    SAME("%5u|", 42u);
    SAME("%-5u|", 42u);
    SAME("%05u", 42u);
    SAME("%08x", 0xbeefu);
    SAME("%-8x|", 0xbeefu);
    SAME("%1u", 12345u);        /* width smaller than the number */
    SAME("%*u|", 6, 42u);
    SAME("%-*u|", 6, 42u);
    SAME("%0*x", 8, 0xabu);
    SAME_NC("%-05u|", 7u);      /* '-' beats '0' */
    SAME("%10s|", "abc");
    SAME("%-10s|", "abc");
    SAME("%3s|", "abcdef");
    SAME("%20s|", "");
    assert_no_mismatch();
}

static void string_precision(void **state)
{
    SAME("%.3s|", "abcdef");
    SAME("%.0s|", "abc");
    SAME("%.10s|", "abc");
    SAME("%.*s|", 2, "abcdef");
    SAME("%.*s|", 0, "abcdef");
    SAME("%.*s|", -1, "abcdef");  /* negative: as if none */
    SAME("%8.3s|", "abcdef");
    SAME("%-8.3s|", "abcdef");
    SAME("%*.*s|", 6, 2, "abcdef");
    assert_no_mismatch();
}

/* With a precision, the string need not be NUL-terminated: nothing past it is read. */
static void string_precision_reads_no_further(void **state)
{
    char *s = malloc(4);
    assert_non_null(s);
    memcpy(s, "abcd", 4);
    expect("abcd", rv_snprintf(got, sizeof(got), "%.4s", s));
    expect("ab", rv_snprintf(got, sizeof(got), "%.*s", 2, s));
    free(s);
}

static void long_long(void **state)
{
    SAME("%lld", 0LL);
    SAME("%lld", -1LL);
    SAME("%lld", (long long)INT64_MIN);
    SAME("%lld", (long long)INT64_MAX);
    SAME("%llu", (unsigned long long)UINT64_MAX);
    SAME("%llx", 0x123456789abcdefull);
    SAME("%llX", 0xfedcba9876543210ull);
    SAME("%llo", (unsigned long long)UINT64_MAX);
    SAME("%016llx", 0xbeefull);
    SAME("%-20lld|", -1234567890123LL);
    SAME("%020lld", -1234567890123LL);
    SAME("%lli", -5LL);
    SAME("%ld", -7L);
    SAME("%lu", 7UL);
    SAME("%lx", 0xfeedUL);
    SAME("%zu", (size_t)123456);
    SAME("%zx", (size_t)0xabcdef);
    SAME("%llu %d %llu", 1ull << 40, 5, 1ull << 41);
    assert_no_mismatch();
}

static void null_string(void **state)
{
    const char *volatile nothing = NULL;
    expect("(null)", rv_snprintf(got, sizeof(got), "%s", nothing));
    expect("[  (null)]", rv_snprintf(got, sizeof(got), "[%8s]", nothing));
}

/* Ours prints a pointer as 8 zero-padded hex digits without 0x (a 32-bit address). */
static void pointer(void **state)
{
    expect("00000000", rv_snprintf(got, sizeof(got), "%p", (void *)0));
    expect("00001234", rv_snprintf(got, sizeof(got), "%p", (void *)0x1234));
    expect("deadbeef", rv_snprintf(got, sizeof(got), "%p", (void *)0xdeadbeefu));
    expect("at c0100000.", rv_snprintf(got, sizeof(got), "at %p.", (void *)0xc0100000u));
}

static void unknown_conversion_printed_as_is(void **state)
{
    expect("a%yb", unchecked(got, sizeof(got), "a%yb"));
    expect("50", unchecked(got, sizeof(got), "50%"));   /* a lone '%' at the end: dropped */
}

/* Fills buf with a guard pattern, formats into its first size bytes, checks the rest. */
static int bounded(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    memset(buf, '#', 64);
    va_start(ap, fmt);
    n = rv_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    for (size_t i = size; i < 64; i++) {
        if (buf[i] != '#') {
            fail_msg("byte %zu written, past the size %zu", i, size);
        }
    }
    return n;
}

static void truncation_returns_full_length(void **state)
{
    char buf[64];
    assert_int_equal(bounded(buf, 5, "hello world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(bounded(buf, 11, "hello world"), 11);
    assert_string_equal(buf, "hello worl");
    assert_int_equal(bounded(buf, 12, "hello world"), 11);
    assert_string_equal(buf, "hello world");
    assert_int_equal(bounded(buf, 1, "hello world"), 11);
    assert_string_equal(buf, "");
    assert_int_equal(bounded(buf, 4, "%u", 123456u), 6);
    assert_string_equal(buf, "123");
    assert_int_equal(bounded(buf, 6, "%-10s|", "ab"), 11);
    assert_string_equal(buf, "ab   ");
    assert_int_equal(bounded(buf, 3, "%08x", 0xabcu), 8);
    assert_string_equal(buf, "00");
    assert_int_equal(bounded(buf, 8, "%s%s%s", "abc", "def", "ghi"), 9);
    assert_string_equal(buf, "abcdefg");
}

static void size_zero_writes_nothing(void **state)
{
    char buf[64];
    assert_int_equal(bounded(buf, 0, "hello %u", 42u), 8);
    assert_int_equal(buf[0], '#');
    assert_int_equal(rv_snprintf(NULL, 0, "%s-%llu", "abc", 1234567890123ull), 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(plain_text_and_percent, check_counts),
        cmocka_unit_test_setup(unsigned_conversions, check_counts),
        cmocka_unit_test_setup(signed_positive, check_counts),
        cmocka_unit_test_setup(signed_negative, check_counts),
        cmocka_unit_test_setup(many_arguments, check_counts),
        cmocka_unit_test_setup(widths_and_flags, check_counts),
        cmocka_unit_test_setup(string_precision, check_counts),
        cmocka_unit_test_setup(string_precision_reads_no_further, check_counts),
        cmocka_unit_test_setup(long_long, check_counts),
        cmocka_unit_test_setup(null_string, check_counts),
        cmocka_unit_test_setup(pointer, check_counts),
        cmocka_unit_test_setup(unknown_conversion_printed_as_is, check_counts),
        cmocka_unit_test_setup(truncation_returns_full_length, check_counts),
        cmocka_unit_test_setup(size_zero_writes_nothing, check_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
