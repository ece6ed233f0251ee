/* The xenstore tree: nodes, permissions and quotas (kernel/xs_tree.h). */
#include "kernel/xs_tree.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "mm/heap.h"
#include <xen/io/xs_wire.h>

/* ---- accounting ---- */

static uint32_t node_bytes(const struct xs_node *n)
{
    return (uint32_t)(sizeof(*n) + strlen(n->name) + 1 + n->len);
}

static uint16_t owner_of(const struct xs_node *n)
{
    return n->perms[0].id;
}

/* Whether owner may take nodes more nodes and bytes more bytes: 0 or -ENOSPC. */
static int quota_check(const struct xs_db *db, uint16_t owner, uint32_t nodes, uint32_t bytes)
{
    if (db->total_bytes + bytes > XS_STORE_MAX_BYTES) {
        return -ENOSPC;
    }
    if (owner != 0 && (db->nodes[owner] + nodes > XS_QUOTA_NODES ||
                       db->bytes[owner] + bytes > XS_QUOTA_BYTES)) {
        return -ENOSPC;
    }
    return 0;
}

/* Adds (or, with a negative sign, takes away) a node's footprint to its owner. */
static void charge(struct xs_db *db, uint16_t owner, int nodes, int32_t bytes)
{
    db->nodes[owner] += (uint32_t)nodes;
    db->bytes[owner] += (uint32_t)bytes;
    db->total_bytes += (uint32_t)bytes;
}

/* ---- nodes ---- */

static struct xs_node *node_alloc(const char *name, size_t nlen)
{
    struct xs_node *n = kmalloc(sizeof(*n) + nlen + 1);
    if (n) {
        memcpy(n->name, name, nlen);
        n->name[nlen] = '\0';
    }
    return n;
}

/* Frees n and its subtree, taking their footprint off their owners' accounts. */
static void node_free_tree(struct xs_db *db, struct xs_node *n)
{
    while (n->child) {
        struct xs_node *c = n->child;
        n->child = c->next;
        node_free_tree(db, c);
    }
    if (db) {
        charge(db, owner_of(n), -1, -(int32_t)node_bytes(n));
    }
    kfree(n->value);
    kfree(n);
}

static void link_child(struct xs_node *parent, struct xs_node *c)
{
    c->parent = parent;
    c->next = parent->child;
    parent->child = c;
}

static void unlink_child(struct xs_node *c)
{
    struct xs_node **pp = &c->parent->child;
    while (*pp != c) {
        pp = &(*pp)->next;
    }
    *pp = c->next;
}

static struct xs_node *child_named(struct xs_node *n, const char *name, size_t len)
{
    for (struct xs_node *c = n->child; c; c = c->next) {
        if (strlen(c->name) == len && !memcmp(c->name, name, len)) {
            return c;
        }
    }
    return NULL;
}

/* The length of the component at p (up to '/' or the end). */
static size_t comp_len(const char *p)
{
    const char *e = strchr(p, '/');
    return e ? (size_t)(e - p) : strlen(p);
}

/* The deepest existing node on path; *rest points at the first missing component ("" when
 * the whole path exists). */
static struct xs_node *walk(struct xs_db *db, const char *path, const char **rest)
{
    struct xs_node *n = db->root, *c;
    const char *p = path + 1;
    while (*p) {
        size_t l = comp_len(p);
        c = child_named(n, p, l);
        if (!c) {
            break;
        }
        n = c;
        p += l + (p[l] == '/');
    }
    *rest = p;
    return n;
}

struct xs_node *xs_lookup(struct xs_db *db, const char *path)
{
    const char *rest;
    struct xs_node *n = walk(db, path, &rest);
    return *rest ? NULL : n;
}

uint64_t xs_gen_of(struct xs_db *db, const char *path)
{
    const struct xs_node *n = xs_lookup(db, path);
    return n ? n->gen : 0;
}

/* n changed (its value, permissions or children). */
static void touch(struct xs_db *db, struct xs_node *n)
{
    n->gen = ++db->gen;
}

