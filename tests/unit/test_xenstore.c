/*
 * Unit tests of the xenstore (kernel/xs_tree.c, kernel/xs_conn.c): the tree, permissions,
 * transactions, watches, quotas and the protocol's errors, driven message by message as a
 * guest's ring would, with the heap counted so that every test ends with nothing left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "kernel/xs_conn.h"
#include "mm/heap.h"

static long heap_live;
static bool heap_fail;

void *kmalloc(size_t size)
{
    void *p;
    if (heap_fail) {
        return NULL;
    }
    p = calloc(1, size);
    assert_non_null(p);
    heap_live++;
    return p;
}

void kfree(void *p)
{
    if (p) {
        heap_live--;
        free(p);
    }
}

/* ---- a store with two guests, and a reply reader ---- */

static struct xs_store *st;
static struct xs_conn *g1, *g2;

static int setup(void **state)
{
    (void)state;
    heap_live = 0;
    st = xs_store_create();
    assert_non_null(st);
    assert_int_equal(xs_store_introduce(st, 1, "alpha", 65536), 0);
    assert_int_equal(xs_store_introduce(st, 2, "beta", 32768), 0);
    g1 = xs_conn_create(st, 1);
    g2 = xs_conn_create(st, 2);
    assert_non_null(g1);
    assert_non_null(g2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xs_conn_destroy(g1);
    xs_conn_destroy(g2);
    xs_store_release(st, 1);
    xs_store_release(st, 2);
    xs_store_destroy(st);
    assert_int_equal(heap_live, 0);
    return 0;
}

struct msg {
    struct xsd_sockmsg h;
    char p[XENSTORE_PAYLOAD_MAX + 1];
};

/* Takes the next whole message queued on c; false when there is none. */
static bool next_msg(struct xs_conn *c, struct msg *m)
{
    uint32_t len;
    const uint8_t *b = xs_conn_out_peek(c, &len);
    if (!b) {
        return false;
    }
    assert_true(len >= sizeof(m->h));
    memcpy(&m->h, b, sizeof(m->h));
    assert_int_equal(len, sizeof(m->h) + m->h.len);
    memcpy(m->p, b + sizeof(m->h), m->h.len);
    m->p[m->h.len] = '\0';
    xs_conn_out_consume(c, len);
    return true;
}

/* Sends a request with a payload of len bytes, returns its reply (events left queued
 * behind it are kept for the caller only when they come after the reply). */
static struct msg last;
static const struct msg *req(struct xs_conn *c, uint32_t type, uint32_t tx, const void *p,
                             uint32_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 77, .tx_id = tx, .len = len };
    xs_conn_request(c, &h, p);
    assert_true(next_msg(c, &last));
    if (last.h.req_id != 77) {
        fail_msg("request %u: message %u (%s) before its reply", type, last.h.type, last.p);
    }
    return &last;
}

/* A request whose payload is the strings given, each with its NUL. */
static const struct msg *req_s(struct xs_conn *c, uint32_t type, uint32_t tx, const char *a,
                               const char *b)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;
    memcpy(buf, a, la);
    if (b) {
        memcpy(buf + la, b, lb);
    }
    return req(c, type, tx, buf, (uint32_t)(la + lb));
}

/* XS_WRITE "path\0value" (the value without a NUL, as clients send it). */
static const struct msg *wr(struct xs_conn *c, uint32_t tx, const char *path, const char *v)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t lp = strlen(path) + 1, lv = strlen(v);
    memcpy(buf, path, lp);
    memcpy(buf + lp, v, lv);
    return req(c, XS_WRITE, tx, buf, (uint32_t)(lp + lv));
}

static void assert_error(const struct msg *m, const char *err)
{
    assert_int_equal(m->h.type, XS_ERROR);
    assert_string_equal(m->p, err);
}

static void assert_ok(const struct msg *m, uint32_t type)
{
    assert_int_equal(m->h.type, type);
}

/* ---- the tree ---- */

