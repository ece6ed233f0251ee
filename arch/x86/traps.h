/* Trap, exception and interrupt entry: the saved register frame and handler registration. */
#ifndef ARCH_X86_TRAPS_H
#define ARCH_X86_TRAPS_H

#include "kernel/types.h"

/*
 * The frame every entry stub builds on the stack (lowest address first).  esp/ss are only
 * valid when the trap came from a less privileged ring (cs & 3 != 0).
 */
struct cpu_regs {
    uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    uint32_t ds, es, fs, gs;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;          /* pushed by the CPU on a ring change only */
};

static_assert(sizeof(struct cpu_regs) == 72, "CPU_REGS_SIZE in entry.S");
static_assert(offsetof(struct cpu_regs, cs) == 56, "CPU_REGS_CS in entry.S");

/* Vectors of the monitor's own interrupts. */
#define VECTOR_PIC_BASE       0x20   /* 8259s remapped here, then masked */
#define VECTOR_IRQ_BASE       0x30   /* I/O APIC interrupts */
#define VECTOR_HYPERCALL      0x82
#define VECTOR_LAPIC_TIMER    0xF0
#define VECTOR_LAPIC_ERROR    0xFE
#define VECTOR_SPURIOUS       0xFF

typedef void (*irq_handler_t)(struct cpu_regs *regs);

/*
 * Installs the handler for an interrupt vector (>= 32).  The handler runs with interrupts
 * off and must send its own EOI.  Returns -EINVAL for exception vectors, -EBUSY if taken.
 */
int irq_register(unsigned int vector, irq_handler_t handler);

void idt_init(void);

/* The int $0x80 gate straight to the running guest's ring-1 handler, or back to the monitor. */
void idt_set_guest_int80(uint16_t cs, uint32_t eip);
void idt_clear_guest_int80(void);
void traps_dump_regs(const struct cpu_regs *regs);

/* Called from the entry stubs. */
void trap_dispatch(struct cpu_regs *regs);

/* An interrupt (vector >= 32) to its handler, then the tail hook. */
void irq_dispatch(struct cpu_regs *regs);

/*
 * Sets a function that runs after every interrupt's handler, interrupts off, on the CPU
 * that took it (NULL: none).  For devices that must be polled because their own interrupt
 * is not usable (the serial console's fallback): the scheduler tick makes it at least
 * every slice.  One hook; set at boot.
 */
void irq_set_tail_hook(void (*fn)(void));

/* Everything from ring 1 or 3 (arch/x86/guest_traps.c). */
void guest_trap(struct cpu_regs *regs);

/* Returning to the guest faulted: its failsafe callback, or a crash (guest_traps.c). */
void guest_exit_fault(struct cpu_regs *regs);

#endif
