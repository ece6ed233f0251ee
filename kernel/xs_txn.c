/*
 * Xenstore transactions (xs_conn.h).  A transaction reads the live tree until its first
 * change, then a copy of it, so its changes stay its own.  It remembers each path it
 * touched with the generation it saw there and logs its changes; the commit fails with
 * EAGAIN only when one of those paths changed meanwhile (other domains' unrelated writes
 * do not disturb it), and otherwise replays the log on a copy of the live tree, which
 * becomes the live tree in one step.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/xs_conn.h"
#include "mm/heap.h"

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
    struct xs_txn *t = c->txns;
    while (t && t->id != id) {
        t = t->next;
    }
    return t;
}

int xs_txn_start(struct xs_conn *c, uint32_t *id)
{
    struct xs_txn *t;
    if (c->nr_txns >= XS_TXN_MAX || c->store->nr_txns >= XS_TXN_GLOBAL_MAX) {
        return -ENOSPC;
    }
    t = kmalloc(sizeof(*t));
    if (!t) {
        return -ENOMEM;
    }
    do {
        t->id = ++c->next_txn_id;
    } while (t->id == 0 || xs_txn_find(c, t->id));
    t->next = c->txns;
    c->txns = t;
    c->nr_txns++;
    c->store->nr_txns++;
    *id = t->id;
    return 0;
}

/* Bytes held by every transaction's copy (their memory counts against XS_TXN_MAX_BYTES). */
static uint32_t copies_bytes(const struct xs_store *s)
{
    uint32_t sum = 0;
    for (const struct xs_conn *c = s->conns; c; c = c->next) {
        for (const struct xs_txn *t = c->txns; t; t = t->next) {
            sum += t->db ? t->db->total_bytes : 0;
        }
    }
    return sum;
}

/* Remembers the generation at path the first time t touches it. */
static int record(struct xs_txn *t, struct xs_db *db, const char *path)
{
    size_t l = strlen(path) + 1;
    struct xs_access *a;
    for (a = t->access; a; a = a->next) {
        if (!strcmp(a->path, path)) {
            return 0;
        }
    }
    if (t->nr_access == XS_TXN_ACCESS_MAX) {
        return -ENOSPC;
    }
    a = kmalloc(sizeof(*a) + l);
    if (!a) {
        return -ENOMEM;
    }
    a->gen = xs_gen_of(db, path);
    memcpy(a->path, path, l);
    a->next = t->access;
    t->access = a;
    t->nr_access++;
    return 0;
}

int xs_txn_db(struct xs_conn *c, struct xs_txn *t, const char *path, bool change,
              struct xs_db **db)
{
    if (change && (t->nr_ops == XS_TXN_CHANGES_MAX ||
                   t->log_bytes + XENSTORE_PAYLOAD_MAX > XS_TXN_LOG_BYTES)) {
        return -ENOSPC;
    }
    if (change && !t->db && !(t->db = xs_db_clone(c->store->live, copies_bytes(c->store)))) {
        return -ENOSPC;
    }
    *db = t->db ? t->db : c->store->live;
    return record(t, *db, path);
}

void xs_txn_log(struct xs_txn *t, uint32_t type, const char *path, const char *arg,
                uint32_t alen)
{
    size_t pl = strlen(path) + 1;
    struct xs_op *op = kmalloc(sizeof(*op) + pl + alen);
    if (!op) {
        t->failed = true;
        return;
    }
    op->type = type;
    op->alen = alen;
    memcpy(op->path, path, pl);
    memcpy(op->path + pl, arg, alen);
    op->arg = op->path + pl;
    if (t->ops_tail) {
        t->ops_tail->next = op;
    } else {
        t->ops = op;
    }
    t->ops_tail = op;
    t->nr_ops++;
    t->log_bytes += (uint32_t)(pl + alen);
}

static int replay(struct xs_db *db, uint16_t dom, const struct xs_op *op)
{
    switch (op->type) {
    case XS_WRITE:
        return xs_write(db, dom, op->path, op->arg, op->alen);
    case XS_MKDIR:
        return xs_mkdir(db, dom, op->path);
    case XS_RM:
        return xs_rm(db, dom, op->path);
    default:
        return xs_set_perms(db, dom, op->path, op->arg, op->alen);
    }
}

int xs_txn_commit(struct xs_conn *c, struct xs_txn *t)
{
    struct xs_store *s = c->store;
    struct xs_db *next;
    int rc = 0;
    for (const struct xs_access *a = t->access; a; a = a->next) {
        if (xs_gen_of(s->live, a->path) != a->gen) {
            return -EAGAIN;
        }
    }
    if (t->failed) {
        return -ENOMEM;
    }
    if (!t->ops) {
        return 0;
    }
    /* The transaction's own copy goes first: its memory makes room for the new one. */
    xs_db_free(t->db);
    t->db = NULL;
    next = xs_db_clone(s->live, copies_bytes(s));
    if (!next) {
        return -ENOSPC;
    }
    for (const struct xs_op *op = t->ops; op && !rc; op = op->next) {
        rc = replay(next, c->domid, op);
    }
    if (rc) {
        xs_db_free(next);
        return rc;
    }
    xs_db_free(s->live);
    s->live = next;
    s->gen++;
    return 0;
}

void xs_txn_finish(struct xs_conn *c, struct xs_txn *t, bool fire)
{
    struct xs_txn **pt = &c->txns;
    while (*pt != t) {
        pt = &(*pt)->next;
    }
    *pt = t->next;
    while (t->ops) {
        struct xs_op *op = t->ops;
        t->ops = op->next;
        if (fire) {
            xs_fire_watches(c->store, op->path, op->type == XS_RM);
        }
        kfree(op);
    }
    while (t->access) {
        struct xs_access *a = t->access;
        t->access = a->next;
        kfree(a);
    }
    xs_db_free(t->db);
    kfree(t);
    c->nr_txns--;
    c->store->nr_txns--;
}