static void test_standard_tree(void **state)
{
    (void)state;
    assert_string_equal(req_s(g1, XS_READ, 0, "name", NULL)->p, "alpha");
    assert_string_equal(req_s(g1, XS_READ, 0, "/local/domain/1/domid", NULL)->p, "1");
    assert_string_equal(req_s(g1, XS_READ, 0, "memory/target", NULL)->p, "65536");
    assert_string_equal(req_s(g1, XS_GET_DOMAIN_PATH, 0, "1", NULL)->p, "/local/domain/1");
    /* The guest writes control/shutdown, but not its memory target nor its name. */
    assert_ok(wr(g1, 0, "control/shutdown", "poweroff"), XS_WRITE);
    assert_error(wr(g1, 0, "memory/target", "1"), "EACCES");
    assert_error(wr(g1, 0, "name", "x"), "EACCES");
    assert_ok(wr(g1, 0, "device/vif/0/state", "1"), XS_WRITE);
    assert_string_equal(req_s(g1, XS_READ, 0, "device/vif/0/state", NULL)->p, "1");
}

static void test_read_write_rm(void **state)
{
    const struct msg *m;
    (void)state;
    assert_ok(wr(g1, 0, "data/a", "1"), XS_WRITE);
    assert_ok(wr(g1, 0, "data/b", ""), XS_WRITE);
    assert_ok(req_s(g1, XS_MKDIR, 0, "data/c", NULL), XS_MKDIR);
    assert_ok(req_s(g1, XS_MKDIR, 0, "data/c", NULL), XS_MKDIR);   /* exists: fine */
    m = req_s(g1, XS_DIRECTORY, 0, "data", NULL);
    assert_int_equal(m->h.len, 6);     /* "c\0b\0a\0" in some order */
    assert_int_equal(req_s(g1, XS_READ, 0, "data/b", NULL)->h.len, 0);
    assert_ok(req_s(g1, XS_RM, 0, "data", NULL), XS_RM);
    assert_error(req_s(g1, XS_READ, 0, "data/a", NULL), "ENOENT");
    /* Removing a missing node is fine while its parent is there, ENOENT otherwise. */
    assert_ok(req_s(g1, XS_RM, 0, "data", NULL), XS_RM);
    assert_error(req_s(g1, XS_RM, 0, "data/x/y", NULL), "ENOENT");
    assert_error(req_s(g1, XS_DIRECTORY, 0, "nothing", NULL), "ENOENT");
}

/* ---- permissions ---- */

static void test_permissions(void **state)
{
    const struct msg *m;
    (void)state;
    /* Another domain's home: neither readable nor writable; no new nodes at the root. */
    assert_error(wr(g1, 0, "/local/domain/2/x", "1"), "EACCES");
    assert_error(req_s(g1, XS_READ, 0, "/local/domain/2/name", NULL), "EACCES");
    assert_error(req_s(g1, XS_RM, 0, "/local/domain/2", NULL), "EACCES");
    assert_error(wr(g1, 0, "/evil", "1"), "EACCES");
    assert_error(req_s(g1, XS_MKDIR, 0, "/local/domain/0/backend/x", NULL), "EACCES");
    assert_error(req_s(g1, XS_RM, 0, "/", NULL), "EINVAL");
    /* Listing the domains is allowed. */
    assert_ok(req_s(g1, XS_DIRECTORY, 0, "/local/domain", NULL), XS_DIRECTORY);
    /* Sharing a node with domain 2: read only, then both. */
    assert_ok(wr(g1, 0, "shared", "v"), XS_WRITE);
    m = req_s(g1, XS_GET_PERMS, 0, "shared", NULL);
    assert_int_equal(m->h.len, 3);
    assert_string_equal(m->p, "n1");
    assert_ok(req(g1, XS_SET_PERMS, 0, "shared\0n1\0r2", 13), XS_SET_PERMS);
    assert_string_equal(req_s(g2, XS_READ, 0, "/local/domain/1/shared", NULL)->p, "v");
    assert_error(wr(g2, 0, "/local/domain/1/shared", "w"), "EACCES");
    assert_error(req(g2, XS_SET_PERMS, 0, "/local/domain/1/shared\0b2", 26), "EACCES");
    assert_ok(req(g1, XS_SET_PERMS, 0, "shared\0n1\0b2", 13), XS_SET_PERMS);
    assert_ok(wr(g2, 0, "/local/domain/1/shared", "w"), XS_WRITE);
    /* A node domain 2 creates below is its own (and counts on its quota). */
    assert_ok(wr(g2, 0, "/local/domain/1/shared/sub", "2"), XS_WRITE);
    assert_string_equal(req_s(g2, XS_GET_PERMS, 0, "/local/domain/1/shared/sub", NULL)->p,
                        "n2");
    /* Giving a node away, malformed lists. */
    assert_error(req(g1, XS_SET_PERMS, 0, "shared\0n2", 10), "EPERM");
    assert_error(req(g1, XS_SET_PERMS, 0, "shared\0x1", 10), "EINVAL");
    assert_error(req(g1, XS_SET_PERMS, 0, "shared\0r", 9), "EINVAL");
    assert_error(req(g1, XS_SET_PERMS, 0, "shared\0r1x", 11), "EINVAL");
    assert_error(req(g1, XS_SET_PERMS, 0, "shared\0r1", 9), "EINVAL");   /* unterminated */
    assert_error(req(g1, XS_SET_PERMS, 0, "shared", 7), "EINVAL");       /* empty list */
}

