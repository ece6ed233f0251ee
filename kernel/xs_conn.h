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
#define XS_TXN_ACCESS_MAX   128        /* distinct paths one transaction touches */
#define XS_TXN_LOG_BYTES    16384      /* bytes of its logged requests */
#define XS_OUT_MAX          16384      /* queued output bytes past which watch events are
                                          dropped and requests wait */

struct xs_watch {
    struct xs_watch *next;
    bool relative;      /* registered relative to /local/domain/<id>: events say so too */
    char *token;        /* points into path's allocation */
    char path[];        /* absolute, or "@introduceDomain" / "@releaseDomain" */
};

/* A path a transaction read or changed, with the generation it saw there. */
struct xs_access {
    struct xs_access *next;
    uint64_t gen;
    char path[];
};

/* A change a transaction made, replayed on the live tree at its commit. */
struct xs_op {
    struct xs_op *next;
    uint32_t type, alen;        /* XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS; arg bytes */
    const char *arg;            /* the value or permission list: after path */
    char path[];
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    bool failed;                /* a change could not be logged: the commit fails */
    struct xs_db *db;           /* its copy, made at its first change; NULL before */
    unsigned int nr_access, nr_ops;
    uint32_t log_bytes;
    struct xs_access *access;
    struct xs_op *ops, *ops_tail;
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

/* ---- transactions (kernel/xs_txn.c), for xs_conn.c ---- */

/* Starts one: its id, or -ENOSPC (per-connection or store-wide limit), -ENOMEM. */
int xs_txn_start(struct xs_conn *c, uint32_t *id);
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);
/*
 * The tree a request of transaction t works on, for path: its copy (made for a first
 * change) or the live tree; records what the transaction saw at path.  -ENOSPC past the
 * transaction's limits or when no copy can be made.
 */
int xs_txn_db(struct xs_conn *c, struct xs_txn *t, const char *path, bool change,
              struct xs_db **db);
/* Logs a change that succeeded on the copy (arg: alen bytes). */
void xs_txn_log(struct xs_txn *t, uint32_t type, const char *path, const char *arg,
                uint32_t alen);
/*
 * Commits t: -EAGAIN when a path it touched changed in the live tree since it saw it,
 * else its changes are replayed on a copy of the live tree that then becomes the live
 * one (an error of the replay, e.g. a quota, is returned and nothing changes).  Watches
 * fire after the caller's reply: xs_txn_finish().
 */
int xs_txn_commit(struct xs_conn *c, struct xs_txn *t);
/* Fires the watches of a committed t (fire: true) and frees it. */
void xs_txn_finish(struct xs_conn *c, struct xs_txn *t, bool fire);

/* Fires every watch on path, its ancestors and (subtree) below it: xs_conn.c. */
void xs_fire_watches(struct xs_store *s, const char *path, bool subtree);

/* The protocol's name of a (negative) errno: "ENOENT", ...; "EINVAL" when it has none. */
const char *xs_error_name(int err);

#endif
