/*
 * Serial input: who has the input focus (the monitor or one domain), Ctrl-A three times to
 * move it on, and the typed input kept for each domain until it reads it.
 *
 * Locking: rx_lock (console_input.c) serializes everything typed, including the monitor's
 * commands it runs; it is taken first.  Below it the buffer lock, which the readers take
 * too; then the locks the commands take (d->lock, d->evtchn.lock), then printk's.
 */
#ifndef KERNEL_CONSOLE_INPUT_H
#define KERNEL_CONSOLE_INPUT_H

#include "kernel/types.h"

struct domain;

#define CONSOLE_INPUT_BUF   256  /* bytes kept per domain; more typed is dropped (counted) */
#define CONSOLE_SWITCH_CHAR 0x01 /* Ctrl-A, three times in a row: Xen's convention */

/*
 * Moves up to n bytes of d's typed input, oldest first, into buf; returns how many, and in
 * *pos where the reading stopped (for console_input_untake).  For CONSOLEIO_read of the
 * privileged domain, and for the console ring of the other domains (kernel/console_ring.c
 * calls this when the ring has room).  Any context.
 */
size_t console_input_take(struct domain *d, char *buf, size_t n, uint32_t *pos);

/*
 * Gives back the n bytes a console_input_take() that stopped at pos returned, when they
 * could not be delivered (the guest's buffer faulted), if nothing was taken since and
 * nothing overwritten them.  Any context.
 */
void console_input_untake(struct domain *d, uint32_t pos, size_t n);

/*
 * Gives the input focus to domain d, or to the monitor with NULL, announcing the switch.
 * Only from a monitor command: they run inside console_rx(), under rx_lock.
 */
void console_input_set_focus(struct domain *d);

/* The domain is being destroyed: its buffer is dropped; the focus goes back to the monitor. */
void console_input_domain_gone(struct domain *d);

/* The id of the domain with the focus; 0 for the monitor. */
uint16_t console_input_focus_id(void);

#endif