/* ---- malformed requests ---- */

static void test_malformed(void **state)
{
    char big[XENSTORE_PAYLOAD_MAX];
    (void)state;
    assert_error(req(g1, XS_READ, 0, "name", 4), "EINVAL");      /* no NUL */
    assert_error(req(g1, XS_READ, 0, "", 0), "EINVAL");          /* no path at all */
    assert_error(req_s(g1, XS_READ, 0, "a//b", NULL), "EINVAL");
    assert_error(req_s(g1, XS_READ, 0, "a/", NULL), "EINVAL");
    assert_error(req_s(g1, XS_READ, 0, "a b", NULL), "EINVAL");
    assert_error(req(g1, 9999, 0, "", 0), "EINVAL");             /* unknown type */
    assert_error(req(g1, XS_CONTROL, 0, "", 0), "ENOSYS");
    assert_error(req(g1, XS_INTRODUCE, 0, "", 0), "ENOSYS");
    assert_error(req_s(g1, XS_WATCH, 0, "path-only", NULL), "EINVAL");
    assert_error(req_s(g1, XS_GET_DOMAIN_PATH, 0, "x1", NULL), "EINVAL");
    assert_error(req_s(g1, XS_TRANSACTION_END, 0, "T", NULL), "ENOENT");
    assert_error(req_s(g1, XS_READ, 42, "name", NULL), "ENOENT");    /* unknown transaction */
    /* Paths too long, too deep; values too large. */
    memset(big, 'a', sizeof(big));
    big[XENSTORE_REL_PATH_MAX + 1] = '\0';
    assert_error(req(g1, XS_READ, 0, big, XENSTORE_REL_PATH_MAX + 2), "E2BIG");
    assert_error(req_s(g1, XS_MKDIR, 0,
                       "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3", NULL),
                 "EINVAL");
    memcpy(big, "v\0", 2);
    assert_error(req(g1, XS_WRITE, 0, big, XS_QUOTA_VALUE + 3), "E2BIG");
    assert_ok(req(g1, XS_WRITE, 0, big, XS_QUOTA_VALUE + 2), XS_WRITE);
}

/* ---- watches ---- */

