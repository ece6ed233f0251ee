/* Ringvisor's name and version, shown in the banner. */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define RINGVISOR_VERSION "0.1"

#endif
