/* The xenstore wire protocol: requests, replies, watches and transactions (xs_conn.h). */
#include "kernel/xs_conn.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "mm/heap.h"

#define ABS_BUF (XENSTORE_ABS_PATH_MAX + 1)

/* ---- output ---- */

/* Queues one message; false when out of memory (the reply is then lost: the client
 * times out, and the monitor goes on). */
static bool queue_msg(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                      const void *p1, uint32_t l1, const void *p2, uint32_t l2)
{
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = tx_id, .len = l1 + l2 };
    struct xs_msg *m = kmalloc(sizeof(*m) + sizeof(h) + l1 + l2);
    if (!m) {
        return false;
    }
    m->len = (uint32_t)sizeof(h) + l1 + l2;
    memcpy(m->data, &h, sizeof(h));
    if (l1) {
        memcpy(m->data + sizeof(h), p1, l1);
    }
    if (l2) {
        memcpy(m->data + sizeof(h) + l1, p2, l2);
    }
    if (c->out_tail) {
        c->out_tail->next = m;
    } else {
        c->out_head = m;
    }
    c->out_tail = m;
    c->out_bytes += m->len;
    return true;
}

bool xs_conn_may_take(const struct xs_conn *c)
{
    return c->out_bytes < XS_OUT_MAX;
}

const uint8_t *xs_conn_out_peek(const struct xs_conn *c, uint32_t *len)
{
    const struct xs_msg *m = c->out_head;
    if (!m) {
        return NULL;
    }
    *len = m->len - m->off;
    return m->data + m->off;
}

void xs_conn_out_consume(struct xs_conn *c, uint32_t n)
{
    struct xs_msg *m = c->out_head;
    m->off += n;
    c->out_bytes -= n;
    if (m->off == m->len) {
        c->out_head = m->next;
        if (!c->out_head) {
            c->out_tail = NULL;
        }
        kfree(m);
    }
}

static const struct {
    int err;
    const char *name;
} error_names[] = {
    { EINVAL, "EINVAL" }, { EACCES, "EACCES" },   { EEXIST, "EEXIST" },
    { EISDIR, "EISDIR" }, { ENOENT, "ENOENT" },   { ENOMEM, "ENOMEM" },
    { ENOSPC, "ENOSPC" }, { EIO, "EIO" },         { ENOTEMPTY, "ENOTEMPTY" },
    { ENOSYS, "ENOSYS" }, { EROFS, "EROFS" },     { EBUSY, "EBUSY" },
    { EAGAIN, "EAGAIN" }, { EISCONN, "EISCONN" }, { E2BIG, "E2BIG" },
    { EPERM, "EPERM" },
};

const char *xs_error_name(int err)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(error_names); i++) {
        if (error_names[i].err == -err) {
            return error_names[i].name;
        }
    }
    return "EINVAL";
}

static void reply_error(struct xs_conn *c, const struct xsd_sockmsg *h, int err)
{
    const char *s = xs_error_name(err);
    queue_msg(c, XS_ERROR, h->req_id, h->tx_id, s, (uint32_t)strlen(s) + 1, NULL, 0);
}

static void reply(struct xs_conn *c, const struct xsd_sockmsg *h, const void *p, uint32_t len)
{
    queue_msg(c, h->type, h->req_id, h->tx_id, p, len, NULL, 0);
}

static void reply_ok(struct xs_conn *c, const struct xsd_sockmsg *h)
{
    reply(c, h, "OK", 3);
}

/* ---- watches ---- */

/* True when prefix names path or one of its ancestors ("/a" covers "/a/b", not "/ab"). */
static bool path_covers(const char *prefix, const char *path)
{
    size_t l = strlen(prefix);
    if (l == 1) {
        return true;    /* "/" */
    }
    return !strncmp(prefix, path, l) && (path[l] == '\0' || path[l] == '/');
}

/* Whether dom may learn of a change at path: it may read the node, or (gone) the nearest
 * ancestor still there. */
