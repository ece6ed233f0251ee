/* Processes: each runs in ring 3 until it exits with a system call or is killed by a trap. */
#include "guest/console.h"
#include "guest/runtime.h"
#include "guest/user.h"
#include "kernel.h"

struct process {
    const char *name;
    void (*entry)(void);
};

static const struct process processes[] = {
    {"hello", user_hello},
    {"rogue", user_rogue},
};

static int current = -1;
static uint32_t fault_addr;

const char *proc_current_name(void)
{
    return current >= 0 ? processes[current].name : "kernel";
}

void proc_note_fault(uint32_t addr)
{
    fault_addr = addr;
}

static const char *trap_name(uint32_t vector)
{
    switch (vector) {
    case 0:
        return "divide error";
    case 6:
        return "invalid opcode";
    case 13:
        return "general protection fault";
    case 14:
        return "page fault";
    default:
        return "trap";
    }
}

static void report_exit(const struct process *p, const struct guest_regs *r)
{
    if (r->vector == 0x80 && r->eax == SYS_exit) {
        printk("mini kernel: process %s exited with status %d\n", p->name, (int)r->ebx);
    } else if (r->vector == 14) {
        printk("mini kernel: process %s killed: page fault at %#x (error %#x), eip %#x\n", p->name,
               fault_addr, r->error_code, r->eip);
    } else {
        printk("mini kernel: process %s killed: %s (vector %u, error %#x), eip %#x\n", p->name,
               trap_name(r->vector), r->vector, r->error_code, r->eip);
    }
}

static void proc_run(int index)
{
    const struct process *p = &processes[index];
    struct guest_regs exit_regs;
    int rc;

    current = index;
    printk("mini kernel: starting process %s (pid %d)\n", p->name, index + 1);
    rc = user_run((uint32_t)(uintptr_t)p->entry,
                  (uint32_t)(uintptr_t)(user_stack + USER_STACK_SIZE), 0, &exit_regs);
    if (rc != 0) {
        panic("stack_switch failed: %d (%s)", rc, errname(rc));
    }
    syscall_flush_output();
    report_exit(p, &exit_regs);
    vm_release();
    current = -1;
}

int proc_current_pid(void)
{
    return current + 1;
}

void proc_run_all(void)
{
    for (int i = 0; i < (int)ARRAY_SIZE(processes); i++) {
        proc_run(i);
    }
}
