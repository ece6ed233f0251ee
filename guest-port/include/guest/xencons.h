/*
 * The console ring of start_info (xen/io/console.h): output the monitor prints with the
 * domain's name, input the operator types for the domain.  The port stays masked: writes
 * wait for room with SCHEDOP_poll on it, reads take what is there.
 */
#ifndef GUEST_XENCONS_H
#define GUEST_XENCONS_H

#include "guest/lib.h"

/* Finds the ring: 0, or -XEN_ENODEV when start_info names none. */
int xencons_init(void);
/* Puts len bytes on the ring and tells the monitor: len, or -XEN_EIO when the ring's
 * indices are impossible or the monitor takes nothing for a long time. */
int xencons_write(const char *s, size_t len);
/* Takes up to len bytes of input: how many (0: none waiting), or -XEN_EIO. */
int xencons_read(char *buf, size_t len);
/* Waits until the monitor has taken everything written: 0, or -XEN_EIO. */
int xencons_flush(void);

#endif
