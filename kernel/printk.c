/* printk: leveled messages into the log ring and out to the selected consoles. */
#include "kernel/printk.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/spinlock.h"

#define LOG_RING_SIZE (64u * 1024)

/*
 * The log ring keeps the newest LOG_RING_SIZE bytes of every message, each line prefixed by
 * "<n>" with its level, so a console attached late can replay it with the right filter.
 * Protected by printk_lock, which is IRQ-safe: traps print too.
 */
static spinlock_t printk_lock = SPINLOCK_INIT;
static char log_ring[LOG_RING_SIZE];
static uint32_t log_head;          /* total bytes ever written; ring index = head % size */
static unsigned int console_level = LOG_INFO;
static bool at_line_start = true;

static int parse_loglvl(const char *v)
{
    static const char *const names[] = { "none", "error", "warning", "info", "debug", "all" };
    for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
        if (v && strcmp(v, names[i]) == 0) {
            console_level = i < 5 ? i : LOG_DEBUG;
            return 0;
        }
    }
    return -EINVAL;
}
custom_param("loglvl", parse_loglvl, "none|error|warning|info|debug|all");

static void ring_put(char c)
{
    log_ring[log_head % LOG_RING_SIZE] = c;
    log_head++;
}

static const char *level_tag(enum log_level level)
{
    switch (level) {
    case LOG_ERR: return "(ERR) ";
    case LOG_WARN: return "(WARN) ";
    case LOG_DEBUG: return "(DBG) ";
    default: return "";
    }
}

/* Emits one formatted message; printk_lock held. */
static void emit(enum log_level level, const char *text, size_t len)
{
    bool show = (unsigned int)level <= console_level;
    for (size_t i = 0; i < len; i++) {
        if (at_line_start) {
            const char *tag = level_tag(level);
            ring_put('<');
            ring_put((char)('0' + level));
            ring_put('>');
            if (show && *tag) {
                console_write(tag, strlen(tag));
            }
            at_line_start = false;
        }
        ring_put(text[i]);
        at_line_start = text[i] == '\n';
    }
    if (show) {
        console_write(text, len);
    }
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    uint32_t flags = spin_lock_irqsave(&printk_lock);
    emit(level, buf, len);
    spin_unlock_irqrestore(&printk_lock, flags);
}

void printk(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(level, fmt, ap);
    va_end(ap);
}

/* Replays the ring onto one console, filtered by level.  Caller holds printk_lock. */
static void replay(struct console *c)
{
    uint32_t start = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
    bool show = false, line_start = true;
    for (uint32_t i = start; i < log_head; i++) {
        char ch = log_ring[i % LOG_RING_SIZE];
        if (line_start && ch == '<' && i + 2 < log_head) {
            unsigned int level = (unsigned int)(log_ring[(i + 1) % LOG_RING_SIZE] - '0');
            const char *tag = level_tag((enum log_level)level);
            show = level <= console_level;
            if (show && *tag) {
                c->write(c, tag, strlen(tag));
            }
            i += 2;
            line_start = false;
            continue;
        }
        if (show) {
            c->write(c, &ch, 1);
        }
        line_start = ch == '\n';
    }
}

void printk_attach_console(struct console *c)
{
    uint32_t flags = spin_lock_irqsave(&printk_lock);
    replay(c);
    console_attach_locked(c);
    spin_unlock_irqrestore(&printk_lock, flags);
}

size_t printk_ring_tail(char *buf, size_t size)
{
    uint32_t flags = spin_lock_irqsave(&printk_lock);
    uint32_t avail = log_head < LOG_RING_SIZE ? log_head : LOG_RING_SIZE;
    size_t n = size ? MIN((size_t)avail, size - 1) : 0;
    for (size_t i = 0; i < n; i++) {
        buf[i] = log_ring[(log_head - n + i) % LOG_RING_SIZE];
    }
    if (size) {
        buf[n] = '\0';
    }
    spin_unlock_irqrestore(&printk_lock, flags);
    return n;
}

void printk_force_unlock(void)
{
    spin_lock_init(&printk_lock);
}

void console_echo(const char *s, size_t n)
{
    uint32_t flags = spin_lock_irqsave(&printk_lock);
    console_write(s, n);
    spin_unlock_irqrestore(&printk_lock, flags);
}
