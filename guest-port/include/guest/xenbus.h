/*
 * A xenbus client: the xenstore wire protocol over the store ring page of start_info, with
 * its event channel.  One request at a time, waited for with SCHEDOP_poll on the store
 * port (kept masked, so the event callback never takes its events).  Watch events that
 * arrive are queued and handed to their callbacks by xenbus_dispatch_watches(), never in
 * the middle of a request.
 *
 * Every function returns 0 (or a length) or a negative Xen errno: the protocol's error
 * strings become -XEN_ENOENT, -XEN_EACCES, ... (-XEN_EIO when the store does not answer
 * within the time limit or the ring is broken).
 */
#ifndef GUEST_XENBUS_H
#define GUEST_XENBUS_H

#include "guest/lib.h"
#include "guest/xen.h"
#include <xen/event_channel.h>
#include <xen/io/xs_wire.h>

#define XENBUS_MAX_WATCHES 16

typedef void (*xenbus_watch_fn)(const char *path, const char *token, void *arg);

/* Maps the ring (it is in the start-of-day region) and masks the port: 0, or -XEN_ENODEV
 * when start_info names no store. */
int xenbus_init(void);

/* Any request: payload of len bytes; the reply's payload (NUL added, truncated to size-1)
 * into reply, its length into *rlen.  Returns 0 or the error the store answered. */
int xenbus_request(uint32_t type, uint32_t tx, const void *payload, uint32_t len,
                   char *reply, uint32_t size, uint32_t *rlen);

int xenbus_read(uint32_t tx, const char *path, char *buf, uint32_t size);  /* the length */
int xenbus_write(uint32_t tx, const char *path, const char *value);
int xenbus_mkdir(uint32_t tx, const char *path);
int xenbus_rm(uint32_t tx, const char *path);
/* The children's names, each NUL-terminated, into buf: the total length. */
int xenbus_directory(uint32_t tx, const char *path, char *buf, uint32_t size);
/* An unsigned decimal node. */
int xenbus_read_u64(uint32_t tx, const char *path, uint64_t *out);

/* Registers a watch; the store fires it once at once, then on every change at or below
 * path.  The token must stay valid until xenbus_unwatch. */
int xenbus_watch(const char *path, const char *token, xenbus_watch_fn fn, void *arg);
int xenbus_unwatch(const char *path, const char *token);
/* Calls the callbacks of the events received so far (the ring is checked too): how many. */
int xenbus_dispatch_watches(void);

int xenbus_transaction_start(uint32_t *tx);
/* Commits (abort false) or aborts: -XEN_EAGAIN when another change came first. */
int xenbus_transaction_end(uint32_t tx, bool abort);
/* Runs body in a transaction, again while the commit answers -XEN_EAGAIN (at most tries
 * times); body's own error aborts it and is returned. */
int xenbus_transact(int (*body)(uint32_t tx, void *arg), void *arg, unsigned int tries);

/* Events dropped because the local queue was full, and -XEN_EAGAIN retries so far. */
extern unsigned long xenbus_events_lost, xenbus_retries;

/* The store's port and ring, for tests that talk to the ring directly. */
evtchn_port_t xenbus_port(void);
volatile struct xenstore_domain_interface *xenbus_ring(void);

#endif
