/*
 * Hostile guest: event channels.  Two roles on the command line:
 *
 *   role=attacker victim=<id>   offers the victim two ports (a flood port and a "done"
 *       port), attacks the victim's ports, floods events at it, passes bad pointers and
 *       impossible ports to every operation, closes and binds in loops, runs out of
 *       ports, then waits with every event masked (a poll only its deadline ends);
 *   role=victim attacker=<id>   binds to both, takes the flood in its handler while doing
 *       its own work, and closes when the attacker says "done" (after its checks of the
 *       victim's ports, which need the victim alive).
 *
 * Every refusal must be the error Xen gives; the victim and a bystander must finish
 * their own work; the run must leave no frame and no port table behind.
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hostile_evtchn");

#define MONITOR_VA  0xFF000000UL
#define EDGE_VA     0xF57FFFF8UL /* a struct here runs into the monitor's first page */
#define FLOOD_PORT  1            /* the attacker's first port, offered to the victim */
#define DONE_PORT   2            /* its second: "my checks of your ports are done" */
#define MAX_WAIT    100000       /* yields before giving up on the other domain */
#define FLOOD_FIRST 100000       /* sends before "done" */

static unsigned long arg(const char *key, unsigned long def)
{
    const char *line = (const char *)start_info->cmd_line, *p = line;
    size_t n = strlen(key);
    unsigned long v = 0;

    while ((p = strstr(p, key)) && !((p == line || p[-1] == ' ') && p[n] == '=')) {
        p += n;
    }
    if (!p) {
        return def;
    }
    for (p += n + 1; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
    }
    return v;
}

static int op(int cmd, unsigned long arg_va)
{
    return HYPERVISOR_event_channel_op(cmd, (void *)arg_va);
}

static uint32_t status_of(domid_t dom, evtchn_port_t port, int *rc)
{
    struct evtchn_status st = {.dom = dom, .port = port};

    *rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    return st.status;
}

/* ---- the victim ---- */

static volatile unsigned long flood_seen;

static void flood_handler(evtchn_port_t port, void *a)
{
    (void)port;
    (void)a;
    flood_seen++;
}

static bool bind_retry(domid_t dom, evtchn_port_t remote, evtchn_port_t *port)
{
    int rc = -XEN_EINVAL;

    for (unsigned int i = 0; i < MAX_WAIT && rc; i++) {
        rc = evtchn_bind_interdomain(dom, remote, port);
        if (rc) {
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        }
    }
    return TEST_EQ(rc, 0);
}

