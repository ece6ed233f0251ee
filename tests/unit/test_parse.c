/* Unit tests of number and size parsing (kernel/parse.c). */
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define SENTINEL 0x5A5A5A5A5A5A5A5Aull

static void expect_u64(const char *s, unsigned int base, uint64_t want)
{
    uint64_t v = SENTINEL;
    int rc = parse_u64(s, NULL, base, &v);
    if (rc || v != want) {
        fail_msg("parse_u64(\"%s\", base %u): rc %d value %#llx, expected %#llx", s, base, rc,
                 (unsigned long long)v, (unsigned long long)want);
    }
}

static void expect_u64_error(const char *s, unsigned int base, int want_rc)
{
    uint64_t v = SENTINEL;
    int rc = parse_u64(s, NULL, base, &v);
    if (rc != want_rc || v != SENTINEL) {
        fail_msg("parse_u64(\"%s\", base %u): rc %d (expected %d), value %s", s, base, rc,
                 want_rc, v == SENTINEL ? "untouched" : "overwritten");
    }
}

static void expect_size(const char *s, uint64_t unit, uint64_t want)
{
    uint64_t v = SENTINEL;
    int rc = parse_size(s, NULL, unit, &v);
    if (rc || v != want) {
        fail_msg("parse_size(\"%s\", unit %llu): rc %d value %#llx, expected %#llx", s,
                 (unsigned long long)unit, rc, (unsigned long long)v, (unsigned long long)want);
    }
}

static void expect_size_error(const char *s, uint64_t unit, int want_rc)
{
    uint64_t v = SENTINEL;
    int rc = parse_size(s, NULL, unit, &v);
    if (rc != want_rc || v != SENTINEL) {
        fail_msg("parse_size(\"%s\"): rc %d (expected %d), value %s", s, rc, want_rc,
                 v == SENTINEL ? "untouched" : "overwritten");
    }
}

static void u64_decimal(void **state)
{
    expect_u64("0", 0, 0);
    expect_u64("7", 0, 7);
    expect_u64("115200", 0, 115200);
    expect_u64("00012", 0, 12);   /* base 0: a leading 0 is not octal */
    expect_u64("18446744073709551615", 0, UINT64_MAX);
    expect_u64("18446744073709551615", 10, UINT64_MAX);
}

static void u64_hex(void **state)
{
    expect_u64("0x0", 0, 0);
    expect_u64("0x3f8", 0, 0x3f8);
    expect_u64("0X3F8", 0, 0x3f8);
    expect_u64("0xDeadBeef", 0, 0xdeadbeef);
    expect_u64("0xffffffffffffffff", 0, UINT64_MAX);
    expect_u64("0x00000000000000000001", 0, 1);   /* leading zeros do not overflow */
    expect_u64("ff", 16, 0xff);
    expect_u64("777", 8, 0777);
    expect_u64("101", 2, 5);
    expect_u64("zz", 36, 35 * 36 + 35);
}

static void u64_out_of_range(void **state)
{
    expect_u64_error("18446744073709551616", 0, -ERANGE);
    expect_u64_error("99999999999999999999", 0, -ERANGE);
    expect_u64_error("0x10000000000000000", 0, -ERANGE);
    expect_u64_error("0x1ffffffffffffffff", 0, -ERANGE);
}

static void u64_junk(void **state)
{
    expect_u64_error("", 0, -EINVAL);
    expect_u64_error("0x", 0, -EINVAL);
    expect_u64_error("x10", 0, -EINVAL);
    expect_u64_error("12a", 0, -EINVAL);
    expect_u64_error("12 ", 0, -EINVAL);
    expect_u64_error(" 12", 0, -EINVAL);
    expect_u64_error("-1", 0, -EINVAL);
    expect_u64_error("+1", 0, -EINVAL);
    expect_u64_error("0x1g", 0, -EINVAL);
    expect_u64_error("8", 8, -EINVAL);
    expect_u64_error("2", 2, -EINVAL);
    expect_u64_error("ff", 10, -EINVAL);
    expect_u64_error("0x10", 16, -EINVAL);   /* the prefix only with base 0 */
}

