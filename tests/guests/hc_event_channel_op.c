/*
 * Test guest: HYPERVISOR_event_channel_op — every operation with its successes and
 * refusals, the status of each state, upcall delivery with masking and unmasking (into
 * ring 1 and on the way to ring 3), SCHEDOP_block woken by an event, SCHEDOP_poll with
 * and without a timeout and with events masked.  Runs with vcpus=2: vCPU 1 is the sender
 * that wakes vCPU 0 once it sees it blocked.
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/user.h"

TEST_NAME("hc_event_channel_op");

#define MONITOR_VA 0xFF000000UL
#define BAD_PORT   0xFFFFFFFFu

static domid_t self_id;

/* ---- small wrappers ---- */

static int op(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static int status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0xAA, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return op(EVTCHNOP_status, st);
}

static uint32_t state_of(evtchn_port_t port)
{
    struct evtchn_status st;

    return status(DOMID_SELF, port, &st) == 0 ? st.status : 0xdead;
}

static int bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = {.port = port, .vcpu = vcpu};

    return op(EVTCHNOP_bind_vcpu, &b);
}

static int unmask_hypercall(evtchn_port_t port)
{
    struct evtchn_unmask u = {.port = port};

    return op(EVTCHNOP_unmask, &u);
}

static int poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = n, .timeout = timeout};

    set_xen_guest_handle(p.ports, ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void clear_all_pending(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(shared_info->evtchn_pending); i++) {
        shared_info->evtchn_pending[i] = 0;
        shared_info->evtchn_mask[i] = 0;
    }
    vcpu0()->evtchn_pending_sel = 0;
    vcpu0()->evtchn_upcall_pending = 0;
}

/* ---- vCPU 1: sends on a port when asked, once vCPU 0 is blocked ---- */

static uint8_t second_stack[4096] PAGE_ALIGNED;
static volatile uint32_t cmd_port, cmd_seq, done_seq, saw_blocked, blocked_seen;

static int vcpu0_state(void)
{
    struct vcpu_runstate_info rs;

    return HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs) == 0 ? rs.state : -1;
}

/*
 * Also counts how often it finds vCPU 0 blocked: vCPU 0 runs until it blocks (or a tick),
 * so a count that moved during a poll says the poll blocked.
 */
