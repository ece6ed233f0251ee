/*
 * The xenstore wire protocol over one connection per domain: requests in, replies and
 * watch events queued out, with watches and transactions.  No hardware here either (the
 * ring transport is kernel/xs_ring.c), so the unit tests drive it message by message.
 *
 * Locking: none inside; every function needs the store's lock (xs_ring.c's xs_lock) held.
 */
#ifndef KERNEL_XS_CONN_H
#define KERNEL_XS_CONN_H

#include "kernel/xs_tree.h"
#include "kernel/xen.h"
#include <xen/io/xs_wire.h>

#define XS_WATCH_MAX        128        /* watches per connection */
#define XS_TXN_MAX          4          /* open transactions per connection */
#define XS_TXN_GLOBAL_MAX   8          /* open transactions in the whole store */
#define XS_TXN_CHANGES_MAX  64         /* modifying requests in one transaction */
#define XS_OUT_MAX          16384      /* queued output bytes past which watch events are
                                          dropped and requests wait */

struct xs_watch {
    struct xs_watch *next;
    bool relative;      /* registered relative to /local/domain/<id>: events say so too */
    char *token;        /* points into path's allocation */
    char path[];        /* absolute, or "@introduceDomain" / "@releaseDomain" */
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    uint64_t start_gen;         /* the store's generation when it started */
    struct xs_db *db;           /* its copy, made at its first change; NULL before */
    unsigned int nr_changes;
    char *changed[XS_TXN_CHANGES_MAX];   /* paths to fire watches for at commit */
};

struct xs_msg {
    struct xs_msg *next;
    uint32_t len, off;          /* header + payload bytes; how many were taken */
    uint8_t data[];
};

struct xs_store;

struct xs_conn {
    struct xs_conn *next;       /* in the store's list */
    struct xs_store *store;
    uint16_t domid;
    struct xs_watch *watches;
    unsigned int nr_watches;
    struct xs_txn *txns;
    unsigned int nr_txns;
    uint32_t next_txn_id;
    struct xs_msg *out_head, *out_tail;
    uint32_t out_bytes;
    uint32_t events_dropped;
};

struct xs_store {
    struct xs_db *live;
    uint64_t gen;               /* bumped by every change to the live tree */
    struct xs_conn *conns;
    unsigned int nr_txns;
};

/* An empty store holding /, /local, /local/domain and /local/domain/0/backend. */
struct xs_store *xs_store_create(void);
/* Frees it; every connection must have gone. */
void xs_store_destroy(struct xs_store *s);

struct xs_conn *xs_conn_create(struct xs_store *s, uint16_t domid);
/* Frees the connection with its watches, transactions and queued output. */
void xs_conn_destroy(struct xs_conn *c);

/*
 * One request: header h (len already checked <= XENSTORE_PAYLOAD_MAX) and its payload.
 * The reply (or XS_ERROR with the protocol's error string) is queued on c; watch events
 * the request causes are queued on every connection that watches.
 */
void xs_conn_request(struct xs_conn *c, const struct xsd_sockmsg *h, const char *payload);

/* True while c's queued output is below XS_OUT_MAX (it may take another request). */
bool xs_conn_may_take(const struct xs_conn *c);

/* The next queued output bytes (*len of them), or NULL; and taking n of them. */
const uint8_t *xs_conn_out_peek(const struct xs_conn *c, uint32_t *len);
void xs_conn_out_consume(struct xs_conn *c, uint32_t n);

/* ---- the monitor's own side (acting as domain 0) ---- */

/* Creates /local/domain/<domid> with name, domid, memory/target, control/shutdown,
 * device/ and the permissions a toolstack gives them; fires @introduceDomain. */
int xs_store_introduce(struct xs_store *s, uint16_t domid, const char *name,
                       uint64_t memory_kib);
/* Removes /local/domain/<domid>, gives the domain's other nodes to the monitor, fires
 * @releaseDomain. */
void xs_store_release(struct xs_store *s, uint16_t domid);
/* Writes path (absolute) as the monitor and fires the watches on it. */
int xs_store_write(struct xs_store *s, const char *path, const char *value);

/* The protocol's name of a (negative) errno: "ENOENT", ...; "EINVAL" when it has none. */
const char *xs_error_name(int err);

#endif
