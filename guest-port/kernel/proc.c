/* Processes: each in its own address space, run in turn, switched on yield, exit and death. */
#include "guest/console.h"
#include "guest/runtime.h"
#include "guest/user.h"
#include "kernel.h"

static struct process procs[] = {
    {.name = "hello", .entry = user_hello},     {.name = "hog", .entry = user_hog},
    {.name = "ping", .entry = user_ping},       {.name = "pong", .entry = user_pong},
    {.name = "stray", .entry = user_stray},     {.name = "rogue", .entry = user_rogue},
    {.name = "patcher", .entry = user_patcher},
};

static int current = -1;

struct process *proc_current(void)
{
    return current >= 0 ? &procs[current] : NULL;
}

const char *proc_current_name(void)
{
    return current >= 0 ? procs[current].name : "kernel";
}

int proc_current_pid(void)
{
    return current + 1;
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
    default:
        return "trap";
    }
}

/* A process starts at its entry with an empty stack and the flat ring-3 segments. */
static void proc_create(int i)
{
    struct process *p = &procs[i];

    if (as_build(&p->as) != 0) {
        printk("mini kernel: no frames for the page tables of %s: not started\n", p->name);
        p->state = PROC_DONE;
        return;
    }
    p->brk = USER_HEAP_BASE;
    p->regs = (struct guest_regs){
        .gs = FLAT_USER_DS,
        .fs = FLAT_USER_DS,
        .es = FLAT_USER_DS,
        .ds = FLAT_USER_DS,
        .vector = 0x80,
        .eip = (uint32_t)(uintptr_t)p->entry,
        .cs = FLAT_USER_CS,
        .eflags = events_usable ? 0x202 : 0x002, /* never unmask events without a handler */
        .esp = USER_STACK_TOP,
        .ss = FLAT_USER_SS,
    };
    p->state = PROC_READY;
    printk("mini kernel: process %s (pid %d): address space built, L3 frame %#lx\n", p->name, i + 1,
           pfn_to_mfn(p->as.l3));
}

/* The ready process after the current one, round robin (it may be the current one). */
static int pick_next(void)
{
    int n = (int)ARRAY_SIZE(procs);

    for (int k = 1; k <= n; k++) {
        int j = (current + k) % n;
        if (procs[j].state == PROC_READY) {
            return j;
        }
    }
    return -1;
}

/* The trap returns into process next: its registers replace the trapped ones. */
static void enter(int next, struct guest_regs *r)
{
    current = next;
    procs[next].state = PROC_RUNNING;
    *r = procs[next].regs;
}

void proc_yield(struct guest_regs *r)
{
    struct process *p = &procs[current];
    int next;

    r->eax = 0;
    syscall_flush_output();
    control_poll();     /* a yield is a good moment to hear the store's requests */
    p->regs = *r;
    p->state = PROC_READY;
    next = pick_next();
    if (next == current) {
        p->state = PROC_RUNNING;
        return;
    }
    as_switch(&procs[next].as);
    enter(next, r);
}

/*
 * The current process is over: its address space goes (the same batch moves this vCPU to
 * the next process's L3, or to the kernel's when none is left), the pool gives back what
 * it does not need, and the trap returns into the next process or ends the user_run().
 */
static void end_current(struct guest_regs *r)
{
    struct process *p = &procs[current];
    int next;

    p->state = PROC_DONE;
    next = pick_next();
    as_destroy(&p->as, next >= 0 ? &procs[next].as : NULL);
    frames_trim();
    if (next >= 0) {
        enter(next, r);
        return;
    }
    current = -1;
    user_leave(r);
}

void proc_exit(struct guest_regs *r, int status)
{
    struct process *p = &procs[current];

    syscall_flush_output();
    printk("mini kernel: process %s exited with status %d (%lu pages mapped on demand, %lu "
           "page tables)\n",
           p->name, status, p->faults, p->as.tables);
    end_current(r);
}

void proc_kill(struct guest_regs *r, uint32_t fault_addr)
{
    struct process *p = &procs[current];

    syscall_flush_output();
    if (r->vector == 14) {
        printk("mini kernel: process %s killed: page fault at %#x (error %#x), eip %#x\n", p->name,
               fault_addr, r->error_code, r->eip);
    } else {
        printk("mini kernel: process %s killed: %s (vector %u, error %#x), eip %#x\n", p->name,
               trap_name(r->vector), r->vector, r->error_code, r->eip);
    }
    end_current(r);
}

/* Exceptions other than page faults: the end of a process, a bug in the kernel. */
static void other_trap(struct guest_regs *r)
{
    if (guest_regs_user(r) && current >= 0) {
        proc_kill(r, 0);
        return;
    }
    trap_dump("mini kernel: exception in the kernel", r);
    panic("kernel exception %u at %#x", r->vector, r->eip);
}

void proc_traps_setup(void)
{
    for (unsigned int v = 0; v < 20; v++) {
        if (v != 14) {
            trap_set(v, (v == 3 || v == 4) ? TRAP_DPL(3) : TRAP_DPL(0), other_trap);
        }
    }
}

/* DPL 3 data selectors stay loaded across the iret to ring 3 (DPL 1 ones would not). */
static void load_user_data_segments(void)
{
    __asm__ volatile("movl %0, %%ds; movl %0, %%es" ::"r"((uint32_t)FLAT_USER_DS) : "memory");
}

/*
 * Builds every process's address space, then enters the first in ring 3; from there on
 * the processes hand the CPU to each other in their traps, and the last one to end
 * brings the kernel back here.
 */
void proc_run_all(void)
{
    struct guest_regs exit_regs;
    int first, rc;

    for (int i = 0; i < (int)ARRAY_SIZE(procs); i++) {
        proc_create(i);
    }
    first = pick_next();
    if (first < 0) {
        return;
    }
    as_switch(&procs[first].as);
    current = first;
    procs[first].state = PROC_RUNNING;
    load_user_data_segments();
    rc = user_run(procs[first].regs.eip, procs[first].regs.esp, 0, &exit_regs);
    if (rc != 0) {
        panic("stack_switch failed: %d (%s)", rc, errname(rc));
    }
}
