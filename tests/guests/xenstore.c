/*
 * The monitor's xenstore from a guest, through the runtime's xenbus client: the standard
 * entries, every operation, every error string a guest can cause, watches (the initial
 * firing, firing on a change, unwatch), transactions (a conflict giving EAGAIN and the
 * retry), permissions between two domains, and the console ring carrying output.
 *
 *     role=solo                  everything that needs one domain
 *     role=owner peer=<id>       shares a node with the peer, then waits for its mark
 *     role=reader peer=<id>      reads the shared node, may not write it nor the owner's home
 *     role=typist                reads a line the operator types into its console ring
 *     cycles=1                   also prints the instructions per XS_READ round trip (-icount)
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/time.h"
#include "guest/xenbus.h"
#include "guest/xencons.h"

TEST_NAME("xenstore");

/* How long a domain waits for its peer's step: generous, the host may be busy. */
#define WAIT_NS     (20ull * 1000 * 1000 * 1000)
#define VALUE_QUOTA 2048    /* the monitor's limit on one value (docs/xenstore.md) */

static char buf[XENSTORE_PAYLOAD_MAX + 1];

/* A raw request whose error (or 0) is returned. */
static int raw(uint32_t type, uint32_t tx, const void *p, uint32_t len)
{
    return xenbus_request(type, tx, p, len, buf, sizeof(buf), NULL);
}

static void test_standard_entries(domid_t *self)
{
    uint64_t id = 0, target = 0;
    TEST_EQ(xenbus_read_u64(0, "domid", &id), 0);
    *self = (domid_t)id;
    TEST_CHECK(id > 0 && id < 64, "domid %llu", (unsigned long long)id);
    TEST_EQ(xenbus_read_u64(0, "memory/target", &target), 0);
    TEST_EQ(target, start_info->nr_pages * 4);
    TEST_ASSERT(xenbus_read(0, "name", buf, sizeof(buf)) > 0);
    TEST_EQ(raw(XS_GET_DOMAIN_PATH, 0, "0", 2), 0);
    TEST_ASSERT(!strcmp(buf, "/local/domain/0"));
    TEST_EQ(xenbus_read(0, "control/shutdown", buf, sizeof(buf)), 0);
    TEST_ASSERT(xenbus_directory(0, "/local/domain", buf, sizeof(buf)) > 0);
}

static void test_operations(void)
{
    TEST_EQ(xenbus_write(0, "data/a", "alpha"), 0);
    TEST_EQ(xenbus_read(0, "data/a", buf, sizeof(buf)), 5);
    TEST_ASSERT(!strcmp(buf, "alpha"));
    TEST_EQ(xenbus_mkdir(0, "data/dir"), 0);
    TEST_EQ(xenbus_mkdir(0, "data/dir"), 0);
    TEST_EQ(xenbus_directory(0, "data", buf, sizeof(buf)), 6);  /* "a\0dir\0" */
    TEST_EQ(raw(XS_SET_PERMS, 0, "data/a\0n0", 10), -XEN_EPERM);   /* giving it away */
    TEST_EQ(raw(XS_GET_PERMS, 0, "data/a", 7), 0);
    TEST_EQ(xenbus_rm(0, "data"), 0);
    TEST_EQ(xenbus_rm(0, "data"), 0);     /* gone already, parent there: fine */
}

/* Each error string a guest can cause, by a request that causes it. */
static void test_errors(void)
{
    static char big[VALUE_QUOTA + 16];
    uint32_t tx[8];
    int n = 0, rc;
    TEST_EQ(xenbus_read(0, "no/such/node", buf, sizeof(buf)), -XEN_ENOENT);
    TEST_EQ(xenbus_write(0, "memory/target", "1"), -XEN_EACCES);
    TEST_EQ(xenbus_write(0, "/rogue", "1"), -XEN_EACCES);
    TEST_EQ(xenbus_write(0, "bad//path", "1"), -XEN_EINVAL);
    TEST_EQ(raw(XS_READ, 0, "unterminated", 12), -XEN_EINVAL);
    TEST_EQ(raw(200, 0, "", 0), -XEN_EINVAL);
    TEST_EQ(raw(XS_CONTROL, 0, "print\0x", 8), -XEN_ENOSYS);
    TEST_EQ(raw(XS_READ, 4242, "name", 5), -XEN_ENOENT);   /* no such transaction */
    memset(big, 'v', sizeof(big) - 1);
    TEST_EQ(xenbus_write(0, "big", big), -XEN_E2BIG);
    TEST_EQ(raw(XS_WATCH, 0, "device\0dup", 11), 0);
    TEST_EQ(xenbus_dispatch_watches(), 0);  /* its initial firing has no callback here */
    TEST_EQ(raw(XS_WATCH, 0, "device\0dup", 11), -XEN_EEXIST);
    TEST_EQ(raw(XS_UNWATCH, 0, "device\0dup", 11), 0);
    while (n < 8 && (rc = xenbus_transaction_start(&tx[n])) == 0) {
        n++;
    }
    TEST_EQ(rc, -XEN_ENOSPC);
    TEST_CHECK(n >= 1 && n < 8, "%d transactions open", n);
    while (n--) {
        TEST_EQ(xenbus_transaction_end(tx[n], true), 0);
    }
}

