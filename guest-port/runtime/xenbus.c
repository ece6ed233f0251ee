/* The xenbus client (guest/xenbus.h). */
#include "guest/xenbus.h"
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/runtime.h"

#define HDR         ((uint32_t)sizeof(struct xsd_sockmsg))
#define WAIT_NS     (5ull * 1000 * 1000 * 1000)   /* a store that says nothing this long is gone */
#define EVENT_QUEUE 8

typedef volatile struct xenstore_domain_interface xs_intf_t;

static xs_intf_t *ring;
static evtchn_port_t port;
static uint32_t next_req_id = 1;
static bool consumed;   /* response bytes taken since the store was last told */
unsigned long xenbus_events_lost, xenbus_retries;

static struct {
    const char *path, *token;
    xenbus_watch_fn fn;
    void *arg;
} watches[XENBUS_MAX_WATCHES];

/* Watch events received while waiting for a reply: "path\0token\0" each. */
static char event_buf[EVENT_QUEUE][256];
static unsigned int events_queued;

static const struct {
    const char *name;
    int err;
} errors[] = {
    {"EINVAL", XEN_EINVAL}, {"EACCES", XEN_EACCES}, {"EEXIST", XEN_EEXIST},
    {"EISDIR", XEN_EISDIR}, {"ENOENT", XEN_ENOENT}, {"ENOMEM", XEN_ENOMEM},
    {"ENOSPC", XEN_ENOSPC}, {"EIO", XEN_EIO},       {"ENOTEMPTY", XEN_ENOTEMPTY},
    {"ENOSYS", XEN_ENOSYS}, {"EROFS", XEN_EROFS},   {"EBUSY", XEN_EBUSY},
    {"EAGAIN", XEN_EAGAIN}, {"EISCONN", XEN_EISCONN}, {"E2BIG", XEN_E2BIG},
    {"EPERM", XEN_EPERM},
};

static int error_of(const char *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
        if (!strcmp(errors[i].name, s)) {
            return -errors[i].err;
        }
    }
    return -XEN_EINVAL;
}

evtchn_port_t xenbus_port(void)
{
    return port;
}

volatile struct xenstore_domain_interface *xenbus_ring(void)
{
    return ring;
}

int xenbus_init(void)
{
    if (!start_info->store_mfn || !start_info->store_evtchn) {
        return -XEN_ENODEV;
    }
    ring = pfn_to_va(mfn_to_pfn(start_info->store_mfn));
    port = start_info->store_evtchn;
    evtchn_mask(port);
    return 0;
}

/* Waits for the store's next notification (or the time limit): false when none came or
 * the store reported the ring broken. */
static bool wait_store(void)
{
    uint64_t now = vcpu0() ? vcpu0()->time.system_time : 0;
    struct sched_poll p = {.nr_ports = 1, .timeout = now ? now + WAIT_NS : 0};
    set_xen_guest_handle(p.ports, &port);
    if (ring->error) {
        return false;
    }
    if (!evtchn_is_pending(port) && HYPERVISOR_sched_op(SCHEDOP_poll, &p) != 0) {
        return false;
    }
    if (!evtchn_is_pending(port)) {
        return false;   /* the time limit */
    }
    evtchn_clear(port);
    return !ring->error;
}

/* Copies len bytes into the request ring, waiting for room. */
static int ring_put(const void *data, uint32_t len)
{
    const char *p = data;
    while (len) {
        uint32_t cons = ring->req_cons, prod = ring->req_prod;
        uint32_t space = XENSTORE_RING_SIZE - (prod - cons), off = MASK_XENSTORE_IDX(prod);
        uint32_t n = len < space ? len : space;
        if (prod - cons > XENSTORE_RING_SIZE || ring->error) {
            return -XEN_EIO;
        }
        if (n > XENSTORE_RING_SIZE - off) {
            n = XENSTORE_RING_SIZE - off;
        }
        if (!n) {
            evtchn_send(port);
            if (!wait_store()) {
                return -XEN_EIO;
            }
            continue;
        }
        memcpy((char *)ring->req + off, p, n);
        barrier();
        ring->req_prod = prod + n;
        p += n;
        len -= n;
    }
    return 0;
}

