/*
 * Attacks on the monitor's xenstore, next to a well-behaved xenstore guest:
 *
 *     mode=flood peer=<id>   nodes, watches and transactions until the quotas refuse,
 *                            writes into the peer's and the monitor's nodes, malformed
 *                            requests of every kind; the store must still answer; then a
 *                            header with an impossible length, which ends its service
 *     mode=index             request indices far ahead of the data
 *     mode=rspidx            a response consumer index the store never produced
 *     mode=cons              console ring output indices far ahead of the data
 *
 * Each must get errors (or a broken ring of its own), never bring the monitor down; the
 * store returns to empty when every domain has gone (the harness checks the line).
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/xenbus.h"
#include "guest/xencons.h"
#include "guest/mm.h"
#include <xen/io/console.h>

TEST_NAME("hostile_xenstore");

static char buf[XENSTORE_PAYLOAD_MAX + 1];

static bool is_mode(const char *m)
{
    const char *r = strstr((const char *)start_info->cmd_line, "mode=");
    return r && !strncmp(r + 5, m, strlen(m));
}

static int raw(uint32_t type, uint32_t tx, const void *p, uint32_t len)
{
    return xenbus_request(type, tx, p, len, buf, sizeof(buf), NULL);
}

/* Nodes until the quota says no, then all of them removed. */
static void flood_nodes(void)
{
    char path[32];
    int rc = 0, n = 0;
    while (rc == 0 && n < 5000) {
        snprintf(path, sizeof(path), "flood/node%d", n++);
        rc = xenbus_write(0, path, "0123456789012345678901234567890123456789");
    }
    TEST_EQ(rc, -XEN_ENOSPC);
    test_note("nodes: refused after %d", n - 1);
    TEST_EQ(xenbus_write(0, "flood/big", "x"), -XEN_ENOSPC);
    TEST_EQ(xenbus_rm(0, "flood"), 0);
    TEST_EQ(xenbus_write(0, "after-flood", "ok"), 0);
}

/* Watches until the quota says no, with a change that fires all of them. */
static void flood_watches(void)
{
    char req[64];
    int rc = 0, n = 0;
    while (rc == 0 && n < 1000) {
        int l = snprintf(req, sizeof(req), "w") + 1;
        l += snprintf(req + l, sizeof(req) - (size_t)l, "token-%d", n++) + 1;
        rc = raw(XS_WATCH, 0, req, (uint32_t)l);
    }
    TEST_EQ(rc, -XEN_E2BIG);
    test_note("watches: refused after %d", n - 1);
    for (int i = 0; i < 20; i++) {
        TEST_EQ(xenbus_write(0, "w/leaf", "1"), 0);
    }
    xenbus_dispatch_watches();
    TEST_EQ(raw(XS_RESET_WATCHES, 0, "", 0), 0);
    TEST_EQ(xenbus_write(0, "w/leaf", "2"), 0);
}

static void flood_transactions(void)
{
    uint32_t tx[32];
    int n = 0, rc = 0;
    while (n < 32 && (rc = xenbus_transaction_start(&tx[n])) == 0) {
        n++;
    }
    TEST_EQ(rc, -XEN_ENOSPC);
    /* Left open on purpose: the monitor frees them with the connection. */
    test_note("transactions: refused after %d", n);
}

static void foreign_nodes(domid_t peer)
{
    char path[64];
    snprintf(path, sizeof(path), "/local/domain/%u/name", peer);
    TEST_EQ(xenbus_write(0, path, "owned"), -XEN_EACCES);
    TEST_EQ(xenbus_read(0, path, buf, sizeof(buf)), -XEN_EACCES);
    TEST_EQ(xenbus_rm(0, path), -XEN_EACCES);
    snprintf(path, sizeof(path), "/local/domain/%u/device/evil", peer);
    TEST_EQ(xenbus_write(0, path, "1"), -XEN_EACCES);
    snprintf(path, sizeof(path), "/local/domain/%u", peer);
    TEST_EQ(xenbus_rm(0, path), -XEN_EACCES);
    int l = snprintf(path, sizeof(path), "/local/domain/%u", peer) + 1;
    memcpy(path + l, "b0", 3);
    TEST_EQ(raw(XS_SET_PERMS, 0, path, (uint32_t)l + 3), -XEN_EACCES);
    TEST_EQ(xenbus_rm(0, "/local/domain"), -XEN_EACCES);
    TEST_EQ(xenbus_rm(0, "/"), -XEN_EINVAL);
    TEST_EQ(xenbus_write(0, "/local/domain/0/backend/vbd", "1"), -XEN_EACCES);
    TEST_EQ(xenbus_write(0, "memory/target", "999999999"), -XEN_EACCES);
    TEST_EQ(raw(XS_SET_PERMS, 0, "name\0b1", 8), -XEN_EACCES);
}

