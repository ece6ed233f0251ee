/* Common header of the host unit tests: cmocka and the helpers of stubs/host.c. */
#ifndef UNIT_H
#define UNIT_H

/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/printk.h"

/* Messages printk() was given since the last stub_log_reset(), one per line, in order. */
void stub_log_reset(void);
const char *stub_log_text(void);
unsigned int stub_log_count(enum log_level level);

/* The message of the last panic(); panic() itself fails the test unless it is expected
 * (expect_assert_failure). */
extern char stub_panic_msg[512];
extern unsigned int stub_panic_count;

#endif
