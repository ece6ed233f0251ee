/* System calls from ring 3 (int $0x80): exit, write, getpid, brk and yield. */
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "guest/user.h"
#include "kernel.h"

/* Output of the current process, one line at a time, each line prefixed with its name. */
static char line[160];
static size_t line_len;

void syscall_flush_output(void)
{
    char out[192];
    int n;

    if (line_len == 0) {
        return;
    }
    n = snprintf(out, sizeof(out), "%s: %.*s\n", proc_current_name(), (int)line_len, line);
    console_write(out, (size_t)(n < (int)sizeof(out) ? n : (int)sizeof(out) - 1));
    line_len = 0;
}

static void output_char(char c)
{
    if (c == '\n') {
        syscall_flush_output();
        return;
    }
    if (line_len == sizeof(line)) {
        syscall_flush_output();
    }
    line[line_len++] = c;
}

/*
 * write(fd, buf, len): fd 1 or 2; the buffer must lie in the shared user region or in the
 * process's heap or stack (a page not touched yet is mapped when the kernel reads it).
 */
static int32_t sys_write(uint32_t fd, uint32_t buf, uint32_t len)
{
    if (fd != 1 && fd != 2) {
        return -XEN_EBADF;
    }
    if (!vm_user_range_ok(buf, len)) {
        return -XEN_EFAULT;
    }
    for (uint32_t i = 0; i < len; i++) {
        output_char(((const char *)(uintptr_t)buf)[i]);
    }
    /* Give the CPU away after each write, so domains' programs visibly run side by side. */
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    return (int32_t)len;
}

void syscall_trap(struct guest_regs *r)
{
    if (!guest_regs_user(r) || !user_active()) {
        r->eax = (uint32_t)-XEN_EPERM;
        return;
    }
    switch (r->eax) {
    case SYS_exit:
        proc_exit(r, (int)r->ebx);
        break;
    case SYS_write:
        r->eax = (uint32_t)sys_write(r->ebx, r->ecx, r->edx);
        break;
    case SYS_getpid:
        r->eax = (uint32_t)proc_current_pid();
        break;
    case SYS_brk:
        r->eax = vm_brk(r->ebx);
        break;
    case SYS_yield:
        proc_yield(r);
        break;
    default:
        r->eax = (uint32_t)-XEN_ENOSYS;
        break;
    }
}
