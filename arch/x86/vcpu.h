/* The architecture's part of a vCPU: guest registers and the virtual CPU state. */
#ifndef ARCH_X86_VCPU_H
#define ARCH_X86_VCPU_H

#include "arch/x86/traps.h"
#include "kernel/types.h"
#include "kernel/xen.h"

#define GUEST_GDT_FRAMES 14          /* entries 0..7167: the guest's own */
#define GUEST_LDT_ENTRIES 8192
#define GUEST_LDT_FRAMES (GUEST_LDT_ENTRIES * 8 / 4096)

struct arch_vcpu {
    struct cpu_regs regs;            /* saved while the vCPU is not on a CPU */
    trap_info_t traps[256];          /* virtual IDT; address 0 = no handler */
    uint32_t kernel_ss, kernel_sp;   /* stack for bounces from ring 3 (stack_switch) */
    uint32_t event_cs, event_eip;
    uint32_t failsafe_cs, failsafe_eip;
    uint32_t syscall_eip, sysenter_eip;   /* registered, never used: both stay disabled */
    uint32_t nmi_eip;                     /* registered; no virtual NMIs are raised yet */
    bool failsafe_disables_events, event_disables_events;
    bool virtual_ts;                 /* guest's CR0.TS (fpu_taskswitch) */
    uint8_t iopl;                    /* virtual IOPL (physdev_op set_iopl) */
    uint32_t debugreg[8];
    mfn_t guest_table;               /* the guest's L3 (what its CR3 names) */
    mfn_t pdpt;                      /* shadow PDPT below 4 GiB, what CR3 really holds */
    uint64_t pdpte[4];               /* the shadow PDPT's entries, readable without a mapping */
    uint32_t gdt_frames[GUEST_GDT_FRAMES];
    unsigned int gdt_ents;           /* 0: no GDT of its own */
    uint32_t ldt_frames[GUEST_LDT_FRAMES];   /* each holds a descriptor type reference */
    unsigned int ldt_ents;           /* 0: no LDT */
    uint8_t fpu[512] __aligned(16);  /* FXSAVE image */
};

struct vcpu;

/* Sets up a vCPU's architectural state to the ABI's start-of-day values. */
int arch_vcpu_init(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);

/* Rewrites the shadow PDPT from the guest's L3 (after any change to a live L3). */
void arch_vcpu_sync_pdpt(struct vcpu *v);

/* Enters v on this CPU for the first time or after a switch: never returns. */
void arch_enter_vcpu(struct vcpu *v) __noreturn;

/* Saves the running vCPU's frame and loads next's (same stack); switches address space. */
void arch_context_switch(struct vcpu *prev, struct vcpu *next);

/* Saves the running vCPU's registers, FPU and debug state off this CPU. */
void arch_vcpu_save(struct vcpu *v);

/* Installs or removes the direct int $0x80 gate for v (v runs here). */
void arch_update_int80_gate(const struct vcpu *v);

/* Loads v's debug registers into this CPU (v runs here). */
void arch_load_debugregs(const struct vcpu *v);

/* Delivers an exception to the guest's handler; crashes the domain if it cannot. */
void bounce_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error);

/* Delivers the failsafe callback (a segment reload or iret on exit faulted). */
void bounce_failsafe(struct vcpu *v);

/* The guest's register frame at the top of this CPU's stack, while a vCPU runs here. */
struct cpu_regs *guest_regs(void);

#endif
