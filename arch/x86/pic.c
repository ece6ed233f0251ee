/* The legacy 8259 pair: remapped to VECTOR_PIC_BASE and fully masked at boot. */
#include "arch/x86/pic.h"

#include "arch/x86/asm.h"
#include "arch/x86/traps.h"
#include "kernel/printk.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define POST_PORT 0x80 /* writes here only take time: a delay for old 8259s */

#define ICW1_INIT     0x10
#define ICW1_ICW4     0x01
#define ICW4_8086     0x01
#define OCW3_READ_ISR 0x0B
#define PIC_EOI       0x20
#define CASCADE_IRQ   2

static void pic_out(uint16_t port, uint8_t v)
{
    outb(port, v);
    outb(POST_PORT, 0);
}

/*
 * With every line masked only spurious IRQ 7/15 can arrive (a request withdrawn during the
 * acknowledge cycle).  They set no in-service bit; a spurious IRQ 15 has still made the
 * master's cascade line in service, so that one takes an EOI on the master.
 */
static void pic_spurious_irq(struct cpu_regs *regs)
{
    bool slave = regs->vector == VECTOR_PIC_BASE + 15;
    uint16_t cmd = slave ? PIC2_CMD : PIC1_CMD;

    outb(cmd, OCW3_READ_ISR);
    if (inb(cmd) & 0x80) {
        /* A real IRQ on a masked line cannot happen; end it anyway rather than wedge. */
        outb(cmd, PIC_EOI);
    }
    if (slave) {
        outb(PIC1_CMD, PIC_EOI);
    }
}

void pic_init(void)
{
    /* ICW1-4: edge-triggered, cascaded, vector bases, the slave on IRQ 2, 8086 mode. */
    pic_out(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
    pic_out(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
    pic_out(PIC1_DATA, VECTOR_PIC_BASE);
    pic_out(PIC2_DATA, VECTOR_PIC_BASE + 8);
    pic_out(PIC1_DATA, 1u << CASCADE_IRQ);
    pic_out(PIC2_DATA, CASCADE_IRQ);
    pic_out(PIC1_DATA, ICW4_8086);
    pic_out(PIC2_DATA, ICW4_8086);
    /* OCW1: everything masked. */
    pic_out(PIC1_DATA, 0xFF);
    pic_out(PIC2_DATA, 0xFF);
    if (irq_register(VECTOR_PIC_BASE + 7, pic_spurious_irq) ||
        irq_register(VECTOR_PIC_BASE + 15, pic_spurious_irq)) {
        pr_err("pic: cannot register the spurious IRQ 7/15 vectors\n");
    }
}

void pic_unmask(unsigned int irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

    if (irq > 15) {
        return;
    }
    outb(port, (uint8_t)(inb(port) & ~(1u << (irq & 7))));
    if (irq >= 8) {
        /* The slave reaches the CPU through the master's cascade line. */
        outb(PIC1_DATA, (uint8_t)(inb(PIC1_DATA) & ~(1u << CASCADE_IRQ)));
    }
}

void pic_eoi(unsigned int irq)
{
    if (irq >= 8) {
        outb(PIC2_CMD, PIC_EOI);
    }
    outb(PIC1_CMD, PIC_EOI);
}
