/*
 * Unit tests of the ring transports (kernel/xs_ring.c, kernel/console_ring.c) over host
 * pages standing in for the ring frames: requests split across the ring's end, the
 * monitor's own indices against a guest's impossible ones, a message longer than the
 * protocol allows, console output and input, the shutdown request with its timeout and
 * the memory target, and everything given back at detach.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "arch/x86/time.h"
#include "kernel/backend.h"
#include "kernel/console_input.h"
#include "kernel/console_ring.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/xs_ring.h"
#include "mm/heap.h"
#include "mm/mapcache.h"
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>

/* ---- stand-ins ---- */

static long heap_live;
static unsigned char pages[4][4096] __attribute__((aligned(4096)));
static unsigned int maps_live, notifies[2], frames_held;
static uint64_t now_ns;
static unsigned int shutdowns, shutdown_reason;
static char console_text[8192];
static size_t console_len;

void *kmalloc(size_t size)
{
    void *p = calloc(1, size);
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

void heap_stats(struct heap_stats *st)
{
    memset(st, 0, sizeof(*st));
}

void *map_frame(mfn_t m)
{
    assert_true(mfn_x(m) < 4);
    maps_live++;
    return pages[mfn_x(m)];
}

void unmap_frame(const void *va)
{
    (void)va;
    maps_live--;
}

uint64_t time_now_ns(void)
{
    return now_ns;
}

bool backend_frame_get(struct domain *d, mfn_t frame)
{
    (void)d;
    (void)frame;
    frames_held++;
    return true;
}

void backend_frame_put(struct domain *d, mfn_t frame)
{
    (void)d;
    (void)frame;
    frames_held--;
}

int evtchn_alloc_monitor(struct domain *d, unsigned int svc, evtchn_port_t *port)
{
    (void)d;
    *port = 128 - svc;
    return 0;
}

int evtchn_notify_monitor(struct domain *d, evtchn_port_t port, unsigned int svc)
{
    (void)d;
    assert_int_equal(port, 128 - svc);
    notifies[svc - 1]++;
    return 0;
}

/* What the operator typed for the domain (kernel/console_input.c), taken in order. */
static const char *typed = "";
static size_t typed_at;

size_t console_input_take(struct domain *d, char *buf, size_t n, uint32_t *pos)
{
    size_t k = 0;
    (void)d;
    while (k < n && typed[typed_at]) {
        buf[k++] = typed[typed_at++];
    }
    *pos = (uint32_t)typed_at;
    return k;
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    d->state = DOMAIN_SHUTDOWN;
    shutdowns++;
    shutdown_reason = reason;
}

void domain_console_write(struct domain *d, const char *s, size_t n)
{
    (void)d;
    assert_true(console_len + n < sizeof(console_text));
    memcpy(console_text + console_len, s, n);
    console_len += n;
}

/* ---- a domain with its two rings ---- */

static struct domain dom;
static struct xenstore_domain_interface *xs;
static struct xencons_interface *cons;
static long heap_base;

/* The store is made at the first attach and stays: make it before the tests measure. */
static int group_setup(void **state)
{
    struct domain other = { .id = 2, .name = "other", .cfg = { .memory_mib = 1 } };
    (void)state;
    assert_int_equal(xs_ring_attach(&other, _mfn(3)), 127);
    xs_ring_detach(&other);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    heap_base = heap_live;
    memset(pages, 0, sizeof(pages));
    memset(&dom, 0, sizeof(dom));
    dom.id = 1;
    strcpy(dom.name, "alpha");
    dom.cfg.memory_mib = 16;
    dom.max_pages = 16 * 256;
    xs = (void *)pages[1];
    cons = (void *)pages[2];
    notifies[0] = notifies[1] = 0;
    console_len = 0;
    shutdowns = 0;
    assert_int_equal(xs_ring_attach(&dom, _mfn(1)), 127);
    assert_int_equal(console_ring_attach(&dom, _mfn(2)), 126);
    assert_int_equal(xs->server_features, XENSTORE_SERVER_FEATURE_ERROR);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xs_ring_detach(&dom);
    console_ring_detach(&dom);
    assert_int_equal(frames_held, 0);
    assert_int_equal(maps_live, 0);
    /* Everything the domain had (entries, connection, queued output) is gone. */
    assert_int_equal(heap_live, heap_base);
    return 0;
}

/* Puts bytes on the request ring as a guest would (its own prod). */
static void guest_put(const void *data, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        xs->req[MASK_XENSTORE_IDX(xs->req_prod + i)] = ((const char *)data)[i];
    }
    xs->req_prod += len;
}

