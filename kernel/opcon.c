/*
 * The monitor's command line on the serial console: line editing with echo, then the
 * command parser (kernel/opcmd.c) and the commands themselves.  A line of one character is
 * a debug key: Xen's keys act on a single keystroke, but here commands share their first
 * letters with keys ("help" and h), so a key is typed alone and then Enter.
 */
#include "kernel/opcon.h"
#include "arch/x86/time.h"
#include "kernel/console.h"
#include "kernel/console_input.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/opcmd.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/xs_ring.h"

#define CTRL_U 0x15

/* The line being typed; only console_rx() (under its rx_lock) touches it. */
static char line[OPCMD_LINE_MAX + 1];
static size_t line_len;
static bool line_overflow;
static bool last_was_cr;

/* Domains the operator paused (one level, as xl's pause/unpause pair); rx_lock. */
static const struct domain *op_paused[MAX_DOMAINS];

static void echo(const char *s)
{
    console_echo(s, strlen(s));
}

void opcon_domain_gone(const struct domain *d)
{
    if (op_paused[d->id] == d) {
        op_paused[d->id] = NULL;
    }
}

void opcon_help(void)
{
    pr_info("Debug keys (type the key alone, then Enter):\n");
    for (unsigned int i = 0; i < opkey_nr_specs; i++) {
        pr_info("  %c  %s\n", opkey_specs[i].key, opkey_specs[i].help);
    }
    pr_info("Commands:\n");
    for (unsigned int i = 0; i < opcmd_nr_specs; i++) {
        pr_info("  %-36s %s\n", opcmd_specs[i].usage, opcmd_specs[i].help);
    }
    pr_info("Ctrl-A (or the conswitch= letter) three times moves serial input to the next "
            "domain, then back here.\n");
}

/* The domain a command names, or NULL after saying there is none. */
static struct domain *find_domain(const struct opcmd *c)
{
    struct domain *d = domain_by_id(c->domid);
    if (!d) {
        pr_info("console: no domain %u ('list' shows them)\n", c->domid);
    }
    return d;
}

/* xl's state letters: running, blocked, paused, shut down, crashed (dying: never shown). */
static void state_letters(const struct domain *d, char s[7])
{
    bool running = false, blocked = true;
    memcpy(s, "------", 7);
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        running |= d->vcpu[i]->running;
        blocked &= !d->vcpu[i]->up || d->vcpu[i]->blocked;
    }
    s[0] = running ? 'r' : '-';
    s[1] = blocked && !running ? 'b' : '-';
    s[2] = d->pause_count ? 'p' : '-';
    s[3] = d->state != DOMAIN_RUNNING && !d->crashed ? 's' : '-';
    s[4] = d->crashed ? 'c' : '-';
}

static void cmd_list(void)
{
    unsigned int n = 0;
    pr_info("%-31s %5s %8s %5s %6s\n", "Name", "ID", "Mem(MiB)", "VCPUs", "State");
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        char st[7];
        if (!d) {
            continue;
        }
        state_letters(d, st);
        pr_info("%-31s %5u %8u %5u %6s\n", d->name, d->id, d->tot_pages >> 8, d->nr_vcpus, st);
        n++;
    }
    if (!n) {
        pr_info("(no domains)\n");
    }
}

static void cmd_pause(struct domain *d)
{
    if (d->state != DOMAIN_RUNNING) {
        pr_info("console: domain %u (%s) is not running\n", d->id, d->name);
    } else if (op_paused[d->id] == d) {
        pr_info("console: domain %u (%s) is paused already\n", d->id, d->name);
    } else {
        op_paused[d->id] = d;
        domain_pause(d);
        pr_info("console: domain %u (%s) paused\n", d->id, d->name);
    }
}

static void cmd_unpause(struct domain *d)
{
    if (op_paused[d->id] != d) {
        pr_info("console: domain %u (%s) is not paused\n", d->id, d->name);
        return;
    }
    op_paused[d->id] = NULL;
    domain_unpause(d);
    pr_info("console: domain %u (%s) unpaused\n", d->id, d->name);
}

/*
 * Asks the guest through xenstore's control/shutdown, as xl does; a guest that does not
 * act in time is shut down by the monitor (kernel/xs_ring.c).  A guest without a store
 * (the initial domain) is shut down at once, as if it had called SCHEDOP_shutdown.
 */
static void cmd_shutdown(struct domain *d)
{
    if (d->state != DOMAIN_RUNNING) {
        pr_info("console: domain %u (%s) is not running; 'destroy %u' ends it\n", d->id, d->name,
                d->id);
        return;
    }
    pr_info("console: shutting domain %u (%s) down (control/shutdown, or at once without a "
            "store)\n", d->id, d->name);
    xs_request_shutdown(d, "poweroff");
}

/* mem-set: the guest's balloon target in xenstore (memory/target). */
static void cmd_mem_set(struct domain *d, uint64_t kib)
{
    int rc = xs_set_memory_target(d, kib);
    if (rc == 0) {
        pr_info("console: domain %u (%s): memory/target %llu KiB\n", d->id, d->name, kib);
    } else if (rc == -EINVAL) {
        pr_info("console: mem-set: %llu KiB is above domain %u's maximum (%u KiB)\n", kib, d->id,
                d->max_pages * 4);
    } else if (rc == -ENOENT) {
        pr_info("console: mem-set: domain %u (%s) has no xenstore, so no balloon to ask\n",
                d->id, d->name);
    } else {
        pr_info("console: mem-set: the store refused (%d)\n", rc);
    }
}

