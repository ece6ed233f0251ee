/*
 * Memory hypercalls of the first guest kernels: update_va_mapping, set_gdt,
 * update_descriptor and vm_assist.  Every change goes through the page-type rules of
 * mm/pagetype.c under the domain's mm lock.
 */
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
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

/* The machine frame of the L1 that maps va in v's current tables; NO_FRAME if none. */
static uint32_t l1_for(struct vcpu *v, uint32_t va)
{
    pte_t *t = map_frame(v->arch.guest_table);
    pte_t e = t[va >> 30];
    unmap_frame(t);
    if (!(e & PTE_P)) {
        return NO_FRAME;
    }
    t = map_frame(paddr_to_mfn(e & PTE_ADDR));
    e = t[(va >> 21) & 511];
    unmap_frame(t);
    if (!(e & PTE_P) || !owned_page(v->domain, (e & PTE_ADDR) >> PAGE_SHIFT, PGT_l1)) {
        return NO_FRAME;
    }
    return (uint32_t)((e & PTE_ADDR) >> PAGE_SHIFT);
}

static void flush_after_update(uint32_t va, uint32_t flags)
{
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_INVLPG:
        invlpg((void *)(uintptr_t)va);
        break;
    case UVMF_TLB_FLUSH:
        flush_tlb_local();
        break;
    default:
        break;
    }
}

long do_update_va_mapping(struct vcpu *v, const uint32_t a[6])
{
    struct domain *d = v->domain;
    uint32_t va = a[0], flags = a[3];
    pte_t new = (uint64_t)a[1] | ((uint64_t)a[2] << 32), *l1, old;
    uint32_t l1mfn, irq;
    long rc = 0;
    if (va >= MONITOR_WINDOW_START || (flags & UVMF_FLUSHTYPE_MASK) == 3) {
        return -EINVAL;
    }
    irq = spin_lock_irqsave(&d->mm_lock);
    l1mfn = l1_for(v, va);
    if (l1mfn == NO_FRAME || l1e_get_refs(new, d->id)) {
        rc = -EINVAL;
    } else {
        l1 = map_frame(_mfn(l1mfn));
        old = l1[(va >> 12) & 511];
        /* A grant mapping's entry goes only through unmap_grant_ref. */
        if (l1e_is_foreign(old, d->id)) {
            l1e_put_refs(new);
            rc = -EINVAL;
        } else {
            l1[(va >> 12) & 511] = new;
            l1e_put_refs(old);
        }
        unmap_frame(l1);
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    if (!rc) {
        flush_after_update(va, flags);
    }
    return rc;
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