static void guest_request(uint32_t type, const char *payload, uint32_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 9, .len = len };
    guest_put(&h, sizeof(h));
    guest_put(payload, len);
}

/* Takes one reply off the response ring. */
static uint32_t guest_reply(char *payload, uint32_t size)
{
    struct xsd_sockmsg h;
    char *p = (char *)&h;
    assert_true(xs->rsp_prod - xs->rsp_cons >= sizeof(h));
    for (uint32_t i = 0; i < sizeof(h); i++) {
        p[i] = xs->rsp[MASK_XENSTORE_IDX(xs->rsp_cons++)];
    }
    assert_true(h.len < size);
    for (uint32_t i = 0; i < h.len; i++) {
        payload[i] = xs->rsp[MASK_XENSTORE_IDX(xs->rsp_cons++)];
    }
    payload[h.len] = '\0';
    return h.type;
}

/* ---- tests ---- */

static void test_requests_across_the_wrap(void **state)
{
    char out[128];
    (void)state;
    /* 21 bytes a request, 22 a reply: both rings go round more than once, and some
     * messages straddle their end. */
    for (int i = 0; i < 120; i++) {
        guest_request(XS_READ, "name", 5);
        xs_ring_serve(1);
        assert_int_equal(guest_reply(out, sizeof(out)), XS_READ);
        assert_string_equal(out, "alpha");
    }
    assert_true(notifies[0] >= 120);
    assert_true(xs->req_cons > 2 * XENSTORE_RING_SIZE);
    assert_int_equal(xs->error, 0);
}

static void test_request_index_far_ahead(void **state)
{
    char out[64];
    (void)state;
    guest_request(XS_READ, "name", 5);
    xs_ring_serve(1);
    assert_int_equal(guest_reply(out, sizeof(out)), XS_READ);
    xs->req_prod += 100000;
    xs_ring_serve(1);
    assert_int_equal(xs->error, XENSTORE_ERROR_RINGIDX);
    /* Nothing more is read, whatever the guest writes. */
    xs->req_prod = xs->req_cons;
    guest_request(XS_READ, "name", 5);
    xs_ring_serve(1);
    assert_int_equal(xs->rsp_prod, xs->rsp_cons);
}

static void test_response_index_never_produced(void **state)
{
    (void)state;
    xs->rsp_cons = 3000;
    guest_request(XS_READ, "name", 5);
    xs_ring_serve(1);
    assert_int_equal(xs->error, XENSTORE_ERROR_RINGIDX);
}

static void test_length_over_the_protocol(void **state)
{
    struct xsd_sockmsg h = { .type = XS_WRITE, .len = XENSTORE_PAYLOAD_MAX + 1 };
    (void)state;
    guest_put(&h, sizeof(h));
    xs_ring_serve(1);
    assert_int_equal(xs->error, XENSTORE_ERROR_PROTO);
}

static void test_partial_message_waits(void **state)
{
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = 3, .len = 5 };
    char out[64];
    (void)state;
    guest_put(&h, 10);              /* half a header */
    xs_ring_serve(1);
    assert_int_equal(xs->rsp_prod, 0);
    guest_put((char *)&h + 10, sizeof(h) - 10);
    guest_put("na", 2);
    xs_ring_serve(1);
    assert_int_equal(xs->rsp_prod, 0);
    guest_put("me", 3);
    xs_ring_serve(1);
    assert_int_equal(guest_reply(out, sizeof(out)), XS_READ);
}

