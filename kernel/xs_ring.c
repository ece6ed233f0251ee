/*
 * The xenstore's transport: each domain's store ring page (xenstore_domain_interface),
 * its event channel, and the monitor's requests to guests (shutdown, memory target).
 *
 * The guest can write anything on the page at any time, so the monitor keeps its own
 * copies of the indices it owns (req_cons, rsp_prod), reads the guest's once per turn,
 * checks that they are within a ring of ours, and copies bytes out before parsing them.  A
 * guest that breaks the ring gets the error field set and is no longer served; nothing
 * else happens to it or to anyone else.
 */
#include "kernel/xs_ring.h"
#include "arch/x86/time.h"
#include "kernel/backend.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "kernel/xs_conn.h"
#include "mm/heap.h"
#include "mm/mapcache.h"

#define HDR ((uint32_t)sizeof(struct xsd_sockmsg))
#define SERVE_BUDGET 16     /* requests per domain per turn: bounds time with interrupts off */

struct xs_slot {
    struct domain *d;
    mfn_t frame;
    evtchn_port_t port;
    struct xs_conn *conn;
    bool broken;
    uint32_t req_cons, rsp_prod;    /* ours; the page's copies are only told */
    uint32_t seen_prod;             /* the guest's req_prod when last read */
    uint32_t got;                   /* bytes of the current message taken so far */
    struct xsd_sockmsg hdr;
    uint64_t shutdown_deadline;     /* 0: no request pending */
    unsigned int shutdown_reason;
    char payload[XENSTORE_PAYLOAD_MAX + 1];
};

static spinlock_t xs_lock = SPINLOCK_INIT;
static struct xs_store *store;
static uint32_t store_empty_bytes;
static struct xs_slot *slots[MAX_DOMAINS];

typedef volatile struct xenstore_domain_interface xs_intf_t;

static void break_ring(struct xs_slot *s, xs_intf_t *intf, uint32_t why)
{
    static const char *const names[] = { "", "communication", "ring index", "protocol" };
    s->broken = true;
    intf->error = why;
    /* Told, so that a client waiting for a reply sees the error instead of a silence. */
    evtchn_notify_monitor(s->d, s->port, BACKEND_XENSTORE);
    pr_warn("xenstore: domain %u (%s): %s error on its ring; no longer served\n", s->d->id,
            s->d->name, names[why]);
}

