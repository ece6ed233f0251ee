/* The kernel's memory at start of day, the page-fault handler, and brk. */
#include "guest/console.h"
#include "guest/mm.h"
#include "guest/user.h"
#include "kernel.h"

#define USER_STACK_LOW (USER_STACK_TOP - USER_STACK_MAX)

/*
 * The user region of the image (ring-3 code and constants) is mapped into every process
 * through the kernel's shared L1s, so a process able to write it could change another's
 * code: it is user-accessible and read-only.  Then the pool gives back what it does not
 * need.
 */
void vm_setup(void)
{
    unsigned int pages = (unsigned int)((__user_end - __user_start) / PAGE_SIZE);

    for (uintptr_t va = (uintptr_t)__user_start; va < (uintptr_t)__user_end; va += PAGE_SIZE) {
        check_hypercall(page_set_user(va, true), "update_va_mapping (user region)");
        check_hypercall(page_set_readonly(va), "update_va_mapping (user region read-only)");
    }
    printk("mini kernel: user region %p-%p (%u page%s): shared by every process, read-only\n",
           __user_start, __user_end, pages, pages == 1 ? "" : "s");
    printk("mini kernel: each process: heap from %#x (at most %#x), stack below %#x\n",
           USER_HEAP_BASE, USER_HEAP_END, USER_STACK_TOP);
    as_init();
    frames_trim();
    printk("mini kernel: frame pool: %lu frames free, from pfn %#lx up\n", frames_free(),
           frames_first_free());
}

static bool range_in(uint32_t p, uint32_t len, uint32_t lo, uint32_t hi)
{
    return p >= lo && p <= hi && len <= hi - p;
}

/* True when the current process may hand [p, p + len) to the kernel to read. */
bool vm_user_range_ok(uint32_t p, uint32_t len)
{
    struct process *cur = proc_current();

    return user_range_ok(p, len) || range_in(p, len, USER_HEAP_BASE, cur->brk) ||
           range_in(p, len, USER_STACK_LOW, USER_STACK_TOP);
}

/* Addresses of the current process that a fault maps: its heap below the break, its stack. */
static bool demand_ok(const struct process *p, uint32_t addr)
{
    return (addr >= USER_HEAP_BASE && addr < p->brk) ||
           (addr >= USER_STACK_LOW && addr < USER_STACK_TOP);
}

/*
 * A fault on a page the current process may use but has not touched yet (from ring 3, or
 * from the kernel reading a system call's buffer) maps a fresh zeroed page and returns:
 * the access is retried.  Any other fault of a process ends it; a fault of the kernel on
 * its own memory is a kernel bug.
 */
void page_fault_trap(struct guest_regs *r)
{
    uint32_t addr = trap_cr2();
    struct process *p = proc_current();

    if (p && !(r->error_code & 1) && demand_ok(p, addr)) {
        if (as_map(&p->as, addr & ~(uint32_t)(PAGE_SIZE - 1)) == 0) {
            p->faults++;
            return;
        }
        printk("mini kernel: out of memory: no frame for %#x in %s\n", addr, p->name);
    }
    if (p && (guest_regs_user(r) || (addr >= USER_BASE && addr < USER_TOP))) {
        proc_kill(r, addr);
        return;
    }
    trap_dump("mini kernel: page fault in the kernel", r);
    panic("kernel page fault at %#x", addr);
}

/*
 * brk(addr): moves the current process's break within [USER_HEAP_BASE, USER_HEAP_END] and
 * returns the new one; 0 or an address outside asks only for the current break.  Pages
 * above a lowered break are unmapped at once and their frames go back to the pool (and
 * from there, above its high mark, to the monitor).
 */
uint32_t vm_brk(uint32_t addr)
{
    struct process *p = proc_current();
    uint32_t old_end = ALIGN_UP(p->brk, PAGE_SIZE), new_end = ALIGN_UP(addr, PAGE_SIZE);

    if (addr < USER_HEAP_BASE || addr > USER_HEAP_END) {
        return p->brk;
    }
    if (new_end < old_end) {
        as_unmap(&p->as, new_end, old_end);
        frames_trim();
    }
    p->brk = addr;
    return addr;
}
