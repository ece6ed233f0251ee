/*
 * 16550 UART console: polled output; input by the receive interrupt or, where that cannot
 * be used (comN=...,0, or no way to route it), polled after every interrupt.  Configured
 * by comN=<baud>[/<clock>],<DPS>[,<io>[,<irq>]].
 */
#include "drivers/serial.h"
#include "arch/x86/apic.h"
#include "arch/x86/asm.h"
#include "arch/x86/pic.h"
#include "arch/x86/traps.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

#define UART_THR 0   /* transmit holding (DLAB=0) */
#define UART_RBR 0   /* receive buffer (DLAB=0) */
#define UART_DLL 0   /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define IER_RDA  0x01   /* interrupt when received data is available */
#define MCR_OUT2 0x08   /* on PCs, gates the UART's interrupt line */
#define RX_BURST 64     /* bytes taken per interrupt: more than a 16550's FIFO */

enum rx_mode { RX_OFF, RX_IOAPIC, RX_PIC, RX_POLLED };

struct uart {
    struct console con;
    uint16_t io;
    uint32_t baud;        /* 0: keep what the firmware programmed */
    uint32_t clock;       /* input clock / 16 */
    uint8_t lcr;          /* data bits, parity, stop bits */
    uint8_t irq;          /* 0: no interrupt, poll (Xen's convention) */
    bool active;          /* found and registered as a console */
    enum rx_mode rx;
    spinlock_t rx_lock;   /* one reader at a time, so bytes keep their order */
};

static void uart_write(struct console *c, const char *s, size_t n);

static struct uart uarts[2] = {
    { .con = { "com1", uart_write, NULL }, .io = 0x3F8, .baud = 115200, .clock = 115200,
      .lcr = 0x03, .irq = 4, .rx_lock = SPINLOCK_INIT },
    { .con = { "com2", uart_write, NULL }, .io = 0x2F8, .baud = 115200, .clock = 115200,
      .lcr = 0x03, .irq = 3, .rx_lock = SPINLOCK_INIT },
};

static void uart_putc(const struct uart *u, char ch)
{
    /* Bounded wait: a missing or stuck UART must not hang the monitor. */
    for (unsigned int spins = 0; spins < 100000; spins++) {
        if (inb(u->io + UART_LSR) & LSR_THRE) {
            break;
        }
        cpu_relax();
    }
    outb(u->io + UART_THR, (uint8_t)ch);
}

static void uart_write(struct console *c, const char *s, size_t n)
{
    const struct uart *u = container_of(c, struct uart, con);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            uart_putc(u, '\r');
        }
        uart_putc(u, s[i]);
    }
}

/* Parses "8n1": data bits 5-8, parity n/o/e/m/s, stop bits 1-2, into an LCR value. */
static int parse_dps(const char *s, const char *end, uint8_t *lcr)
{
    static const char parity[] = "noems";
    const char *pp;
    if (end - s != 3 || s[0] < '5' || s[0] > '8' || (s[2] != '1' && s[2] != '2')) {
        return -EINVAL;
    }
    pp = strchr(parity, s[1]);
    if (!pp || !s[1]) {
        return -EINVAL;
    }
    *lcr = (uint8_t)((s[0] - '5') | ((s[2] - '1') << 2));
    if (pp != parity) {
        /* odd 0x08, even 0x18, mark 0x28, space 0x38 */
        *lcr |= (uint8_t)(0x08 | ((pp - parity - 1) << 4));
    }
    return 0;
}

/* Parses one comma-separated field of comN=; field index i. */
static int parse_field(struct uart *u, unsigned int i, const char *s, const char *end)
{
    uint64_t v;
    const char *slash;
    if (s == end) {
        return 0;                      /* empty field: keep the default */
    }
    switch (i) {
    case 0:
        if (end - s == 4 && !strncmp(s, "auto", 4)) {
            u->baud = 0;
            return 0;
        }
        for (slash = s; slash < end && *slash != '/'; slash++) {
        }
        if (parse_u64(s, slash, 10, &v) || v < 50 || v > 4000000) {
            return -EINVAL;
        }
        u->baud = (uint32_t)v;
        if (slash < end) {
            if (parse_u64(slash + 1, end, 0, &v) || v < 16 * 50 || v > UINT32_MAX) {
                return -EINVAL;
            }
            u->clock = (uint32_t)(v / 16);
        }
        return 0;
    case 1:
        return parse_dps(s, end, &u->lcr);
    case 2:
        if (parse_u64(s, end, 0, &v) || v == 0 || v > 0xFFF8) {
            return -EINVAL;
        }
        u->io = (uint16_t)v;
        return 0;
    case 3:
        if (parse_u64(s, end, 0, &v) || v > 15) {
            return -EINVAL;
        }
        u->irq = (uint8_t)v;
        return 0;
    default:
        return -EINVAL;
    }
}

static int parse_com(struct uart *u, const char *v)
{
    struct uart tmp = *u;
    unsigned int i = 0;
    if (!v || !*v) {
        return -EINVAL;
    }
    for (const char *s = v;; i++) {
        const char *end = strchr(s, ',');
        if (!end) {
            end = s + strlen(s);
        }
        if (parse_field(&tmp, i, s, end)) {
            return -EINVAL;
        }
        if (!*end) {
            break;
        }
        s = end + 1;
    }
    if (tmp.baud && tmp.clock / tmp.baud == 0) {
        return -EINVAL;
    }
    *u = tmp;
    return 0;
}