static bool may_see(struct xs_db *db, uint16_t dom, const char *path)
{
    static char buf[ABS_BUF];     /* the store lock is held: one user at a time; the
                                     monitor stack is too small for paths */
    struct xs_node *n;
    strlcpy(buf, path, sizeof(buf));
    while (!(n = xs_lookup(db, buf))) {
        char *slash = buf + strlen(buf);
        while (slash > buf + 1 && *slash != '/') {
            slash--;
        }
        *slash = '\0';
        if (slash == buf + 1 || slash == buf) {
            buf[0] = '/';
            buf[1] = '\0';
        }
    }
    return xs_perm_of(n, dom) & XS_PERM_READ;
}

/* The path as the watch's owner named it: relative to its home when it registered so. */
static const char *event_path(const struct xs_conn *c, const struct xs_watch *w,
                              const char *path)
{
    char home[32];
    size_t l = (size_t)snprintf(home, sizeof(home), "/local/domain/%u/", c->domid);
    if (w->relative && !strncmp(path, home, l)) {
        return path + l;
    }
    return path;
}

static void send_event(struct xs_conn *c, const struct xs_watch *w, const char *path)
{
    const char *p = event_path(c, w, path);
    uint32_t pl = (uint32_t)strlen(p) + 1, tl = (uint32_t)strlen(w->token) + 1;
    if (c->out_bytes + sizeof(struct xsd_sockmsg) + pl + tl > XS_OUT_MAX ||
        !queue_msg(c, XS_WATCH_EVENT, 0, 0, p, pl, w->token, tl)) {
        c->events_dropped++;
    }
}

/* Fires every watch on path, on its ancestors, and (removed subtrees) below it. */
void xs_fire_watches(struct xs_store *s, const char *path, bool subtree)
{
    bool special = path[0] == '@';
    for (struct xs_conn *c = s->conns; c; c = c->next) {
        for (struct xs_watch *w = c->watches; w; w = w->next) {
            bool hit = special ? !strcmp(w->path, path)
                               : w->path[0] == '/' &&
                                     (path_covers(w->path, path) ||
                                      (subtree && path_covers(path, w->path)));
            if (hit && (special || may_see(s->live, c->domid, path))) {
                send_event(c, w, path);
            }
        }
    }
}

/* ---- requests ---- */

/* The next NUL-terminated string of the payload from *off; -EINVAL when unterminated. */
static int next_str(const char *p, uint32_t len, uint32_t *off, const char **out)
{
    uint32_t n;
    if (*off >= len) {
        return -EINVAL;
    }
    n = (uint32_t)strnlen(p + *off, len - *off);
    if (n == len - *off) {
        return -EINVAL;
    }
    *out = p + *off;
    *off += n + 1;
    return 0;
}

/* The absolute form of a client's path: relative ones are under /local/domain/<id>.
 * -EINVAL for a malformed path, -E2BIG for one too long. */
static int canon_path(const struct xs_conn *c, const char *in, char *out)
{
    size_t l = strnlen(in, ABS_BUF);
    if (in[0] != '/') {
        if (l > XENSTORE_REL_PATH_MAX) {
            return -E2BIG;
        }
        snprintf(out, ABS_BUF, "/local/domain/%u/%s", c->domid, in);
    } else {
        if (l > XENSTORE_ABS_PATH_MAX) {
            return -E2BIG;
        }
        memcpy(out, in, l + 1);
    }
    return xs_path_valid(out) ? 0 : -EINVAL;
}

/* The tree a request works on: the live one, or its transaction's (xs_txn_db).  -ENOENT
 * for an unknown transaction. */
static int request_db(struct xs_conn *c, uint32_t tx_id, const char *path, bool change,
                      struct xs_db **db, struct xs_txn **txn)
{
    *db = c->store->live;
    *txn = NULL;
    if (!tx_id) {
        return 0;
    }
    *txn = xs_txn_find(c, tx_id);
    return *txn ? xs_txn_db(c, *txn, path, change, db) : -ENOENT;
}

/* A change was made at path: fire now, or log it for the commit. */
static void changed(struct xs_conn *c, struct xs_txn *t, uint32_t type, const char *path,
                    const char *arg, uint32_t alen)
{
    if (t) {
        xs_txn_log(t, type, path, arg, alen);
        return;
    }
    c->store->gen++;
    xs_fire_watches(c->store, path, type == XS_RM);
}

