/*
 * memory_op: the frames a PV domain takes (increase_reservation, populate_physmap) and
 * gives back (decrease_reservation), and the facts about memory it may ask for (its
 * reservation, the machine's size, the M2P table and window, its memory map).
 *
 * A PV domain names its frames by machine frame number (its "gmfn" is the MFN).  The
 * monitor keeps no P2M for it, only the M2P, which stays exact: a frame given gets the
 * entry the call says, a frame freed loses it (page_freed).  Frames arrive zeroed.
 *
 * Locking: each extent is taken or given back under d->mm_lock (the allocator's lock nests
 * inside it); guest memory is read and written with no lock held.
 */
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/guest_copy.h"
#include "mm/m2p.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"
#include <xen/memory.h>

static_assert(sizeof(xen_pfn_t) == 4, "a 32-bit guest's frame numbers are 4 bytes");
static_assert(sizeof(struct xen_memory_reservation) == 20, "xen_memory_reservation: 20 bytes");
static_assert(sizeof(struct xen_machphys_mfn_list) == 12, "xen_machphys_mfn_list: 12 bytes");
static_assert(sizeof(struct xen_machphys_mapping) == 12, "xen_machphys_mapping: 12 bytes");
static_assert(sizeof(struct xen_memory_map) == 8, "xen_memory_map: 8 bytes");
static_assert(sizeof(struct xen_add_to_physmap) == 16, "xen_add_to_physmap: 16 bytes");
static_assert(M2P_RO_START == __MACH2PHYS_VIRT_START_PAE && M2P_RO_END == __MACH2PHYS_VIRT_END_PAE,
              "the guest-visible M2P is the ABI's window");

/*
 * cmd holds the sub-op in its low 6 bits and, above them, the extent to start at: Xen's
 * encoding, which it uses to resume a preempted call.  A guest may pass it too.
 */
#define MEMOP_CMD_MASK     0x3Fu
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_MAX_EXTENTS  (UINT32_MAX >> MEMOP_EXTENT_SHIFT)

/* Largest extent: 2^9 frames (2 MiB, a superpage), Xen's default bound for a domain. */
#define MEMOP_MAX_ORDER 9

/*
 * Frames one call may take or give back.  The monitor has no continuations and runs a
 * hypercall with interrupts off, so the work of one call is bounded; the count returned
 * tells the guest where to go on.  1024 is the largest batch a 32-bit Linux balloon
 * driver issues (a page of xen_pfn_t), which must complete in one call.
 */
#define MEMOP_FRAMES_PER_CALL 1024u

/* mem_flags bits other than the address width that are accepted (see alloc_flags_for). */
#define XENMEMF_NODE_MASK (0xFFu << 8)
#define MEMFLAGS_KNOWN    (0xFFu | XENMEMF_NODE_MASK | XENMEMF_exact_node_request | XENMEMF_vnode)

/*
 * One entry of a memory map in the BIOS's INT 15h/E820 layout, which xen/memory.h names
 * as the format of XENMEM_memory_map but does not declare.
 */
struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __packed;
static_assert(sizeof(struct e820_entry) == 20, "an E820 entry is 20 bytes");
#define E820_RAM 1

/* A decoded reservation request (increase, decrease or populate). */
struct reservation {
    struct domain *d;
    uint32_t list; /* guest address of the xen_pfn_t array */
    uint32_t nr, start, order;
    unsigned int alloc_flags; /* for alloc_frames */
};

static long refuse(const struct domain *d, long rc, const char *why)
{
    pr_debug("memory_op: d%u: %s\n", d->id, why);
    return rc;
}

static bool own_domid(const struct domain *d, domid_t id)
{
    return id == DOMID_SELF || id == d->id;
}

/* ------------------------------------------------------------- frames -------------- */

/*
 * Gives d a fresh extent of 2^order zeroed frames, within its maximum.  Their M2P entries
 * become pfn, pfn + 1, ... or, for pfn == M2P_INVALID, invalid.  Returns the first frame,
 * or INVALID_MFN_RAW when d is at its maximum or no such block is free.
 */