static int parse_com1(const char *v) { return parse_com(&uarts[0], v); }
static int parse_com2(const char *v) { return parse_com(&uarts[1], v); }
custom_param("com1", parse_com1, "<baud>[/<clock>][,<DPS>[,<io-base>[,<irq>]]], e.g. 115200,8n1");
custom_param("com2", parse_com2, "<baud>[/<clock>][,<DPS>[,<io-base>[,<irq>]]], e.g. 115200,8n1");

/* A UART is there when its scratch register holds what we write. */
static bool uart_present(const struct uart *u)
{
    outb(u->io + UART_SCR, 0x5A);
    if (inb(u->io + UART_SCR) != 0x5A) {
        return false;
    }
    outb(u->io + UART_SCR, 0xA5);
    return inb(u->io + UART_SCR) == 0xA5;
}

static void uart_program(const struct uart *u)
{
    outb(u->io + UART_IER, 0);                  /* polled: no interrupts */
    if (u->baud) {
        uint32_t div = u->clock / u->baud;
        outb(u->io + UART_LCR, LCR_DLAB);
        outb(u->io + UART_DLL, (uint8_t)div);
        outb(u->io + UART_DLM, (uint8_t)(div >> 8));
    }
    outb(u->io + UART_LCR, u->lcr);
    outb(u->io + UART_FCR, 0x07);               /* FIFOs on and cleared */
    outb(u->io + UART_MCR, 0x03);               /* DTR, RTS */
}

void serial_init(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(uarts); i++) {
        struct uart *u = &uarts[i];
        if (!console_selected(u->con.name) || !uart_present(u)) {
            continue;
        }
        uart_program(u);
        u->active = true;
        console_register(&u->con);
    }
}

/* ---- input ---------------------------------------------------------------------------- */

/* Hands what the UART has received to the console; a busy reader elsewhere keeps it. */
static void uart_rx_drain(struct uart *u)
{
    if (!spin_trylock(&u->rx_lock)) {
        return;
    }
    for (unsigned int n = 0; n < RX_BURST && (inb(u->io + UART_LSR) & LSR_DR); n++) {
        console_rx((char)inb(u->io + UART_RBR));
    }
    spin_unlock(&u->rx_lock);
}

static void uart_irq(struct cpu_regs *regs)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(uarts); i++) {
        struct uart *u = &uarts[i];
        bool mine = (u->rx == RX_IOAPIC && regs->vector == VECTOR_IRQ_BASE + (unsigned int)u->irq) ||
                    (u->rx == RX_PIC && regs->vector == VECTOR_PIC_BASE + (unsigned int)u->irq);
        if (mine) {
            uart_rx_drain(u);
        }
    }
    /* After the drain: a byte arriving meanwhile raises a new edge, latched until this EOI. */
    if (regs->vector >= VECTOR_IRQ_BASE) {
        lapic_eoi();
    } else {
        pic_eoi(regs->vector - VECTOR_PIC_BASE);
    }
}

/* The fallback: every interrupt (at least the scheduler tick) looks at the polled UARTs. */
static void uart_poll_all(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(uarts); i++) {
        if (uarts[i].rx == RX_POLLED) {
            uart_rx_drain(&uarts[i]);
        }
    }
}

/* Routes the UART's IRQ through the I/O APIC, else the 8259 where no LAPIC masks it. */
static enum rx_mode uart_route(struct uart *u)
{
    unsigned int shared = 0;
    if (!u->irq) {
        return RX_POLLED;
    }
    /* Two UARTs on one IRQ share the vector: register the handler once. */
    for (unsigned int i = 0; i < ARRAY_SIZE(uarts); i++) {
        shared |= &uarts[i] != u && uarts[i].rx != RX_OFF && uarts[i].rx != RX_POLLED &&
                       uarts[i].irq == u->irq;
    }
    if (ioapic_route_isa_irq(u->irq, VECTOR_IRQ_BASE + u->irq) == 0 &&
        (shared || irq_register(VECTOR_IRQ_BASE + u->irq, uart_irq) == 0)) {
        return RX_IOAPIC;
    }
    if (!lapic_present() &&
        (shared || irq_register(VECTOR_PIC_BASE + u->irq, uart_irq) == 0)) {
        pic_unmask(u->irq);
        return RX_PIC;
    }
    return RX_POLLED;
}

static void uart_input_start(struct uart *u)
{
    u->rx = uart_route(u);
    if (u->rx == RX_POLLED) {
        irq_set_tail_hook(uart_poll_all);
        pr_info("serial: %s input polled after every interrupt (%s)\n", u->con.name,
                u->irq ? "its IRQ cannot be routed" : "IRQ 0 asked for polling");
    } else {
        outb(u->io + UART_MCR, 0x03 | MCR_OUT2);
        outb(u->io + UART_IER, IER_RDA);
        pr_info("serial: %s input by IRQ %u (%s)\n", u->con.name, u->irq,
                u->rx == RX_IOAPIC ? "I/O APIC" : "8259");
    }
    /* Bytes typed before now are the operator's too. */
    uart_rx_drain(u);
}

void serial_input_init(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(uarts); i++) {
        if (uarts[i].active) {
            uart_input_start(&uarts[i]);
        }
    }
}