static void __attribute__((noreturn, used)) second_main(void)
{
    for (;;) {
        uint32_t seq = cmd_seq;

        if (vcpu0_state() == RUNSTATE_blocked) {
            blocked_seen++;
        }
        if (seq != done_seq) {
            unsigned int tries = 0;

            while (vcpu0_state() != RUNSTATE_blocked && ++tries < 100000) {
                HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
            }
            saw_blocked = vcpu0_state() == RUNSTATE_blocked;
            done_seq = seq; /* before the send: vCPU 0 may run the moment it is sent */
            evtchn_send(cmd_port);
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

__asm__(".text\n"
        "second_entry: push $0\n"
        "              jmp second_main\n");
extern const char second_entry[];

static bool start_second_vcpu(void)
{
    static struct vcpu_guest_context ctx;
    unsigned long l3 = va_to_mfn((const void *)start_info->pt_base);

    ctx.user_regs.eip = (uint32_t)(uintptr_t)second_entry;
    ctx.user_regs.esp = (uint32_t)(uintptr_t)(second_stack + sizeof(second_stack));
    ctx.user_regs.eflags = 0x202;
    ctx.kernel_ss = FLAT_KERNEL_SS;
    ctx.kernel_sp = ctx.user_regs.esp;
    ctx.ctrlreg[3] = (uint32_t)((l3 << 12) | (l3 >> 20));
    return TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), 0) &&
           TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
}

/* Asks vCPU 1 to send on port once this vCPU blocks. */
static void send_when_blocked(evtchn_port_t port)
{
    cmd_port = port;
    saw_blocked = 0;
    barrier();
    cmd_seq++;
}

/* ---- handlers ---- */

static volatile unsigned int hits;
static volatile uint8_t mask_in_handler;
static volatile uint32_t cs_in_handler, eip_in_handler;

static void count_handler(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    hits++;
    mask_in_handler = vcpu0()->evtchn_upcall_mask;
    cs_in_handler = events_interrupted ? events_interrupted->cs : 0;
    eip_in_handler = events_interrupted ? events_interrupted->eip : 0;
}

/* ---- tests ---- */

static void test_alloc_unbound_and_status(void)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    struct evtchn_status st;

    TEST_EQ(op(EVTCHNOP_alloc_unbound, &a), 0);
    TEST_EQ(a.port, 1); /* port 0 is reserved; the lowest free port comes first */
    TEST_EQ(status(DOMID_SELF, a.port, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_unbound);
    TEST_EQ(st.vcpu, 0);
    self_id = st.u.unbound.dom; /* DOMID_SELF as the remote: our own id */
    TEST_CHECK(self_id > 0 && self_id < DOMID_FIRST_RESERVED, "own id %u", self_id);
    a.dom = self_id;
    a.remote_dom = 42;
    TEST_EQ(op(EVTCHNOP_alloc_unbound, &a), 0);
    TEST_EQ(a.port, 2);
    TEST_EQ(status(self_id, 2, &st), 0);
    TEST_EQ(st.u.unbound.dom, 42); /* a domain that does not exist may be named */
    a.dom = 42;
    TEST_EQ(op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH);
    a.dom = DOMID_IO;
    TEST_EQ(op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH);
    TEST_EQ(status(DOMID_SELF, 0, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_closed);
    TEST_EQ(state_of(100), EVTCHNSTAT_closed);
    TEST_EQ(status(DOMID_SELF, 1000, &st), -XEN_EINVAL);
    TEST_EQ(status(DOMID_SELF, BAD_PORT, &st), -XEN_EINVAL);
    TEST_EQ(status(42, 1, &st), -XEN_ESRCH);
    TEST_EQ(evtchn_close(1), 0);
    TEST_EQ(evtchn_close(2), 0);
    TEST_EQ(state_of(1), EVTCHNSTAT_closed);
}

static void test_interdomain_loopback(void)
{
    evtchn_port_t a, b, c;
    struct evtchn_status st;

    clear_all_pending();
    TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &a), 0);
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, a, &b), 0);
    TEST_ASSERT(evtchn_is_pending(b)); /* the binder's port starts pending */
    TEST_EQ(status(DOMID_SELF, a, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_interdomain);
    TEST_EQ(st.u.interdomain.dom, self_id);
    TEST_EQ(st.u.interdomain.port, b);
    TEST_EQ(status(DOMID_SELF, b, &st), 0);
    TEST_EQ(st.u.interdomain.port, a);
    evtchn_clear(b);
    TEST_EQ(evtchn_send(a), 0);
    TEST_ASSERT(evtchn_is_pending(b) && !evtchn_is_pending(a));
    TEST_EQ(evtchn_send(b), 0);
    TEST_ASSERT(evtchn_is_pending(a));
    /* Bound already, or refused: none of these binds anything. */
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, a, &c), -XEN_EINVAL);
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, 0, &c), -XEN_EINVAL);
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, 90, &c), -XEN_EINVAL);
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, 5000, &c), -XEN_EINVAL);
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, BAD_PORT, &c), -XEN_EINVAL);
    TEST_EQ(evtchn_bind_interdomain(42, 1, &c), -XEN_ESRCH);
    TEST_EQ(evtchn_alloc_unbound(43, &c), 0); /* offered to someone else */
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, c, &c), -XEN_EINVAL);
    TEST_EQ(evtchn_close(c), 0);
    /* Closing one end leaves the other unbound, offered to the closer again. */
    TEST_EQ(evtchn_close(b), 0);
    TEST_ASSERT(!evtchn_is_pending(b)); /* a closed port's pending bit is cleared */
    TEST_EQ(status(DOMID_SELF, a, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_unbound);
    TEST_EQ(st.u.unbound.dom, self_id);
    evtchn_clear(a);
    TEST_EQ(evtchn_send(a), 0); /* dropped */
    TEST_ASSERT(!evtchn_is_pending(a) && !evtchn_is_pending(b));
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, a, &c), 0);
    TEST_EQ(c, b);
    TEST_EQ(evtchn_close(a), 0);
    TEST_EQ(evtchn_close(c), 0);
    TEST_EQ(evtchn_close(c), -XEN_EINVAL);
}

