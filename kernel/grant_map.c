/*
 * Grant mappings: a guest's host mappings (an L1 entry it cannot make itself) and device
 * mappings, tracked by handle; the monitor's own mappings for its backends.
 * Locking: gnttab_lock held throughout (kernel/grant_table.h); the mapping domain's
 * mm_lock only around its L1, never together with another mm_lock.
 */
#include "arch/x86/layout.h"
#include "kernel/errno.h"
#include "kernel/grant_table.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/heap.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

struct gnt_map {
    struct gnt_hold hold;
    bool used;
    bool device;        /* a device mapping was asked for (dev_bus_addr given out) */
    uint64_t host_addr; /* as the guest gave it (a VA, or the entry's machine address) */
    uint64_t pte_ma;    /* machine address of the L1 entry written; 0: none */
    pte_t pte;          /* what was written there */
    void *va;           /* the monitor's mapping (monitor handles only) */
};

/* Pin counts are 16 bits: every handle there can be, plus a copy's two holds, fits. */
static_assert(GNT_MAPTRACK_MAX * MAX_DOMAINS + GNT_MONITOR_MAPS + 2 <= 0xFFFF,
              "grant pin counts cannot overflow");

static struct gnt_map *maptracks[MAX_DOMAINS]; /* index = domain id; allocated on use */
static struct gnt_map monitor_maps[GNT_MONITOR_MAPS];

/* A free handle of d (its maptrack made on first use); -1 when none is left. */
static int handle_alloc(struct domain *d)
{
    struct gnt_map *mt = maptracks[d->id];
    if (!mt) {
        mt = kmalloc(sizeof(*mt) * GNT_MAPTRACK_MAX);
        if (!mt) {
            return -1;
        }
        maptracks[d->id] = mt;
    }
    for (unsigned int i = 0; i < GNT_MAPTRACK_MAX; i++) {
        if (!mt[i].used) {
            return (int)i;
        }
    }
    return -1;
}

static struct gnt_map *handle_map(struct domain *d, grant_handle_t h)
{
    struct gnt_map *mt = maptracks[d->id];
    return mt && h < GNT_MAPTRACK_MAX && mt[h].used ? &mt[h] : NULL;
}

/* ------------------------------------------------------------- L1 entries -------- */

/* d's frame mfn when it is an L1 in use; NULL otherwise.  d->mm_lock held. */
static struct page_info *l1_in_use(const struct domain *d, uint64_t mfn)
{
    struct page_info *pg;
    if (mfn >= frame_table_frames) {
        return NULL;
    }
    pg = mfn_to_page(_mfn((uint32_t)mfn));
    if (pg->state != FRAME_ALLOCATED || pg->owner != d->id || page_type(pg) != PGT_l1 ||
        !page_type_count(pg)) {
        return NULL;
    }
    return pg;
}

/* Machine address of the L1 entry mapping va in v's tables; 0 if none.  mm_lock held. */
static uint64_t l1e_of_va(struct vcpu *v, uint32_t va)
{
    pte_t *t, e;
    if (va >= MONITOR_WINDOW_START || mfn_x(v->arch.guest_table) == INVALID_MFN_RAW) {
        return 0;
    }
    t = map_frame(v->arch.guest_table);
    e = t[va >> 30];
    unmap_frame(t);
    if (!(e & PTE_P)) {
        return 0;
    }
    t = map_frame(paddr_to_mfn(e & PTE_ADDR));
    e = t[(va >> 21) & 511];
    unmap_frame(t);
    if (!(e & PTE_P) || !l1_in_use(v->domain, (e & PTE_ADDR) >> PAGE_SHIFT)) {
        return 0;
    }
    return (e & PTE_ADDR) + ((va >> 12) & 511) * sizeof(pte_t);
}

/* Where a host mapping goes: the entry's machine address, or 0 (GNTST_bad_virt_addr). */
static uint64_t host_entry(struct vcpu *v, const struct gnttab_map_grant_ref *op)
{
    if (!(op->flags & GNTMAP_contains_pte)) {
        return op->host_addr >> 32 ? 0 : l1e_of_va(v, (uint32_t)op->host_addr);
    }
    if ((op->host_addr & (sizeof(pte_t) - 1)) ||
        !l1_in_use(v->domain, op->host_addr >> PAGE_SHIFT)) {
        return 0;
    }
    return op->host_addr;
}

