/*
 * Benchmark: EVTCHNOP_send.  The guest binds an interdomain channel to itself (an unbound
 * port offered to itself, then bound) and keeps the receiving end masked, so each send sets
 * the port pending and returns without an upcall: the cost of the send alone.
 */
#include "bench.h"
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("bench_evtchn_send");

static int bad;

static void send(void *arg)
{
    bad |= evtchn_send(*(evtchn_port_t *)arg);
}

int guest_main(void)
{
    evtchn_port_t receiver, sender;
    uint64_t n;

    TEST_EQ(events_init(), 0);
    TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &receiver), 0);
    TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, receiver, &sender), 0);
    evtchn_mask(receiver);
    n = bench_per_call(send, &sender, BENCH_ITERS, BENCH_REPS);
    TEST_EQ(bad, 0);
    TEST_ASSERT(evtchn_is_pending(receiver));
    bench_report("evtchn_send", n, 150, 404,
                 "event-channel send to a bound port (masked: no upcall)");
    test_finish();
}