bool xs_path_valid(const char *path)
{
    size_t len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
    if (len == 0 || len > XENSTORE_ABS_PATH_MAX || path[0] != '/') {
        return false;
    }
    if (len == 1) {
        return true;
    }
    if (path[len - 1] == '/') {
        return false;
    }
    for (size_t i = 1, depth = 1; i < len; i++) {
        char c = path[i];
        /* The tree is walked recursively: a bounded depth bounds the monitor's stack. */
        if (c == '/' && ++depth > XS_DEPTH_MAX) {
            return false;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '@' || (c == '/' && path[i - 1] != '/');
        if (!ok) {
            return false;
        }
    }
    return true;
}

unsigned int xs_perm_of(const struct xs_node *n, uint16_t dom)
{
    if (dom == 0 || dom == owner_of(n)) {
        return XS_PERM_BOTH;
    }
    for (unsigned int i = 1; i < n->nperms; i++) {
        if (n->perms[i].id == dom) {
            return n->perms[i].perm;
        }
    }
    return n->perms[0].perm;
}

struct xs_db *xs_db_create(void)
{
    struct xs_db *db = kmalloc(sizeof(*db));
    if (!db) {
        return NULL;
    }
    db->root = node_alloc("", 0);
    if (!db->root) {
        kfree(db);
        return NULL;
    }
    db->root->nperms = 1;
    db->root->perms[0] = (struct xs_perm){ .id = 0, .perm = XS_PERM_NONE };
    touch(db, db->root);
    charge(db, 0, 1, (int32_t)node_bytes(db->root));
    return db;
}

void xs_db_free(struct xs_db *db)
{
    if (db) {
        node_free_tree(NULL, db->root);
        kfree(db);
    }
}

static struct xs_node *node_copy(const struct xs_node *src, struct xs_node *parent)
{
    size_t nlen = strlen(src->name);
    struct xs_node *n = node_alloc(src->name, nlen);
    if (!n) {
        return NULL;
    }
    n->len = src->len;
    n->gen = src->gen;
    n->nperms = src->nperms;
    memcpy(n->perms, src->perms, sizeof(n->perms));
    n->parent = parent;
    if (src->len) {
        n->value = kmalloc(src->len);
        if (!n->value) {
            kfree(n);
            return NULL;
        }
        memcpy(n->value, src->value, src->len);
    }
    /* Children keep their order reversed: order carries no meaning in the store. */
    for (const struct xs_node *c = src->child; c; c = c->next) {
        struct xs_node *cc = node_copy(c, n);
        if (!cc) {
            node_free_tree(NULL, n);
            return NULL;
        }
        link_child(n, cc);
    }
    return n;
}

struct xs_db *xs_db_clone(const struct xs_db *db, uint32_t live_bytes)
{
    struct xs_db *c;
    if (live_bytes + db->total_bytes > XS_TXN_MAX_BYTES) {
        return NULL;
    }
    c = kmalloc(sizeof(*c));
    if (!c) {
        return NULL;
    }
    *c = *db;
    c->root = node_copy(db->root, NULL);
    if (!c->root) {
        kfree(c);
        return NULL;
    }
    return c;
}

/* ---- operations ---- */

int xs_read(struct xs_db *db, uint16_t dom, const char *path, const char **val, uint32_t *len)
{
    struct xs_node *n = xs_lookup(db, path);
    if (!n) {
        return -ENOENT;
    }
    if (!(xs_perm_of(n, dom) & XS_PERM_READ)) {
        return -EACCES;
    }
    *val = n->value;
    *len = n->len;
    return 0;
}

/* Counts the components of rest and their name bytes. */
static unsigned int count_missing(const char *rest, uint32_t *bytes)
{
    unsigned int k = 0;
    *bytes = 0;
    while (*rest) {
        size_t l = comp_len(rest);
        *bytes += (uint32_t)(sizeof(struct xs_node) + l + 1);
        k++;
        rest += l + (rest[l] == '/');
    }
    return k;
}

/* Creates the missing components rest below n; the new nodes inherit n's permissions
 * with dom as their owner.  Quota already checked; undoes itself on -ENOMEM. */
static int create_below(struct xs_db *db, struct xs_node *n, const char *rest, uint16_t dom,
                        struct xs_node **out)
{
    struct xs_node *top = NULL, *cur = n;
    while (*rest) {
        size_t l = comp_len(rest);
        struct xs_node *c = node_alloc(rest, l);
        if (!c) {
            if (top) {
                unlink_child(top);
                node_free_tree(db, top);
            }
            return -ENOMEM;
        }
        c->nperms = n->nperms;
        memcpy(c->perms, n->perms, sizeof(c->perms));
        if (dom != 0) {
            c->perms[0].id = dom;
        }
        link_child(cur, c);
        touch(db, cur);
        touch(db, c);
        charge(db, owner_of(c), 1, (int32_t)node_bytes(c));
        top = top ? top : c;
        cur = c;
        rest += l + (rest[l] == '/');
    }
    *out = cur;
    return 0;
}

/* The node at path, created (with its parents) when missing; extra: value bytes the
 * caller will add, checked against the new owner's quota together with the nodes. */
static int get_or_create(struct xs_db *db, uint16_t dom, const char *path, uint32_t extra,
                         struct xs_node **out)
{
    const char *rest;
    struct xs_node *n = walk(db, path, &rest);
    uint32_t bytes;
    unsigned int k;
    int rc;
    if (!*rest) {
        *out = n;
        return 1;    /* existed */
    }
    if (!(xs_perm_of(n, dom) & XS_PERM_WRITE)) {
        return -EACCES;
    }
    k = count_missing(rest, &bytes);
    rc = quota_check(db, dom ? dom : owner_of(n), k, bytes + extra);
    if (rc) {
        return rc;
    }
    return create_below(db, n, rest, dom, out);
}

int xs_write(struct xs_db *db, uint16_t dom, const char *path, const char *val, uint32_t len)
{
    struct xs_node *n;
    char *copy = NULL;
    int rc;
    if (len > XS_QUOTA_VALUE) {
        return -E2BIG;
    }
    n = xs_lookup(db, path);
    if (n && !(xs_perm_of(n, dom) & XS_PERM_WRITE)) {
        return -EACCES;
    }
    if (n && len > n->len && (rc = quota_check(db, owner_of(n), 0, len - n->len))) {
        return rc;
    }
    if (len && !(copy = kmalloc(len))) {
        return -ENOMEM;
    }
    rc = n ? 0 : get_or_create(db, dom, path, len, &n);
    if (rc < 0) {
        kfree(copy);
        return rc;
    }
    if (len) {
        memcpy(copy, val, len);
    }
    charge(db, owner_of(n), 0, (int32_t)len - (int32_t)n->len);
    kfree(n->value);
    n->value = copy;
    n->len = len;
    touch(db, n);
    return 0;
}

int xs_mkdir(struct xs_db *db, uint16_t dom, const char *path)
{
    struct xs_node *n;
    int rc = get_or_create(db, dom, path, 0, &n);
    return rc < 0 ? rc : 0;
}

/* The parent path of path (not "/"), in buf of XENSTORE_ABS_PATH_MAX + 1 bytes. */
static void parent_path(const char *path, char *buf)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] != '/') {
        len--;
    }
    if (len > 1) {
        len--;    /* the '/' itself, unless it is the root's */
    }
    memcpy(buf, path, len);
    buf[len] = '\0';
}

