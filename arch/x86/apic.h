/* The local APIC (xAPIC mode, memory-mapped) and its one-shot timer, and the I/O APICs. */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include "kernel/types.h"

struct platform_ioapic;

/* The LAPIC timer's divide configuration: the timer counts at (bus clock / this). */
#define LAPIC_TIMER_DIVIDE 1u

/*
 * Maps the local APIC at platform.lapic_base (uncached), registers the timer, error and
 * spurious vectors and sets up this CPU's LAPIC with lapic_cpu_init().  Returns false
 * (with a warning) when there is no usable local APIC; every other lapic_* call is then a
 * harmless no-op.  Boot CPU, once, after acpi_init() and idt_init(), interrupts off.
 */
bool lapic_init(void);

/*
 * Sets up this CPU's local APIC: xAPIC mode, software-enabled with VECTOR_SPURIOUS, task
 * priority 0, LINT0 masked (no legacy 8259 interrupts), LINT1 as NMI where the MADT says
 * so, errors to VECTOR_LAPIC_ERROR, the timer one-shot and masked.  Each CPU once, with
 * interrupts off (secondary CPUs will call it when they start).
 */
void lapic_cpu_init(void);

/* True once lapic_init() succeeded. */
bool lapic_present(void);

/* This CPU's APIC ID (from CPUID when there is no local APIC). */
uint32_t lapic_id(void);

/* Signals the end of the interrupt being handled.  Any context. */
void lapic_eoi(void);

/*
 * Arms this CPU's timer to raise VECTOR_LAPIC_TIMER once, after `ticks` (> 0) counts at
 * the divided rate.  Replaces any running count.  Interrupts off or on, this CPU only.
 */
void lapic_timer_oneshot(uint32_t ticks);

/* Stops this CPU's timer and masks its vector; a pending timer interrupt may still come. */
void lapic_timer_stop(void);

/* Starts this CPU's timer counting down from `ticks` with its interrupt masked (calibration). */
void lapic_timer_start_masked(uint32_t ticks);

/* The timer's current count (0 once it has run out). */
uint32_t lapic_timer_current(void);

/*
 * Maps an I/O APIC (once: the mapping is kept in io->regs) and reads its version register.
 * Returns true and sets io->pins if it looks like an I/O APIC; false otherwise, never
 * faulting on an address where nothing answers.  Boot CPU, before the others start.
 */
bool ioapic_probe(struct platform_ioapic *io);

/* The ID in an I/O APIC's own ID register (io probed). */
uint8_t ioapic_hw_id(const struct platform_ioapic *io);

/*
 * Probes every I/O APIC in `platform` and masks all its redirection entries; ones that do
 * not answer sanely are reported and get pins = 0.  Boot CPU, once, after acpi_init().
 */
void ioapic_init(void);

/*
 * Delivers ISA IRQ irq (0-15) at vector on this CPU, unmasked: the MADT's interrupt source
 * override says which GSI and what polarity and trigger (ISA's edge, active high by
 * default).  The handler ends it with lapic_eoi().  Returns 0; -ENODEV when no I/O APIC
 * serves that GSI; -EINVAL for a bad IRQ or vector or without a local APIC.  Boot CPU,
 * after ioapic_init().
 */
int ioapic_route_isa_irq(unsigned int irq, unsigned int vector);

#endif