static void test_console_output_and_input(void **state)
{
    char in[8];
    (void)state;
    memcpy(cons->out, "hello\n", 6);
    cons->out_prod = 6;
    assert_false(console_ring_serve(1));
    assert_int_equal(cons->out_cons, 6);
    assert_int_equal(console_len, 6);
    assert_memory_equal(console_text, "hello\n", 6);
    /* Input: what fits, then nothing while the guest takes none. */
    assert_int_equal(console_ring_put_input(&dom, "typed", 5), 5);
    assert_memory_equal((const char *)cons->in, "typed", 5);
    assert_int_equal(cons->in_prod, 5);
    for (int i = 0; i < (int)sizeof(cons->in) / 8; i++) {
        console_ring_put_input(&dom, "xxxxxxxx", 8);
    }
    assert_int_equal(cons->in_prod, sizeof(cons->in));
    assert_int_equal(console_ring_put_input(&dom, in, 1), 0);
    /* Output indices out of range: no longer served, input refused. */
    cons->out_prod = cons->out_cons + 5000;
    assert_false(console_ring_serve(1));
    assert_int_equal(console_len, 6);
    assert_int_equal(console_ring_put_input(&dom, "x", 1), -EIO);
}

/* Typed input reaches the ring when it is served, as far as the ring has room. */
static void test_console_typed_input(void **state)
{
    (void)state;
    typed = "ls -l\n";
    typed_at = 0;
    assert_false(console_ring_serve(1));
    assert_int_equal(cons->in_prod, 6);
    assert_memory_equal((const char *)cons->in, "ls -l\n", 6);
    assert_int_equal(notifies[BACKEND_CONSOLE - 1], 1);
    /* A full ring takes nothing more until the guest consumes. */
    cons->in_prod = 0;
    cons->in_cons = 0;
    typed = "0123456789012345678901234567890123456789012345678901234567890123456789";
    typed_at = 0;
    for (int i = 0; i < 64 && console_ring_serve(1); i++) {
    }
    assert_int_equal(typed_at, 70);
    /* A consumer index past the producer breaks the ring. */
    cons->in_cons = cons->in_prod + 100;
    typed = "x";
    typed_at = 0;
    console_ring_serve(1);
    assert_int_equal(console_ring_put_input(&dom, "x", 1), -EIO);
    typed = "";
}

static void test_console_budget(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < sizeof(cons->out); i++) {
        cons->out[i] = 'a';
    }
    cons->out_prod = sizeof(cons->out);
    assert_true(console_ring_serve(1));     /* more than a turn's worth */
    while (console_ring_serve(1)) {
    }
    assert_int_equal(console_len, sizeof(cons->out));
}

static void test_shutdown_request_and_timeout(void **state)
{
    char out[64];
    (void)state;
    guest_request(XS_WATCH, "control/shutdown\0s", 19);
    xs_ring_serve(1);
    assert_int_equal(guest_reply(out, sizeof(out)), XS_WATCH);
    assert_int_equal(guest_reply(out, sizeof(out)), XS_WATCH_EVENT);
    now_ns = 1000;
    xs_request_shutdown(&dom, "reboot");
    assert_int_equal(guest_reply(out, sizeof(out)), XS_WATCH_EVENT);
    assert_string_equal(out, "control/shutdown");
    guest_request(XS_READ, "control/shutdown", 17);
    xs_ring_serve(1);
    assert_int_equal(guest_reply(out, sizeof(out)), XS_READ);
    assert_string_equal(out, "reboot");
    /* Before the deadline nothing; after it, the monitor acts. */
    now_ns = 1000 + XS_SHUTDOWN_TIMEOUT_NS - 1;
    xs_ring_timeouts();
    assert_int_equal(shutdowns, 0);
    now_ns = 1000 + XS_SHUTDOWN_TIMEOUT_NS;
    xs_ring_timeouts();
    assert_int_equal(shutdowns, 1);
    assert_int_equal(shutdown_reason, SHUTDOWN_reboot);
    xs_ring_timeouts();
    assert_int_equal(shutdowns, 1);
}

static void test_memory_target(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(xs_set_memory_target(&dom, 8192), 0);
    guest_request(XS_READ, "memory/target", 14);
    xs_ring_serve(1);
    assert_int_equal(guest_reply(out, sizeof(out)), XS_READ);
    assert_string_equal(out, "8192");
    assert_int_equal(xs_set_memory_target(&dom, 16 * 1024 + 4), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests_across_the_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_index_far_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_index_never_produced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_over_the_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_message_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_output_and_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_typed_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_request_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_target, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
