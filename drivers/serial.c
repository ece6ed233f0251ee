/* 16550 UART console: polled output, configured by comN=<baud>[/<clock>],<DPS>[,<io>[,<irq>]]. */
#include "drivers/serial.h"
#include "arch/x86/asm.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define UART_THR 0   /* transmit holding (DLAB=0) */
#define UART_DLL 0   /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LCR_DLAB 0x80
#define LSR_THRE 0x20

struct uart {
    struct console con;
    uint16_t io;
    uint32_t baud;        /* 0: keep what the firmware programmed */
    uint32_t clock;       /* input clock / 16 */
    uint8_t lcr;          /* data bits, parity, stop bits */
    uint8_t irq;
};

static void uart_write(struct console *c, const char *s, size_t n);

static struct uart uarts[2] = {
    { { "com1", uart_write, NULL }, 0x3F8, 115200, 115200, 0x03, 4 },
    { { "com2", uart_write, NULL }, 0x2F8, 115200, 115200, 0x03, 3 },
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
        console_register(&u->con);
    }
}