static void test_watches(void **state)
{
    struct msg m;
    (void)state;
    /* The initial firing follows the reply. */
    assert_ok(req_s(g1, XS_WATCH, 0, "device", "tok"), XS_WATCH);
    assert_true(next_msg(g1, &m));
    assert_int_equal(m.h.type, XS_WATCH_EVENT);
    assert_memory_equal(m.p, "device\0tok\0", 11);
    assert_false(next_msg(g1, &m));
    assert_error(req_s(g1, XS_WATCH, 0, "device", "tok"), "EEXIST");
    /* A change below it fires, with the relative path; one beside it does not. */
    assert_ok(wr(g1, 0, "device/x", "1"), XS_WRITE);
    assert_true(next_msg(g1, &m));
    assert_memory_equal(m.p, "device/x\0tok\0", 13);
    assert_ok(wr(g1, 0, "devicex", "1"), XS_WRITE);
    assert_false(next_msg(g1, &m));
    /* Another domain's change, and the monitor's own, reach it too. */
    assert_ok(req_s(g2, XS_WATCH, 0, "/local/domain/1/device", "abs"), XS_WATCH);
    assert_false(next_msg(g2, &m));   /* domain 2 may not read it: no initial firing */
    assert_int_equal(xs_store_write(st, "/local/domain/1/device/y", "2"), 0);
    assert_true(next_msg(g1, &m));
    assert_memory_equal(m.p, "device/y\0tok\0", 13);
    assert_false(next_msg(g2, &m));   /* nor any other */
    /* Removing the watched node fires, and a watch below a removed subtree too. */
    assert_ok(req_s(g1, XS_WATCH, 0, "device/x", "deep"), XS_WATCH);
    assert_true(next_msg(g1, &m));
    assert_ok(req_s(g1, XS_RM, 0, "device", NULL), XS_RM);
    assert_true(next_msg(g1, &m));
    assert_true(next_msg(g1, &m));
    assert_false(next_msg(g1, &m));
    /* Unwatch: nothing more. */
    assert_ok(req_s(g1, XS_UNWATCH, 0, "device", "tok"), XS_UNWATCH);
    assert_error(req_s(g1, XS_UNWATCH, 0, "device", "tok"), "ENOENT");
    assert_ok(req_s(g1, XS_UNWATCH, 0, "device/x", "deep"), XS_UNWATCH);
    assert_ok(wr(g1, 0, "device/z", "1"), XS_WRITE);
    assert_false(next_msg(g1, &m));
    /* Special watches. */
    assert_ok(req_s(g2, XS_WATCH, 0, "@releaseDomain", "r"), XS_WATCH);
    assert_true(next_msg(g2, &m));
    assert_memory_equal(m.p, "@releaseDomain\0r\0", 17);
}

static void test_watch_quota(void **state)
{
    char tok[256];
    struct msg m;
    (void)state;
    memset(tok, 'k', sizeof(tok));
    for (int i = 0; i < XS_WATCH_MAX; i++) {
        snprintf(tok + 200, sizeof(tok) - 200, "t%d", i);
        assert_ok(req_s(g1, XS_WATCH, 0, "/local/domain/1/nothing", tok), XS_WATCH);
        assert_true(next_msg(g1, &m));
    }
    assert_error(req_s(g1, XS_WATCH, 0, "/local/domain/1/nothing", "more"), "E2BIG");
    /* One change, 128 events: those past the output limit are dropped, not queued. */
    assert_ok(wr(g1, 0, "nothing", "1"), XS_WRITE);
    assert_true(g1->out_bytes <= XS_OUT_MAX);
    assert_true(g1->events_dropped > 0);
    while (next_msg(g1, &m)) {
        assert_int_equal(m.h.type, XS_WATCH_EVENT);
    }
    assert_ok(req(g1, XS_RESET_WATCHES, 0, "", 0), XS_RESET_WATCHES);
    assert_int_equal(g1->nr_watches, 0);
}

/* ---- transactions ---- */

static uint32_t txn_start(struct xs_conn *c)
{
    const struct msg *m = req(c, XS_TRANSACTION_START, 0, "", 1);
    assert_int_equal(m->h.type, XS_TRANSACTION_START);
    return (uint32_t)strtoul(m->p, NULL, 10);
}

