/* Xen's public ABI headers for guests: the interface version and fixed-width types first. */
#ifndef GUEST_XEN_H
#define GUEST_XEN_H

/*
 * Without a version the headers describe the legacy interface, in which sched_op,
 * event_channel_op and physdev_op are the old "compat" numbers 6, 16 and 19.  Guests use
 * the current numbers.
 */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include <xen/xen.h>
#include <xen/errno.h>

#endif