static void u64_with_end(void **state)
{
    const char *s = "1234,56";
    uint64_t v = 0;
    assert_int_equal(parse_u64(s, s + 4, 0, &v), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(parse_u64(s + 5, NULL, 0, &v), 0);
    assert_int_equal(v, 56);
    v = SENTINEL;
    assert_int_equal(parse_u64(s, s, 0, &v), -EINVAL);   /* empty */
    assert_int_equal(parse_u64(s, s + 5, 0, &v), -EINVAL);
    assert_int_equal(v, SENTINEL);
    s = "0x1f/9";
    assert_int_equal(parse_u64(s, strchr(s, '/'), 0, &v), 0);
    assert_int_equal(v, 0x1f);
    assert_int_equal(parse_u64(s, s + 2, 0, &v), -EINVAL);   /* just "0x" */
}

static void size_suffixes(void **state)
{
    expect_size("4096", 1, 4096);
    expect_size("4k", 1, 4096);
    expect_size("4K", 1, 4096);
    expect_size("16m", 1, 16ull << 20);
    expect_size("16M", 1, 16ull << 20);
    expect_size("3g", 1, 3ull << 30);
    expect_size("3G", 1, 3ull << 30);
    expect_size("512b", 1024, 512);
    expect_size("512B", 1 << 20, 512);
    expect_size("0x10M", 1, 16ull << 20);
    expect_size("0", 1, 0);
    expect_size("0K", 1, 0);
}

static void size_default_unit(void **state)
{
    expect_size("512", 1ull << 20, 512ull << 20);
    expect_size("2", 1ull << 30, 2ull << 30);
    expect_size("2K", 1ull << 30, 2048);   /* a suffix overrides the default */
}

static void size_errors(void **state)
{
    expect_size_error("", 1, -EINVAL);
    expect_size_error("K", 1, -EINVAL);
    expect_size_error("M", 1, -EINVAL);
    expect_size_error("12T", 1, -EINVAL);
    expect_size_error("12KB", 1, -EINVAL);
    expect_size_error("1.5G", 1, -EINVAL);
    expect_size_error("-1M", 1, -EINVAL);
    expect_size_error("17179869184G", 1, -ERANGE);   /* 2^34 GiB = 2^64 */
    expect_size_error("16777216T", 1, -EINVAL);
    expect_size_error("18446744073709551615K", 1, -ERANGE);
    expect_size_error("99999999999999999999", 1, -ERANGE);
    expect_size("17179869183G", 1, 17179869183ull << 30);
}

/* Hex digits b and B are digits, not a "bytes" suffix: 0x1b is 27. */
static void size_hex_ending_in_b(void **state)
{
    expect_size("0x1b", 1, 0x1b);
    expect_size("0xB", 1, 0xb);
    expect_size("0xab", 1, 0xab);
    expect_size("0x1000b", 1, 0x1000b);
}

static void size_with_end(void **state)
{
    const char *s = "64M,rest";
    uint64_t v = 0;
    assert_int_equal(parse_size(s, strchr(s, ','), 1, &v), 0);
    assert_int_equal(v, 64ull << 20);
    assert_int_equal(parse_size(s, s, 1, &v), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(u64_decimal),
        cmocka_unit_test(u64_hex),
        cmocka_unit_test(u64_out_of_range),
        cmocka_unit_test(u64_junk),
        cmocka_unit_test(u64_with_end),
        cmocka_unit_test(size_suffixes),
        cmocka_unit_test(size_default_unit),
        cmocka_unit_test(size_errors),
        cmocka_unit_test(size_hex_ending_in_b),
        cmocka_unit_test(size_with_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