/* Copies len bytes out of the response ring (dst NULL: skips them), waiting for them. */
static int ring_get(void *dst, uint32_t len)
{
    char *p = dst;
    while (len) {
        uint32_t cons = ring->rsp_cons, prod = ring->rsp_prod, off = MASK_XENSTORE_IDX(cons);
        uint32_t n = prod - cons < len ? prod - cons : len;
        if (prod - cons > XENSTORE_RING_SIZE || ring->error) {
            return -XEN_EIO;    /* indices that cannot be (ours overwritten), or no store */
        }
        if (n > XENSTORE_RING_SIZE - off) {
            n = XENSTORE_RING_SIZE - off;
        }
        if (!n) {
            /* The store may be waiting for room to send more: tell it before sleeping. */
            if (consumed) {
                consumed = false;
                evtchn_send(port);
            }
            if (!wait_store()) {
                return -XEN_EIO;
            }
            continue;
        }
        barrier();
        if (p) {
            memcpy(p, (const char *)ring->rsp + off, n);
            p += n;
        }
        ring->rsp_cons = cons + n;
        len -= n;
        consumed = true;
    }
    return 0;
}

static void queue_event(const char *payload, uint32_t len)
{
    if (events_queued == EVENT_QUEUE || len >= sizeof(event_buf[0])) {
        xenbus_events_lost++;
        return;
    }
    memcpy(event_buf[events_queued], payload, len);
    event_buf[events_queued][len] = '\0';
    events_queued++;
}

/* Reads one message; watch events are queued, a reply is returned in h and reply. */
static int read_msg(struct xsd_sockmsg *h, char *reply, uint32_t size)
{
    static char evbuf[XENSTORE_PAYLOAD_MAX + 1];
    int rc = ring_get(h, HDR);
    if (rc) {
        return rc;
    }
    if (h->len > XENSTORE_PAYLOAD_MAX) {
        return -XEN_EIO;
    }
    if (h->type == XS_WATCH_EVENT) {
        rc = ring_get(evbuf, h->len);
        if (!rc) {
            queue_event(evbuf, h->len);
        }
        return rc;
    }
    uint32_t take = h->len < size - 1 ? h->len : size - 1;
    rc = ring_get(reply, take);
    reply[take] = '\0';
    return rc ? rc : ring_get(NULL, h->len - take);
}

int xenbus_request(uint32_t type, uint32_t tx, const void *payload, uint32_t len, char *reply,
                   uint32_t size, uint32_t *rlen)
{
    struct xsd_sockmsg h = {.type = type, .req_id = next_req_id++, .tx_id = tx, .len = len};
    uint32_t id = h.req_id;
    int rc;
    if (!ring) {
        return -XEN_ENODEV;
    }
    rc = ring_put(&h, HDR);
    rc = rc ? rc : ring_put(payload, len);
    if (rc) {
        return rc;
    }
    evtchn_send(port);
    do {
        rc = read_msg(&h, reply, size);
    } while (!rc && (h.type == XS_WATCH_EVENT || h.req_id != id));
    if (rc) {
        return rc;
    }
    if (rlen) {
        *rlen = h.len;
    }
    return h.type == XS_ERROR ? error_of(reply) : 0;
}

/* A request of one or two strings (the second may go without its NUL, as XS_WRITE's). */
static int request2(uint32_t type, uint32_t tx, const char *a, const char *b, bool b_nul,
                    char *reply, uint32_t size, uint32_t *rlen)
{
    static char buf[XENSTORE_PAYLOAD_MAX];
    uint32_t la = strlen(a) + 1, lb = b ? strlen(b) + (b_nul ? 1 : 0) : 0;
    char scratch[32];
    if (la + lb > sizeof(buf)) {
        return -XEN_E2BIG;
    }
    memcpy(buf, a, la);
    if (b) {
        memcpy(buf + la, b, lb);
    }
    if (!reply) {
        reply = scratch;
        size = sizeof(scratch);
    }
    return xenbus_request(type, tx, buf, la + lb, reply, size, rlen);
}

int xenbus_read(uint32_t tx, const char *path, char *buf, uint32_t size)
{
    uint32_t len;
    int rc = request2(XS_READ, tx, path, NULL, false, buf, size, &len);
    return rc ? rc : (int)len;
}

int xenbus_write(uint32_t tx, const char *path, const char *value)
{
    return request2(XS_WRITE, tx, path, value, false, NULL, 0, NULL);
}

