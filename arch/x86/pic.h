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

#endif