int xs_rm(struct xs_db *db, uint16_t dom, const char *path)
{
    struct xs_node *n;
    if (path[1] == '\0') {
        return -EINVAL;
    }
    n = xs_lookup(db, path);
    if (!n) {
        static char parent[XENSTORE_ABS_PATH_MAX + 1];   /* the store lock is held */
        parent_path(path, parent);
        return xs_lookup(db, parent) ? 0 : -ENOENT;
    }
    if (!(xs_perm_of(n, dom) & XS_PERM_WRITE)) {
        return -EACCES;
    }
    touch(db, n->parent);
    unlink_child(n);
    node_free_tree(db, n);
    return 0;
}

int xs_directory(struct xs_db *db, uint16_t dom, const char *path, char *buf, size_t max)
{
    struct xs_node *n = xs_lookup(db, path);
    size_t off = 0;
    if (!n) {
        return -ENOENT;
    }
    if (!(xs_perm_of(n, dom) & XS_PERM_READ)) {
        return -EACCES;
    }
    for (struct xs_node *c = n->child; c; c = c->next) {
        size_t l = strlen(c->name) + 1;
        if (off + l > max) {
            return -E2BIG;
        }
        memcpy(buf + off, c->name, l);
        off += l;
    }
    return (int)off;
}

static const char perm_letters[] = "nrwb";