static void do_path_op(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p)
{
    static char path[ABS_BUF];    /* store lock held; see may_see() */
    static char buf[XENSTORE_PAYLOAD_MAX];   /* store lock held: one user at a time */
    bool change = h->type == XS_MKDIR || h->type == XS_RM;
    struct xs_db *db;
    struct xs_txn *t;
    const char *arg, *val = NULL;
    uint32_t off = 0, vlen = 0;
    int rc = next_str(p, h->len, &off, &arg);
    rc = rc ? rc : canon_path(c, arg, path);
    rc = rc ? rc : request_db(c, h->tx_id, path, change, &db, &t);
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    switch (h->type) {
    case XS_READ:
        rc = xs_read(db, c->domid, path, &val, &vlen);
        break;
    case XS_DIRECTORY:
        rc = xs_directory(db, c->domid, path, buf, sizeof(buf));
        break;
    case XS_GET_PERMS:
        rc = xs_get_perms(db, c->domid, path, buf, sizeof(buf));
        break;
    case XS_MKDIR:
        rc = xs_mkdir(db, c->domid, path);
        break;
    default:
        rc = xs_rm(db, c->domid, path);
        break;
    }
    if (rc < 0) {
        reply_error(c, h, rc);
    } else if (h->type == XS_READ) {
        reply(c, h, val, vlen);
    } else if (!change) {
        reply(c, h, buf, (uint32_t)rc);
    } else {
        reply_ok(c, h);     /* the reply first, then the events it causes */
        changed(c, t, h->type, path, NULL, 0);
    }
}

/* XS_WRITE ("path\0value") and XS_SET_PERMS ("path\0perm\0perm\0..."). */
static void do_write_op(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p)
{
    static char path[ABS_BUF];    /* store lock held; see may_see() */
    struct xs_db *db;
    struct xs_txn *t;
    const char *arg;
    uint32_t off = 0;
    int rc = next_str(p, h->len, &off, &arg);
    rc = rc ? rc : canon_path(c, arg, path);
    rc = rc ? rc : request_db(c, h->tx_id, path, true, &db, &t);
    if (!rc && h->type == XS_WRITE) {
        rc = xs_write(db, c->domid, path, p + off, h->len - off);
    } else if (!rc) {
        rc = xs_set_perms(db, c->domid, path, p + off, h->len - off);
    }
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    reply_ok(c, h);
    changed(c, t, h->type, path, p + off, h->len - off);
}

/* XS_WATCH and XS_UNWATCH: "path\0token\0". */
static int parse_watch(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p,
                       char *path, const char **token, bool *relative)
{
    const char *arg;
    uint32_t off = 0;
    int rc = next_str(p, h->len, &off, &arg);
    rc = rc ? rc : next_str(p, h->len, &off, token);
    if (rc) {
        return rc;
    }
    *relative = arg[0] != '/' && arg[0] != '@';
    if (!strcmp(arg, "@introduceDomain") || !strcmp(arg, "@releaseDomain")) {
        strlcpy(path, arg, ABS_BUF);
        return 0;
    }
    return canon_path(c, arg, path);
}

static struct xs_watch **find_watch(struct xs_conn *c, const char *path, const char *token)
{
    struct xs_watch **pw = &c->watches;
    while (*pw && (strcmp((*pw)->path, path) || strcmp((*pw)->token, token))) {
        pw = &(*pw)->next;
    }
    return pw;
}

static void do_watch(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p)
{
    static char path[ABS_BUF];    /* store lock held; see may_see() */
    const char *token;
    bool relative;
    struct xs_watch *w;
    size_t pl, tl;
    int rc = parse_watch(c, h, p, path, &token, &relative);
    if (!rc && *find_watch(c, path, token)) {
        rc = -EEXIST;
    } else if (!rc && c->nr_watches >= XS_WATCH_MAX) {
        rc = -E2BIG;
    }
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    pl = strlen(path) + 1;
    tl = strlen(token) + 1;
    w = kmalloc(sizeof(*w) + pl + tl);
    if (!w) {
        reply_error(c, h, -ENOMEM);
        return;
    }
    memcpy(w->path, path, pl);
    w->token = w->path + pl;
    memcpy(w->token, token, tl);
    w->relative = relative;
    w->next = c->watches;
    c->watches = w;
    c->nr_watches++;
    reply_ok(c, h);
    /* The initial firing, after the reply, as Xen's clients expect. */
    if (path[0] == '@' || may_see(c->store->live, c->domid, path)) {
        send_event(c, w, path);
    }
}

