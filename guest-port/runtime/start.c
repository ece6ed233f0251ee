/* guest_start(): the runtime's start of day, between head.S and the guest's guest_main(). */
#include "guest/console.h"
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/runtime.h"
#include "guest/traps.h"

start_info_t *start_info;
shared_info_t *shared_info;
bool events_usable;

/* Everything on unless the guest defines its own guest_options (GUEST_OPTIONS). */
__attribute__((weak)) const struct guest_options guest_options;

/*
 * The shared info page is not mapped at start of day: start_info.shared_info holds its
 * machine address.  We map it over a page-aligned page of our own .bss, which is inside
 * the start-of-day mapping and so has an L1 entry already; the frame that backed that
 * page stays ours, unmapped and unused.
 */
uint8_t shared_info_window[4096] PAGE_ALIGNED; /* global: the event callback (entry.S) */

extern uint8_t shared_info_window[4096];
NORETURN void guest_start(start_info_t *si);

vcpu_info_t *vcpu0(void)
{
    return shared_info ? &shared_info->vcpu_info[0] : NULL;
}

/*
 * Without the page a guest still runs, but learns no fault address (CR2) and takes no
 * events: say so and go on, so that guests testing other hypercalls still run on a
 * monitor without update_va_mapping.
 */
static void map_shared_info(void)
{
    unsigned long mfn = start_info->shared_info >> PAGE_SHIFT;
    int rc = map_page((uintptr_t)shared_info_window, pte_make(mfn, PTE_KERNEL_RW));

    if (rc != 0) {
        printk("runtime: shared info not mapped (update_va_mapping: %d, %s): no fault "
               "addresses, no events\n",
               rc, errname(rc));
        return;
    }
    shared_info = (shared_info_t *)shared_info_window;
}

static void check_start_info(void)
{
    static const char magic[] = "xen-3.0-x86_32p";

    if (memcmp(start_info->magic, magic, sizeof(magic) - 1) != 0) {
        panic("start_info magic is \"%.31s\", not \"%s\"", start_info->magic, magic);
    }
}

void guest_start(start_info_t *si)
{
    start_info = si;
    check_start_info();
    if (!guest_options.no_shared_info) {
        map_shared_info();
    }
    if (!guest_options.no_trap_table) {
        traps_set_defaults();
        check_hypercall(traps_load(), "set_trap_table");
    }
    if (!guest_options.no_callbacks && shared_info) {
        int rc = events_init();
        if (rc != 0) {
            printk("runtime: no event callbacks (%d, %s): events stay masked\n", rc, errname(rc));
        }
    }
    guest_shutdown(guest_main() == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

void guest_shutdown(unsigned int reason)
{
    int rc = HYPERVISOR_shutdown(reason);

    printk("runtime: SCHEDOP_shutdown(%u) returned %d (%s)\n", reason, rc, errname(rc));
    for (;;) {
        HYPERVISOR_shutdown(reason);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}
