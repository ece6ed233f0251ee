/* Xen's public ABI headers, which need the fixed-width integer types first. */
#ifndef KERNEL_XEN_H
#define KERNEL_XEN_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include <xen/xen.h>

#endif