/* Takes requests off the ring; true when the budget ran out with more there. */
static bool read_requests(struct xs_slot *s, xs_intf_t *intf)
{
    uint32_t prod = intf->req_prod;
    unsigned int budget = SERVE_BUDGET;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);    /* the bytes after the index */
    if (prod - s->req_cons > XENSTORE_RING_SIZE) {
        break_ring(s, intf, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    s->seen_prod = prod;
    while (s->req_cons != prod && budget && xs_conn_may_take(s->conn)) {
        uint32_t want = s->got < HDR ? HDR - s->got : HDR + s->hdr.len - s->got;
        uint32_t off = MASK_XENSTORE_IDX(s->req_cons);
        uint32_t n = MIN(MIN(want, prod - s->req_cons), XENSTORE_RING_SIZE - off);
        char *dst = s->got < HDR ? (char *)&s->hdr + s->got : s->payload + (s->got - HDR);
        memcpy(dst, (const char *)intf->req + off, n);
        s->req_cons += n;
        s->got += n;
        if (s->got == HDR && s->hdr.len > XENSTORE_PAYLOAD_MAX) {
            break_ring(s, intf, XENSTORE_ERROR_PROTO);
            return false;
        }
        if (s->got == HDR + s->hdr.len) {
            s->payload[s->hdr.len] = '\0';
            xs_conn_request(s->conn, &s->hdr, s->payload);
            s->got = 0;
            budget--;
        }
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    intf->req_cons = s->req_cons;
    return !budget && s->req_cons != prod;
}

/* Puts queued output on the ring; true when anything was written. */
static bool write_output(struct xs_slot *s, xs_intf_t *intf)
{
    uint32_t cons = intf->rsp_cons, len;
    const uint8_t *p;
    bool wrote = false;
    if (s->rsp_prod - cons > XENSTORE_RING_SIZE) {
        break_ring(s, intf, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    while ((p = xs_conn_out_peek(s->conn, &len))) {
        uint32_t space = XENSTORE_RING_SIZE - (s->rsp_prod - cons);
        uint32_t off = MASK_XENSTORE_IDX(s->rsp_prod);
        uint32_t n = MIN(MIN(len, space), XENSTORE_RING_SIZE - off);
        if (!n) {
            break;
        }
        memcpy((char *)intf->rsp + off, p, n);
        s->rsp_prod += n;
        xs_conn_out_consume(s->conn, n);
        wrote = true;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);    /* the bytes before the index */
    intf->rsp_prod = s->rsp_prod;
    return wrote;
}

/* Delivers the output every domain has queued (a request may cause watch events for
 * anyone).  xs_lock held. */
static void flush_all(void)
{
    for (unsigned int id = 0; id < MAX_DOMAINS; id++) {
        struct xs_slot *s = slots[id];
        xs_intf_t *intf;
        bool wrote;
        if (!s || s->broken || !s->conn->out_head) {
            continue;
        }
        intf = map_frame(s->frame);
        wrote = write_output(s, intf);
        unmap_frame((const void *)intf);
        if (wrote) {
            evtchn_notify_monitor(s->d, s->port, BACKEND_XENSTORE);
        }
    }
}

bool xs_ring_serve(unsigned int domid)
{
    uint32_t f = spin_lock_irqsave(&xs_lock);
    struct xs_slot *s = slots[domid];
    bool more = false, took;
    xs_intf_t *intf;
    if (s && !s->broken) {
        uint32_t before = s->req_cons;
        intf = map_frame(s->frame);
        more = read_requests(s, intf);
        took = s->req_cons != before;
        unmap_frame((const void *)intf);
        /* Room freed in the request ring is news too, to a writer waiting for it. */
        if (took && !s->conn->out_head) {
            evtchn_notify_monitor(s->d, s->port, BACKEND_XENSTORE);
        }
        flush_all();
        /* Output the ring had no room for, or requests left while it was queued: another
         * turn (the next tick at the latest), whether or not the guest tells us. */
        more |= !s->broken && (s->conn->out_head || s->req_cons != s->seen_prod);
    }
    spin_unlock_irqrestore(&xs_lock, f);
    return more;
}

/* A new slot with the store connection; NULL when out of memory.  xs_lock held. */
static struct xs_slot *slot_create(struct domain *d, mfn_t frame)
{
    struct xs_slot *s;
    if (!store) {
        store = xs_store_create();
        if (!store) {
            return NULL;
        }
        store_empty_bytes = store->live->total_bytes;
    }
    s = kmalloc(sizeof(*s));
    if (!s) {
        return NULL;
    }
    s->conn = xs_conn_create(store, d->id);
    if (!s->conn || xs_store_introduce(store, d->id, d->name,
                                       (uint64_t)d->cfg.memory_mib * 1024)) {
        if (s->conn) {
            xs_conn_destroy(s->conn);
        }
        xs_store_release(store, d->id);
        kfree(s);
        return NULL;
    }
    s->d = d;
    s->frame = frame;
    return s;
}

uint32_t xs_ring_attach(struct domain *d, mfn_t frame)
{
    struct xs_slot *s;
    xs_intf_t *intf;
    evtchn_port_t port;
    uint32_t f;
    if (!backend_frame_get(d, frame)) {
        pr_err("xenstore: domain %u: its ring frame cannot be held\n", d->id);
        return 0;
    }
    f = spin_lock_irqsave(&xs_lock);
    s = slot_create(d, frame);
    if (s && evtchn_alloc_monitor(d, BACKEND_XENSTORE, &port) == 0) {
        s->port = port;
        intf = map_frame(frame);
        intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
        intf->connection = XENSTORE_CONNECTED;
        unmap_frame((const void *)intf);
        slots[d->id] = s;
        flush_all();
    } else if (s) {
        xs_conn_destroy(s->conn);
        xs_store_release(store, d->id);
        kfree(s);
        s = NULL;
    }
    spin_unlock_irqrestore(&xs_lock, f);
    if (!s) {
        pr_err("xenstore: domain %u: no store (out of memory or ports)\n", d->id);
        backend_frame_put(d, frame);
        return 0;
    }
    return port;
}

void xs_ring_detach(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&xs_lock);
    struct xs_slot *s = slots[d->id];
    bool empty = true;
    if (s) {
        slots[d->id] = NULL;
        xs_conn_destroy(s->conn);
        xs_store_release(store, d->id);
        flush_all();
        for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
            empty &= !slots[i];
        }
        if (empty) {
            struct heap_stats hs;
            heap_stats(&hs);
            pr_info("xenstore: no domain connected; the store holds %u bytes (%u when empty)%s; "
                    "monitor heap %u bytes in use\n", store->live->total_bytes,
                    store_empty_bytes,
                    store->live->total_bytes == store_empty_bytes ? ", back to empty" : "",
                    (unsigned int)hs.bytes_in_use);
        }
    }
    spin_unlock_irqrestore(&xs_lock, f);
    if (s) {
        backend_frame_put(d, s->frame);
        kfree(s);
    }
}

/* ---- the monitor's requests ---- */

void xs_request_shutdown(struct domain *d, const char *reason)
{
    char path[48];
    uint32_t f = spin_lock_irqsave(&xs_lock);
    struct xs_slot *s = slots[d->id];
    unsigned int code = !strcmp(reason, "reboot") ? SHUTDOWN_reboot : SHUTDOWN_poweroff;
    if (s) {
        snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", d->id);
        xs_store_write(store, path, reason);
        s->shutdown_reason = code;
        s->shutdown_deadline = time_now_ns() + XS_SHUTDOWN_TIMEOUT_NS;
        flush_all();
    }
    spin_unlock_irqrestore(&xs_lock, f);
    if (!s) {
        /* No store to ask through (the initial domain): shut it down at once. */
        domain_shutdown(d, code);
    }
}

void xs_ring_timeouts(void)
{
    uint64_t now = time_now_ns();
    uint32_t f = spin_lock_irqsave(&xs_lock);
    for (unsigned int id = 0; id < MAX_DOMAINS; id++) {
        struct xs_slot *s = slots[id];
        if (s && s->shutdown_deadline && now >= s->shutdown_deadline) {
            s->shutdown_deadline = 0;
            if (s->d->state != DOMAIN_RUNNING) {
                continue;   /* it did, and waits to be reaped */
            }
            pr_warn("domain %u (%s): did not act on control/shutdown in time; shutting it "
                    "down\n", id, s->d->name);
            domain_shutdown(s->d, s->shutdown_reason);
        }
    }
    spin_unlock_irqrestore(&xs_lock, f);
}

int xs_set_memory_target(struct domain *d, uint64_t kib)
{
    char path[48], value[24];
    uint32_t f;
    int rc = -ENOENT;
    if (kib > (uint64_t)d->max_pages * 4) {
        return -EINVAL;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", d->id);
    snprintf(value, sizeof(value), "%llu", (unsigned long long)kib);
    f = spin_lock_irqsave(&xs_lock);
    if (slots[d->id]) {
        rc = xs_store_write(store, path, value);
        flush_all();
    }
    spin_unlock_irqrestore(&xs_lock, f);
    return rc;
}

uint32_t xs_store_bytes(void)
{
    uint32_t f = spin_lock_irqsave(&xs_lock);
    uint32_t n = store ? store->live->total_bytes : 0;
    spin_unlock_irqrestore(&xs_lock, f);
    return n;
}
