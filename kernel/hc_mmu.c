/* Validated page-table updates (mmu_update) and the extended MMU operations (mmuext_op). */
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/errno.h"
#include "kernel/hc_mmu.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/guest_copy.h"
#include "mm/m2p.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

static_assert(sizeof(mmu_update_t) == 16, "mmu_update_t is 16 bytes in the 32-bit ABI");
static_assert(sizeof(struct mmuext_op) == 12, "mmuext_op is 12 bytes in the 32-bit ABI");

/*
 * The longest batch.  Every request runs with interrupts off and there are no
 * continuations yet, so the bound keeps one call's work finite; it still admits the
 * batches guests issue (a whole L1's worth, 512, with room to spare).
 */
#define MMU_BATCH_MAX 4096u

/*
 * Locking: each request takes and drops d->mm_lock of the calling domain; every frame a
 * request touches must be that domain's.
 */

/* One of d's allocated frames, or NULL; never the shared-info page (the monitor writes it). */
static struct page_info *own_frame(const struct domain *d, uint64_t mfn)
{
    struct page_info *pg;
    if (mfn >= frame_table_frames || mfn == mfn_x(d->shared_info_mfn)) {
        return NULL;
    }
    pg = mfn_to_page(_mfn((uint32_t)mfn));
    if (pg->state != FRAME_ALLOCATED || pg->owner != d->id) {
        return NULL;
    }
    return pg;
}

/* ------------------------------------------------------------- mmu_update ---------- */

/*
 * The level of a page-table frame of this type when the guest may change its entry idx;
 * 0 otherwise: not a page table, the monitor's part of a slot-3 L2, L3 slot 3 (always the
 * dedicated slot-3 L2) or past the four entries of an L3.
 */
static uint32_t updatable_level(uint32_t type, unsigned int idx)
{
    switch (type) {
    case PGT_l1:
    case PGT_l2:
        return type;
    case PGT_l2_slot3:
        return idx < L2_MONITOR_FIRST ? type : 0;
    case PGT_l3:
        return idx < 3 ? type : 0;
    default:
        return 0;
    }
}

/* After a change to table mfn of this level: reload the PDPT of vCPUs using it, flush. */
static void after_update(struct domain *d, uint32_t level, uint64_t mfn)
{
    if (level == PGT_l1) {
        return; /* as on Xen, flushing for an L1 change is the guest's job */
    }
    d->pt_generation++; /* walks remembered before this one are stale (kernel/hc_mm.c) */
    if (level == PGT_l3) {
        for (unsigned int i = 0; i < d->nr_vcpus; i++) {
            if (mfn_x(d->vcpu[i]->arch.guest_table) == mfn) {
                arch_vcpu_sync_pdpt(d->vcpu[i]);
            }
        }
    }
    flush_tlb_local();
}

/*
 * The page-table frame a batch is working on, mapped while consecutive requests address
 * it.  Its page type cannot change under requests that address it (entries of a table
 * never hold a type reference on the table itself), so it is looked up again only when
 * a request addresses another frame.  d->mm_lock held throughout.
 */
struct pt_cursor {
    uint64_t mfn;  /* CURSOR_NONE: nothing mapped */
    uint32_t type; /* its page type when it is one of d's page tables in use, else 0 */
    pte_t *t;      /* its mapping, when type != 0 */
};
#define CURSOR_NONE (~0ull)

static void cursor_release(struct pt_cursor *c)
{
    if (c->type) {
        unmap_frame(c->t);
    }
    c->mfn = CURSOR_NONE;
    c->type = 0;
}

static void cursor_move(const struct domain *d, struct pt_cursor *c, uint64_t mfn)
{
    struct page_info *pg = own_frame(d, mfn);
    cursor_release(c);
    c->mfn = mfn;
    if (pg && page_type_count(pg)) {
        c->type = page_type(pg);
        c->t = map_frame(_mfn((uint32_t)mfn));
    }
}

/*
 * Replaces the entry at machine address ma (d->mm_lock held).  The new entry takes its
 * references before it is written; the old one gives its references back only after the
 * TLB and the PDPTs no longer use it.
 */