static void malformed(void)
{
    static char big[XENSTORE_PAYLOAD_MAX];
    TEST_EQ(raw(XS_READ, 0, "name", 4), -XEN_EINVAL);          /* unterminated */
    TEST_EQ(raw(XS_READ, 0, "", 0), -XEN_EINVAL);              /* empty */
    TEST_EQ(raw(XS_WATCH, 0, "name", 5), -XEN_EINVAL);         /* no token */
    TEST_EQ(raw(XS_TRANSACTION_END, 0, "T", 2), -XEN_ENOENT);
    TEST_EQ(raw(XS_TRANSACTION_END, 77, "T", 2), -XEN_ENOENT);
    TEST_EQ(raw(XS_WRITE, 99, "x\0y", 3), -XEN_ENOENT);
    TEST_EQ(raw(0xFFFF, 0, "", 0), -XEN_EINVAL);
    TEST_EQ(raw(XS_TYPE_COUNT, 0, "", 0), -XEN_EINVAL);
    TEST_EQ(raw(XS_INTRODUCE, 0, "1\0" "2\0" "3", 6), -XEN_ENOSYS);
    TEST_EQ(raw(XS_SET_PERMS, 0, "name\0zz\0", 8), -XEN_EINVAL);
    TEST_EQ(raw(XS_SET_PERMS, 0, "name\0r99999999\0", 16), -XEN_EINVAL);
    TEST_EQ(raw(XS_GET_DOMAIN_PATH, 0, "-1", 3), -XEN_EINVAL);
    TEST_EQ(xenbus_write(0, "a/../b", "1"), -XEN_EINVAL);
    TEST_EQ(xenbus_write(0, "a b", "1"), -XEN_EINVAL);
    TEST_EQ(xenbus_write(0,
                         "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/1/2/3/4/5/6/7/8",
                         "deep"), -XEN_EINVAL);
    memset(big, 'p', sizeof(big) - 1);
    TEST_EQ(raw(XS_READ, 0, big, sizeof(big)), -XEN_E2BIG);    /* a path too long */
    memcpy(big, "v\0", 2);
    TEST_EQ(raw(XS_WRITE, 0, big, sizeof(big)), -XEN_E2BIG);   /* a value too long */
    /* The store still answers. */
    TEST_EQ(xenbus_read(0, "after-flood", buf, sizeof(buf)), 2);
}

/* Puts a header straight on the ring and tells the store. */
static void put_raw_header(uint32_t type, uint32_t len)
{
    volatile struct xenstore_domain_interface *r = xenbus_ring();
    struct xsd_sockmsg h = {.type = type, .req_id = 1, .len = len};
    uint32_t prod = r->req_prod;
    for (uint32_t i = 0; i < sizeof(h); i++) {
        r->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)&h)[i];
    }
    barrier();
    r->req_prod = prod + sizeof(h);
    evtchn_send(xenbus_port());
}

/* Waits for the store to say the ring is broken; then requests fail, the guest goes on. */
static void expect_broken(uint32_t why)
{
    volatile struct xenstore_domain_interface *r = xenbus_ring();
    for (int i = 0; i < 20000 && !r->error; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    TEST_EQ(r->error, why);
    TEST_EQ(xenbus_read(0, "name", buf, sizeof(buf)), -XEN_EIO);
}

int guest_main(void)
{
    volatile struct xenstore_domain_interface *r;
    if (xenbus_init()) {
        test_skip("no xenstore in start_info");
    }
    r = xenbus_ring();
    TEST_EQ(r->server_features & XENSTORE_SERVER_FEATURE_ERROR, XENSTORE_SERVER_FEATURE_ERROR);
    if (is_mode("flood")) {
        foreign_nodes((domid_t)test_arg("peer", 0));    /* first: while the peer is there */
        flood_nodes();
        flood_watches();
        malformed();
        flood_transactions();
        put_raw_header(XS_READ, XENSTORE_PAYLOAD_MAX + 1);
        expect_broken(XENSTORE_ERROR_PROTO);
    } else if (is_mode("index")) {
        TEST_EQ(xenbus_read(0, "name", buf, sizeof(buf)) > 0, 1);
        r->req_prod = r->req_cons + 100000;
        evtchn_send(xenbus_port());
        expect_broken(XENSTORE_ERROR_RINGIDX);
    } else if (is_mode("rspidx")) {
        TEST_EQ(xenbus_read(0, "name", buf, sizeof(buf)) > 0, 1);
        r->rsp_cons = r->rsp_prod + 5000;
        /* The client sees the impossible index itself; the store when it next writes. */
        TEST_EQ(xenbus_request(XS_READ, 0, "name", 5, buf, sizeof(buf), NULL), -XEN_EIO);
        expect_broken(XENSTORE_ERROR_RINGIDX);
    } else if (is_mode("cons")) {
        volatile struct xencons_interface *c = pfn_to_va(mfn_to_pfn(start_info->console.domU.mfn));
        TEST_EQ(xencons_init(), 0);
        TEST_EQ(xencons_write("before\n", 7), 7);
        TEST_EQ(xencons_flush(), 0);
        c->out_prod = c->out_cons + 100000;
        evtchn_send(start_info->console.domU.evtchn);
        /* Never taken now: the monitor stopped serving this ring; we go on. */
        TEST_EQ(xencons_flush(), -XEN_EIO);
        TEST_EQ(xenbus_read(0, "name", buf, sizeof(buf)), 4);   /* the store still serves */
    } else {
        test_error("no mode= given");
    }
    test_finish();
}
