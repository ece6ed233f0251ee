/*
 * The writable-pagetables assist (VMASST_TYPE_writable_pagetables): a guest kernel writes
 * straight into one of its L1 tables, which it can only map read-only; the write faults, and
 * the monitor emulates it as a validated entry update.
 *
 * Emulated: a ring-1 write fault (error code P|W, nothing else) on a read-only mapping of
 * one of the domain's L1 frames in use, by an instruction arch/x86/ptwr.c decodes, naturally
 * aligned, inside CR2's page, with flat code and data segments.  The new entry is checked
 * as mmu_update checks it (pt_update_locked).  Everything else -- ring 3, L2 and L3 tables,
 * plain read-only memory, unknown instructions, refused entries -- is left to the caller,
 * which bounces the page fault to the guest unchanged.
 *
 * Locking: d->mm_lock of the faulting domain, from the page walk to the write, so that a
 * cmpxchg compares against the entry it replaces.
 */
#include "arch/x86/ptwr.h"
#include "arch/x86/segments.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/hc_mmu.h"
#include "kernel/printk.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

#define PFEC_PRESENT  (1u << 0)
#define PFEC_WRITE    (1u << 1)
#define PFEC_USER     (1u << 2)
#define PFEC_RSVD     (1u << 3)
#define PFEC_FETCH    (1u << 4)
#define X86_EFLAGS_TF (1u << 8)
#define DR6_BS        (1u << 14)

#define DESC_S (1ull << 44) /* code or data, not a system descriptor */
#define DESC_P (1ull << 47)

static uint32_t desc_base(uint64_t d)
{
    return (uint32_t)(((d >> 16) & 0xFFFFFF) | ((d >> 32) & 0xFF000000));
}

/*
 * True when sel names a flat segment (base 0) of the running vCPU: one of the ABI's flat
 * selectors, or a present code or data descriptor with base 0 in its own GDT.  There are no
 * LDTs, and the null selector cannot have been used for the access.
 */
static bool selector_flat(uint16_t sel)
{
    const struct vcpu *v = current_vcpu();
    unsigned int idx = sel >> 3;
    const uint64_t *page;
    uint64_t d;
    if (sel & 4) {
        return false;
    }
    if (idx >= GDT_FIRST_RESERVED) {
        sel &= ~3u;
        return sel == (FLAT_RING1_CS & ~3u) || sel == (FLAT_RING1_DS & ~3u) ||
               sel == (FLAT_RING3_CS & ~3u) || sel == (FLAT_RING3_DS & ~3u);
    }
    if (idx == 0 || idx >= v->arch.gdt_ents) {
        return false;
    }
    page = map_frame(_mfn(v->arch.gdt_frames[idx / 512]));
    d = page[idx % 512];
    unmap_frame(page);
    return (d & DESC_P) && (d & DESC_S) && desc_base(d) == 0;
}

/* The L1 entry that maps va in v's tables; 0 when an upper level is not present. */
static pte_t mapping_of(const struct vcpu *v, uint32_t va)
{
    const pte_t *t = map_frame(v->arch.guest_table);
    pte_t e = t[va >> 30];
    unmap_frame(t);
    for (unsigned int shift = 21; shift >= 12; shift -= 9) {
        if (!(e & PTE_P)) {
            return 0;
        }
        t = map_frame(paddr_to_mfn(e & PTE_ADDR));
        e = t[(va >> shift) & 511];
        unmap_frame(t);
    }
    return e;
}

/* The L1 frame a read-only mapping e points at, if it is one of d's L1 tables in use. */
static struct page_info *l1_behind(const struct domain *d, pte_t e, mfn_t *mfn)
{
    uint64_t frame = (e & PTE_ADDR) >> PAGE_SHIFT;
    struct page_info *pg;
    if ((e & (PTE_P | PTE_RW)) != PTE_P || frame >= frame_table_frames) {
        return NULL;
    }
    pg = mfn_to_page(_mfn((uint32_t)frame));
    if (pg->state != FRAME_ALLOCATED || pg->owner != d->id || page_type(pg) != PGT_l1 ||
        !page_type_count(pg)) {
        return NULL;
    }
    *mfn = _mfn((uint32_t)frame);
    return pg;
}

/*
 * Under d->mm_lock: runs in on the entry it writes, with *after the registers to update,
 * and stores the new entry through the validated update.  0 or -EINVAL.
 */
static int emulate_locked(struct vcpu *v, const struct ptwr_insn *in, uint32_t cr2,
                          struct cpu_regs *after)
{
    struct domain *d = v->domain;
    unsigned int idx = (in->addr & (PAGE_SIZE - 1)) / sizeof(pte_t);
    const pte_t *t;
    pte_t old, new_entry;
    mfn_t mfn;
    if (!l1_behind(d, mapping_of(v, cr2), &mfn)) {
        return -EINVAL;
    }
    t = map_frame(mfn);
    old = t[idx];
    unmap_frame(t);
    if (!ptwr_execute(in, after, old, &new_entry)) {
        return 0; /* a compare failed: only registers change */
    }
    return pt_update_locked(d, mfn_to_paddr(mfn) + idx * sizeof(pte_t), new_entry, false);
}

static bool assist_on(const struct domain *d)
{
    return d->vm_assist & (1ul << VMASST_TYPE_writable_pagetables);
}

bool ptwr_page_fault(struct vcpu *v, struct cpu_regs *r, uint32_t cr2)
{
    const uint32_t pfec_mask = PFEC_PRESENT | PFEC_WRITE | PFEC_USER | PFEC_RSVD | PFEC_FETCH;
    struct domain *d = v->domain;
    struct ptwr_insn in;
    struct cpu_regs after = *r;
    uint32_t irq;
    int rc;
    if (!assist_on(d) || (r->cs & 3) != 1 || cr2 >= MONITOR_WINDOW_START ||
        (r->error_code & pfec_mask) != (PFEC_PRESENT | PFEC_WRITE)) {
        return false;
    }
    rc = ptwr_decode(r, selector_flat, &in);
    if (!rc && (((in.addr ^ cr2) & PAGE_MASK) || (in.addr & (in.size - 1)))) {
        rc = -EINVAL; /* not the faulting page, or an access that splits an entry */
    }
    if (!rc) {
        irq = spin_lock_irqsave(&d->mm_lock);
        rc = emulate_locked(v, &in, cr2, &after);
        spin_unlock_irqrestore(&d->mm_lock, irq);
    }
    if (rc) {
        pr_debug("ptwr: d%u: write at %08x (EIP %08x) not emulated (%d)\n", d->id, cr2, r->eip, rc);
        return false;
    }
    *r = after;
    if (r->eflags & X86_EFLAGS_TF) {
        v->arch.debugreg[6] |= DR6_BS; /* the single step the emulation completed */
        bounce_exception(v, 1, false, 0);
    }
    return true;
}
