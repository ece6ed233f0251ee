/*
 * grant_table_op: decode and batch the grant-table sub-ops (kernel/grant_table.c and
 * kernel/grant_map.c do the work), and GNTTABOP_copy.
 */
#include "kernel/errno.h"
#include "kernel/grant_table.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/guest_copy.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref: 32 bytes");
static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref: 24 bytes");
static_assert(sizeof(struct gnttab_setup_table) == 16, "gnttab_setup_table: 16 bytes");
static_assert(sizeof(struct gnttab_copy) == 24, "gnttab_copy: 24 bytes");
static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size: 16 bytes");
static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version: 8 bytes");

/*
 * The longest batch of maps, unmaps or copies.  There are no continuations yet, so the
 * bound keeps one call's work finite (a copy batch of this size moves 2 MiB).
 */
#define GNT_BATCH_MAX 512u

static bool is_self(const struct domain *d, domid_t id)
{
    return id == DOMID_SELF || id == d->id;
}

/* ------------------------------------------------------------- copy --------------- */

/* One side of a copy: a grant reference of ptr->domid, or the caller's own frame. */
static int copy_hold(struct domain *d, const struct gnttab_copy_ptr *ptr, bool gref, bool writable,
                     struct gnt_hold *h)
{
    if (gref) {
        return gnttab_hold_ref(is_self(d, ptr->domid) ? d->id : ptr->domid, ptr->u.ref, d->id,
                               writable, true, h);
    }
    if (!is_self(d, ptr->domid)) {
        return GNTST_permission_denied; /* another domain's frames only through its grants */
    }
    return gnttab_hold_own(d, ptr->u.gmfn, writable, h);
}

static void copy_bytes(const struct gnt_hold *s, uint16_t soff, const struct gnt_hold *t,
                       uint16_t toff, uint16_t len)
{
    uint8_t *src = map_frame(_mfn(s->mfn));
    if (s->mfn == t->mfn) {
        memmove(src + toff, src + soff, len); /* one frame: the ranges may overlap */
    } else {
        uint8_t *dst = map_frame(_mfn(t->mfn));
        memcpy(dst + toff, src + soff, len);
        unmap_frame(dst);
    }
    unmap_frame(src);
}

static int copy_one(struct domain *d, const struct gnttab_copy *c)
{
    struct gnt_hold src, dst;
    uint32_t irq;
    int rc;
    if (c->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)) {
        return GNTST_general_error;
    }
    if ((uint32_t)c->source.offset + c->len > PAGE_SIZE ||
        (uint32_t)c->dest.offset + c->len > PAGE_SIZE) {
        return GNTST_bad_copy_arg;
    }
    irq = gnttab_lock();
    rc = copy_hold(d, &c->source, c->flags & GNTCOPY_source_gref, false, &src);
    if (!rc) {
        rc = copy_hold(d, &c->dest, c->flags & GNTCOPY_dest_gref, true, &dst);
        if (!rc) {
            copy_bytes(&src, c->source.offset, &dst, c->dest.offset, c->len);
            gnttab_release(&dst);
        }
        gnttab_release(&src);
    }
    gnttab_unlock(irq);
    return rc;
}

int gnttab_copy_for_monitor(struct domain *d, grant_ref_t ref, uint16_t offset, void *buf,
                            uint16_t len, bool to_grant)
{
    struct gnt_hold h;
    uint32_t irq;
    int rc;
    if ((uint32_t)offset + len > PAGE_SIZE) {
        return GNTST_bad_copy_arg;
    }
    irq = gnttab_lock();
    rc = gnttab_hold_ref(d->id, ref, DOMID_XEN, to_grant, true, &h);
    if (!rc) {
        uint8_t *p = map_frame(_mfn(h.mfn));
        if (to_grant) {
            memcpy(p + offset, buf, len);
        } else {
            memcpy(buf, p + offset, len);
        }
        unmap_frame(p);
        gnttab_release(&h);
    }
    gnttab_unlock(irq);
    return rc;
}

/* ------------------------------------------------------------- batches ------------ */

/* One element of a batch, copied in; fills in its status (and other results). */
typedef void (*gnt_op_fn)(struct vcpu *v, void *op);

static void op_map(struct vcpu *v, void *p)
{
    struct gnttab_map_grant_ref *op = p;
    uint32_t irq = gnttab_lock();
    op->status = (int16_t)gnttab_map(v, op, &op->handle, &op->dev_bus_addr);
    gnttab_unlock(irq);
    if (op->status) {
        pr_debug("grant: d%u: map of (d%u, ref %u) flags 0x%x at 0x%llx: status %d\n",
                 v->domain->id, op->dom, op->ref, op->flags, op->host_addr, op->status);
    }
}

