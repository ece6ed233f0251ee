/*
 * Test guest: two domains bounce events over one interdomain channel, strictly in turn,
 * and count that none is lost (a lost one stops the game: the run times out) and none is
 * duplicated (an event that arrives when none is owed).  Run twice, one per domain:
 *
 *     role=ping peer=<pong's id> port=<ping's port> count=N
 *     role=pong peer=<ping's id> port=<ping's port> count=N
 *
 * Domain ids follow the module order from 1.  Ping offers the port (the lowest free one,
 * so its number is known beforehand) and waits with SCHEDOP_poll, events masked; pong
 * binds to it and waits with SCHEDOP_block, taking each event in its upcall handler.
 * With cycles=1 ping prints the TSC cycles per round trip (instructions under icount).
 * With keep=1 pong leaves its port open when it ends, and ping waits for the monitor's
 * teardown of pong to turn its own end back into an unbound port offered to pong.
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/time.h"

TEST_NAME("evtchn_pingpong");

#define SETTLE_YIELDS 2000 /* how long each side watches for a stray event at the end */

/* Yields for a while, then says whether port went pending meanwhile. */
static bool stray_event(evtchn_port_t port)
{
    for (unsigned int i = 0; i < SETTLE_YIELDS; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return evtchn_is_pending(port);
}

/* ---- ping: polls with events masked ---- */

static void wait_pending(evtchn_port_t port)
{
    evtchn_port_t list[1] = {port};

    /* Poll may also end for another reason (as on Xen): look again. */
    while (!evtchn_is_pending(port)) {
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, &(struct sched_poll){
                                                      .ports = {list}, .nr_ports = 1}),
                0);
    }
    evtchn_clear(port);
}

/*
 * Waits (polls that only their deadlines end: the idle loop destroys a domain that shut
 * down) until the peer's teardown has unbound our end.
 */
static void await_teardown(domid_t peer, evtchn_port_t port)
{
    struct evtchn_status st = {.dom = DOMID_SELF, .port = port};

    /* Timeouts are absolute system time: waits of 1 ms, 2 ms, ... up to about 17 s in all. */
    for (uint64_t wait = 1000000; wait < (1ULL << 34); wait *= 2) {
        TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), 0);
        if (st.status != EVTCHNSTAT_interdomain) {
            break;
        }
        HYPERVISOR_sched_op(SCHEDOP_poll, &(struct sched_poll){.ports = {&port}, .nr_ports = 1,
                                                                .timeout = time_system_ns() + wait});
    }
    TEST_EQ(st.status, EVTCHNSTAT_unbound);
    TEST_EQ(st.u.unbound.dom, peer);
    TEST_EQ(evtchn_send(port), 0); /* dropped */
    test_note("ping: our end unbound again after domain %u was destroyed", peer);
}

static void ping(domid_t peer, evtchn_port_t want, unsigned long count)
{
    struct evtchn_status st = {.dom = DOMID_SELF};
    unsigned long early = 0;
    uint64_t t0, cycles;
    evtchn_port_t port;

    events_mask_set(1);
    if (!TEST_EQ(evtchn_alloc_unbound(peer, &port), 0) || !TEST_EQ(port, want)) {
        return;
    }
    evtchn_mask(port); /* only poll looks at it */
    wait_pending(port); /* pong's hello */
    st.port = port;
    TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), 0);
    TEST_EQ(st.status, EVTCHNSTAT_interdomain);
    TEST_EQ(st.u.interdomain.dom, peer);
    t0 = __builtin_ia32_rdtsc();
    for (unsigned long i = 0; i < count; i++) {
        early += evtchn_is_pending(port); /* nothing is owed to us before we send */
        TEST_EQ(evtchn_send(port), 0);
        wait_pending(port);
    }
    cycles = __builtin_ia32_rdtsc() - t0;
    TEST_EQ(early, 0);
    TEST_ASSERT(!stray_event(port));
    test_note("ping: sent %lu, received %lu, early %lu", count, count, early);
    if (test_arg("cycles", 0)) {
        test_note("ping: %llu cycles per round trip", (unsigned long long)(cycles / count));
    }
    if (test_arg("keep", 0)) {
        await_teardown(peer, port);
    }
    TEST_EQ(evtchn_close(port), 0);
}

/* ---- pong: blocks, takes events in its handler ---- */

static volatile unsigned long received, replied, duplicates;

static void pong_handler(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    if (received != replied) {
        duplicates++; /* ping sends only after our reply */
    }
    received++;
}

static bool bind_to_ping(domid_t peer, evtchn_port_t remote, evtchn_port_t *port)
{
    /* Ping may not have offered its port yet: try again for a while. */
    for (unsigned int i = 0; i < 100000; i++) {
        int rc = evtchn_bind_interdomain(peer, remote, port);
        if (rc == 0) {
            return true;
        }
        if (rc != -XEN_EINVAL && rc != -XEN_ESRCH) {
            return TEST_EQ(rc, 0);
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return TEST_CHECK(false, "domain %u never offered port %u", peer, remote);
}

static void pong(domid_t peer, evtchn_port_t remote, unsigned long count)
{
    evtchn_port_t port;

    events_mask_set(1);
    if (!bind_to_ping(peer, remote, &port)) {
        return;
    }
    TEST_ASSERT(evtchn_is_pending(port)); /* a new binding starts pending */
    evtchn_clear(port);
    TEST_EQ(evtchn_set_handler(port, pong_handler, NULL), 0);
    TEST_EQ(evtchn_send(port), 0); /* hello */
    while (replied < count) {
        events_mask_set(1);
        if (received > replied) {
            replied++;
            TEST_EQ(evtchn_send(port), 0);
        } else {
            HYPERVISOR_sched_op(SCHEDOP_block, NULL); /* unmasks; the handler runs */
        }
    }
    events_mask_set(0);
    TEST_ASSERT(!stray_event(port) && received == count);
    events_mask_set(1);
    TEST_EQ(duplicates, 0);
    test_note("pong: received %lu, replied %lu, duplicates %lu", received, replied, duplicates);
    if (!test_arg("keep", 0)) {
        TEST_EQ(evtchn_close(port), 0);
    }
}

int guest_main(void)
{
    domid_t peer = (domid_t)test_arg("peer", 0);
    evtchn_port_t port = (evtchn_port_t)test_arg("port", 1);
    unsigned long count = test_arg("count", 100000);

    if (!events_usable || !peer) {
        test_error("needs event callbacks and peer=<domain id> on the command line");
    }
    if (test_role("ping")) {
        ping(peer, port, count);
    } else if (test_role("pong")) {
        pong(peer, port, count);
    } else {
        test_error("role=ping or role=pong");
    }
    test_finish();
}
