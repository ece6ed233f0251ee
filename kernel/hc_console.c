/* console_io: guest console output, line-buffered and prefixed with the domain's name. */
#include "kernel/console_input.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/guest_copy.h"

#define LINE_MAX 160
#define CHUNK    128
#define CONSOLE_WRITE_MAX (16u << 10)

/* One partial line per domain: a line is printed whole, with the name before it. */
struct line_buf {
    uint16_t domid;
    uint16_t len;
    char text[LINE_MAX];
};
static struct line_buf lines[MAX_DOMAINS];

static void flush_line(struct domain *d, struct line_buf *b)
{
    printk(LOG_INFO, "[%s] %.*s\n", d->name, (int)b->len, b->text);
    b->len = 0;
}

void domain_console_write(struct domain *d, const char *s, size_t n)
{
    struct line_buf *b = &lines[d->id];
    if (b->domid != d->id) {
        b->domid = d->id;
        b->len = 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            flush_line(d, b);
            continue;
        }
        if (c == '\r') {
            continue;
        }
        /* Control bytes would let a guest drive the operator's terminal: show them as '?'. */
        b->text[b->len++] = (c < 0x20 && c != '\t') || c == 0x7F ? '?' : c;
        if (b->len == LINE_MAX) {
            flush_line(d, b);
        }
    }
}

/*
 * CONSOLEIO_read: what the operator typed for this domain, up to count bytes; returns the
 * number copied (0 when nothing waits).  As on Xen, only the privileged domain reads the
 * console this way; the others' input waits for their console ring (docs/console.md).
 */
static long console_read(struct domain *d, uint32_t buf, uint32_t count)
{
    char chunk[CHUNK];
    uint32_t done = 0, pos;
    if (!d->cfg.privileged) {
        return -EPERM;
    }
    if (!guest_range_ok(buf, count)) {
        return -EFAULT;
    }
    while (done < count) {
        size_t n = console_input_take(d, chunk, MIN(count - done, (uint32_t)CHUNK), &pos);
        if (!n) {
            break;
        }
        if (copy_to_guest(buf + done, chunk, n)) {
            console_input_untake(d, pos, n);
            return done ? (long)done : -EFAULT;
        }
        done += (uint32_t)n;
    }
    return (long)done;
}

long do_console_io(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], count = a[1], buf = a[2];
    char chunk[CHUNK];
    switch (cmd) {
    case CONSOLEIO_write:
        /* Bounded work per call: the monitor writes with interrupts off. */
        if (count > CONSOLE_WRITE_MAX) {
            return -EINVAL;
        }
        if (!guest_range_ok(buf, count)) {
            return -EFAULT;
        }
        for (uint32_t done = 0; done < count;) {
            uint32_t n = MIN(count - done, (uint32_t)CHUNK);
            if (copy_from_guest(chunk, buf + done, n)) {
                return -EFAULT;
            }
            domain_console_write(v->domain, chunk, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        return console_read(v->domain, buf, count);
    default:
        return -ENOSYS;
    }
}