int xenbus_mkdir(uint32_t tx, const char *path)
{
    return request2(XS_MKDIR, tx, path, NULL, false, NULL, 0, NULL);
}

int xenbus_rm(uint32_t tx, const char *path)
{
    return request2(XS_RM, tx, path, NULL, false, NULL, 0, NULL);
}

int xenbus_directory(uint32_t tx, const char *path, char *buf, uint32_t size)
{
    uint32_t len;
    int rc = request2(XS_DIRECTORY, tx, path, NULL, false, buf, size, &len);
    return rc ? rc : (int)len;
}

int xenbus_read_u64(uint32_t tx, const char *path, uint64_t *out)
{
    char buf[24];
    uint64_t v = 0;
    int rc = xenbus_read(tx, path, buf, sizeof(buf));
    if (rc <= 0) {
        return rc ? rc : -XEN_EINVAL;
    }
    for (int i = 0; i < rc; i++) {
        if (buf[i] < '0' || buf[i] > '9') {
            return -XEN_EINVAL;
        }
        v = v * 10 + (uint64_t)(buf[i] - '0');
    }
    *out = v;
    return 0;
}

int xenbus_watch(const char *path, const char *token, xenbus_watch_fn fn, void *arg)
{
    size_t i = 0;
    int rc;
    while (i < ARRAY_SIZE(watches) && watches[i].fn) {
        i++;
    }
    if (i == ARRAY_SIZE(watches)) {
        return -XEN_ENOSPC;
    }
    rc = request2(XS_WATCH, 0, path, token, true, NULL, 0, NULL);
    if (!rc) {
        watches[i].path = path;
        watches[i].token = token;
        watches[i].fn = fn;
        watches[i].arg = arg;
    }
    return rc;
}

int xenbus_unwatch(const char *path, const char *token)
{
    int rc = request2(XS_UNWATCH, 0, path, token, true, NULL, 0, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(watches); i++) {
        if (watches[i].fn && !strcmp(watches[i].token, token) && !strcmp(watches[i].path, path)) {
            watches[i].fn = NULL;
        }
    }
    return rc;
}

/* Reads the watch events already on the ring, without waiting. */
static void drain_ring(void)
{
    struct xsd_sockmsg h;
    char scratch[8];
    while (ring && ring->rsp_prod - ring->rsp_cons >= HDR) {
        if (read_msg(&h, scratch, sizeof(scratch)) || h.type != XS_WATCH_EVENT) {
            break;  /* a reply nobody waits for (a request that timed out) is dropped */
        }
    }
}

int xenbus_dispatch_watches(void)
{
    int n = 0;
    evtchn_clear(port);
    drain_ring();
    for (unsigned int e = 0; e < events_queued; e++) {
        const char *path = event_buf[e], *token = path + strlen(path) + 1;
        for (size_t i = 0; i < ARRAY_SIZE(watches); i++) {
            if (watches[i].fn && !strcmp(watches[i].token, token)) {
                watches[i].fn(path, token, watches[i].arg);
                n++;
            }
        }
    }
    events_queued = 0;
    return n;
}

int xenbus_transaction_start(uint32_t *tx)
{
    char id[16];
    int rc = request2(XS_TRANSACTION_START, 0, "", NULL, false, id, sizeof(id), NULL);
    uint32_t v = 0;
    if (rc) {
        return rc;
    }
    for (const char *p = id; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint32_t)(*p - '0');
    }
    *tx = v;
    return v ? 0 : -XEN_EIO;
}

int xenbus_transaction_end(uint32_t tx, bool abort)
{
    return request2(XS_TRANSACTION_END, tx, abort ? "F" : "T", NULL, false, NULL, 0, NULL);
}

int xenbus_transact(int (*body)(uint32_t tx, void *arg), void *arg, unsigned int tries)
{
    int rc = -XEN_EAGAIN;
    for (unsigned int i = 0; i < tries && rc == -XEN_EAGAIN; i++) {
        uint32_t tx;
        rc = xenbus_transaction_start(&tx);
        if (rc) {
            return rc;
        }
        rc = body(tx, arg);
        if (rc) {
            xenbus_transaction_end(tx, true);
            return rc;
        }
        rc = xenbus_transaction_end(tx, false);
        xenbus_retries += rc == -XEN_EAGAIN;
    }
    return rc;
}
