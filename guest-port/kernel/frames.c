/* The kernel's frame pool over its P2M, kept small by giving frames back to the monitor. */
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/memory.h"
#include "guest/runtime.h"
#include "kernel.h"

/*
 * The pool covers pfns below POOL_PFNS (256 MiB; frames above that stay the domain's,
 * unused).  It keeps POOL_HIGH free frames at most and gives the rest back; below
 * POOL_LOW it asks for POOL_BATCH more, as long as earlier give-backs left pfns without a
 * frame ("holes") to put them under.
 */
#define POOL_PFNS  65536u
#define POOL_LOW   32u
#define POOL_BATCH 64u
#define POOL_HIGH  128u
#define LIST_MAX   256u

/* A P2M entry whose frame went back to the monitor. */
#define P2M_NONE (~0UL)

static uint32_t free_map[POOL_PFNS / 32]; /* pfns in the pool, each with a frame */
static uint32_t hole_map[POOL_PFNS / 32]; /* pfns whose frame went back */
static unsigned long pool_end, first_free;
static unsigned long nr_free, nr_holes, pool_size;
static unsigned long given_back, taken;
static unsigned long low_word; /* no free pfn lies in a word of free_map below this one */

/* What memory_op answered when it refused (0: never), per direction. */
static long give_refused, take_refused;

/* Lists handed to memory_op: MFNs (or pfns to populate), and the pfns they stand for. */
static xen_pfn_t list[LIST_MAX];
static unsigned long list_pfn[LIST_MAX];

static bool bit(const uint32_t *map, unsigned long pfn)
{
    return (map[pfn / 32] >> (pfn % 32)) & 1;
}

static void bit_set(uint32_t *map, unsigned long pfn, bool on)
{
    if (on && map == free_map && pfn / 32 < low_word) {
        low_word = pfn / 32;
    }
    if (on) {
        map[pfn / 32] |= 1u << (pfn % 32);
    } else {
        map[pfn / 32] &= ~(1u << (pfn % 32));
    }
}

static unsigned long *p2m(void)
{
    return (unsigned long *)start_info->mfn_list;
}

unsigned long frames_free(void)
{
    return nr_free;
}

unsigned long frames_first_free(void)
{
    return first_free;
}

/* ---------------------------------------------------------------- start of day ---- */

/*
 * The start-of-day mapping covers the pool's lowest pfns writable.  A frame mapped
 * writable can become neither a page table nor go back to the monitor, and the kernel
 * never uses pool frames through its own mapping (the monitor clears and copies them),
 * so every such entry goes: a few mmu_update batches on the bootstrap L1s, one flush.
 */
static void unmap_bootstrap_range(unsigned long from, unsigned long to)
{
    static mmu_update_t reqs[256];
    struct mmuext_op flush = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    unsigned int n = 0;

    for (unsigned long pfn = from; pfn < to; pfn++) {
        const volatile pte_t *pte = pte_lookup((uintptr_t)pfn_to_va(pfn));
        if (!pte || !(*pte & _PAGE_PRESENT)) {
            continue;
        }
        reqs[n++] = (mmu_update_t){.ptr = va_to_maddr((const void *)pte) | MMU_NORMAL_PT_UPDATE};
        if (n == ARRAY_SIZE(reqs)) {
            check_hypercall(HYPERVISOR_mmu_update(reqs, n, NULL, DOMID_SELF),
                            "mmu_update (unmapping the free frames)");
            n = 0;
        }
    }
    if (n) {
        check_hypercall(HYPERVISOR_mmu_update(reqs, n, NULL, DOMID_SELF),
                        "mmu_update (unmapping the free frames)");
    }
    check_hypercall(HYPERVISOR_mmuext_op(&flush, 1, NULL, DOMID_SELF), "mmuext_op (TLB flush)");
}

/* Every pfn past the page tables and the boot stack is free RAM (the ABI's promise). */
void frames_init(void)
{
    unsigned long mapped_end;

    first_free = va_to_pfn((const void *)start_info->pt_base) + start_info->nr_pt_frames + 1;
    pool_end = start_info->nr_pages < POOL_PFNS ? start_info->nr_pages : POOL_PFNS;
    mapped_end = va_to_pfn((const void *)bootstrap_mapped_end());
    unmap_bootstrap_range(first_free, mapped_end < pool_end ? mapped_end : pool_end);
    for (unsigned long pfn = first_free; pfn < pool_end; pfn++) {
        bit_set(free_map, pfn, true);
        nr_free++;
    }
    pool_size = nr_free;
    if (start_info->nr_pages > POOL_PFNS) {
        printk("mini kernel: the frame pool covers %u pfns; the %lu frames above stay unused\n",
               POOL_PFNS, start_info->nr_pages - POOL_PFNS);
    }
}

void frame_adopt(unsigned long pfn)
{
    pool_size++;
    frame_put(pfn);
}

/* ---------------------------------------------------------------- the monitor ----- */

/* One clear line per refusal kind; -ENOSYS (memory_op not there yet) stops trying. */
static void report_refusal(const char *call, long rc, long *refused)
{
    if (*refused == rc) {
        return;
    }
    *refused = rc;
    printk("mini kernel: %s %s (-%s): keeping the frames\n", call,
           rc == -XEN_ENOSYS ? "is not supported by this monitor" : "refused", errname(rc));
}

