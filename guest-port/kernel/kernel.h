/* The mini guest kernel's internal interfaces: memory, address spaces, processes, system calls. */
#ifndef MINI_KERNEL_H
#define MINI_KERNEL_H

#include "guest/traps.h"

#define MINI_KERNEL_VERSION "0.1"

/* System call numbers (int $0x80, number in EAX, arguments in EBX, ECX, EDX; Linux's). */
#define SYS_exit   1
#define SYS_write  4
#define SYS_getpid 20
#define SYS_brk    45
#define SYS_yield  158

/*
 * A process's own addresses, all under L3 slot 0 (the kernel keeps slot 3): a heap from
 * USER_HEAP_BASE up to its break (brk), at most USER_HEAP_END, and a stack that grows down
 * from USER_STACK_TOP, at most USER_STACK_MAX bytes.  Pages in either are mapped on first
 * touch.  Ring-3 code and constants are the image's user region, shared and read-only.
 */
#define USER_BASE      0x00400000u
#define USER_HEAP_BASE USER_BASE
#define USER_HEAP_END  0x00800000u
#define USER_STACK_TOP 0x00C00000u
#define USER_STACK_MAX 0x00010000u
#define USER_TOP       USER_STACK_TOP
/* One L1 table maps 2 MiB: the L1s a process may need between USER_BASE and USER_TOP. */
#define USER_L1S       ((USER_TOP - USER_BASE) >> 21)

#ifndef MINI_USER_CODE

#include "guest/mm.h"

/* gdt.c: builds and loads the kernel's own GDT; panics on any error but -ENOSYS. */
void gdt_setup(void);

/*
 * frames.c: the kernel's frame allocator over its P2M.  The pool keeps between
 * POOL_LOW and POOL_HIGH free frames when the monitor lets it: frames_trim() gives what
 * is free above POOL_HIGH back (XENMEM_decrease_reservation) and frame_get() takes
 * memory (XENMEM_populate_physmap) when fewer than POOL_LOW are free.  Pool frames are
 * not mapped anywhere.  frame_get() returns a pfn or 0 when none is left.
 */
void frames_init(void);
unsigned long frame_get(void);
void frame_put(unsigned long pfn);
/* A frame of the image the kernel no longer needs and has unmapped: the pool's from now. */
void frame_adopt(unsigned long pfn);
void frames_trim(void);
unsigned long frames_free(void);
unsigned long frames_first_free(void);
/* The balloon: gives free frames back while the domain holds more than target pages
 * (the pool refills itself later only under holes it made).  The pages held after, or a
 * negative errno when the monitor would not say. */
long frames_balloon(unsigned long target);
/* control.c: the store's requests to the kernel (control/shutdown, memory/target). */
void control_init(void);
void control_poll(void);
/* After the processes: the xs_selftest= request, if the command line asks for one. */
void control_done(void);
/* The last line of the kernel: what the pool gave back and took, and what it misses. */
void frames_summary(unsigned long tables_built, unsigned long spaces_torn_down);

/* memop.c: XENMEM_decrease_reservation and XENMEM_populate_physmap of single frames. */
long memop_give_back(xen_pfn_t *mfns, unsigned int n);
long memop_take(xen_pfn_t *pfns_in_mfns_out, unsigned int n);

/*
 * batch.c: multicall batches for updates that go together.  The arrays an entry points
 * to must live until mc_run().  mc_run() panics naming the first entry that failed.
 */
#define MC_MAX 8
struct mc_batch {
    multicall_entry_t calls[MC_MAX];
    const char *what[MC_MAX];
    unsigned int n;
};
void mc_init(struct mc_batch *b);
void mc_mmu_update(struct mc_batch *b, mmu_update_t *reqs, unsigned int n, const char *what);
void mc_mmuext(struct mc_batch *b, struct mmuext_op *ops, unsigned int n, const char *what);
void mc_va_mapping(struct mc_batch *b, uintptr_t va, pte_t pte, const char *what);
void mc_run(struct mc_batch *b);

/*
 * aspace.c: a process's page tables.  Its L3, its own slot-3 L2 (the kernel's L2 entries,
 * under which the monitor adds its own), one L2 for slot 0 and the L1s of the user range,
 * all pinned or validated by the monitor and changed only with mmu_update.
 */
struct aspace {
    unsigned long l3, l2_kernel, l2_user; /* pfns */
    unsigned long l1[USER_L1S];           /* pfn of the L1 mapping each 2 MiB, 0 if none */
    unsigned long pages;                  /* user pages mapped now */
    unsigned long tables;                 /* page-table frames held now */
};
void as_init(void);
int as_build(struct aspace *as);
int as_map(struct aspace *as, uint32_t va);
unsigned long as_unmap(struct aspace *as, uint32_t start, uint32_t end);
void as_switch(const struct aspace *as);
void as_destroy(struct aspace *as, const struct aspace *next);
unsigned long as_tables_built(void);
unsigned long as_torn_down(void);

/* vm.c: the kernel's memory at boot, the page-fault handler and brk. */
void vm_setup(void);
void page_fault_trap(struct guest_regs *regs);
uint32_t vm_brk(uint32_t addr);
bool vm_user_range_ok(uint32_t p, uint32_t len);

/* proc.c: the processes, each in its own address space, switched on yield and exit. */
struct process {
    const char *name;
    void (*entry)(void);
    enum { PROC_UNUSED, PROC_READY, PROC_RUNNING, PROC_DONE } state;
    struct guest_regs regs; /* while not running: where it resumes */
    struct aspace as;
    uint32_t brk;
    unsigned long faults; /* pages mapped on demand */
};
void proc_run_all(void);
void proc_traps_setup(void);
struct process *proc_current(void);
const char *proc_current_name(void);
int proc_current_pid(void);
/*
 * From a trap of the current process: each ends or suspends it and either rewrites *regs
 * to resume the next ready process (the trap's return then enters it) or, when none is
 * left, ends the user_run() of proc_run_all() (and does not return).
 */
void proc_kill(struct guest_regs *regs, uint32_t fault_addr);
void proc_exit(struct guest_regs *regs, int status);
void proc_yield(struct guest_regs *regs);

/* syscall.c: the int $0x80 handler, and the per-process output line buffer. */
void syscall_trap(struct guest_regs *regs);
void syscall_flush_output(void);

#endif /* !MINI_USER_CODE */

/* user/: the programs (ring-3 entry points). */
void user_hello(void);
void user_hog(void);
void user_ping(void);
void user_pong(void);
void user_stray(void);
void user_rogue(void);
void user_patcher(void);

#endif
