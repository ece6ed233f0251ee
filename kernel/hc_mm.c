/*
 * Memory hypercalls of the first guest kernels: update_va_mapping (and its _otherdomain
 * form), set_gdt, update_descriptor and vm_assist.  Every change goes through the
 * page-type rules of mm/pagetype.c under the domain's mm lock.
 */
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "mm/guest_copy.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

/* Vm-assists a guest may turn on; writable page tables: kernel/ptwr_fault.c. */
#define VM_ASSISTS_SUPPORTED ((1ul << VMASST_TYPE_4gb_segments) | \
                              (1ul << VMASST_TYPE_4gb_segments_notify) | \
                              (1ul << VMASST_TYPE_writable_pagetables) | \
                              (1ul << VMASST_TYPE_pae_extended_cr3))

static struct page_info *owned_page(struct domain *d, uint64_t mfn, uint32_t type)
{
    struct page_info *pg;
    if (mfn >= frame_table_frames) {
        return NULL;
    }
    pg = mfn_to_page(_mfn((uint32_t)mfn));
    /* The shared-info page is written by the monitor: never a guest's table of any kind. */
    if (mfn == mfn_x(d->shared_info_mfn) || pg->state != FRAME_ALLOCATED || pg->owner != d->id ||
        (type && (page_type(pg) != type || !page_type_count(pg)))) {
        return NULL;
    }
    return pg;
}

/* The frame a present entry points to (below 2^44, so its number fits 32 bits). */
static inline mfn_t entry_mfn(pte_t e)
{
    return _mfn((uint32_t)((e & PTE_ADDR) >> PAGE_SHIFT));
}

/*
 * The machine frame of the L1 that maps va in v's current tables; NO_FRAME if none.  The
 * L3 entries come from the copy of the shadow PDPT in the vCPU (it follows every change of
 * a live L3), so only the L2 is mapped.  A present entry of a validated L2 holds an L1
 * type reference on its frame, so the frame is one of d's L1s in use.  d->mm_lock held.
 */
static uint32_t l1_walk(struct vcpu *v, uint32_t va)
{
    pte_t e = v->arch.pdpte[va >> 30], *t;
    if (!(e & PTE_P)) {
        return NO_FRAME;
    }
    t = map_frame(entry_mfn(e));
    e = t[(va >> 21) & 511];
    unmap_frame(t);
    if (!(e & PTE_P)) {
        return NO_FRAME;
    }
    ASSERT(page_type(mfn_to_page(entry_mfn(e))) == PGT_l1);
    return mfn_x(entry_mfn(e));
}

/*
 * l1_walk(), remembered per vCPU: a guest remaps pages of one L1 after another.  The
 * answer stays right while the base and every L2 and L3 entry stay as they were, which
 * d->pt_generation says (bumped by every L2/L3 update; the base is part of the key).
 */
static inline uint32_t l1_for(struct vcpu *v, uint32_t va)
{
    uint32_t gen = v->domain->pt_generation, base = mfn_x(v->arch.guest_table) + 1, l1;
    if (likely(v->va_walk.gen == gen && v->va_walk.base == base && v->va_walk.index == va >> 21)) {
        return v->va_walk.l1_mfn;
    }
    l1 = l1_walk(v, va);
    if (l1 != NO_FRAME) { /* only L1s are remembered */
        v->va_walk.l1_mfn = l1;
        v->va_walk.gen = gen;
        v->va_walk.base = base;
        v->va_walk.index = va >> 21;
    }
    return l1;
}

/*
 * The vCPU set of a flush (the bits above UVMF_FLUSHTYPE_MASK): UVMF_LOCAL (0), UVMF_ALL
 * (4), or else the guest address of a vCPU bitmap (UVMF_MULTI), which must be readable:
 * 0 or -EFAULT.  Bits of vCPUs the domain does not have are ignored, as on Xen.  One CPU
 * runs guests, so whatever the set, the flush itself is local (flush_after_update).
 */
static int check_flush_set(uint32_t flags)
{
    uint32_t set = flags & ~(uint32_t)UVMF_FLUSHTYPE_MASK, mask;
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_NONE || set == UVMF_LOCAL || set == UVMF_ALL) {
        return 0; /* as on Xen, the set is not looked at when nothing is flushed */
    }
    static_assert(MAX_VCPUS <= 32, "one 32-bit word of the bitmap covers every vCPU");
    return copy_from_guest(&mask, set, sizeof(mask)) ? -EFAULT : 0;
}

static void flush_after_update(uint32_t va, uint32_t flags)
{
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG) {
        invlpg((void *)(uintptr_t)va);
    } else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH) {
        flush_tlb_local();
    }
}

/*
 * update_va_mapping(va, pte low, pte high, flags): replaces the L1 entry mapping va in v's
 * current tables, then flushes as flags say.  Everything is checked before the entry
 * changes: the flush set's bitmap is read first (Xen reads it after the update), so
 * -EFAULT leaves the mapping as it was.  mm_lock without the irqsave: no interrupt
 * handler takes it, and a hypercall runs with interrupts off anyway.
 */
