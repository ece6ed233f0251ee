/*
 * The xenstore tree: nodes with values and per-node permissions, and the per-domain
 * quotas.  Pure data: no locks, no hardware, so it builds on the host for the unit tests
 * (tests/unit/test_xenstore.c).  The caller (kernel/xs_conn.c) holds the store's lock.
 *
 * Domain 0 is the monitor: it may read and write everything.  Paths given to these
 * functions are absolute and checked with xs_path_valid() first.  Results are 0 or a
 * negative errno (kernel/errno.h); the wire layer turns them into the protocol's strings.
 */
#ifndef KERNEL_XS_TREE_H
#define KERNEL_XS_TREE_H

#include "kernel/types.h"

/* Domain ids the store accounts for (the monitor's domain table is as large). */
#define XS_DOMID_MAX      64

/* Quotas (the figures follow Xen's defaults, scaled to a small monitor). */
#define XS_QUOTA_NODES    256        /* nodes a domain may own */
#define XS_QUOTA_BYTES    32768      /* bytes of names, values and permissions it may own */
#define XS_QUOTA_VALUE    2048       /* bytes in one value */
#define XS_PERMS_MAX      8          /* entries in one node's permission list */
#define XS_DEPTH_MAX      32         /* components in a path */
#define XS_STORE_MAX_BYTES (256u * 1024)   /* the whole tree, every owner together */
#define XS_TXN_MAX_BYTES   (512u * 1024)   /* the copies open transactions work on, together */

#define XS_PERM_NONE  0u
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PERM_BOTH  3u

struct xs_perm {
    uint16_t id;       /* the owner in entry 0, else the domain the entry is for */
    uint8_t perm;      /* XS_PERM_*; entry 0's applies to every domain not listed */
};

struct xs_node {
    struct xs_node *parent, *child, *next;   /* first child, next sibling */
    uint64_t gen;                            /* the db's gen at its last change (or its
                                                children's): transactions' conflicts */
    char *value;                             /* NULL when len == 0 */
    uint32_t len;
    uint16_t nperms;
    struct xs_perm perms[XS_PERMS_MAX];
    char name[];                             /* the last path component; "" for the root */
};

/* One version of the whole tree (transactions work on a copy of it). */
struct xs_db {
    struct xs_node *root;
    uint32_t nodes[XS_DOMID_MAX];    /* nodes each domain owns (0: the monitor, unlimited) */
    uint32_t bytes[XS_DOMID_MAX];
    uint32_t total_bytes;
    uint64_t gen;                    /* bumped by every change */
};

/* A tree holding "/" only (owner 0, nobody else may read); NULL when out of memory. */
struct xs_db *xs_db_create(void);
void xs_db_free(struct xs_db *db);
/* A deep copy; NULL when out of memory or when the copy would pass XS_TXN_MAX_BYTES
 * together with live_bytes (what the other copies already hold). */
struct xs_db *xs_db_clone(const struct xs_db *db, uint32_t live_bytes);

/* True for "/" and for "/a/b..." of [A-Za-z0-9_@-] components, no empty component, no
 * trailing '/', at most XENSTORE_ABS_PATH_MAX bytes and XS_DEPTH_MAX components. */
bool xs_path_valid(const char *path);

/* The node at path, or NULL. */
struct xs_node *xs_lookup(struct xs_db *db, const char *path);
/* The generation of the node at path: 0 when there is none (a real one is never 0). */
uint64_t xs_gen_of(struct xs_db *db, const char *path);
/* What dom may do with n (XS_PERM_*). */
unsigned int xs_perm_of(const struct xs_node *n, uint16_t dom);

/* Each checks dom's permission: -EACCES; a missing node: -ENOENT. */
int xs_read(struct xs_db *db, uint16_t dom, const char *path, const char **val, uint32_t *len);
/* Creates the node and missing parents (write permission on the nearest existing one). */
int xs_write(struct xs_db *db, uint16_t dom, const char *path, const char *val, uint32_t len);
/* An existing node is fine (0). */
int xs_mkdir(struct xs_db *db, uint16_t dom, const char *path);
/* Removes the subtree; a missing node whose parent exists is fine (0); "/" is -EINVAL. */
int xs_rm(struct xs_db *db, uint16_t dom, const char *path);
/* The children's names, each NUL-terminated, into buf: the length, or -E2BIG past max. */
int xs_directory(struct xs_db *db, uint16_t dom, const char *path, char *buf, size_t max);
/* "<letter><domid>\0" per entry (n, r, w, b): the length, or -E2BIG past max. */
int xs_get_perms(struct xs_db *db, uint16_t dom, const char *path, char *buf, size_t max);
/* From the wire form (len bytes of NUL-terminated entries): the owner or the monitor only;
 * only the monitor may give a node away; -EINVAL for a malformed list. */
int xs_set_perms(struct xs_db *db, uint16_t dom, const char *path, const char *list,
                 uint32_t len);

/* Parses one "<letter><domid>" entry; false when malformed. */
bool xs_perm_parse(const char *s, struct xs_perm *out);

/* Gives every node dom owns to the monitor (its quota counts go to 0): domain teardown. */
void xs_disown(struct xs_db *db, uint16_t dom);

#endif
