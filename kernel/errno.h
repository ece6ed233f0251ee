/* Error numbers: Xen's values (from its public header), used inside the monitor too. */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

/* <xen/errno.h> lets the includer choose the spelling: here, plain E* enumerators. */
#define XEN_ERRNO(name, value) name = value,
enum monitor_errno {
#include <xen/errno.h>
};

#endif
