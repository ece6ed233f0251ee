/* Xen's public ABI headers, which need the fixed-width integer types first. */
#ifndef KERNEL_XEN_H
#define KERNEL_XEN_H

/* The monitor implements the newest interface these headers describe. */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include <xen/xen.h>

#endif