static void victim(domid_t attacker)
{
    evtchn_port_t port, done;
    unsigned long sum = 0;
    int r;

    if (!bind_retry(attacker, FLOOD_PORT, &port) || !bind_retry(attacker, DONE_PORT, &done)) {
        return;
    }
    evtchn_clear(done);
    evtchn_mask(done);
    TEST_EQ(evtchn_set_handler(port, flood_handler, NULL), 0);
    events_mask_set(0);
    /* Our own work, with the flood arriving in between. */
    for (unsigned long i = 1; i <= 100; i++) {
        for (unsigned int k = 0; k < 2000; k++) {
            sum += k;
            TEST_EQ(HYPERVISOR_xen_version(XENVER_version, NULL), (4 << 16) | 14);
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    TEST_EQ(sum, 100UL * (1999UL * 2000 / 2));
    while (!evtchn_is_pending(done)) {
        HYPERVISOR_sched_op(SCHEDOP_poll, &(struct sched_poll){.ports = {&done}, .nr_ports = 1});
    }
    events_mask_set(1);
    TEST_CHECK(flood_seen > 0, "the flood never arrived");
    test_note("victim: took %lu flood events while working", flood_seen);
    TEST_EQ(evtchn_close(port), 0);
    TEST_EQ(evtchn_close(done), 0);
    TEST_EQ(status_of(DOMID_SELF, port, &r), EVTCHNSTAT_closed);
}

/* ---- the attacker ---- */

static bool wait_bound(evtchn_port_t port)
{
    int rc;

    for (unsigned int i = 0; i < MAX_WAIT; i++) {
        if (status_of(DOMID_SELF, port, &rc) == EVTCHNSTAT_interdomain) {
            return true;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return TEST_CHECK(false, "port %u never bound", port);
}

/*
 * Floods without ever yielding (only the scheduler's tick lets the others run), says
 * "done" after the first FLOOD_FIRST, and goes on until the victim closes its end (our
 * port turns unbound).
 */
static void flood(void)
{
    unsigned long sends = 0;
    int rc;

    while ((sends < FLOOD_FIRST ||
            status_of(DOMID_SELF, FLOOD_PORT, &rc) == EVTCHNSTAT_interdomain) &&
           sends < 100000000) {
        if (sends == FLOOD_FIRST) {
            TEST_EQ(evtchn_send(DONE_PORT), 0);
        }
        for (unsigned int i = 0; i < 1000; i++, sends++) {
            if (evtchn_send(FLOOD_PORT) != 0) {
                TEST_CHECK(false, "send %lu refused", sends);
                return;
            }
        }
    }
    TEST_EQ(status_of(DOMID_SELF, FLOOD_PORT, &rc), EVTCHNSTAT_unbound);
    TEST_EQ(evtchn_send(FLOOD_PORT), 0); /* into an unbound port: dropped */
    test_note("attacker: %lu sends flooded at the victim", sends);
}

static void bad_pointers(void)
{
    static const unsigned long bad[] = {0, 1, MONITOR_VA, EDGE_VA, 0xF5800000UL, 0xFFFFFFFCUL};

    for (int cmd = EVTCHNOP_bind_interdomain; cmd <= EVTCHNOP_set_priority; cmd++) {
        for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
            TEST_CHECK(op(cmd, bad[i]) == -XEN_EFAULT, "cmd %d at %#lx", cmd, bad[i]);
        }
    }
    /* Results written back to a read-only page (the page tables): refused whole. */
    TEST_EQ(op(EVTCHNOP_status, start_info->pt_base), -XEN_EFAULT);
    TEST_EQ(op(EVTCHNOP_bind_ipi, start_info->pt_base), -XEN_EFAULT);
}

static void impossible_ports(void)
{
    static const uint32_t ports[] = {1024, 4096, 0x10000, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
    struct evtchn_bind_vcpu bv;
    struct evtchn_unmask um;
    evtchn_port_t p, list[1];
    int rc;

    for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++) {
        uint32_t n = ports[i];
        TEST_EQ(evtchn_send(n), -XEN_EINVAL);
        TEST_EQ(evtchn_close(n), -XEN_EINVAL);
        um.port = n;
        TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &um), -XEN_EINVAL);
        bv = (struct evtchn_bind_vcpu){.port = n, .vcpu = 0};
        TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
        status_of(DOMID_SELF, n, &rc);
        TEST_EQ(rc, -XEN_EINVAL);
        TEST_EQ(evtchn_bind_interdomain(DOMID_SELF, n, &p), -XEN_EINVAL);
        list[0] = n;
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll,
                                    &(struct sched_poll){.ports = {list}, .nr_ports = 1}),
                -XEN_EINVAL);
        TEST_EQ(evtchn_bind_virq(n, 0, &p), -XEN_EINVAL);
        TEST_EQ(evtchn_bind_virq(VIRQ_TIMER, n, &p), -XEN_ENOENT);
        TEST_EQ(evtchn_bind_ipi(n, &p), -XEN_ENOENT);
    }
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll,
                                &(struct sched_poll){.ports = {list}, .nr_ports = 0xFFFFFFFFu}),
            -XEN_EINVAL);
}

/* Another domain's ports (the victim stays until we say "done"): nothing to take, see
 * or reset. */
static void foreign_ports(domid_t victim_id)
{
    struct evtchn_alloc_unbound a = {.dom = victim_id, .remote_dom = DOMID_SELF};
    struct evtchn_reset r = {.dom = victim_id};
    evtchn_port_t p;
    int rc;

    TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), -XEN_EPERM);
    a.dom = 60;
    TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH);
    TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), -XEN_EPERM);
    status_of(victim_id, 1, &rc);
    TEST_EQ(rc, -XEN_EPERM);
    status_of(victim_id, 5000, &rc);
    TEST_EQ(rc, -XEN_EINVAL); /* a bad port before the permission, as on Xen */
    status_of(DOMID_XEN, 1, &rc);
    TEST_EQ(rc, -XEN_ESRCH);
    /* Its ports are bound to ours, or free: none is offered to us. */
    for (evtchn_port_t port = 0; port < 130; port++) {
        TEST_EQ(evtchn_bind_interdomain(victim_id, port, &p), -XEN_EINVAL);
    }
    TEST_EQ(evtchn_bind_interdomain(60, 1, &p), -XEN_ESRCH);
    TEST_EQ(evtchn_bind_interdomain(DOMID_IO, 1, &p), -XEN_ESRCH);
}

