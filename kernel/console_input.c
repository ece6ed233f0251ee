/* Serial input: the focus (monitor or a domain), Ctrl-A x3 switching, per-domain buffers. */
#include "kernel/console_input.h"
#include "kernel/backend.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/opcon.h"
#include "kernel/printk.h"

/* What one domain was sent and has not read yet; free-running indices. */
struct input_buf {
    const struct domain *owner; /* NULL: unused */
    uint32_t prod, cons;
    uint32_t dropped; /* bytes lost to a full buffer */
    char data[CONSOLE_INPUT_BUF];
};

static spinlock_t rx_lock = SPINLOCK_INIT;     /* everything typed, in order (see the header) */
static uint16_t focus;                         /* 0: the monitor; rx_lock */
static unsigned int switch_count;              /* Ctrl-As in a row; rx_lock */
static char switch_char = CONSOLE_SWITCH_CHAR; /* conswitch=: set before input starts */
static char switch_letter = 'A';

/*
 * conswitch=<letter>: Ctrl-<letter> three times switches (Xen's option).  On a terminal
 * that QEMU multiplexes (mon:stdio) Ctrl-A is QEMU's own escape, so Ctrl-B is handier there.
 */
static int parse_conswitch(const char *v)
{
    if (!v || !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) || v[1]) {
        return -EINVAL;
    }
    switch_letter = (char)(v[0] & ~0x20);
    switch_char = (char)(switch_letter - 'A' + 1);
    return 0;
}
custom_param("conswitch", parse_conswitch, "a letter: Ctrl-<letter> three times switches input");

static spinlock_t buf_lock = SPINLOCK_INIT; /* bufs[] */
static struct input_buf bufs[MAX_DOMAINS];

static void announce(const struct domain *d)
{
    if (d) {
        pr_info("*** Switching input to domain %u (%s) (type Ctrl-%c three times to switch "
                "input)\n",
                d->id, d->name, switch_letter);
    } else {
        pr_info("*** Switching input to the monitor (type Ctrl-%c three times to switch "
                "input; 'help' for commands)\n",
                switch_letter);
    }
}

/*
 * A domain that has shut down (or crashed and is preserved) reads nothing more; the
 * scheduler destroys it only when its CPU next goes idle, so the focus must not wait.
 */
static bool takes_input(const struct domain *d)
{
    return d && READ_ONCE(d->state) == DOMAIN_RUNNING;
}

/* The next running domain after the focus in id order, or the monitor after the last. */
static struct domain *next_focus(void)
{
    for (uint16_t id = focus + 1; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (takes_input(d)) {
            return d;
        }
    }
    return NULL;
}

/* rx_lock held. */
static void set_focus(struct domain *d)
{
    focus = d ? d->id : 0;
    announce(d);
}

uint16_t console_input_focus_id(void)
{
    return READ_ONCE(focus);
}

void console_input_set_focus(struct domain *d)
{
    set_focus(d);
}

/* Queues one byte for d and raises its VIRQ_CONSOLE (when it bound one). */
static void domain_input(struct domain *d, char c)
{
    struct input_buf *b = &bufs[d->id];
    bool lost = false;
    uint32_t f = spin_lock_irqsave(&buf_lock);
    if (b->owner != d) {
        *b = (struct input_buf){.owner = d};
    }
    if (b->prod - b->cons < CONSOLE_INPUT_BUF) {
        b->data[b->prod++ % CONSOLE_INPUT_BUF] = c;
    } else {
        /* As Xen's serial ring: what does not fit is lost; the first loss is reported. */
        lost = b->dropped++ == 0;
    }
    spin_unlock_irqrestore(&buf_lock, f);
    if (lost) {
        pr_warn("console: input for domain %u (%s) dropped: %u bytes unread\n", d->id, d->name,
                CONSOLE_INPUT_BUF);
    }
    evtchn_send_global_virq(d, VIRQ_CONSOLE);
    backend_kick(d, BACKEND_CONSOLE);   /* its console ring, if it has one, takes it next */
}

/* One byte to whoever has the focus; rx_lock held. */
static void deliver(char c)
{
    struct domain *d = focus ? domain_by_id(focus) : NULL;
    if (focus && !takes_input(d)) {
        set_focus(NULL); /* it shut down: the byte is the monitor's */
        d = NULL;
    }
    if (d) {
        domain_input(d, c);
    } else {
        opcon_input(c);
    }
}

void console_rx(char c)
{
    uint32_t f = spin_lock_irqsave(&rx_lock);
    if (c == switch_char) {
        if (++switch_count == 3) {
            switch_count = 0;
            set_focus(next_focus());
        }
    } else {
        /* Fewer than three Ctrl-As were meant for the focus: pass them on first. */
        for (; switch_count; switch_count--) {
            deliver(switch_char);
        }
        deliver(c);
    }
    spin_unlock_irqrestore(&rx_lock, f);
}

size_t console_input_take(struct domain *d, char *buf, size_t n, uint32_t *pos)
{
    struct input_buf *b = &bufs[d->id];
    size_t got = 0;
    uint32_t f = spin_lock_irqsave(&buf_lock);
    if (b->owner == d) {
        for (; got < n && b->cons != b->prod; got++) {
            buf[got] = b->data[b->cons++ % CONSOLE_INPUT_BUF];
        }
    }
    *pos = b->cons;
    spin_unlock_irqrestore(&buf_lock, f);
    return got;
}

void console_input_untake(struct domain *d, uint32_t pos, size_t n)
{
    struct input_buf *b = &bufs[d->id];
    uint32_t f = spin_lock_irqsave(&buf_lock);
    /* Only if nobody took since, and the producer has not wrapped over the bytes. */
    if (b->owner == d && b->cons == pos && b->prod - (pos - (uint32_t)n) <= CONSOLE_INPUT_BUF) {
        b->cons = pos - (uint32_t)n;
    }
    spin_unlock_irqrestore(&buf_lock, f);
}

void console_input_domain_gone(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&rx_lock);
    uint32_t g = spin_lock_irqsave(&buf_lock);
    if (bufs[d->id].owner == d) {
        bufs[d->id] = (struct input_buf){.owner = NULL};
    }
    spin_unlock_irqrestore(&buf_lock, g);
    if (focus == d->id) {
        set_focus(NULL);
    }
    opcon_domain_gone(d);
    spin_unlock_irqrestore(&rx_lock, f);
}