static int pt_update_at(struct domain *d, struct pt_cursor *c, uint64_t ma, pte_t val,
                        bool preserve_ad)
{
    uint64_t mfn = ma >> PAGE_SHIFT;
    unsigned int idx = (unsigned int)(ma & (PAGE_SIZE - 1)) / sizeof(pte_t);
    uint32_t level;
    pte_t old;
    int rc = -EINVAL;
    if (ma & (sizeof(pte_t) - 1)) {
        return -EINVAL;
    }
    if (mfn != c->mfn) {
        cursor_move(d, c, mfn);
    }
    level = updatable_level(c->type, idx);
    if (level) {
        old = c->t[idx];
        /* A grant mapping's entry goes only through unmap_grant_ref. */
        if (level == PGT_l1 && l1e_is_foreign(old, d->id)) {
            return -EINVAL;
        }
        if (preserve_ad) {
            val |= old & (PTE_A | PTE_D);
        }
        rc = pt_entry_get_refs(level, val, idx, d->id);
        if (!rc) {
            pte_write(&c->t[idx], val);
            after_update(d, level, mfn);
            pt_entry_put_refs(level, old);
        }
    }
    if (rc) {
        pr_debug("mmu_update: d%u: entry at %llx := %llx refused\n", d->id, ma, val);
    }
    return rc;
}

int pt_update_locked(struct domain *d, uint64_t ma, pte_t val, bool preserve_ad)
{
    struct pt_cursor c = { .mfn = CURSOR_NONE, .type = 0 };
    int rc = pt_update_at(d, &c, ma, val, preserve_ad);
    cursor_release(&c);
    return rc;
}

int pt_update(struct domain *d, uint64_t ma, pte_t val, bool preserve_ad)
{
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    int rc = pt_update_locked(d, ma, val, preserve_ad);
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

/* The M2P entry of one of d's frames; pfn below the domain's maximum (mm_lock held). */
static int machphys_update(struct domain *d, uint64_t ma, uint64_t pfn)
{
    if (!own_frame(d, ma >> PAGE_SHIFT) || pfn >= d->max_pages) {
        return -EINVAL;
    }
    m2p_set(_mfn((uint32_t)(ma >> PAGE_SHIFT)), _pfn((uint32_t)pfn));
    return 0;
}

/* One request, already copied in: the low two bits of ptr are the command. */
static int mmu_update_one(struct domain *d, struct pt_cursor *c, const mmu_update_t *req)
{
    uint64_t ma = req->ptr & ~3ull;
    switch (req->ptr & 3) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_NO_TRANSLATE: /* a PV guest's values are never translated */
        return pt_update_at(d, c, ma, req->val, false);
    case MMU_PT_UPDATE_PRESERVE_AD:
        return pt_update_at(d, c, ma, req->val, true);
    default: /* MMU_MACHPHYS_UPDATE */
        return machphys_update(d, ma, req->val);
    }
}

/* ------------------------------------------------------------- batches ------------- */

typedef int (*batch_fn)(struct vcpu *v, const void *req);

/* True when an array of count elements of size bytes lies below the monitor. */
static bool array_ok(uint32_t va, uint32_t count, size_t size)
{
    uint64_t n = (uint64_t)count * size;
    return n <= MONITOR_WINDOW_START && guest_range_ok(va, (size_t)n);
}

/*
 * (list, count, done_out, foreigndom): copies each element in, runs it, stops at the first
 * failure.  done_out (when not null) receives how many succeeded.  Returns 0 or the first
 * error; -EFAULT also when done_out cannot be written.
 */
static long run_batch(struct vcpu *v, const uint32_t a[6], size_t size, batch_fn fn)
{
    uint32_t list = a[0], count = a[1], done_out = a[2], done = 0;
    struct mmuext_op req;
    long rc = 0;
    if (a[3] != DOMID_SELF) {
        return -EPERM; /* foreign page tables and frames come with the toolstack work */
    }
    if (!array_ok(list, count, size) || (done_out && !guest_range_ok(done_out, 4))) {
        return -EFAULT;
    }
    if (count > MMU_BATCH_MAX) {
        return -EINVAL;
    }
    for (; done < count; done++) {
        if (copy_from_guest(&req, list + done * (uint32_t)size, size)) {
            rc = -EFAULT;
            break;
        }
        rc = fn(v, &req);
        if (rc) {
            break;
        }
    }
    if (done_out && copy_to_guest(done_out, &done, sizeof(done)) && !rc) {
        rc = -EFAULT;
    }
    return rc;
}

/*
 * The common case, for a run of requests: MMU_NORMAL_PT_UPDATE of entries of the L1
 * under the cursor whose references take their fast paths.  Returns how many requests
 * from the start of reqs it did; it stops at the first that is anything else, without
 * changing anything for it (mmu_update_one() decides that one).
 */