static mfn_t take_extent(struct domain *d, unsigned int order, unsigned int flags, uint32_t pfn)
{
    uint32_t n = 1u << order, irq = spin_lock_irqsave(&d->mm_lock);
    mfn_t m = _mfn(INVALID_MFN_RAW);
    if (d->tot_pages <= d->max_pages && n <= d->max_pages - d->tot_pages) {
        m = alloc_frames(order, flags);
    }
    if (mfn_x(m) != INVALID_MFN_RAW) {
        if (order) {
            split_frames(m, order); /* the domain may give them back one by one */
        }
        for (uint32_t i = 0; i < n; i++) {
            mfn_t f = mfn_add(m, i);
            struct page_info *pg = mfn_to_page(f);
            clear_frame(f); /* never another domain's or the monitor's data */
            pg->u.use.count_info = PGC_allocated | 1;
            pg->u.use.type_info = PGT_none;
            pg->owner = d->id;
            if (pfn == M2P_INVALID) {
                m2p_clear(f);
            } else {
                m2p_set(f, _pfn(pfn + i));
            }
        }
        d->tot_pages += n;
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return m;
}

/*
 * True when every frame of [mfn, mfn + 2^order) is d's to give back: allocated to d and
 * still holding its allocation reference, and not the shared-info page (the monitor's,
 * written by it for the domain's whole life).  d->mm_lock held.
 */
static bool extent_releasable(const struct domain *d, uint32_t mfn, unsigned int order)
{
    uint64_t end = (uint64_t)mfn + (1u << order);
    if (end > frame_table_frames) {
        return false;
    }
    for (uint32_t f = mfn; f < end; f++) {
        const struct page_info *pg = mfn_to_page(_mfn(f));
        if (f == mfn_x(d->shared_info_mfn) || pg->state != FRAME_ALLOCATED || pg->owner != d->id ||
            !(pg->u.use.count_info & PGC_allocated)) {
            return false;
        }
    }
    return true;
}

/*
 * Gives the frames back as Xen does: a pin is dropped, then the domain's allocation
 * reference.  A frame nothing else holds is freed at once (page_freed clears its M2P entry
 * and counts it off).  A frame still in use -- a page table or descriptor page, mapped by
 * some entry, a vCPU's base -- stays, counted, until its last reference goes, and cannot
 * take a new one meanwhile (page_get wants the allocation reference).  So nothing is ever
 * freed behind a live reference.  d->mm_lock held, extent_releasable() checked.
 */
static void extent_release(uint32_t mfn, unsigned int order)
{
    for (uint32_t i = 0; i < (1u << order); i++) {
        struct page_info *pg = mfn_to_page(_mfn(mfn + i));
        if (pg->u.use.type_info & PGT_pinned) {
            pg->u.use.type_info &= ~PGT_pinned;
            page_put_and_type(pg);
        }
        pg->u.use.count_info &= ~PGC_allocated;
        page_put(pg);
    }
}

/* Gives back d's extent at mfn, all of it or (false) nothing. */
static bool give_back(struct domain *d, uint32_t mfn, unsigned int order)
{
    uint32_t irq = spin_lock_irqsave(&d->mm_lock);
    bool ok = extent_releasable(d, mfn, order);
    if (ok) {
        extent_release(mfn, order);
    }
    spin_unlock_irqrestore(&d->mm_lock, irq);
    if (!ok) {
        pr_debug("memory_op: d%u: frame 0x%x (order %u) is not its own to give back\n", d->id, mfn,
                 order);
    }
    return ok;
}

/* ------------------------------------------------------------- reservations -------- */

static uint32_t slot(const struct reservation *r, uint32_t i)
{
    return r->list + i * (uint32_t)sizeof(xen_pfn_t);
}

/* Writes extent i's first frame to the list; when that faults, gives the extent back. */
static bool report(const struct reservation *r, uint32_t i, mfn_t m)
{
    xen_pfn_t v = mfn_x(m);
    if (!copy_to_guest(slot(r, i), &v, sizeof(v))) {
        return true;
    }
    give_back(r->d, mfn_x(m), r->order);
    return false;
}

static bool increase_one(const struct reservation *r, uint32_t i)
{
    mfn_t m = take_extent(r->d, r->order, r->alloc_flags, M2P_INVALID);
    return mfn_x(m) != INVALID_MFN_RAW && report(r, i, m);
}

/* The pfns of an extent must lie below the domain's maximum (as MMU_MACHPHYS_UPDATE's). */
static bool populate_one(const struct reservation *r, uint32_t i)
{
    uint32_t n = 1u << r->order;
    xen_pfn_t gpfn;
    mfn_t m;
    if (copy_from_guest(&gpfn, slot(r, i), sizeof(gpfn))) {
        return false;
    }
    if (gpfn >= r->d->max_pages || n > r->d->max_pages - gpfn) {
        pr_debug("memory_op: d%u: pfn 0x%lx is past its maximum\n", r->d->id, gpfn);
        return false;
    }
    m = take_extent(r->d, r->order, r->alloc_flags, gpfn);
    return mfn_x(m) != INVALID_MFN_RAW && report(r, i, m);
}

static bool decrease_one(const struct reservation *r, uint32_t i)
{
    xen_pfn_t gmfn;
    return !copy_from_guest(&gmfn, slot(r, i), sizeof(gmfn)) && give_back(r->d, gmfn, r->order);
}

/*
 * The address-width limit of mem_flags: none (0), one all RAM meets, or 32 bits and up
 * (then below 4 GiB).  NUMA: none or node 0 (there is one node), exact or not, virtual or
 * not.  -EINVAL for a limit below 32 bits that some RAM exceeds (the allocator can promise
 * no finer limit than 4 GiB), another node, populate-on-demand (for translated guests
 * only) or unknown bits.
 */
static int alloc_flags_for(uint32_t mem_flags, unsigned int *flags)
{
    uint32_t bits = XENMEMF_get_address_bits(mem_flags);
    uint64_t ram_end = (uint64_t)frame_table_frames << PAGE_SHIFT;
    *flags = 0;
    if ((mem_flags & ~MEMFLAGS_KNOWN) || ((mem_flags & XENMEMF_NODE_MASK) >> 8) > 1) {
        return -EINVAL;
    }
    if (bits == 0 || bits >= 64 || ram_end <= (1ull << bits)) {
        return 0;
    }
    if (bits < 32) {
        return -EINVAL;
    }
    *flags = FRAME_BELOW_4G;
    return 0;
}

/* Copies the request in and checks everything but the list; 0 or the error. */
static long reservation_decode(struct vcpu *v, uint32_t op, uint32_t arg, struct reservation *r)
{
    struct domain *d = v->domain;
    struct xen_memory_reservation x;
    if (copy_from_guest(&x, arg, sizeof(x))) {
        return -EFAULT;
    }
    if (!own_domid(d, x.domid)) {
        return refuse(d, -EPERM, "reservation of another domain");
    }
    if (x.extent_order > MEMOP_MAX_ORDER) {
        return refuse(d, -EINVAL, "extent order above 9");
    }
    if (x.nr_extents > MEMOP_MAX_EXTENTS) {
        return refuse(d, -EINVAL, "more extents than cmd can count");
    }
    r->alloc_flags = 0;
    /* As on Xen, decrease_reservation does not look at mem_flags. */
    if (op != XENMEM_decrease_reservation && alloc_flags_for(x.mem_flags, &r->alloc_flags)) {
        return refuse(d, -EINVAL, "mem_flags it cannot honour");
    }
    r->d = d;
    r->list = (uint32_t)(uintptr_t)x.extent_start.p;
    r->nr = (uint32_t)x.nr_extents;
    r->order = x.extent_order;
    return 0;
}

/*
 * increase_reservation, decrease_reservation, populate_physmap: the extents from start
 * on, until one fails or the call's budget is spent.  Returns the index past the last
 * extent done (start + how many), or an error when the request itself is bad.
 */
static long reservation_op(struct vcpu *v, uint32_t op, uint32_t start, uint32_t arg)
{
    struct reservation r;
    bool (*one)(const struct reservation *, uint32_t);
    uint32_t i, frames = 0;
    long rc = reservation_decode(v, op, arg, &r);
    if (rc) {
        return rc;
    }
    if (start >= r.nr) {
        return start; /* nothing (left) to do, as on Xen */
    }
    if (!r.list || !guest_range_ok(r.list, (size_t)r.nr * sizeof(xen_pfn_t))) {
        return refuse(r.d, -EFAULT, "extent list null or not below the monitor");
    }
    one = op == XENMEM_increase_reservation   ? increase_one
          : op == XENMEM_decrease_reservation ? decrease_one
                                              : populate_one;
    for (i = start; i < r.nr && frames + (1u << r.order) <= MEMOP_FRAMES_PER_CALL; i++) {
        if (!one(&r, i)) {
            break;
        }
        frames += 1u << r.order;
    }
    if (op == XENMEM_decrease_reservation && i > start) {
        /*
         * A freed frame may still be in this CPU's TLB through an entry the guest removed
         * without a flush.  This CPU is the one running guests: flush before it runs one.
         */
        flush_tlb_local();
    }
    return i;
}

/* ------------------------------------------------------------- information --------- */

/* current_reservation, maximum_reservation (struct xen_memory_domain). */
static long reservation_of(struct vcpu *v, uint32_t op, uint32_t arg)
{
    struct domain *d = v->domain;
    struct xen_memory_domain x;
    uint32_t irq, pages;
    if (copy_from_guest(&x, arg, sizeof(x))) {
        return -EFAULT;
    }
    if (!own_domid(d, x.domid)) {
        return refuse(d, -EPERM, "reservation of another domain");
    }
    irq = spin_lock_irqsave(&d->mm_lock);
    pages = op == XENMEM_current_reservation ? d->tot_pages : d->max_pages;
    spin_unlock_irqrestore(&d->mm_lock, irq);
    return pages;
}

/*
 * The frames of the M2P table, in order.  The ABI speaks of 2 MiB extents; Ringvisor's
 * table is built of 4 KiB frames, so each entry names one 4 KiB frame (1024 entries).
 */
static long machphys_mfn_list(uint32_t arg)
{
    struct xen_machphys_mfn_list x;
    uint32_t list, n;
    if (copy_from_guest(&x, arg, sizeof(x))) {
        return -EFAULT;
    }
    list = (uint32_t)(uintptr_t)x.extent_start.p;
    n = MIN(x.max_extents, m2p_frames(NULL, 0));
    if (!guest_range_ok(list, (size_t)n * sizeof(xen_pfn_t))) {
        return -EFAULT;
    }
    for (uint32_t i = 0; i < n; i++) {
        xen_pfn_t mfn = mfn_x(m2p_frame(i));
        if (copy_to_guest(list + i * (uint32_t)sizeof(mfn), &mfn, sizeof(mfn))) {
            return -EFAULT;
        }
    }
    if (copy_to_guest(arg + offsetof(struct xen_machphys_mfn_list, nr_extents), &n, sizeof(n))) {
        return -EFAULT;
    }
    return 0;
}

/* The read-only M2P window; max_mfn is the last frame with an entry (the last of RAM). */
static long machphys_mapping(uint32_t arg)
{
    struct xen_machphys_mapping m = {
        .v_start = M2P_RO_START,
        .v_end = M2P_RO_END,
        .max_mfn = frame_table_frames - 1,
    };
    return copy_to_guest(arg, &m, sizeof(m)) ? -EFAULT : 0;
}

/*
 * The domain's pseudo-physical memory map: one RAM entry from 0 to its maximum, the map a
 * Xen toolstack gives a PV guest (its memory-map limit, maxmem).  nr_entries in: room in
 * the buffer; out: entries written.
 */
static long memory_map(const struct domain *d, uint32_t arg)
{
    struct xen_memory_map x;
    struct e820_entry ram = {0, (uint64_t)d->max_pages << PAGE_SHIFT, E820_RAM};
    uint32_t n;
    if (copy_from_guest(&x, arg, sizeof(x))) {
        return -EFAULT;
    }
    n = MIN(x.nr_entries, 1u);
    if (n && copy_to_guest((uint32_t)(uintptr_t)x.buffer.p, &ram, sizeof(ram))) {
        return -EFAULT;
    }
    if (copy_to_guest(arg + offsetof(struct xen_memory_map, nr_entries), &n, sizeof(n))) {
        return -EFAULT;
    }
    return 0;
}

/*
 * add_to_physmap places a page in a translated guest's physical address space.  A PV
 * guest has none: it maps its shared-info page by the machine address in start_info.
 * Xen answers every space -EACCES for a PV domain (and gmfn_foreign, which only the batch
 * form takes, -ENOSYS); so does Ringvisor.
 */
static long add_to_physmap(const struct domain *d, uint32_t arg)
{
    struct xen_add_to_physmap x;
    if (copy_from_guest(&x, arg, sizeof(x))) {
        return -EFAULT;
    }
    if (x.space == XENMAPSPACE_gmfn_foreign) {
        return -ENOSYS;
    }
    return refuse(d, -EACCES, "add_to_physmap: a PV domain has no physmap");
}

static long info_op(struct vcpu *v, uint32_t op, uint32_t arg)
{
    switch (op) {
    case XENMEM_maximum_ram_page:
        return frame_table_frames; /* one past the last RAM frame */
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation_of(v, op, arg);
    case XENMEM_machphys_mfn_list:
        return machphys_mfn_list(arg);
    case XENMEM_machphys_mapping:
        return machphys_mapping(arg);
    case XENMEM_memory_map:
        return memory_map(v->domain, arg);
    default: /* XENMEM_add_to_physmap */
        return add_to_physmap(v->domain, arg);
    }
}

/* memory_op(cmd, arg) */
long do_memory_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t op = a[0] & MEMOP_CMD_MASK, start = a[0] >> MEMOP_EXTENT_SHIFT, arg = a[1];
    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(v, op, start, arg);
    case XENMEM_maximum_ram_page:
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_machphys_mfn_list:
    case XENMEM_machphys_mapping:
    case XENMEM_memory_map:
    case XENMEM_add_to_physmap:
        /* Only the reservations resume at an extent; as on Xen, the others refuse one. */
        return start ? -EINVAL : info_op(v, op, arg);
    default:
        /*
         * XENMEM_exchange (trading frames for ones below an address limit) is not
         * implemented; neither is anything else (maximum_gpfn, machine_memory_map, ...).
         */
        return -ENOSYS;
    }
}