/* Writes pte into an empty entry at ma of d's L1 at va or pte address.  GNTST_*. */
static int entry_install(struct vcpu *v, const struct gnttab_map_grant_ref *op, pte_t pte,
                         struct gnt_map *m)
{
    struct domain *d = v->domain;
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    uint64_t ma = host_entry(v, op);
    int rc = GNTST_bad_virt_addr;
    if (ma) {
        volatile uint32_t *w = map_frame(paddr_to_mfn(ma));
        w += (ma & (PAGE_SIZE - 1)) / sizeof(uint32_t);
        /* Only into an empty slot: what a present entry holds is not ours to drop. */
        if (!(w[0] & PTE_P)) {
            w[1] = (uint32_t)(pte >> 32);
            w[0] = (uint32_t)pte;
            m->pte_ma = ma;
            m->pte = pte;
            rc = GNTST_okay;
        } else {
            rc = GNTST_general_error;
        }
        unmap_frame((const void *)((uintptr_t)w & ~(uintptr_t)4095));
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return rc;
}

/*
 * Clears the entry a mapping wrote, if d's L1 still holds it (the guest may have released
 * that L1 meanwhile), then flushes: the frame's references go only after this.
 */
static void entry_remove(struct domain *d, struct gnt_map *m)
{
    uint32_t irq;
    if (!m->pte_ma) {
        return;
    }
    irq = spin_lock_irqsave(&d->mm_lock);
    if (l1_in_use(d, m->pte_ma >> PAGE_SHIFT)) {
        volatile uint32_t *w = map_frame(paddr_to_mfn(m->pte_ma));
        w += (m->pte_ma & (PAGE_SIZE - 1)) / sizeof(uint32_t);
        if (w[0] == (uint32_t)m->pte && w[1] == (uint32_t)(m->pte >> 32)) {
            w[0] = 0;
            w[1] = 0;
        }
        unmap_frame((const void *)((uintptr_t)w & ~(uintptr_t)4095));
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    /* d's tables are live only on the CPU running it: this one, or none at teardown. */
    flush_tlb_local();
    m->pte_ma = 0;
}

/* ------------------------------------------------------------- map, unmap --------- */

#define GNTMAP_KNOWN                                                                               \
    (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly | GNTMAP_application_map |              \
     GNTMAP_contains_pte)

static pte_t grant_pte(uint32_t mfn, uint32_t flags)
{
    pte_t pte = ((pte_t)mfn << PAGE_SHIFT) | PTE_P | PTE_A;
    if (!(flags & GNTMAP_readonly)) {
        pte |= PTE_RW | PTE_D;
    }
    return flags & GNTMAP_application_map ? pte | PTE_US : pte;
}

int gnttab_map(struct vcpu *v, const struct gnttab_map_grant_ref *op, grant_handle_t *handle,
               uint64_t *bus)
{
    struct domain *d = v->domain;
    bool ro = op->flags & GNTMAP_readonly;
    struct gnt_map *m;
    int h, rc;
    if ((op->flags & ~GNTMAP_KNOWN) || !(op->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        return GNTST_general_error;
    }
    /* A domain's own frames are mapped with mmu_update: an entry here could not be told apart. */
    if (op->dom == DOMID_SELF || op->dom == d->id) {
        return GNTST_permission_denied;
    }
    h = handle_alloc(d);
    if (h < 0) {
        return GNTST_no_device_space;
    }
    m = &maptracks[d->id][h];
    *m = (struct gnt_map){0};
    rc = gnttab_hold_ref(op->dom, op->ref, d->id, !ro, false, &m->hold);
    if (rc) {
        return rc;
    }
    if (op->flags & GNTMAP_host_map) {
        rc = entry_install(v, op, grant_pte(m->hold.mfn, op->flags), m);
        if (rc) {
            gnttab_release(&m->hold);
            return rc;
        }
    }
    m->used = true;
    m->device = op->flags & GNTMAP_device_map;
    m->host_addr = op->host_addr;
    *handle = (grant_handle_t)h;
    *bus = m->device ? (uint64_t)m->hold.mfn << PAGE_SHIFT : 0;
    return GNTST_okay;
}

static void map_release(struct domain *d, struct gnt_map *m)
{
    entry_remove(d, m);
    gnttab_release(&m->hold);
    m->used = false;
}

int gnttab_unmap(struct domain *d, const struct gnttab_unmap_grant_ref *op)
{
    struct gnt_map *m = handle_map(d, op->handle);
    if (!m) {
        return GNTST_bad_handle;
    }
    /* Non-zero addresses must name this mapping (nothing changes otherwise). */
    if (op->host_addr && (!m->pte_ma || op->host_addr != m->host_addr)) {
        return GNTST_general_error;
    }
    if (op->dev_bus_addr &&
        (!m->device || op->dev_bus_addr != (uint64_t)m->hold.mfn << PAGE_SHIFT)) {
        return GNTST_bad_dev_addr;
    }
    map_release(d, m);
    return GNTST_okay;
}

/* ------------------------------------------------------------- teardown ---------- */

void gnttab_domain_unmap_all(struct domain *d)
{
    uint32_t irq = gnttab_lock();
    struct gnt_map *mt = maptracks[d->id];
    for (unsigned int i = 0; mt && i < GNT_MAPTRACK_MAX; i++) {
        if (mt[i].used) {
            map_release(d, &mt[i]);
        }
    }
    gnttab_unlock(irq);
}

void gnttab_maptrack_free(struct domain *d)
{
    struct gnt_map *mt = maptracks[d->id];
    for (unsigned int i = 0; mt && i < GNT_MAPTRACK_MAX; i++) {
        BUG_ON(mt[i].used); /* gnttab_domain_unmap_all ran first */
    }
    kfree(mt);
    maptracks[d->id] = NULL;
}

static void forget_in(struct gnt_map *mt, unsigned int n, uint16_t granter)
{
    for (unsigned int i = 0; mt && i < n; i++) {
        if (mt[i].used && mt[i].hold.granter == granter) {
            mt[i].hold.granter = DOMID_NONE;
            mt[i].hold.pinned = false;
        }
    }
}

void gnttab_maps_forget_granter(uint16_t granter)
{
    for (unsigned int d = 0; d < MAX_DOMAINS; d++) {
        forget_in(maptracks[d], GNT_MAPTRACK_MAX, granter);
    }
    forget_in(monitor_maps, GNT_MONITOR_MAPS, granter);
}

/* ------------------------------------------------------------- the monitor's ----- */

int gnttab_map_for_monitor(struct domain *d, grant_ref_t ref, bool readonly, void **va,
                           grant_handle_t *handle)
{
    uint32_t irq = gnttab_lock();
    struct gnt_map *m = NULL;
    int rc = GNTST_no_device_space;
    for (unsigned int i = 0; i < GNT_MONITOR_MAPS && !m; i++) {
        m = monitor_maps[i].used ? NULL : &monitor_maps[i];
        *handle = i;
    }
    if (m) {
        rc = gnttab_hold_ref(d->id, ref, DOMID_XEN, !readonly, false, &m->hold);
    }
    if (m && !rc) {
        m->va = vmap_machine((paddr_t)m->hold.mfn << PAGE_SHIFT, PAGE_SIZE);
        if (!m->va) {
            gnttab_release(&m->hold);
            rc = GNTST_no_device_space;
        }
    }
    if (m && !rc) {
        m->used = true;
        *va = m->va;
    }
    gnttab_unlock(irq);
    return rc;
}

int gnttab_unmap_for_monitor(grant_handle_t handle)
{
    uint32_t irq = gnttab_lock();
    struct gnt_map *m = handle < GNT_MONITOR_MAPS ? &monitor_maps[handle] : NULL;
    int rc = GNTST_bad_handle;
    if (m && m->used) {
        vunmap_machine(m->va, PAGE_SIZE);
        gnttab_release(&m->hold);
        m->used = false;
        rc = GNTST_okay;
    }
    gnttab_unlock(irq);
    return rc;
}
