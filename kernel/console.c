/* The console multiplexer: console= selects devices; output goes to each of them. */
#include "kernel/console.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

#define CONSOLE_NAMES_MAX 64

static char console_opt[CONSOLE_NAMES_MAX] = "com1,vga";
static struct console *attached;

static int parse_console(const char *v)
{
    const char *p = v;
    if (!v || !*v) {
        return -EINVAL;
    }
    /* Accept only known device names, so a typo is reported rather than ignored. */
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!((len == 4 && (!strncmp(p, "com1", 4) || !strncmp(p, "com2", 4))) ||
              (len == 3 && !strncmp(p, "vga", 3)) || (len == 4 && !strncmp(p, "none", 4)))) {
            return -EINVAL;
        }
        p += len + (end ? 1 : 0);
    }
    if (strlcpy(console_opt, v, sizeof(console_opt)) >= sizeof(console_opt)) {
        return -EINVAL;
    }
    return 0;
}
custom_param("console", parse_console, "comma-separated list of com1, com2, vga, none");

bool console_selected(const char *name)
{
    size_t n = strlen(name);
    for (const char *p = console_opt; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) {
            return true;
        }
        p += len + (end ? 1 : 0);
    }
    return false;
}

void console_register(struct console *c)
{
    if (console_selected(c->name)) {
        printk_attach_console(c);
    }
}

void console_attach_locked(struct console *c)
{
    c->next = attached;
    attached = c;
}

void console_write(const char *s, size_t n)
{
    for (struct console *c = attached; c; c = c->next) {
        c->write(c, s, n);
    }
}