static void test_virq(void)
{
    evtchn_port_t t0, t1, dbg, con, p;
    struct evtchn_status st;

    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 0, &t0), 0);
    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 0, &p), -XEN_EEXIST);
    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 1, &t1), 0);
    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 2, &p), -XEN_ENOENT); /* vcpus=2 */
    TEST_EQ(evtchn_bind_virq(VIRQ_DEBUG, 1, &dbg), 0);
    TEST_EQ(evtchn_bind_virq(VIRQ_CONSOLE, 1, &p), -XEN_EINVAL); /* global: vCPU 0 only */
    TEST_EQ(evtchn_bind_virq(VIRQ_CONSOLE, 0, &con), 0);
    TEST_EQ(evtchn_bind_virq(VIRQ_CONSOLE, 0, &p), -XEN_EEXIST);
    TEST_EQ(evtchn_bind_virq(NR_VIRQS, 0, &p), -XEN_EINVAL);
    TEST_EQ(evtchn_bind_virq(0xFFFFFFFFu, 0, &p), -XEN_EINVAL);
    TEST_EQ(status(DOMID_SELF, t1, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_virq);
    TEST_EQ(st.u.virq, VIRQ_TIMER);
    TEST_EQ(st.vcpu, 1);
    TEST_EQ(evtchn_send(t0), -XEN_EINVAL); /* guests do not raise VIRQs */
    TEST_EQ(bind_vcpu(t1, 0), -XEN_EINVAL); /* per-vCPU: stays */
    TEST_EQ(bind_vcpu(con, 1), 0);          /* global: moves */
    TEST_EQ(status(DOMID_SELF, con, &st), 0);
    TEST_EQ(st.vcpu, 1);
    TEST_EQ(bind_vcpu(con, 2), -XEN_ENOENT);
    TEST_EQ(evtchn_close(t1), 0);
    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 1, &p), 0); /* closed: may be bound again */
    TEST_EQ(p, t1);
    TEST_EQ(evtchn_close(t0), 0);
    TEST_EQ(evtchn_close(t1), 0);
    TEST_EQ(evtchn_close(dbg), 0);
    TEST_EQ(evtchn_close(con), 0);
}

static void test_ipi_and_bind_vcpu(void)
{
    evtchn_port_t ipi, u, p;
    struct evtchn_status st;

    clear_all_pending();
    TEST_EQ(evtchn_bind_ipi(2, &p), -XEN_ENOENT);
    TEST_EQ(evtchn_bind_ipi(1, &ipi), 0);
    TEST_EQ(status(DOMID_SELF, ipi, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_ipi);
    TEST_EQ(st.vcpu, 1);
    TEST_EQ(bind_vcpu(ipi, 0), -XEN_EINVAL);
    /* A send marks the port's vCPU (1, masked, no callback), not this one. */
    TEST_EQ(evtchn_send(ipi), 0);
    TEST_ASSERT(evtchn_is_pending(ipi));
    TEST_EQ(shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    TEST_EQ(vcpu0()->evtchn_upcall_pending, 0);
    TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &u), 0);
    TEST_EQ(bind_vcpu(u, 1), 0);
    TEST_EQ(bind_vcpu(0, 0), -XEN_EINVAL);
    TEST_EQ(bind_vcpu(99, 0), -XEN_EINVAL);
    TEST_EQ(bind_vcpu(BAD_PORT, 0), -XEN_EINVAL);
    TEST_EQ(bind_vcpu(BAD_PORT, 7), -XEN_ENOENT); /* the vCPU is checked first */
    TEST_EQ(evtchn_close(u), 0);
    TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &u), 0);
    TEST_EQ(status(DOMID_SELF, u, &st), 0);
    TEST_EQ(st.vcpu, 0); /* a reused port starts on vCPU 0 again */
    TEST_EQ(evtchn_close(u), 0);
    TEST_EQ(evtchn_close(ipi), 0);
    shared_info->vcpu_info[1].evtchn_upcall_pending = 0;
    shared_info->vcpu_info[1].evtchn_pending_sel = 0;
}