static void test_transactions(void **state)
{
    uint32_t t1, t2;
    struct msg m;
    (void)state;
    assert_ok(req_s(g1, XS_WATCH, 0, "tx", "w"), XS_WATCH);
    assert_true(next_msg(g1, &m));
    /* Isolation: the change shows inside only, until the commit (which fires). */
    t1 = txn_start(g1);
    assert_true(t1 != 0);
    assert_ok(wr(g1, t1, "tx/a", "1"), XS_WRITE);
    assert_string_equal(req_s(g1, XS_READ, t1, "tx/a", NULL)->p, "1");
    assert_error(req_s(g1, XS_READ, 0, "tx/a", NULL), "ENOENT");
    assert_false(next_msg(g1, &m));
    assert_ok(req_s(g1, XS_TRANSACTION_END, t1, "T", NULL), XS_TRANSACTION_END);
    assert_true(next_msg(g1, &m));
    assert_memory_equal(m.p, "tx/a\0w\0", 7);
    assert_string_equal(req_s(g1, XS_READ, 0, "tx/a", NULL)->p, "1");
    /* A conflict: one transaction read what another then changed and committed. */
    t1 = txn_start(g1);
    t2 = txn_start(g1);
    assert_string_equal(req_s(g1, XS_READ, t2, "tx/a", NULL)->p, "1");
    assert_ok(wr(g1, t2, "b", "3"), XS_WRITE);
    assert_ok(wr(g1, t1, "tx/a", "2"), XS_WRITE);
    assert_ok(req_s(g1, XS_TRANSACTION_END, t1, "T", NULL), XS_TRANSACTION_END);
    assert_true(next_msg(g1, &m));
    assert_error(req_s(g1, XS_TRANSACTION_END, t2, "T", NULL), "EAGAIN");
    assert_error(req_s(g1, XS_READ, 0, "b", NULL), "ENOENT");
    assert_error(req_s(g1, XS_TRANSACTION_END, t2, "T", NULL), "ENOENT");   /* gone */
    /* Unrelated changes meanwhile do not disturb a transaction; they survive its commit. */
    t1 = txn_start(g1);
    assert_string_equal(req_s(g1, XS_READ, t1, "tx/a", NULL)->p, "2");
    assert_ok(wr(g1, t1, "tx/c", "3"), XS_WRITE);
    assert_ok(wr(g2, 0, "x", "1"), XS_WRITE);
    assert_ok(req_s(g1, XS_TRANSACTION_END, t1, "T", NULL), XS_TRANSACTION_END);
    assert_true(next_msg(g1, &m));
    assert_memory_equal(m.p, "tx/c\0w\0", 7);
    assert_string_equal(req_s(g2, XS_READ, 0, "x", NULL)->p, "1");
    assert_string_equal(req_s(g1, XS_READ, 0, "tx/c", NULL)->p, "3");
    /* A plain write to a node the transaction read conflicts too. */
    t1 = txn_start(g1);
    assert_string_equal(req_s(g1, XS_READ, t1, "tx/a", NULL)->p, "2");
    assert_ok(wr(g1, 0, "tx/a", "5"), XS_WRITE);
    assert_true(next_msg(g1, &m));
    assert_error(req_s(g1, XS_TRANSACTION_END, t1, "T", NULL), "EAGAIN");
    /* A node created below one a transaction listed changes that listing. */
    t1 = txn_start(g1);
    assert_ok(req_s(g1, XS_DIRECTORY, t1, "tx", NULL), XS_DIRECTORY);
    assert_ok(wr(g1, 0, "tx/new", "1"), XS_WRITE);
    assert_true(next_msg(g1, &m));
    assert_ok(wr(g1, t1, "other", "1"), XS_WRITE);
    assert_error(req_s(g1, XS_TRANSACTION_END, t1, "T", NULL), "EAGAIN");
    while (next_msg(g1, &m)) {
    }
    t1 = txn_start(g1);
    assert_ok(wr(g1, t1, "tx/a", "9"), XS_WRITE);
    assert_error(req_s(g1, XS_TRANSACTION_END, t1, "X", NULL), "EINVAL");
    assert_ok(req_s(g1, XS_TRANSACTION_END, t1, "F", NULL), XS_TRANSACTION_END);
    assert_string_equal(req_s(g1, XS_READ, 0, "tx/a", NULL)->p, "5");
    while (next_msg(g1, &m)) {
    }
}

