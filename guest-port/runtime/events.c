/*
 * Event channels on the guest side: callback registration, the 2-level demultiplexer the
 * event callback calls (entry.S), per-port handlers, port bits, event_channel_op wrappers.
 */
#include "guest/events.h"
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "guest/traps.h"

/* entry.S addresses vCPU 0's two flags at fixed offsets of the shared info page. */
static_assert(offsetof(shared_info_t, vcpu_info) == 0, "entry.S: vcpu_info[0] first");
static_assert(offsetof(vcpu_info_t, evtchn_upcall_pending) == 0, "entry.S: pending at 0");
static_assert(offsetof(vcpu_info_t, evtchn_upcall_mask) == 1, "entry.S: mask at 1");

#define WORD_BITS (8 * sizeof(xen_ulong_t))

extern char event_callback_entry[], failsafe_callback_entry[];

unsigned long events_seen, events_unhandled;
const struct guest_regs *events_interrupted;

static struct {
    evtchn_handler_t fn;
    void *arg;
} handlers[EVTCHN_PORTS];

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
 * The monitor looks for pending events whenever it returns to us, so any hypercall has a
 * pending event delivered once events are unmasked.
 */
static void pull_pending_event(void)
{
    HYPERVISOR_xen_version(XENVER_version, NULL);
}

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
        pull_pending_event();
    }
}

/* ---- port bits ---- */

static xen_ulong_t port_bit(evtchn_port_t port)
{
    return (xen_ulong_t)1 << (port % WORD_BITS);
}

void evtchn_mask(evtchn_port_t port)
{
    if (shared_info && port < EVTCHN_PORTS) {
        __atomic_fetch_or(&shared_info->evtchn_mask[port / WORD_BITS], port_bit(port),
                          __ATOMIC_SEQ_CST);
    }
}

void evtchn_clear(evtchn_port_t port)
{
    if (shared_info && port < EVTCHN_PORTS) {
        __atomic_fetch_and(&shared_info->evtchn_pending[port / WORD_BITS], ~port_bit(port),
                           __ATOMIC_SEQ_CST);
    }
}

bool evtchn_is_pending(evtchn_port_t port)
{
    return shared_info && port < EVTCHN_PORTS &&
           (__atomic_load_n(&shared_info->evtchn_pending[port / WORD_BITS], __ATOMIC_SEQ_CST) &
            port_bit(port));
}

bool evtchn_is_masked(evtchn_port_t port)
{
    return !shared_info || port >= EVTCHN_PORTS ||
           (__atomic_load_n(&shared_info->evtchn_mask[port / WORD_BITS], __ATOMIC_SEQ_CST) &
            port_bit(port));
}

/*
 * As the monitor's unmask does, in the same order: clear the mask, then, if the port is
 * pending, mark vCPU 0 as a new event would.  A send after the mask is cleared marks it
 * itself, so nothing is lost between the two.
 */
void evtchn_unmask(evtchn_port_t port)
{
    vcpu_info_t *v = vcpu0();
    xen_ulong_t sel = (xen_ulong_t)1 << (port / WORD_BITS);

    if (!v || port >= EVTCHN_PORTS) {
        return;
    }
    __atomic_fetch_and(&shared_info->evtchn_mask[port / WORD_BITS], ~port_bit(port),
                       __ATOMIC_SEQ_CST);
    if (evtchn_is_pending(port) &&
        !(__atomic_fetch_or(&v->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST) & sel)) {
        v->evtchn_upcall_pending = 1;
        barrier();
        if (!v->evtchn_upcall_mask) {
            pull_pending_event();
        }
    }
}

int evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg)
{
    if (port >= EVTCHN_PORTS) {
        return -XEN_EINVAL;
    }
    /* An event on the port in between finds either no handler or both fields. */
    handlers[port].fn = NULL;
    barrier();
    handlers[port].arg = arg;
    barrier();
    handlers[port].fn = fn;
    return 0;
}

/* ---- the demultiplexer ---- */

/* One pending, unmasked port: cleared, then handed to its handler (or masked). */
static void dispatch(evtchn_port_t port)
{
    evtchn_handler_t fn = handlers[port].fn;

    events_seen++;
    if (!fn) {
        evtchn_mask(port);
        evtchn_clear(port);
        events_unhandled++;
        return;
    }
    evtchn_clear(port);
    fn(port, handlers[port].arg);
}

/*
 * The 2-level scan: the vCPU's flag is cleared first, then the selector taken as a whole,
 * then each selected word's pending-and-unmasked bits.  Anything that arrives meanwhile
 * sets the flag again and is found by the next round.
 */
void guest_event(struct guest_regs *regs)
{
    vcpu_info_t *v = vcpu0();

    if (!v) {
        return;
    }
    events_interrupted = regs;
    do {
        xen_ulong_t sel;

        v->evtchn_upcall_pending = 0;
        sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned int w = (unsigned int)__builtin_ctzl(sel);
            xen_ulong_t bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];

            sel &= sel - 1;
            while (bits) {
                evtchn_port_t port = w * WORD_BITS + (unsigned int)__builtin_ctzl(bits);

                bits &= bits - 1;
                dispatch(port);
            }
        }
    } while (__atomic_load_n(&v->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
    events_interrupted = NULL;
}

void guest_failsafe(uint32_t *frame)
{
    panic("failsafe callback: the monitor could not return to %04x:%08x "
          "(ds %04x es %04x fs %04x gs %04x)",
          frame[5] & 0xffff, frame[4], frame[0] & 0xffff, frame[1] & 0xffff, frame[2] & 0xffff,
          frame[3] & 0xffff);
}

/* ---- event_channel_op ---- */

int evtchn_alloc_unbound(domid_t remote_dom, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote_dom};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

    if (rc == 0) {
        *port = op.port;
    }
    return rc;
}

int evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port, evtchn_port_t *port)
{
    struct evtchn_bind_interdomain op = {.remote_dom = remote_dom, .remote_port = remote_port};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

    if (rc == 0) {
        *port = op.local_port;
    }
    return rc;
}

int evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

    if (rc == 0) {
        *port = op.port;
    }
    return rc;
}

int evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = {.vcpu = vcpu};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);

    if (rc == 0) {
        *port = op.port;
    }
    return rc;
}

int evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = {.port = port};

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = {.port = port};

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}