/* Delivery into ring 1: masked events wait; unmasking delivers; handlers run masked. */
static void test_upcall_and_masking(void)
{
    evtchn_port_t p;

    clear_all_pending();
    TEST_EQ(evtchn_bind_ipi(0, &p), 0);
    TEST_EQ(evtchn_set_handler(p, count_handler, NULL), 0);
    hits = 0;
    events_mask_set(1);
    TEST_EQ(evtchn_send(p), 0);
    TEST_EQ(hits, 0);
    TEST_ASSERT(evtchn_is_pending(p));
    TEST_EQ(vcpu0()->evtchn_upcall_pending, 1);
    events_mask_set(0); /* delivered on the way back from a hypercall */
    TEST_EQ(hits, 1);
    TEST_EQ(mask_in_handler, 1);
    TEST_EQ(events_mask_get(), 0);
    TEST_ASSERT(!evtchn_is_pending(p));
    /* Unmasked: delivered before the send returns. */
    TEST_EQ(evtchn_send(p), 0);
    TEST_EQ(hits, 2);
    TEST_EQ(cs_in_handler & 0xffff, FLAT_KERNEL_CS);
    /* A masked port sets only its pending bit; EVTCHNOP_unmask delivers it. */
    evtchn_mask(p);
    TEST_EQ(evtchn_send(p), 0);
    TEST_EQ(hits, 2);
    TEST_EQ(vcpu0()->evtchn_upcall_pending, 0);
    TEST_EQ(vcpu0()->evtchn_pending_sel, 0);
    TEST_EQ(unmask_hypercall(p), 0);
    TEST_EQ(hits, 3);
    TEST_ASSERT(!evtchn_is_masked(p));
    /* The runtime's own unmask does the same. */
    evtchn_mask(p);
    TEST_EQ(evtchn_send(p), 0);
    evtchn_unmask(p);
    TEST_EQ(hits, 4);
    /* A port without a handler is masked by the demultiplexer. */
    unsigned long unhandled = events_unhandled;
    TEST_EQ(evtchn_set_handler(p, NULL, NULL), 0);
    TEST_EQ(evtchn_send(p), 0);
    TEST_EQ(events_unhandled, unhandled + 1);
    TEST_ASSERT(evtchn_is_masked(p));
    TEST_EQ(evtchn_set_handler(EVTCHN_PORTS, count_handler, NULL), -XEN_EINVAL);
    events_mask_set(1);
    TEST_EQ(evtchn_close(p), 0);
    evtchn_unmask(p);
}

/* Ring-3 code that ends its run with int $0x80 (EAX 2). */
USER_BSS uint8_t u_stack[4096] __attribute__((aligned(4096)));
__asm__(".section .user.text, \"ax\"\n"
        "u_leave: movl $2, %eax\n"
        "         int $0x80\n"
        "         jmp .\n"
        ".text\n");
extern char u_leave[];

static void leave_handler(struct guest_regs *r)
{
    user_leave(r);
}

/* An event pending when the guest enters ring 3 is delivered with a ring-3 frame. */
static void test_upcall_into_ring3(void)
{
    struct guest_regs r;
    evtchn_port_t p;

    if (!TEST_EQ(user_region_enable(), 0)) {
        return;
    }
    trap_set(0x80, TRAP_DPL(3), leave_handler);
    TEST_EQ(traps_load(), 0);
    clear_all_pending();
    TEST_EQ(evtchn_bind_ipi(0, &p), 0);
    TEST_EQ(evtchn_set_handler(p, count_handler, NULL), 0);
    hits = 0;
    events_mask_set(1);
    TEST_EQ(evtchn_send(p), 0);
    TEST_EQ(hits, 0);
    /* user_run enters ring 3 with HYPERVISOR_iret and IF set: that unmasks events. */
    TEST_EQ(user_run((uint32_t)(uintptr_t)u_leave,
                     (uint32_t)(uintptr_t)(u_stack + sizeof(u_stack)), 0, &r), 0);
    TEST_EQ(hits, 1);
    TEST_EQ(cs_in_handler & 0xffff, FLAT_USER_CS);
    TEST_EQ(eip_in_handler, (uintptr_t)u_leave);
    TEST_EQ(r.vector, 0x80); /* and ring 3 went on from there */
    events_mask_set(1);
    TEST_EQ(evtchn_close(p), 0);
}