long do_update_va_mapping(struct vcpu *v, const uint32_t a[6])
{
    struct domain *d = v->domain;
    uint32_t va = a[0], flags = a[3], l1mfn;
    pte_t new, *l1, old;
    long rc = 0;
    if (va >= MONITOR_WINDOW_START) {
        return -EINVAL;
    }
    /* Flush type 0-2 with UVMF_LOCAL or UVMF_ALL (0-6 but 3) is all there is to check. */
    if (unlikely(flags > (UVMF_ALL | UVMF_INVLPG) || flags == UVMF_FLUSHTYPE_MASK)) {
        if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_FLUSHTYPE_MASK) {
            return -EINVAL;
        }
        if (check_flush_set(flags)) {
            return -EFAULT;
        }
    }
    spin_lock(&d->mm_lock);
    l1mfn = l1_for(v, va);
    new = (uint64_t)a[1] | ((uint64_t)a[2] << 32); /* read here: fewer values live above */
    if (l1mfn == NO_FRAME || (!l1e_get_refs_fast(new, d->id) && l1e_get_refs(new, d->id))) {
        rc = -EINVAL;
    } else {
        l1 = map_frame(_mfn(l1mfn)) + ((va >> PAGE_SHIFT) & 511) * sizeof(pte_t);
        old = *l1;
        if (unlikely(l1e_is_foreign(old, d->id))) {
            /* A grant mapping's entry goes only through unmap_grant_ref. */
            unmap_frame(l1);
            l1e_put_refs(new);
            rc = -EINVAL;
        } else {
            pte_replace(l1, old, new);
            unmap_frame(l1);
            /*
             * With UVMF_NONE the TLB may keep the old translation until the guest flushes
             * (its job, as on Xen).  That is safe: a frame freed meanwhile is flushed
             * before its next allocation (mm/page_alloc.c), and a frame whose writable
             * type goes can become a page table only after a flush (page_get_type).
             */
            if (!l1e_put_refs_fast(old)) {
                l1e_put_refs(old);
            }
        }
    }
    spin_unlock(&d->mm_lock);
    if (!rc) {
        flush_after_update(va, flags);
    }
    return rc;
}

/*
 * update_va_mapping_otherdomain(va, pte low, pte high, flags, domid): for the caller
 * itself (DOMID_SELF or its own id) the same as update_va_mapping.  Mapping another
 * domain's frames needs a domain allowed to (a toolstack), which does not exist yet:
 * -EPERM for every other id.
 */
long do_update_va_mapping_otherdomain(struct vcpu *v, const uint32_t a[6])
{
    uint16_t domid = (uint16_t)a[4]; /* a domid_t, as Xen takes it */
    if (domid != DOMID_SELF && domid != v->domain->id) {
        return -EPERM;
    }
    return do_update_va_mapping(v, a);
}

void put_gdt_frames(struct vcpu *v)
{
    for (unsigned int i = 0; i < (v->arch.gdt_ents + 511) / 512; i++) {
        page_put_and_type(mfn_to_page(_mfn(v->arch.gdt_frames[i])));
    }
    v->arch.gdt_ents = 0;
}

long do_set_gdt(struct vcpu *v, const uint32_t a[6])
{
    struct domain *d = v->domain;
    uint32_t list = a[0], entries = a[1], nr = (entries + 511) / 512, irq;
    unsigned long frames[GUEST_GDT_FRAMES];
    unsigned int got = 0;
    if (entries > GDT_FIRST_RESERVED) {
        return -EINVAL;
    }
    if (copy_from_guest(frames, list, nr * sizeof(frames[0]))) {
        return -EFAULT;
    }
    irq = spin_lock_irqsave(&d->mm_lock);
    for (; got < nr; got++) {
        struct page_info *pg = owned_page(d, frames[got], 0);
        if (!pg || page_get_and_type(pg, PGT_seg_desc, d->id)) {
            break;
        }
    }
    if (got < nr) {
        while (got--) {
            page_put_and_type(mfn_to_page(_mfn((uint32_t)frames[got])));
        }
        spin_unlock_irqrestore(&d->mm_lock, irq);
        return -EINVAL;
    }
    put_gdt_frames(v);
    for (unsigned int i = 0; i < nr; i++) {
        v->arch.gdt_frames[i] = (uint32_t)frames[i];
    }
    v->arch.gdt_ents = entries;
    spin_unlock_irqrestore(&d->mm_lock, irq);
    if (this_cpu()->current == v) {
        gdt_load_guest_frames(v->arch.gdt_frames, nr);
    }
    return 0;
}

/* update_descriptor(maddr low, maddr high, desc low, desc high) */
long do_update_descriptor(struct vcpu *v, const uint32_t a[6])
{
    struct domain *d = v->domain;
    uint64_t ma = (uint64_t)a[0] | ((uint64_t)a[1] << 32);
    uint64_t desc = (uint64_t)a[2] | ((uint64_t)a[3] << 32);
    struct page_info *pg;
    uint64_t *p;
    uint32_t irq;
    long rc = -EINVAL;
    if ((ma & 7) || !descriptor_ok(&desc)) {
        return -EINVAL;
    }
    irq = spin_lock_irqsave(&d->mm_lock);
    pg = owned_page(d, ma >> PAGE_SHIFT, 0);
    /* Only descriptor pages and plain memory; never a page table. */
    if (pg && (page_type(pg) == PGT_seg_desc || page_type(pg) == PGT_writable ||
               page_type(pg) == PGT_none || !page_type_count(pg))) {
        p = map_frame(paddr_to_mfn(ma));
        p[(ma & (PAGE_SIZE - 1)) / 8] = desc;
        unmap_frame(p);
        rc = 0;
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

long do_vm_assist(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], type = a[1];
    if (type >= 32 || !(VM_ASSISTS_SUPPORTED & (1ul << type))) {
        return -EINVAL;
    }
    if (cmd == VMASST_CMD_enable) {
        v->domain->vm_assist |= 1ul << type;
    } else if (cmd == VMASST_CMD_disable) {
        v->domain->vm_assist &= ~(1ul << type);
    } else {
        return -ENOSYS;
    }
    return 0;
}
