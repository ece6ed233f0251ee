/* Guest memory gateway: range checks, then the fault-safe copy. */
#include "mm/guest_copy.h"
#include "arch/x86/layout.h"
#include "kernel/errno.h"

size_t copy_bytes_fault_safe(void *dst, const void *src, size_t n);

bool guest_range_ok(uint32_t va, size_t n)
{
    return n <= MONITOR_WINDOW_START && va <= MONITOR_WINDOW_START - n;
}

int copy_from_guest(void *dst, uint32_t guest_va, size_t n)
{
    if (!guest_range_ok(guest_va, n)) {
        return -EFAULT;
    }
    return copy_bytes_fault_safe(dst, (const void *)(uintptr_t)guest_va, n) ? -EFAULT : 0;
}

int copy_to_guest(uint32_t guest_va, const void *src, size_t n)
{
    if (!guest_range_ok(guest_va, n)) {
        return -EFAULT;
    }
    return copy_bytes_fault_safe((void *)(uintptr_t)guest_va, src, n) ? -EFAULT : 0;
}