static void test_block_woken(evtchn_port_t p)
{
    /* An event there already: block returns at once (and unmasks). */
    hits = 0;
    events_mask_set(1);
    TEST_EQ(evtchn_send(p), 0);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
    TEST_EQ(hits, 1);
    TEST_EQ(events_mask_get(), 0);
    /* None there: vCPU 1 sends once it sees this vCPU blocked. */
    events_mask_set(1);
    send_when_blocked(p);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
    TEST_EQ(done_seq, cmd_seq);
    TEST_EQ(saw_blocked, 1);
    TEST_EQ(hits, 2);
    events_mask_set(1);
}

static void test_poll(evtchn_port_t p, evtchn_port_t q)
{
    evtchn_port_t list[2] = {p, q}, bad[2] = {p, 5000};

    /* Masked events and a masked port: poll still wakes for it, nothing is delivered. */
    hits = 0;
    events_mask_set(1);
    evtchn_mask(p);
    send_when_blocked(p);
    TEST_EQ(poll(&list[0], 1, 0), 0);
    TEST_EQ(done_seq, cmd_seq);
    TEST_EQ(saw_blocked, 1);
    TEST_ASSERT(evtchn_is_pending(p));
    TEST_EQ(hits, 0);
    /* Pending already: returns at once, whatever follows in the list. */
    TEST_EQ(poll(bad, 2, 0), 0);
    TEST_EQ(poll(list, 2, 0), 0);
    evtchn_clear(p);
    /* Two ports, the second one sent. */
    send_when_blocked(q);
    TEST_EQ(poll(list, 2, 0), 0);
    TEST_ASSERT(evtchn_is_pending(q));
    evtchn_clear(q);
    /* Refusals. */
    TEST_EQ(poll(bad, 2, 0), -XEN_EINVAL);
    TEST_EQ(poll(list, 129, 0), -XEN_EINVAL);
    TEST_EQ(poll((evtchn_port_t *)MONITOR_VA, 1, 0), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, (void *)MONITOR_VA), -XEN_EFAULT);
    evtchn_unmask(p);
}

/*
 * Poll with a timeout nobody beats.  The guest has no clock yet (system time arrives with
 * the timer work), so it doubles an absolute deadline from 1 ms until a poll blocks (vCPU
 * 1 saw it blocked): that one can only have ended at its deadline.
 */
static void test_poll_timeout(evtchn_port_t p)
{
    uint64_t deadline;
    bool blocked = false;

    TEST_EQ(poll(&p, 1, 1), 0); /* 1 ns after boot: long past */
    for (deadline = 1000000; deadline < (1ULL << 40) && !blocked; deadline *= 2) {
        uint32_t seen = blocked_seen;

        TEST_EQ(poll(&p, 1, deadline), 0);
        blocked = blocked_seen != seen;
    }
    TEST_CHECK(blocked, "no poll blocked until its deadline (last %llu ns)",
               (unsigned long long)deadline);
    TEST_ASSERT(!evtchn_is_pending(p));
    /* A deadline far ahead (past the harness's 60 s limit) that an event beats. */
    send_when_blocked(p);
    TEST_EQ(poll(&p, 1, deadline * 64 + 60000000000ULL), 0);
    TEST_EQ(done_seq, cmd_seq);
    TEST_ASSERT(evtchn_is_pending(p));
    evtchn_clear(p);
}

static void test_block_and_poll(void)
{
    evtchn_port_t p, q;

    if (!start_second_vcpu()) {
        return;
    }
    clear_all_pending();
    TEST_EQ(evtchn_bind_ipi(0, &p), 0);
    TEST_EQ(evtchn_bind_ipi(0, &q), 0);
    TEST_EQ(evtchn_set_handler(p, count_handler, NULL), 0);
    TEST_EQ(evtchn_set_handler(q, count_handler, NULL), 0);
    test_block_woken(p);
    test_poll(p, q);
    test_poll_timeout(q);
    TEST_EQ(evtchn_close(p), 0);
    TEST_EQ(evtchn_close(q), 0);
}

