/* The monitor's own symbol table (generated at link time), for backtraces. */
#ifndef KERNEL_SYMBOLS_H
#define KERNEL_SYMBOLS_H

#include "kernel/types.h"

/* Name of the function containing addr and the offset into it; NULL when unknown. */
const char *symbol_lookup(uintptr_t addr, uintptr_t *offset);

#endif