/*
 * Ends a domain in any state, a preserved crashed one included: it is marked shut down for
 * good (no restart) and the scheduler destroys it once none of its vCPUs is on a CPU.
 */
static void cmd_destroy(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&d->lock);
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = SHUTDOWN_poweroff;
    d->crashed = false;
    spin_unlock_irqrestore(&d->lock, f);
    pr_info("console: destroying domain %u (%s)\n", d->id, d->name);
    sched_request();
}

static void show_credit(const struct domain *d)
{
    unsigned int weight, cap;
    sched_credit_get(d, &weight, &cap);
    pr_info("console: domain %u (%s): weight %u, cap %u%s\n", d->id, d->name, weight, cap,
            cap ? "%" : " (none)");
}

/* sched-credit: every domain's weight and cap; one domain's; or sets them. */
static void cmd_sched_credit(const struct opcmd *c)
{
    struct domain *d;
    if (!c->has_domid) {
        for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
            if ((d = domain_by_id(id)) != NULL) {
                show_credit(d);
            }
        }
        return;
    }
    if (!(d = find_domain(c))) {
        return;
    }
    if ((c->has_weight || c->has_cap) &&
        sched_credit_set(d, c->has_weight ? c->weight : -1, c->has_cap ? c->cap : -1)) {
        pr_info("console: sched-credit: weight 1-65535, cap 0-%u for domain %u (%u vCPUs)\n",
                100 * d->nr_vcpus, d->id, d->nr_vcpus);
        return;
    }
    show_credit(d);
}

static void cmd_console(struct domain *d)
{
    if (d->state != DOMAIN_RUNNING) {
        pr_info("console: domain %u (%s) is not running; input stays here\n", d->id, d->name);
        return;
    }
    console_input_set_focus(d);
}

static void cmd_uptime(void)
{
    uint64_t ms = time_now_ns() / 1000000;
    uint32_t s = (uint32_t)(ms / 1000);
    pr_info("uptime: %u days, %02u:%02u:%02u.%03u (%llu ms since the clock started)\n", s / 86400,
            s / 3600 % 24, s / 60 % 60, s % 60, (uint32_t)(ms % 1000), ms);
}

static void run(const struct opcmd *c)
{
    struct domain *d = NULL;
    bool needs_domain = c->kind == OPCMD_PAUSE || c->kind == OPCMD_UNPAUSE ||
                        c->kind == OPCMD_SHUTDOWN || c->kind == OPCMD_DESTROY ||
                        c->kind == OPCMD_CONSOLE || c->kind == OPCMD_MEM_SET;
    if (needs_domain && !(d = find_domain(c))) {
        return;
    }
    switch (c->kind) {
    case OPCMD_EMPTY:
        break;
    case OPCMD_KEY:
        keyhandler_run(c->key);
        break;
    case OPCMD_LIST:
        cmd_list();
        break;
    case OPCMD_PAUSE:
        cmd_pause(d);
        break;
    case OPCMD_UNPAUSE:
        cmd_unpause(d);
        break;
    case OPCMD_SHUTDOWN:
        cmd_shutdown(d);
        break;
    case OPCMD_DESTROY:
        cmd_destroy(d);
        break;
    case OPCMD_SCHED_CREDIT:
        cmd_sched_credit(c);
        break;
    case OPCMD_MEM_SET:
        cmd_mem_set(d, c->mem_kib);
        break;
    case OPCMD_CONSOLE:
        cmd_console(d);
        break;
    case OPCMD_UPTIME:
        cmd_uptime();
        break;
    case OPCMD_HELP:
        opcon_help();
        break;
    }
}

static void end_of_line(void)
{
    struct opcmd c;
    struct opcmd_error err;
    echo("\n");
    line[line_len] = '\0';
    if (line_overflow) {
        pr_info("console: line longer than %u characters, ignored\n", OPCMD_LINE_MAX);
    } else if (opcmd_parse(line, &c, &err)) {
        pr_info("console: '%s': %s\n", line, err.reason);
        pr_info("usage: %s\n", err.usage);
    } else {
        run(&c);
    }
    line_len = 0;
    line_overflow = false;
}

void opcon_input(char c)
{
    bool cr = c == '\r';
    if (c == '\n' && last_was_cr) {
        last_was_cr = false; /* the LF of a CR LF pair */
        return;
    }
    last_was_cr = cr;
    if (cr || c == '\n') {
        end_of_line();
    } else if (c == '\b' || c == 0x7F) {
        if (line_len) {
            line_len--;
            echo("\b \b");
        }
    } else if (c == CTRL_U) {
        line_len = 0;
        line_overflow = false;
        echo("^U\n");
    } else if (c >= 0x20 && c < 0x7F) {
        char s[2] = {c, '\0'};
        if (line_len == OPCMD_LINE_MAX) {
            line_overflow = true;
            return;
        }
        line[line_len++] = c;
        echo(s);
    }
}