static void test_transaction_limits(void **state)
{
    uint32_t t[XS_TXN_MAX];
    char p[16];
    (void)state;
    for (int i = 0; i < XS_TXN_MAX; i++) {
        t[i] = txn_start(g1);
    }
    assert_error(req(g1, XS_TRANSACTION_START, 0, "", 1), "ENOSPC");
    for (int i = 0; i < XS_TXN_CHANGES_MAX; i++) {
        snprintf(p, sizeof(p), "c%d", i);
        assert_ok(wr(g1, t[0], p, "1"), XS_WRITE);
    }
    assert_error(wr(g1, t[0], "one-more", "1"), "ENOSPC");
    /* A commit whose replay fails (the quota filled meanwhile) changes nothing. */
    assert_ok(wr(g1, t[1], "q/big", "1"), XS_WRITE);
    for (int i = 0, rc = 0; !rc; i++) {
        snprintf(p, sizeof(p), "fill%d", i);
        rc = wr(g1, 0, p, "0123456789012345678901234567890123456789")->h.type == XS_ERROR;
    }
    assert_error(req_s(g1, XS_TRANSACTION_END, t[1], "T", NULL), "ENOSPC");
    assert_error(req_s(g1, XS_READ, 0, "q/big", NULL), "ENOENT");
    /* A connection that goes with transactions open leaves nothing behind (teardown). */
}

/* ---- quotas ---- */

static void test_node_quota(void **state)
{
    char p[32];
    int i, rc = 0;
    (void)state;
    for (i = 0; i < 2 * XS_QUOTA_NODES && !rc; i++) {
        const struct msg *m;
        snprintf(p, sizeof(p), "flood/n%d", i);
        m = wr(g1, 0, p, "0123456789");
        rc = m->h.type == XS_ERROR;
        if (rc) {
            assert_string_equal(m->p, "ENOSPC");
        }
    }
    assert_true(rc);
    assert_true(st->live->nodes[1] <= XS_QUOTA_NODES);
    assert_true(st->live->bytes[1] <= XS_QUOTA_BYTES);
    /* The other domain is unaffected. */
    assert_ok(wr(g2, 0, "still", "fine"), XS_WRITE);
    /* Removing gives the quota back. */
    assert_ok(req_s(g1, XS_RM, 0, "flood", NULL), XS_RM);
    assert_ok(wr(g1, 0, "flood/again", "1"), XS_WRITE);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    heap_fail = true;
    xs_conn_request(g1, &(struct xsd_sockmsg){ .type = XS_WRITE, .len = 4 }, "a\0bc");
    heap_fail = false;
    /* No reply could be queued; the store is as it was. */
    assert_error(req_s(g1, XS_READ, 0, "a", NULL), "ENOENT");
}

static void test_release(void **state)
{
    long before;
    (void)state;
    before = heap_live;
    assert_int_equal(xs_store_introduce(st, 3, "gamma", 1024), 0);
    assert_non_null(xs_lookup(st->live, "/local/domain/3/control/shutdown"));
    assert_error(req_s(g1, XS_DIRECTORY, 0, "/local/domain/3", NULL), "EACCES");
    xs_store_release(st, 3);
    assert_int_equal(heap_live, before);
    /* Nodes domain 2 owns elsewhere go to the monitor with it. */
    assert_ok(wr(g1, 0, "sh", "1"), XS_WRITE);
    assert_ok(req(g1, XS_SET_PERMS, 0, "sh\0n1\0b2", 9), XS_SET_PERMS);
    assert_ok(wr(g2, 0, "/local/domain/1/sh/two", "1"), XS_WRITE);
    assert_int_equal(st->live->nodes[2] > 0, 1);
    xs_store_release(st, 2);
    assert_int_equal(st->live->nodes[2], 0);
    assert_int_equal(xs_lookup(st->live, "/local/domain/1/sh/two")->perms[0].id, 0);
    assert_int_equal(xs_store_introduce(st, 2, "beta", 32768), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_standard_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_write_rm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_quota, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_quota, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
