/* Controls of the host stand-in for descriptor_ok() (stubs/descriptor.c). */
#ifndef UNIT_STUBS_DESCRIPTOR_H
#define UNIT_STUBS_DESCRIPTOR_H

#include "kernel/types.h"

/* The one descriptor value refused; all ones by default, a value tests write only on purpose. */
extern uint64_t stub_descriptor_refused;
/* descriptor_ok() calls since the program started. */
extern unsigned int stub_descriptor_calls;

#endif
