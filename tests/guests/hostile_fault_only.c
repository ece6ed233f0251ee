/* Hostile test guest: faults with no trap table at all; the monitor must crash only this domain. */
#include "guest/test.h"

TEST_NAME("hostile_fault_only");

/*
 * No trap table, no callbacks, no shared info: the runtime registers nothing.  The read
 * below faults, the monitor finds no handler to bounce to and crashes the domain with a
 * register dump.  So this guest prints nothing after the fault: its result is the
 * monitor's crash report (and every other domain going on).  Reaching the line after the
 * read means the fault was lost, and that is a failure.
 */
GUEST_OPTIONS(.no_shared_info = true, .no_trap_table = true, .no_callbacks = true);

int guest_main(void)
{
    test_note("reading address 0 with no trap table: the monitor must crash this domain");
    (void)*(volatile uint32_t *)0;
    test_check(false, __LINE__, "the page fault was not fatal");
    test_finish();
}