static unsigned int fired;
static char fired_path[64];

static void on_watch(const char *path, const char *token, void *arg)
{
    (void)token;
    (void)arg;
    fired++;
    size_t n = strnlen(path, sizeof(fired_path) - 1);
    memcpy(fired_path, path, n);
    fired_path[n] = '\0';
}

static void test_watches(void)
{
    TEST_EQ(xenbus_watch("watched", "w1", on_watch, NULL), 0);
    TEST_EQ(xenbus_dispatch_watches(), 1);     /* the initial firing */
    TEST_EQ(fired, 1);
    TEST_ASSERT(!strcmp(fired_path, "watched"));
    TEST_EQ(xenbus_write(0, "watched/leaf", "1"), 0);
    TEST_EQ(xenbus_dispatch_watches(), 1);
    TEST_ASSERT(!strcmp(fired_path, "watched/leaf"));
    TEST_EQ(xenbus_write(0, "watchedx", "1"), 0);  /* beside it */
    TEST_EQ(xenbus_unwatch("watched", "w1"), 0);
    TEST_EQ(xenbus_write(0, "watched/leaf", "2"), 0);
    TEST_EQ(xenbus_dispatch_watches(), 0);
    TEST_EQ(fired, 2);
    TEST_EQ(xenbus_unwatch("watched", "w1"), -XEN_ENOENT);
}

static unsigned int attempts;

/* A transaction body that, on its first attempt, has a plain write beat it. */
static int bump(uint32_t tx, void *arg)
{
    uint64_t v = 0;
    (void)arg;
    attempts++;
    xenbus_read_u64(tx, "counter", &v);
    if (attempts == 1) {
        TEST_EQ(xenbus_write(0, "counter", "100"), 0);
    }
    char s[24];
    snprintf(s, sizeof(s), "%llu", (unsigned long long)(v + 1));
    return xenbus_write(tx, "counter", s);
}

static void test_transactions(void)
{
    uint32_t t1, t2;
    uint64_t v = 0;
    /* Two transactions of one domain: the second read what the first changed, and loses. */
    TEST_EQ(xenbus_transaction_start(&t1), 0);
    TEST_EQ(xenbus_transaction_start(&t2), 0);
    TEST_EQ(xenbus_write(t1, "tx/a", "1"), 0);
    TEST_EQ(xenbus_read(t2, "tx/a", buf, sizeof(buf)), -XEN_ENOENT);
    TEST_EQ(xenbus_write(t2, "tx/b", "2"), 0);
    TEST_EQ(xenbus_read(0, "tx/a", buf, sizeof(buf)), -XEN_ENOENT);   /* not yet */
    TEST_EQ(xenbus_transaction_end(t1, false), 0);
    TEST_EQ(xenbus_transaction_end(t2, false), -XEN_EAGAIN);
    TEST_EQ(xenbus_read(0, "tx/a", buf, sizeof(buf)), 1);
    TEST_EQ(xenbus_read(0, "tx/b", buf, sizeof(buf)), -XEN_ENOENT);
    /* The retry loop. */
    TEST_EQ(xenbus_write(0, "counter", "0"), 0);
    TEST_EQ(xenbus_transact(bump, NULL, 5), 0);
    TEST_EQ(attempts, 2);
    TEST_EQ(xenbus_read_u64(0, "counter", &v), 0);
    TEST_EQ(v, 101);
}

/* Lines on the console ring (one longer than the ring), then waits until the monitor
 * has taken them all; the harness finds the lines in the log with our name. */
static void test_console_ring(void)
{
    static char many[3000];
    static const char line[] = "console ring: hello through the ring\n";
    size_t n = 0;
    if (xencons_init() != 0) {
        TEST_CHECK(false, "no console ring in start_info");
        return;
    }
    TEST_EQ(xencons_write(line, sizeof(line) - 1), (int)sizeof(line) - 1);
    while (n + 40 < sizeof(many)) {
        n += (size_t)snprintf(many + n, sizeof(many) - n, "console ring: line at %04u\n",
                              (unsigned int)n);
    }
    TEST_EQ(xencons_write(many, n), (int)n);
    TEST_EQ(xencons_flush(), 0);
    TEST_EQ(xencons_read(many, sizeof(many)), 0);   /* nobody typed anything */
}

static void measure(void)
{
    enum { N = 1000 };
    uint64_t t0 = __builtin_ia32_rdtsc(), t;
    for (int i = 0; i < N; i++) {
        xenbus_read(0, "domid", buf, sizeof(buf));
    }
    t = __builtin_ia32_rdtsc() - t0;
    test_note("%llu cycles per XS_READ round trip", (unsigned long long)(t / N));
}