static void do_unwatch(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p)
{
    static char path[ABS_BUF];    /* store lock held; see may_see() */
    const char *token;
    bool relative;
    struct xs_watch **pw, *w;
    int rc = parse_watch(c, h, p, path, &token, &relative);
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    pw = find_watch(c, path, token);
    if (!*pw) {
        reply_error(c, h, -ENOENT);
        return;
    }
    w = *pw;
    *pw = w->next;
    kfree(w);
    c->nr_watches--;
    reply_ok(c, h);
}

static void free_watches(struct xs_conn *c)
{
    while (c->watches) {
        struct xs_watch *w = c->watches;
        c->watches = w->next;
        kfree(w);
    }
    c->nr_watches = 0;
}

/* ---- transactions ---- */

static void do_txn_start(struct xs_conn *c, const struct xsd_sockmsg *h)
{
    char id[12];
    uint32_t n;
    int rc = xs_txn_start(c, &n);
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    reply(c, h, id, (uint32_t)snprintf(id, sizeof(id), "%u", n) + 1);
}

static void do_txn_end(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p)
{
    struct xs_txn *t = h->tx_id ? xs_txn_find(c, h->tx_id) : NULL;
    const char *arg;
    uint32_t off = 0;
    int rc = t ? next_str(p, h->len, &off, &arg) : -ENOENT;
    if (!rc && strcmp(arg, "T") && strcmp(arg, "F")) {
        rc = -EINVAL;
    }
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    rc = arg[0] == 'T' ? xs_txn_commit(c, t) : 0;
    if (rc) {
        reply_error(c, h, rc);
    } else {
        reply_ok(c, h);     /* before the events of the commit */
    }
    xs_txn_finish(c, t, arg[0] == 'T' && !rc);
}

static void do_get_domain_path(struct xs_conn *c, const struct xsd_sockmsg *h, const char *p)
{
    char out[32];
    const char *arg;
    uint64_t id;
    uint32_t off = 0;
    int rc = next_str(p, h->len, &off, &arg);
    if (!rc && (parse_u64(arg, NULL, 10, &id) || id >= DOMID_FIRST_RESERVED)) {
        rc = -EINVAL;
    }
    if (rc) {
        reply_error(c, h, rc);
        return;
    }
    reply(c, h, out, (uint32_t)snprintf(out, sizeof(out), "/local/domain/%u", (unsigned)id) + 1);
}

void xs_conn_request(struct xs_conn *c, const struct xsd_sockmsg *h, const char *payload)
{
    switch (h->type) {
    case XS_READ:
    case XS_DIRECTORY:
    case XS_GET_PERMS:
    case XS_MKDIR:
    case XS_RM:
        do_path_op(c, h, payload);
        break;
    case XS_WRITE:
    case XS_SET_PERMS:
        do_write_op(c, h, payload);
        break;
    case XS_WATCH:
        do_watch(c, h, payload);
        break;
    case XS_UNWATCH:
        do_unwatch(c, h, payload);
        break;
    case XS_RESET_WATCHES:
        free_watches(c);
        reply_ok(c, h);
        break;
    case XS_TRANSACTION_START:
        do_txn_start(c, h);
        break;
    case XS_TRANSACTION_END:
        do_txn_end(c, h, payload);
        break;
    case XS_GET_DOMAIN_PATH:
        do_get_domain_path(c, h, payload);
        break;
    default:
        /* Known types a guest has no business with, and unknown ones alike. */
        reply_error(c, h, h->type < XS_TYPE_COUNT ? -ENOSYS : -EINVAL);
        break;
    }
}

/* ---- connections and the store ---- */

struct xs_conn *xs_conn_create(struct xs_store *s, uint16_t domid)
{
    struct xs_conn *c = kmalloc(sizeof(*c));
    if (c) {
        c->store = s;
        c->domid = domid;
        c->next = s->conns;
        s->conns = c;
    }
    return c;
}

void xs_conn_destroy(struct xs_conn *c)
{
    struct xs_conn **pc = &c->store->conns;
    while (*pc != c) {
        pc = &(*pc)->next;
    }
    *pc = c->next;
    free_watches(c);
    while (c->txns) {
        xs_txn_finish(c, c->txns, false);
    }
    while (c->out_head) {
        xs_conn_out_consume(c, c->out_head->len - c->out_head->off);
    }
    kfree(c);
}

