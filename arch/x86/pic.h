/* The two legacy 8259 interrupt controllers: moved out of the exception vectors and masked. */
#ifndef ARCH_X86_PIC_H
#define ARCH_X86_PIC_H

/*
 * Reprograms the 8259 pair to deliver IRQ 0-7 at VECTOR_PIC_BASE and IRQ 8-15 eight
 * vectors above, masks every line and installs handlers for their spurious IRQ 7 and 15.
 * The monitor takes its interrupts through the APICs.  Boot CPU, once, interrupts off,
 * after idt_init().  Harmless on machines without 8259s.
 */
void pic_init(void);

/*
 * Unmasks one 8259 line (IRQ 0-15; the cascade too for 8-15).  Its interrupts reach the
 * CPU only where no local APIC is enabled (the APIC masks LINT0, where the 8259 is wired);
 * with one, route the IRQ through the I/O APIC instead.  Boot CPU.
 */
void pic_unmask(unsigned int irq);

/* Ends an interrupt delivered by the 8259s (IRQ 0-15): both chips for 8-15. */
void pic_eoi(unsigned int irq);

#endif