static void owner(domid_t peer)
{
    char path[48];
    snprintf(path, sizeof(path), "/local/domain/%u/done", peer);
    TEST_EQ(xenbus_write(0, "shared", "for-the-peer"), 0);
    /* "shared\0n<self>\0r<peer>\0": the peer may read it. */
    uint64_t self = 0;
    xenbus_read_u64(0, "domid", &self);
    int l = snprintf(buf, sizeof(buf), "shared") + 1;
    l += snprintf(buf + l, sizeof(buf) - l, "n%llu", (unsigned long long)self) + 1;
    l += snprintf(buf + l, sizeof(buf) - l, "r%u", peer) + 1;
    TEST_EQ(xenbus_request(XS_SET_PERMS, 0, buf, (uint32_t)l, buf, sizeof(buf), NULL), 0);
    /* The peer cannot write here, so it says it is done in its own home. */
    int rc = -XEN_ENOENT;
    for (uint64_t end = time_system_ns() + WAIT_NS; rc == -XEN_ENOENT && time_system_ns() < end;) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        rc = xenbus_read(0, path, buf, sizeof(buf));
    }
    TEST_EQ(rc, -XEN_EACCES);   /* its home is its own: we only see that it exists */
    TEST_EQ(xenbus_write(0, "shared", "ack"), 0);     /* the peer may go now */
    /*
     * Our node goes with us: stay until the peer has seen the ack (its "bye" exists) or
     * has gone (its home is removed with it).
     */
    char home[48];
    bool seen = false;
    snprintf(path, sizeof(path), "/local/domain/%u/bye", peer);
    snprintf(home, sizeof(home), "/local/domain/%u", peer);
    for (uint64_t end = time_system_ns() + WAIT_NS; !seen && time_system_ns() < end;) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        seen = xenbus_read(0, path, buf, sizeof(buf)) != -XEN_ENOENT ||
               xenbus_read(0, home, buf, sizeof(buf)) == -XEN_ENOENT;
    }
    TEST_ASSERT(seen);
}

static void reader(domid_t self, domid_t peer)
{
    char path[48];
    int rc = -XEN_EACCES;
    snprintf(path, sizeof(path), "/local/domain/%u/shared", peer);
    for (uint64_t end = time_system_ns() + WAIT_NS; rc < 0 && time_system_ns() < end;) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        rc = xenbus_read(0, path, buf, sizeof(buf));
    }
    TEST_EQ(rc, 12);
    TEST_ASSERT(!strcmp(buf, "for-the-peer"));
    TEST_EQ(xenbus_write(0, path, "mine now"), -XEN_EACCES);
    snprintf(path, sizeof(path), "/local/domain/%u/name", peer);
    TEST_EQ(xenbus_write(0, path, "mine"), -XEN_EACCES);
    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", peer);
    TEST_EQ(xenbus_write(0, path, "poweroff"), -XEN_EACCES);
    TEST_EQ(xenbus_rm(0, path), -XEN_EACCES);
    TEST_EQ(xenbus_mkdir(0, "/local/domain/0/backend/evil"), -XEN_EACCES);
    (void)self;
    TEST_EQ(xenbus_write(0, "done", "1"), 0);
    snprintf(path, sizeof(path), "/local/domain/%u/shared", peer);
    rc = 0;
    for (uint64_t end = time_system_ns() + WAIT_NS; rc != 3 && time_system_ns() < end;) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        rc = xenbus_read(0, path, buf, sizeof(buf));
    }
    TEST_ASSERT(!strcmp(buf, "ack"));
    TEST_EQ(xenbus_write(0, "bye", "1"), 0);
}

/* Waits for a line typed at the operator console (console N) through the console ring. */
static void typist(void)
{
    char got[32];
    size_t n = 0;
    TEST_EQ(xencons_init(), 0);
    test_note("typist: ready");
    for (uint64_t end = time_system_ns() + WAIT_NS;
         time_system_ns() < end && (n == 0 || got[n - 1] != '\r');) {
        int rc = xencons_read(got + n, sizeof(got) - 1 - n);
        TEST_ASSERT(rc >= 0);
        n += rc > 0 ? (size_t)rc : 0;
        if (n == sizeof(got) - 1) {
            break;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    got[n] = '\0';
    TEST_ASSERT(n == 7 && !memcmp(got, "typed!\r", 7));
    got[n && got[n - 1] == '\r' ? n - 1 : n] = '\0';
    test_note("typist: read '%s' from the console ring", got);
}

int guest_main(void)
{
    domid_t self = 0;
    if (xenbus_init()) {
        test_skip("no xenstore in start_info");
    }
    test_standard_entries(&self);
    if (test_role("owner")) {
        owner((domid_t)test_arg("peer", 0));
    } else if (test_role("reader")) {
        reader(self, (domid_t)test_arg("peer", 0));
    } else if (test_role("typist")) {
        typist();
    } else {
        test_operations();
        test_errors();
        test_watches();
        test_transactions();
        test_console_ring();
        if (test_arg("cycles", 0)) {
            measure();
        }
    }
    test_finish();
}
