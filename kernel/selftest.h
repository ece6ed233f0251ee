/* Boot-time self checks, and the deliberate crashes the tests ask for with selftest=. */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Runs the checks; a failing check is a panic.  Then performs the selftest= crash, if any. */
void selftest_run(void);

#endif
