/* console_io: guest console output, line-buffered and prefixed with the domain's name. */
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
        /* Only the initial domain reads the console; no input is buffered yet. */
        if (!v->domain->cfg.privileged) {
            return -EPERM;
        }
        return guest_range_ok(buf, count) ? 0 : -EFAULT;
    default:
        return -ENOSYS;
    }
}
