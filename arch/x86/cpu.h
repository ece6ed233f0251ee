/* CPU identification and feature detection, and the control-register set-up. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "kernel/types.h"

struct cpu_features {
    char vendor[13];
    char brand[49];
    uint32_t family, model, stepping;
    uint32_t max_leaf, max_ext_leaf;
    bool pae, nx, pge, apic, x2apic, tsc, invariant_tsc, fxsr, sse, sse2, xsave;
    bool smep, smap, hypervisor, tsc_deadline;
    uint32_t phys_bits;
};

extern struct cpu_features boot_cpu;

/* Reads CPUID on this CPU into boot_cpu and sets CR0/CR4/EFER to the monitor's values. */
void cpu_init(void);

/* Prints the identification and feature summary. */
void cpu_print(void);

#endif
