/*
 * The gateway to guest memory: every access to a guest's virtual addresses goes through
 * here.  The range is checked to lie below the monitor (0xF5800000) and a fault becomes
 * -EFAULT.  Works on the address space of the vCPU running on this CPU.
 */
#ifndef MM_GUEST_COPY_H
#define MM_GUEST_COPY_H

#include "kernel/types.h"

int copy_from_guest(void *dst, uint32_t guest_va, size_t n);
int copy_to_guest(uint32_t guest_va, const void *src, size_t n);

/* True when [va, va + n) lies in the guest's part of the address space. */
bool guest_range_ok(uint32_t va, size_t n);

#endif