/* Gives up to n of the highest free frames back; returns how many went. */
static unsigned long give_back(unsigned int n)
{
    unsigned int k = 0;
    long rc;

    for (unsigned long pfn = pool_end; pfn-- > first_free && k < n;) {
        if (bit(free_map, pfn)) {
            list_pfn[k] = pfn;
            list[k++] = p2m()[pfn];
        }
    }
    rc = memop_give_back(list, k);
    if (rc > (long)k) {
        panic("XENMEM_decrease_reservation returned %ld for %u extents", rc, k);
    }
    if (rc < 0) {
        report_refusal("XENMEM_decrease_reservation", rc, &give_refused);
        return 0;
    }
    for (long i = 0; i < rc; i++) {
        bit_set(free_map, list_pfn[i], false);
        bit_set(hole_map, list_pfn[i], true);
        p2m()[list_pfn[i]] = P2M_NONE;
    }
    nr_free -= (unsigned long)rc;
    nr_holes += (unsigned long)rc;
    given_back += (unsigned long)rc;
    return (unsigned long)rc;
}

void frames_trim(void)
{
    while (nr_free > POOL_HIGH && give_refused != -XEN_ENOSYS) {
        unsigned long excess = nr_free - POOL_HIGH;
        unsigned int n = excess < LIST_MAX ? (unsigned int)excess : LIST_MAX;
        if (give_back(n) < n) {
            return; /* the monitor took less: try again at the next trim */
        }
    }
}

/* A populated frame must come with its M2P entry (the ABI says the monitor sets it). */
static void adopt_populated(unsigned long pfn, unsigned long mfn)
{
    if (mfn_to_pfn(mfn) != pfn) {
        panic("populate_physmap gave frame %#lx for pfn %#lx, but the M2P says %#lx", mfn, pfn,
              mfn_to_pfn(mfn));
    }
    p2m()[pfn] = mfn;
    bit_set(hole_map, pfn, false);
    bit_set(free_map, pfn, true);
}

/* Puts new frames under up to POOL_BATCH holes, the lowest first. */
static void refill(void)
{
    unsigned int k = 0;
    long rc;

    if (nr_holes == 0 || take_refused == -XEN_ENOSYS) {
        return;
    }
    for (unsigned long pfn = first_free; pfn < pool_end && k < POOL_BATCH; pfn++) {
        if (bit(hole_map, pfn)) {
            list_pfn[k] = pfn;
            list[k++] = pfn;
        }
    }
    rc = memop_take(list, k);
    if (rc > (long)k) {
        panic("XENMEM_populate_physmap returned %ld for %u extents", rc, k);
    }
    if (rc < 0) {
        report_refusal("XENMEM_populate_physmap", rc, &take_refused);
        return;
    }
    for (long i = 0; i < rc; i++) {
        adopt_populated(list_pfn[i], list[i]);
    }
    nr_holes -= (unsigned long)rc;
    nr_free += (unsigned long)rc;
    taken += (unsigned long)rc;
}

/* ---------------------------------------------------------------- the pool -------- */

/* The lowest free pfn, skipping words with nothing free; the pool is not empty. */
unsigned long frame_get(void)
{
    if (nr_free < POOL_LOW) {
        refill();
    }
    if (nr_free == 0) {
        return 0;
    }
    for (unsigned long w = low_word; w < ARRAY_SIZE(free_map); w++) {
        if (free_map[w]) {
            unsigned long pfn = w * 32 + (unsigned long)__builtin_ctz(free_map[w]);
            low_word = w;
            bit_set(free_map, pfn, false);
            nr_free--;
            return pfn;
        }
    }
    panic("frame pool: %lu frames counted free, none found", nr_free);
}

void frame_put(unsigned long pfn)
{
    if (pfn == 0 || pfn >= pool_end || bit(free_map, pfn) || bit(hole_map, pfn)) {
        panic("frame pool: pfn %#lx returned twice or never taken", pfn);
    }
    bit_set(free_map, pfn, true);
    nr_free++;
}

long frames_balloon(unsigned long target)
{
    long held = xenmem_current_reservation(DOMID_SELF);
    while (held > (long)target && nr_free) {
        unsigned long want = (unsigned long)held - target;
        unsigned int n = (unsigned int)(want < nr_free ? want : nr_free);
        unsigned long gone = give_back(n < LIST_MAX ? n : LIST_MAX);
        if (!gone) {
            break;
        }
        held -= (long)gone;
    }
    return held;
}

void frames_summary(unsigned long tables_built, unsigned long spaces_torn_down)
{
    char why[64] = "";

    if (give_refused) {
        snprintf(why, sizeof(why), " (memory_op refused: -%s)", errname(give_refused));
    }
    printk("mini kernel: memory: %lu frames given back%s, %lu taken, %lu page tables built, "
           "%lu address spaces torn down, %lu frames in use\n",
           given_back, why, taken, tables_built, spaces_torn_down, pool_size - nr_free - nr_holes);
}
