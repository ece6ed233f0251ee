/* Test guests: checks that count failures, and the one final "Test result:" line. */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include "guest/console.h"
#include "guest/runtime.h"

/*
 * Every check prints nothing when it passes and one line naming the file line, the
 * expression and the values when it fails.  test_finish() then prints exactly one of
 *     Test result: SUCCESS
 *     Test result: FAILURE (N of M checks failed)
 * and powers the domain off.  test_skip() and test_error() end a test that could not run
 * ("Test result: SKIP reason", "Test result: ERROR reason").  A panic in a test guest ends
 * it with "Test result: ERROR panic: ...".
 */
#define TEST_ASSERT(cond) test_check(!!(cond), __LINE__, "%s", #cond)
#define TEST_EQ(a, b)     test_check_eq((long long)(a), (long long)(b), __LINE__, #a, #b)

bool test_check(bool ok, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);
bool test_check_eq(long long got, long long want, int line, const char *got_expr,
                   const char *want_expr);

/* A named check with a formatted explanation printed on failure. */
#define TEST_CHECK(cond, ...) test_check(!!(cond), __LINE__, __VA_ARGS__)

/* Prints "name: message" for progress (not a result). */
PRINTF_LIKE(1, 2) void test_note(const char *fmt, ...);

/* The decimal value of key=N on the guest's command line (a word of its own), or def. */
unsigned long test_arg(const char *key, unsigned long def);

/* True when the command line says role=<role>. */
bool test_role(const char *role);

unsigned int test_failures(void);

NORETURN void test_finish(void);
NORETURN void test_skip(const char *reason);
NORETURN void test_error(const char *reason);

/* The test's name (from the GUEST_VERSION-like string each test defines with TEST_NAME). */
extern const char test_name[];
#define TEST_NAME(n) const char test_name[] = n

#endif
