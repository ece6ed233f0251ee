/*
 * The operator's console on the monitor's side: the line typed while the monitor has the
 * input focus, Xen-style debug keys and xl-like commands (docs/console.md).
 */
#ifndef KERNEL_OPCON_H
#define KERNEL_OPCON_H

#include "kernel/types.h"

struct domain;

/* One typed byte for the monitor.  From console_rx() only, under its rx_lock. */
void opcon_input(char c);

/* Prints the debug keys and the commands. */
void opcon_help(void);

/* Runs one debug key (kernel/keyhandler.c); false for a key it does not know. */
bool keyhandler_run(char key);

/* The domain is being destroyed: forget what the operator did to it (a pause). */
void opcon_domain_gone(const struct domain *d);

#endif
