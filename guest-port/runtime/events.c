/* Event callbacks: the runtime serves no event channel, so it masks whatever arrives. */
#include "guest/events.h"
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "guest/traps.h"

extern char event_callback_entry[], failsafe_callback_entry[];

unsigned long events_seen;

static int register_callback(unsigned int type, const void *entry)
{
    struct callback_register cb = {
        .type = (uint16_t)type,
        .address = {.cs = FLAT_KERNEL_CS, .eip = (unsigned long)(uintptr_t)entry},
    };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

int events_init(void)
{
    int rc = register_callback(CALLBACKTYPE_event, event_callback_entry);

    if (rc == -XEN_ENOSYS) {
        rc = HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, (unsigned long)event_callback_entry,
                                      FLAT_KERNEL_CS, (unsigned long)failsafe_callback_entry);
    } else if (rc == 0) {
        rc = register_callback(CALLBACKTYPE_failsafe, failsafe_callback_entry);
    }
    events_usable = rc == 0;
    return rc;
}

unsigned int events_mask_get(void)
{
    vcpu_info_t *v = vcpu0();

    return v ? v->evtchn_upcall_mask : 1;
}

/*
 * Unmasking does not by itself make the monitor look at pending events: it does so when
 * it next returns to us, so a pending event is pulled in with a harmless hypercall.
 */
void events_mask_set(unsigned int mask)
{
    vcpu_info_t *v = vcpu0();

    if (!v) {
        return;
    }
    barrier();
    v->evtchn_upcall_mask = (uint8_t)mask;
    barrier();
    if (!mask && v->evtchn_upcall_pending) {
        HYPERVISOR_xen_version(XENVER_version, NULL);
    }
}

/* Acknowledges and masks every pending port: clear the vCPU flag, the selector, the bits. */
void guest_event(struct guest_regs *regs)
{
    vcpu_info_t *v = vcpu0();
    unsigned long sel;

    (void)regs;
    v->evtchn_upcall_pending = 0;
    barrier();
    sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned int i = (unsigned int)__builtin_ctzl(sel);
        unsigned long bits = shared_info->evtchn_pending[i] & ~shared_info->evtchn_mask[i];

        sel &= sel - 1;
        __atomic_fetch_or(&shared_info->evtchn_mask[i], bits, __ATOMIC_SEQ_CST);
        __atomic_fetch_and(&shared_info->evtchn_pending[i], ~bits, __ATOMIC_SEQ_CST);
        events_seen += (unsigned long)__builtin_popcountl(bits);
    }
}

void guest_failsafe(uint32_t *frame)
{
    panic("failsafe callback: the monitor could not return to %04x:%08x "
          "(ds %04x es %04x fs %04x gs %04x)",
          frame[5] & 0xffff, frame[4], frame[0] & 0xffff, frame[1] & 0xffff, frame[2] & 0xffff,
          frame[3] & 0xffff);
}
