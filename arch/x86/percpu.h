/*
 * Per-CPU state, all of it declared here.  A CPU finds its own through its stack: every
 * CPU stack is STACK_SIZE-aligned with a struct cpu_info at the top, so there is no global
 * "current" and no segment register to trust after a guest ran.
 */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include "arch/x86/asm.h"
#include "arch/x86/layout.h"

struct tss;
struct vcpu;

struct percpu {
    unsigned int cpu;              /* logical index, 0 = boot CPU */
    uint32_t apic_id;
    bool online;
    struct tss *tss;
    uint64_t *gdt;                 /* the reserved GDT page (entries 7168..7679) */
    uintptr_t gdt_va;              /* base of this CPU's 64 KiB GDT window */
    uint32_t mapcache_used;        /* bitmap of the temporary mapping slots in use */
    uint32_t mapcache_mfn[MAPCACHE_SLOTS]; /* frame each slot maps, plus 1 (0: none) */
    struct vcpu *current;          /* the vCPU whose frame is on this stack, NULL when idle */
    bool need_resched;             /* pick again before returning to a guest (kernel/sched.c) */
};

struct cpu_info {
    struct percpu *pcpu;
    uint32_t cpu;
    uint32_t pad[2];
};


extern struct percpu percpu_data[MAX_CPUS];

static inline struct cpu_info *get_cpu_info(void)
{
    uintptr_t sp = read_esp();
    return (struct cpu_info *)((sp & ~(uintptr_t)(STACK_SIZE - 1)) + STACK_SIZE - CPU_INFO_SIZE);
}

static inline struct percpu *this_cpu(void) { return get_cpu_info()->pcpu; }
static inline unsigned int smp_processor_id(void) { return get_cpu_info()->cpu; }

/* Top of a CPU stack: where ESP0 points and where the stack pointer starts. */
static inline uintptr_t stack_top(uintptr_t stack_base) { return stack_base + STACK_SIZE - CPU_INFO_SIZE; }

#endif