static __attribute__((noinline)) uint32_t l1_run(uint16_t owner, const struct pt_cursor *c,
                                                 const mmu_update_t *reqs, uint32_t n)
{
    /* ptr matches when its frame is the cursor's, its command 0 and it is 8-byte aligned. */
    const uint32_t lo_want = (uint32_t)(c->mfn << PAGE_SHIFT), hi_want = (uint32_t)(c->mfn >> 20);
    const mmu_update_t *r = reqs, *end = reqs + n;
    uintptr_t t = (uintptr_t)c->t;
    if (c->type != PGT_l1) {
        return 0;
    }
    for (; r < end; r++) {
        uint32_t lo = (uint32_t)r->ptr;
        pte_t *p, old;
        if ((lo & ~(PAGE_SIZE - sizeof(pte_t))) != lo_want || (uint32_t)(r->ptr >> 32) != hi_want ||
            !l1e_get_refs_fast(r->val, owner)) {
            break;
        }
        p = (pte_t *)(t + (lo & (PAGE_SIZE - 1)));
        old = *p;
        if (unlikely(l1e_is_foreign(old, owner))) {
            l1e_put_refs(r->val);   /* pt_update_at() refuses it */
            break;
        }
        pte_replace(p, old, r->val);
        if (!l1e_put_refs_fast(old)) {
            l1e_put_refs(old);
        }
    }
    return (uint32_t)(r - reqs);
}

/* Requests copied in at a time: 512 bytes of monitor stack. */
#define MMU_CHUNK 32u

/*
 * Copies requests [done, done + n) in, or as many as can be read up to the first that
 * cannot; returns how many (0: the one at done cannot be read).
 */
static uint32_t copy_requests(mmu_update_t *buf, uint32_t list, uint32_t done, uint32_t n)
{
    uint32_t at = list + done * (uint32_t)sizeof(*buf);
    if (!copy_from_guest(buf, at, n * sizeof(*buf))) {
        return n;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (copy_from_guest(&buf[i], at + i * (uint32_t)sizeof(*buf), sizeof(*buf))) {
            return i;
        }
    }
    return n;
}

/*
 * mmu_update(reqs, count, done_out, foreigndom): the requests in order, each copied in
 * before it is checked (in chunks of MMU_CHUNK), under one hold of d->mm_lock; stops at
 * the first failure.  done_out (when not null) receives how many succeeded.  Returns 0
 * or the first error; -EFAULT also when done_out cannot be written.
 */
long do_mmu_update(struct vcpu *v, const uint32_t a[6])
{
    struct domain *d = v->domain;
    uint32_t list = a[0], count = a[1], done_out = a[2], done = 0;
    struct pt_cursor c = {CURSOR_NONE, 0, NULL};
    mmu_update_t buf[MMU_CHUNK];
    long rc = 0;
    if (a[3] != DOMID_SELF) {
        return -EPERM; /* foreign page tables and frames come with the toolstack work */
    }
    if (!array_ok(list, count, sizeof(mmu_update_t)) ||
        (done_out && !guest_range_ok(done_out, 4))) {
        return -EFAULT;
    }
    if (count > MMU_BATCH_MAX) {
        return -EINVAL;
    }
    spin_lock(&d->mm_lock); /* no interrupt handler takes it; interrupts are off anyway */
    while (done < count && !rc) {
        uint32_t want = MIN(count - done, MMU_CHUNK), n = copy_requests(buf, list, done, want);
        for (uint32_t i = 0; i < n && !rc;) {
            uint32_t fast = l1_run(d->id, &c, &buf[i], n - i);
            if (!fast && buf[i].ptr >> PAGE_SHIFT != c.mfn) {
                cursor_move(d, &c, buf[i].ptr >> PAGE_SHIFT); /* a new table: its run */
                fast = l1_run(d->id, &c, &buf[i], n - i);
            }
            i += fast;
            done += fast;
            if (i < n && !(rc = mmu_update_one(d, &c, &buf[i]))) {
                i++;
                done++;
            }
        }
        if (n < want && !rc) {
            rc = -EFAULT; /* request done (the n-th of this chunk) cannot be read */
        }
    }
    cursor_release(&c);
    spin_unlock(&d->mm_lock);
    if (done_out && copy_to_guest(done_out, &done, sizeof(done)) && !rc) {
        rc = -EFAULT;
    }
    return rc;
}

/* ------------------------------------------------------------- mmuext_op ----------- */