/* Close and bind again, many times: the same ports come back, nothing piles up. */
static void churn(void)
{
    evtchn_port_t a, b, first_a = 0, first_b = 0, v;
    bool same = true;

    for (unsigned int i = 0; i < 5000; i++) {
        if (evtchn_alloc_unbound(DOMID_SELF, &a) || evtchn_bind_interdomain(DOMID_SELF, a, &b) ||
            evtchn_bind_virq(VIRQ_DEBUG, 0, &v)) {
            TEST_CHECK(false, "round %u: a bind failed", i);
            return;
        }
        if (i == 0) {
            first_a = a;
            first_b = b;
        }
        same &= a == first_a && b == first_b;
        TEST_EQ(evtchn_send(a), 0);
        TEST_EQ(evtchn_close(v), 0);
        TEST_EQ(evtchn_close(i & 1 ? a : b), 0);
        TEST_EQ(evtchn_close(i & 1 ? b : a), 0);
    }
    TEST_CHECK(same, "ports not reused: %u/%u then %u/%u", first_a, first_b, a, b);
}

/* Every port taken, then all given back at once. */
static void exhaust(void)
{
    struct evtchn_reset r = {.dom = DOMID_SELF};
    evtchn_port_t p;
    unsigned int n = 0;
    int rc;

    while ((rc = evtchn_bind_ipi(0, &p)) == 0 && n < 2000) {
        n++;
    }
    TEST_EQ(rc, -XEN_ENOSPC);
    /* Port 0 is reserved, FLOOD_PORT and DONE_PORT stay, and so do the store and console
     * ports the monitor gave us. */
    TEST_EQ(n, EVTCHN_PORTS - 3 - (start_info->store_evtchn != 0) -
                   (start_info->console.domU.evtchn != 0));
    TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &p), -XEN_ENOSPC);
    TEST_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), 0);
    TEST_EQ(evtchn_bind_ipi(0, &p), 0);
    TEST_EQ(p, 1);
    TEST_EQ(evtchn_close(p), 0);
}

/*
 * Every event masked, a port pending but masked too, and a poll on another port that
 * nobody sends to: only the deadline ends it.  The guest has no clock, so it doubles the
 * deadline from 1 ms to 4 s of system time; the ones in the future keep it waiting while
 * the others run.
 */
static void wait_masked(void)
{
    evtchn_port_t pend, idle;

    events_mask_set(1);
    TEST_EQ(evtchn_bind_ipi(0, &pend), 0);
    TEST_EQ(evtchn_bind_ipi(0, &idle), 0);
    evtchn_mask(pend);
    evtchn_mask(idle);
    TEST_EQ(evtchn_send(pend), 0);
    for (uint64_t deadline = 1000000; deadline < (1ULL << 32); deadline *= 2) {
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll,
                                    &(struct sched_poll){.ports = {&idle}, .nr_ports = 1,
                                                         .timeout = deadline}),
                0);
    }
    TEST_ASSERT(evtchn_is_pending(pend) && !evtchn_is_pending(idle));
    TEST_EQ(evtchn_close(pend), 0);
    TEST_EQ(evtchn_close(idle), 0);
}

static void attacker(domid_t victim_id)
{
    evtchn_port_t port, done;

    events_mask_set(1);
    if (!TEST_EQ(evtchn_alloc_unbound(victim_id, &port), 0) || !TEST_EQ(port, FLOOD_PORT) ||
        !TEST_EQ(evtchn_alloc_unbound(victim_id, &done), 0) || !TEST_EQ(done, DONE_PORT) ||
        !wait_bound(FLOOD_PORT) || !wait_bound(DONE_PORT)) {
        return;
    }
    foreign_ports(victim_id);
    flood();
    bad_pointers();
    impossible_ports();
    churn();
    exhaust();
    wait_masked();
}

int guest_main(void)
{
    const char *line = (const char *)start_info->cmd_line;

    if (!events_usable) {
        test_error("no event callbacks");
    }
    if (strstr(line, "role=attacker")) {
        attacker((domid_t)arg("victim", 0));
    } else if (strstr(line, "role=victim")) {
        victim((domid_t)arg("attacker", 0));
    } else {
        test_error("role=attacker or role=victim");
    }
    test_finish();
}