/* Writes and sets the permissions of a node as the monitor (perms: a wire list). */
static int put_node(struct xs_store *s, const char *path, const char *value, const char *perms,
                    uint32_t plen)
{
    int rc = value ? xs_write(s->live, 0, path, value, (uint32_t)strlen(value))
                   : xs_mkdir(s->live, 0, path);
    if (!rc && perms) {
        rc = xs_set_perms(s->live, 0, path, perms, plen);
    }
    if (!rc) {
        s->gen++;
        xs_fire_watches(s, path, false);
    }
    return rc;
}

struct xs_store *xs_store_create(void)
{
    struct xs_store *s = kmalloc(sizeof(*s));
    if (!s || !(s->live = xs_db_create())) {
        kfree(s);
        return NULL;
    }
    /* Everyone may list the domains; only the monitor writes here. */
    if (put_node(s, "/local", NULL, "r0", 3) || put_node(s, "/local/domain", NULL, "r0", 3) ||
        put_node(s, "/local/domain/0", NULL, "r0", 3) ||
        put_node(s, "/local/domain/0/backend", NULL, "n0", 3)) {
        xs_store_destroy(s);
        return NULL;
    }
    return s;
}

void xs_store_destroy(struct xs_store *s)
{
    if (s) {
        xs_db_free(s->live);
        kfree(s);
    }
}

int xs_store_write(struct xs_store *s, const char *path, const char *value)
{
    return put_node(s, path, value, NULL, 0);
}

/* A wire permission list of two entries: "n0" (the monitor's node) and <letter><domid>. */
static uint32_t monitor_perms(char *buf, size_t size, char letter, uint16_t domid)
{
    int l = snprintf(buf + 3, size - 3, "%c%u", letter, domid);
    memcpy(buf, "n0", 3);
    return (uint32_t)l + 4;
}

int xs_store_introduce(struct xs_store *s, uint16_t domid, const char *name,
                       uint64_t memory_kib)
{
    static const struct {
        const char *sub;
        char perms;     /* o: the domain's own; r: the monitor's, readable; b: writable too */
    } nodes[] = {
        { "", 'o' }, { "name", 'r' }, { "domid", 'r' }, { "memory", 'r' },
        { "memory/target", 'r' }, { "control", 'r' }, { "control/shutdown", 'b' },
        { "device", 'o' },
    };
    char path[64], own[8], ro[16], rw[16], domid_s[8], target[24];
    const char *values[ARRAY_SIZE(nodes)] = { NULL, name, domid_s, NULL, target, NULL, "", NULL };
    uint32_t lown, lro, lrw;
    int rc = 0;
    if (domid == 0 || domid >= XS_DOMID_MAX) {
        return -EINVAL;
    }
    lown = (uint32_t)snprintf(own, sizeof(own), "n%u", domid) + 1;
    lro = monitor_perms(ro, sizeof(ro), 'r', domid);
    lrw = monitor_perms(rw, sizeof(rw), 'b', domid);
    snprintf(domid_s, sizeof(domid_s), "%u", domid);
    snprintf(target, sizeof(target), "%llu", (unsigned long long)memory_kib);
    for (unsigned int i = 0; i < ARRAY_SIZE(nodes) && !rc; i++) {
        char p = nodes[i].perms;
        snprintf(path, sizeof(path), "/local/domain/%u%s%s", domid, i ? "/" : "", nodes[i].sub);
        rc = put_node(s, path, values[i], p == 'o' ? own : p == 'r' ? ro : rw,
                      p == 'o' ? lown : p == 'r' ? lro : lrw);
    }
    if (!rc) {
        xs_fire_watches(s, "@introduceDomain", false);
    }
    return rc;
}

void xs_store_release(struct xs_store *s, uint16_t domid)
{
    char path[32];
    if (domid == 0 || domid >= XS_DOMID_MAX) {
        return;
    }
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    if (!xs_rm(s->live, 0, path)) {
        s->gen++;
        xs_fire_watches(s, path, true);
    }
    xs_disown(s->live, domid);
    xs_fire_watches(s, "@releaseDomain", false);
}
