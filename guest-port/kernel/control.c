/*
 * The store's requests to the kernel: control/shutdown (poweroff, reboot) and
 * memory/target (the balloon), heard through xenbus watches and acted on at the next
 * yield.  Without a store (the initial domain) nothing is registered.
 *
 * The command line option xs_selftest=poweroff (or reboot) makes the kernel write that
 * request into its own control/shutdown (a node the guest may write, as on Xen) once its
 * processes are done, and then wait for the watch: the same path the monitor's request
 * takes.  The option await_shutdown makes it stay after its processes, serving memory/target
 * and waiting for control/shutdown (the operator's mem-set and shutdown).
 */
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "guest/xenbus.h"
#include "kernel.h"

static bool have_store;

static void on_shutdown(const char *path, const char *token, void *arg)
{
    char req[16];
    (void)path;
    (void)token;
    (void)arg;
    if (xenbus_read(0, "control/shutdown", req, sizeof(req)) <= 0) {
        return;     /* empty: nothing asked (the initial firing) */
    }
    /* Cleared first, as Xen's guests do: the request was heard. */
    xenbus_write(0, "control/shutdown", "");
    if (!strcmp(req, "poweroff") || !strcmp(req, "halt")) {
        printk("mini kernel: control/shutdown: %s\n", req);
        guest_shutdown(SHUTDOWN_poweroff);
    } else if (!strcmp(req, "reboot")) {
        printk("mini kernel: control/shutdown: reboot\n");
        guest_shutdown(SHUTDOWN_reboot);
    }
    printk("mini kernel: control/shutdown: \"%s\" is not a request this kernel knows\n", req);
}

static void on_target(const char *path, const char *token, void *arg)
{
    uint64_t kib = 0;
    long held;
    (void)path;
    (void)token;
    (void)arg;
    if (xenbus_read_u64(0, "memory/target", &kib) != 0) {
        return;
    }
    held = frames_balloon((unsigned long)(kib / 4));
    printk("mini kernel: memory/target %llu KiB: holding %ld pages\n",
           (unsigned long long)kib, held);
}

void control_init(void)
{
    if (xenbus_init() != 0) {
        return;
    }
    have_store = xenbus_watch("control/shutdown", "shutdown", on_shutdown, NULL) == 0 &&
                 xenbus_watch("memory/target", "target", on_target, NULL) == 0;
    if (!have_store) {
        printk("mini kernel: the store refused our watches; no control requests\n");
    }
    control_poll();
}

void control_poll(void)
{
    if (have_store) {
        xenbus_dispatch_watches();
    }
}

/* balloon_selftest=<pages>: the balloon on its own, as a lower memory/target would drive it
 * (the monitor's operator sets that node; a guest may not). */
static void balloon_selftest(void)
{
    const char *opt = strstr((const char *)start_info->cmd_line, "balloon_selftest=");
    unsigned long pages = 0;
    if (!opt) {
        return;
    }
    for (opt += 17; *opt >= '0' && *opt <= '9'; opt++) {
        pages = pages * 10 + (unsigned long)(*opt - '0');
    }
    printk("mini kernel: balloon to %lu pages: holding %ld pages\n", pages, frames_balloon(pages));
}

void control_done(void)
{
    const char *opt = strstr((const char *)start_info->cmd_line, "xs_selftest=");
    char req[16];
    size_t n = 0;
    control_poll();
    balloon_selftest();
    if (have_store && strstr((const char *)start_info->cmd_line, "await_shutdown")) {
        /* await_shutdown: stay, serving the watches, until the operator's shutdown. */
        printk("mini kernel: waiting for control/shutdown\n");
        for (;;) {
            control_poll();
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        }
    }
    if (!opt || !have_store) {
        return;
    }
    for (opt += 12; n < sizeof(req) - 1 && opt[n] && opt[n] != ' '; n++) {
        req[n] = opt[n];
    }
    req[n] = '\0';
    printk("mini kernel: asking ourselves through control/shutdown: %s\n", req);
    if (xenbus_write(0, "control/shutdown", req) != 0) {
        printk("mini kernel: control/shutdown could not be written\n");
        return;
    }
    for (int i = 0; i < 1000; i++) {
        control_poll();     /* does not return once the watch acted */
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    printk("mini kernel: the watch on control/shutdown never fired\n");
}
