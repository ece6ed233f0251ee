/*
 * A vCPU's local descriptor table (MMUEXT_SET_LDT).
 *
 * The guest names its LDT by linear address and entry count.  The monitor resolves each
 * page through the vCPU's current page tables once, at set_ldt time, and takes a
 * descriptor type reference on the frame: from then on the frame cannot be mapped writable
 * (its descriptors were checked when it took the type, and update_descriptor checks every
 * later change).  The CPU reads the LDT through this CPU's LDT window, where the frames are
 * mapped at each switch to the vCPU.  Xen resolves the pages lazily, on the first fault;
 * resolving them at once gives the guest its error at set_ldt instead of a later fault.
 * The frames stay the LDT until the next set_ldt, even if the guest maps other frames at
 * the same addresses meanwhile.
 */
#include "arch/x86/layout.h"
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

/* One entry of the table at mfn; 0 when the table is not one of d's page tables. */
static pte_t table_entry(const struct domain *d, mfn_t mfn, unsigned int idx)
{
    struct page_info *pg = mfn_to_page(mfn);
    pte_t *t, e;
    if (mfn_x(mfn) >= frame_table_frames || pg->owner != d->id || !page_type_count(pg)) {
        return 0;
    }
    t = map_frame(mfn);
    e = t[idx];
    unmap_frame(t);
    return e;
}

/* The machine frame mapped at va by v's current page tables; NO_FRAME when none. */
static uint32_t frame_at(struct vcpu *v, uint32_t va)
{
    pte_t e = table_entry(v->domain, v->arch.guest_table, va >> 30);
    if (e & PTE_P) {
        e = table_entry(v->domain, paddr_to_mfn(e & PTE_ADDR), (va >> 21) & 511);
    }
    if (e & PTE_P) {
        e = table_entry(v->domain, paddr_to_mfn(e & PTE_ADDR), (va >> 12) & 511);
    }
    return (e & PTE_P) ? mfn_x(paddr_to_mfn(e & PTE_ADDR)) : NO_FRAME;
}

static unsigned int ldt_frame_count(unsigned int ents)
{
    return (ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void put_frames(const uint32_t *frames, unsigned int nr)
{
    for (unsigned int i = 0; i < nr; i++) {
        page_put_and_type(mfn_to_page(_mfn(frames[i])));
    }
}

void put_ldt_frames(struct vcpu *v)
{
    put_frames(v->arch.ldt_frames, ldt_frame_count(v->arch.ldt_ents));
    v->arch.ldt_ents = 0;
}

int vcpu_set_ldt(struct vcpu *v, uint32_t base, uint32_t ents)
{
    struct domain *d = v->domain;
    uint32_t frames[GUEST_LDT_FRAMES], irq;
    unsigned int nr = ldt_frame_count(ents), got = 0;
    if (ents > GUEST_LDT_ENTRIES || (ents && ((base & (PAGE_SIZE - 1)) ||
                                              (uint64_t)base + ents * 8 > MONITOR_WINDOW_START))) {
        return -EINVAL;
    }
    irq = spin_lock_irqsave(&d->mm_lock);
    for (; got < nr; got++) {
        frames[got] = frame_at(v, base + got * PAGE_SIZE);
        if (frames[got] == NO_FRAME ||
            page_get_and_type(mfn_to_page(_mfn(frames[got])), PGT_seg_desc, d->id)) {
            break;
        }
    }
    if (got < nr) {
        put_frames(frames, got);
        spin_unlock_irqrestore(&d->mm_lock, irq);
        return -EINVAL;
    }
    put_ldt_frames(v);
    memcpy(v->arch.ldt_frames, frames, nr * sizeof(frames[0]));
    v->arch.ldt_ents = ents;
    spin_unlock_irqrestore(&d->mm_lock, irq);
    if (this_cpu()->current == v) {
        gdt_load_guest_ldt(v->arch.ldt_frames, ents);
    }
    return 0;
}
