/*
 * Hostile guest: event deliveries that cannot succeed, which must crash this domain alone
 * (the harness runs a bystander next to it).  mode= on the command line:
 *
 *   stack     an event becomes deliverable while the stack pointer is in an unmapped page:
 *             the upcall's frame cannot be written;
 *   callback  the event and failsafe callbacks point into the monitor (a selector check
 *             cannot see that): returning into the callback faults, then so does the
 *             failsafe one.
 *
 * Reaching the end of guest_main() is a failure: the domain should be gone by then.
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hostile_evtchn_crash");

#define UNMAPPED_VA 0x00001000UL
#define MONITOR_VA  0xFF000000UL

struct evtchn_send hec_send;

/* The send hypercall with ESP in an unmapped page; the delivery on its way out fails. */
__asm__(".text\n"
        "hec_send_on_bad_stack:\n"
        "    movl $0x1000, %esp\n"
        "    movl $32, %eax\n" /* __HYPERVISOR_event_channel_op */
        "    movl $4, %ebx\n"  /* EVTCHNOP_send */
        "    movl $hec_send, %ecx\n"
        "    int $0x82\n"
        "    ud2\n");
extern char hec_send_on_bad_stack[];

static evtchn_port_t self_ipi(void)
{
    evtchn_port_t p = 0;

    check_hypercall(evtchn_bind_ipi(0, &p), "bind_ipi");
    return p;
}

static void crash_on_stack(void)
{
    static_assert(__HYPERVISOR_event_channel_op == 32 && EVTCHNOP_send == 4, "the asm's numbers");
    hec_send.port = self_ipi();
    events_mask_set(0);
    test_note("sending with the stack at %#lx", UNMAPPED_VA);
    __asm__ volatile("jmp hec_send_on_bad_stack");
}

static void crash_on_callback(void)
{
    evtchn_port_t p = self_ipi();

    events_mask_set(1);
    check_hypercall(HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, MONITOR_VA, FLAT_KERNEL_CS, MONITOR_VA),
                    "set_callbacks");
    test_note("event callback at %#lx", MONITOR_VA);
    evtchn_send(p);
    events_mask_set(0); /* the next exit delivers it */
}

int guest_main(void)
{
    const char *line = (const char *)start_info->cmd_line;

    if (!events_usable) {
        test_error("no event callbacks");
    }
    if (strstr(line, "mode=stack")) {
        crash_on_stack();
    } else if (strstr(line, "mode=callback")) {
        crash_on_callback();
    } else {
        test_error("mode=stack or mode=callback");
    }
    TEST_CHECK(false, "still running after the delivery that should have crashed us");
    test_finish();
}