static void test_reset(void)
{
    evtchn_port_t p;
    struct evtchn_reset r = {.dom = DOMID_SELF};

    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 0, &p), 0);
    TEST_EQ(evtchn_bind_ipi(0, &p), 0);
    TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &p), 0);
    TEST_EQ(op(EVTCHNOP_reset, &r), 0);
    for (evtchn_port_t i = 0; i < 100; i++) {
        TEST_EQ(state_of(i), EVTCHNSTAT_closed);
    }
    TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, 0, &p), 0); /* the binding went with it */
    r.dom = self_id;
    TEST_EQ(op(EVTCHNOP_reset, &r), 0);
    r.dom = 42;
    TEST_EQ(op(EVTCHNOP_reset, &r), -XEN_ESRCH);
}

static void test_refusals(void)
{
    evtchn_port_t p;
    struct evtchn_init_control ic = {0};
    struct evtchn_expand_array ea = {0};
    struct evtchn_set_priority sp = {0};
    struct evtchn_bind_pirq bp = {0};

    TEST_EQ(op(99, NULL), -XEN_ENOSYS);
    TEST_EQ(op(-1, NULL), -XEN_ENOSYS);
    TEST_EQ(op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
    TEST_EQ(op(EVTCHNOP_expand_array, &ea), -XEN_ENOSYS);
    TEST_EQ(op(EVTCHNOP_set_priority, &sp), -XEN_ENOSYS);
    TEST_EQ(op(EVTCHNOP_bind_pirq, &bp), -XEN_ENOSYS);
    TEST_EQ(hypercall_int82(__HYPERVISOR_event_channel_op_compat, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    for (int cmd = EVTCHNOP_bind_interdomain; cmd <= EVTCHNOP_set_priority; cmd++) {
        TEST_CHECK(op(cmd, (void *)MONITOR_VA) == -XEN_EFAULT, "cmd %d with a monitor address",
                   cmd);
        TEST_CHECK(op(cmd, NULL) == -XEN_EFAULT, "cmd %d with NULL", cmd);
    }
    /* A result that cannot be written back (the page tables are read-only): no port. */
    TEST_EQ(op(EVTCHNOP_bind_ipi, (void *)start_info->pt_base), -XEN_EFAULT);
    TEST_EQ(op(EVTCHNOP_alloc_unbound, (void *)start_info->pt_base), -XEN_EFAULT);
    TEST_EQ(evtchn_bind_ipi(0, &p), 0);
    TEST_EQ(p, 1); /* test_reset left nothing, and nothing was taken in between */
    TEST_EQ(evtchn_bind_virq(VIRQ_DEBUG, 0, &p), 0);
    TEST_EQ(evtchn_send(p), -XEN_EINVAL); /* a VIRQ */
    TEST_EQ(evtchn_send(0), -XEN_EINVAL);
    TEST_EQ(evtchn_send(3), -XEN_EINVAL);
    TEST_EQ(evtchn_send(5000), -XEN_EINVAL);
    TEST_EQ(evtchn_send(BAD_PORT), -XEN_EINVAL);
    TEST_EQ(evtchn_send(0x80000000u), -XEN_EINVAL);
    TEST_EQ(evtchn_close(0), -XEN_EINVAL);
    TEST_EQ(evtchn_close(BAD_PORT), -XEN_EINVAL);
    TEST_EQ(unmask_hypercall(5000), -XEN_EINVAL);
    TEST_EQ(unmask_hypercall(BAD_PORT), -XEN_EINVAL);
}

int guest_main(void)
{
    if (!events_usable) {
        test_error("no event callbacks registered");
    }
    test_alloc_unbound_and_status();
    test_interdomain_loopback();
    test_virq();
    test_ipi_and_bind_vcpu();
    test_upcall_and_masking();
    test_upcall_into_ring3();
    test_block_and_poll();
    test_reset();
    test_refusals();
    test_finish();
}