int xs_get_perms(struct xs_db *db, uint16_t dom, const char *path, char *buf, size_t max)
{
    struct xs_node *n = xs_lookup(db, path);
    size_t off = 0;
    if (!n) {
        return -ENOENT;
    }
    if (!(xs_perm_of(n, dom) & XS_PERM_READ)) {
        return -EACCES;
    }
    for (unsigned int i = 0; i < n->nperms; i++) {
        char e[8];
        int l = snprintf(e, sizeof(e), "%c%u", perm_letters[n->perms[i].perm],
                         n->perms[i].id) + 1;
        if (off + (size_t)l > max) {
            return -E2BIG;
        }
        memcpy(buf + off, e, (size_t)l);
        off += (size_t)l;
    }
    return (int)off;
}

bool xs_perm_parse(const char *s, struct xs_perm *out)
{
    const char *p = strchr(perm_letters, s[0]);
    uint64_t id;
    size_t len = strlen(s);
    if (!s[0] || !p || len < 2 || len > 6 || parse_u64(s + 1, s + len, 10, &id) ||
        id >= XS_DOMID_MAX) {
        return false;
    }
    out->perm = (uint8_t)(p - perm_letters);
    out->id = (uint16_t)id;
    return true;
}

/* Splits the wire list into perms; the count, or -EINVAL. */
static int parse_perm_list(const char *list, uint32_t len, struct xs_perm *perms)
{
    uint32_t off = 0;
    int n = 0;
    if (len == 0 || list[len - 1] != '\0') {
        return -EINVAL;
    }
    while (off < len) {
        if (n == XS_PERMS_MAX || !xs_perm_parse(list + off, &perms[n])) {
            return -EINVAL;
        }
        off += (uint32_t)strlen(list + off) + 1;
        n++;
    }
    return n;
}

int xs_set_perms(struct xs_db *db, uint16_t dom, const char *path, const char *list,
                 uint32_t len)
{
    struct xs_perm perms[XS_PERMS_MAX] = { { 0, 0 } };
    struct xs_node *n = xs_lookup(db, path);
    int count = parse_perm_list(list, len, perms);
    int rc;
    if (count < 0) {
        return count;
    }
    if (!n) {
        return -ENOENT;
    }
    if (dom != 0 && dom != owner_of(n)) {
        return -EACCES;
    }
    if (dom != 0 && perms[0].id != dom) {
        return -EPERM;    /* a domain may not give its nodes away (they count on its quota) */
    }
    if (perms[0].id != owner_of(n) &&
        (rc = quota_check(db, perms[0].id, 1, node_bytes(n)))) {
        return rc;
    }
    charge(db, owner_of(n), -1, -(int32_t)node_bytes(n));
    memcpy(n->perms, perms, sizeof(perms));
    n->nperms = (uint16_t)count;
    charge(db, owner_of(n), 1, (int32_t)node_bytes(n));
    touch(db, n);
    return 0;
}

static void disown_tree(struct xs_db *db, struct xs_node *n, uint16_t dom)
{
    if (owner_of(n) == dom) {
        charge(db, dom, -1, -(int32_t)node_bytes(n));
        n->perms[0].id = 0;
        charge(db, 0, 1, (int32_t)node_bytes(n));
    }
    for (struct xs_node *c = n->child; c; c = c->next) {
        disown_tree(db, c, dom);
    }
}

void xs_disown(struct xs_db *db, uint16_t dom)
{
    if (dom != 0 && dom < XS_DOMID_MAX) {
        disown_tree(db, db->root, dom);
    }
}