static int pin_table(struct domain *d, uint32_t mfn, uint32_t type)
{
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    struct page_info *pg = own_frame(d, mfn);
    int rc = -EINVAL;
    if (pg && !(pg->u.use.type_info & PGT_pinned) && !page_get_and_type(pg, type, d->id)) {
        pg->u.use.type_info |= PGT_pinned;
        rc = 0;
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

static int unpin_table(struct domain *d, uint32_t mfn)
{
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    struct page_info *pg = own_frame(d, mfn);
    int rc = -EINVAL;
    if (pg && (pg->u.use.type_info & PGT_pinned)) {
        pg->u.use.type_info &= ~PGT_pinned;
        page_put_and_type(pg);
        rc = 0;
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

/*
 * Makes L3 mfn v's page-table base.  guest_table holds a general and an L3 type reference
 * of its own (the builder takes one for each vCPU, domain_destroy drops it), so unpinning
 * the live L3 cannot demote it.  The old base is released after CR3 left it.
 */
int vcpu_new_baseptr(struct vcpu *v, uint32_t mfn)
{
    struct domain *d = v->domain;
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    struct page_info *pg = own_frame(d, mfn);
    mfn_t old = v->arch.guest_table;
    int rc = -EINVAL;
    if (pg && !page_get_and_type(pg, PGT_l3, d->id)) {
        v->arch.guest_table = _mfn(mfn);
        arch_vcpu_sync_pdpt(v);
        if (mfn_x(old) != INVALID_MFN_RAW) {
            page_put_and_type(mfn_to_page(old));
        }
        rc = 0;
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

/* The vCPU bitmap of the *_MULTI flushes must be readable; every flush is local anyway. */
static int check_vcpumask(const struct mmuext_op *op)
{
    uint32_t mask;
    return copy_from_guest(&mask, (uint32_t)(uintptr_t)op->arg2.vcpumask.p, sizeof(mask));
}

static int flush_one(uint32_t va)
{
    if (va >= MONITOR_WINDOW_START) {
        return -EINVAL;
    }
    invlpg((const void *)(uintptr_t)va);
    return 0;
}

/* Zeroes d's frame dst, or copies d's frame src into it; dst must be plain memory. */
static int copy_or_clear(struct domain *d, uint32_t dst, uint32_t src, bool clear)
{
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    struct page_info *dpg = own_frame(d, dst), *spg = clear ? NULL : own_frame(d, src);
    int rc = -EINVAL;
    if (dpg && (clear || spg) && !page_get_and_type(dpg, PGT_writable, d->id)) {
        if (clear) {
            clear_frame(_mfn(dst));
            rc = 0;
        } else if (page_get(spg, d->id)) {
            uint8_t *to = map_frame(_mfn(dst));
            const uint8_t *from = map_frame(_mfn(src));
            memcpy(to, from, PAGE_SIZE);
            unmap_frame(from);
            unmap_frame(to);
            page_put(spg);
            rc = 0;
        }
        page_put_and_type(dpg);
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

/* The flushes: one CPU runs guests, so every flush is a local one. */
static int mmuext_flush(const struct mmuext_op *op)
{
    bool multi = op->cmd == MMUEXT_TLB_FLUSH_MULTI || op->cmd == MMUEXT_INVLPG_MULTI;
    if (multi && check_vcpumask(op)) {
        return -EFAULT;
    }
    switch (op->cmd) {
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_local();
        return 0;
    default:
        return flush_one((uint32_t)op->arg1.linear_addr);
    }
}

/* One operation, already copied in. */
static int mmuext_one(struct vcpu *v, const void *p)
{
    const struct mmuext_op *op = p;
    uint32_t mfn = (uint32_t)op->arg1.mfn;
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
        return pin_table(v->domain, mfn, PGT_l1);
    case MMUEXT_PIN_L2_TABLE:
        return pin_table(v->domain, mfn, PGT_l2);
    case MMUEXT_PIN_L3_TABLE:
        return pin_table(v->domain, mfn, PGT_l3);
    case MMUEXT_PIN_L4_TABLE:
        return -EINVAL; /* no L4 in PAE */
    case MMUEXT_UNPIN_TABLE:
        return unpin_table(v->domain, mfn);
    case MMUEXT_NEW_BASEPTR:
        return vcpu_new_baseptr(v, mfn);
    case MMUEXT_TLB_FLUSH_LOCAL ... MMUEXT_INVLPG_ALL:
        return mmuext_flush(op);
    case MMUEXT_SET_LDT:
        return vcpu_set_ldt(v, (uint32_t)op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_COPY_PAGE:
        return copy_or_clear(v->domain, mfn, (uint32_t)op->arg2.src_mfn, false);
    case MMUEXT_CLEAR_PAGE:
        return copy_or_clear(v->domain, mfn, 0, true);
    default:
        return -ENOSYS;
    }
}

/* mmuext_op(ops, count, done_out, foreigndom) */
long do_mmuext_op(struct vcpu *v, const uint32_t a[6])
{
    return run_batch(v, a, sizeof(struct mmuext_op), mmuext_one);
}