static void op_unmap(struct vcpu *v, void *p)
{
    struct gnttab_unmap_grant_ref *op = p;
    uint32_t irq = gnttab_lock();
    op->status = (int16_t)gnttab_unmap(v->domain, op);
    gnttab_unlock(irq);
    if (op->status) {
        pr_debug("grant: d%u: unmap of handle %u: status %d\n", v->domain->id, op->handle,
                 op->status);
    }
}

static void op_copy(struct vcpu *v, void *p)
{
    struct gnttab_copy *op = p;
    op->status = (int16_t)copy_one(v->domain, op);
    if (op->status) {
        pr_debug("grant: d%u: copy (flags 0x%x, %u bytes): status %d\n", v->domain->id, op->flags,
                 op->len, op->status);
    }
}

/*
 * count elements of size bytes at uop: each copied in, run, and its results (the bytes
 * from out_off to the end) copied back.  Per-element failures are in their status fields;
 * the call fails only for a bad count (-EINVAL) or array (-EFAULT).
 */
static long run_batch(struct vcpu *v, uint32_t uop, uint32_t count, size_t size, size_t out_off,
                      gnt_op_fn fn)
{
    union {
        struct gnttab_map_grant_ref map;
        struct gnttab_unmap_grant_ref unmap;
        struct gnttab_copy copy;
    } op;
    if (count > GNT_BATCH_MAX) {
        return -EINVAL;
    }
    if (!guest_range_ok(uop, (size_t)count * size)) {
        return -EFAULT;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = uop + i * (uint32_t)size;
        if (copy_from_guest(&op, at, size)) {
            return -EFAULT;
        }
        fn(v, &op);
        if (copy_to_guest(at + out_off, (uint8_t *)&op + out_off, size - out_off)) {
            return -EFAULT;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- table queries ------ */

static long setup_table(struct domain *d, uint32_t uop)
{
    struct gnttab_setup_table op;
    uint32_t frames[GNT_MAX_FRAMES], irq, list;
    if (copy_from_guest(&op, uop, sizeof(op))) {
        return -EFAULT;
    }
    list = (uint32_t)(uintptr_t)op.frame_list.p;
    if (!is_self(d, op.dom)) {
        op.status = GNTST_permission_denied;
    } else if (op.nr_frames > GNT_MAX_FRAMES) {
        op.status = GNTST_general_error;
    } else if (!guest_range_ok(list, op.nr_frames * sizeof(xen_pfn_t))) {
        op.status = GNTST_bad_virt_addr;
    } else {
        irq = gnttab_lock();
        op.status = (int16_t)gnttab_setup(d, op.nr_frames, frames);
        gnttab_unlock(irq);
        if (!op.status && copy_to_guest(list, frames, op.nr_frames * sizeof(xen_pfn_t))) {
            op.status = GNTST_bad_virt_addr;
        }
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

static long query_size(struct domain *d, uint32_t uop)
{
    struct gnttab_query_size op;
    uint32_t irq;
    if (copy_from_guest(&op, uop, sizeof(op))) {
        return -EFAULT;
    }
    if (!is_self(d, op.dom)) {
        op.status = GNTST_permission_denied;
    } else {
        irq = gnttab_lock();
        op.nr_frames = gnttab_nr_frames(d);
        gnttab_unlock(irq);
        op.max_nr_frames = GNT_MAX_FRAMES;
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

static long get_version(struct domain *d, uint32_t uop)
{
    struct gnttab_get_version op;
    if (copy_from_guest(&op, uop, sizeof(op))) {
        return -EFAULT;
    }
    if (!is_self(d, op.dom)) {
        return -EPERM;
    }
    op.version = 1;
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/*
 * grant_table_op(cmd, uop, count).  Version 1 only: set_version and get_status_frames
 * (version 2), transfer, unmap_and_replace, dump_table, swap_grant_ref and cache_flush
 * are -ENOSYS (hypercalls.md says why).
 */
long do_grant_table_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], uop = a[1], count = a[2];
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return run_batch(v, uop, count, sizeof(struct gnttab_map_grant_ref),
                         offsetof(struct gnttab_map_grant_ref, status), op_map);
    case GNTTABOP_unmap_grant_ref:
        return run_batch(v, uop, count, sizeof(struct gnttab_unmap_grant_ref),
                         offsetof(struct gnttab_unmap_grant_ref, status), op_unmap);
    case GNTTABOP_copy:
        return run_batch(v, uop, count, sizeof(struct gnttab_copy),
                         offsetof(struct gnttab_copy, status), op_copy);
    case GNTTABOP_setup_table:
        return count != 1 ? -EINVAL : setup_table(v->domain, uop);
    case GNTTABOP_query_size:
        return count != 1 ? -EINVAL : query_size(v->domain, uop);
    case GNTTABOP_get_version:
        return count != 1 ? -EINVAL : get_version(v->domain, uop);
    default:
        return -ENOSYS;
    }
}
