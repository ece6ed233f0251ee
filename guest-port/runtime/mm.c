/* Guest memory: P2M/M2P lookups, the bootstrap page-table walk, mappings and free frames. */
#include "guest/mm.h"
#include "guest/hypercall.h"

unsigned long pfn_to_mfn(unsigned long pfn)
{
    return ((const unsigned long *)start_info->mfn_list)[pfn];
}

unsigned long mfn_to_pfn(unsigned long mfn)
{
    return machine_to_phys_mapping[mfn];
}

/* First pfn past the start-of-day page tables. */
static unsigned long tables_end_pfn(void)
{
    return va_to_pfn((const void *)start_info->pt_base) + start_info->nr_pt_frames;
}

/* The table a present entry points to, if it is one of the start-of-day tables. */
static const volatile pte_t *table_of(pte_t entry)
{
    unsigned long pfn;

    if (!(entry & _PAGE_PRESENT)) {
        return NULL;
    }
    pfn = mfn_to_pfn(pte_mfn(entry));
    if (pfn < va_to_pfn((const void *)start_info->pt_base) || pfn >= tables_end_pfn()) {
        return NULL;
    }
    return (const volatile pte_t *)pfn_to_va(pfn);
}

const volatile pte_t *pte_lookup(uintptr_t va)
{
    const volatile pte_t *l3 = (const volatile pte_t *)start_info->pt_base;
    const volatile pte_t *l2 = table_of(l3[va >> 30]);
    const volatile pte_t *l1;
    pte_t l2e;

    if (!l2) {
        return NULL;
    }
    l2e = l2[(va >> 21) & 511];
    if (l2e & _PAGE_PSE) {
        return NULL;
    }
    l1 = table_of(l2e);
    return l1 ? &l1[(va >> 12) & 511] : NULL;
}

int map_page(uintptr_t va, pte_t pte)
{
    return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL);
}

int unmap_page(uintptr_t va)
{
    return map_page(va, 0);
}

static int update_flags(uintptr_t va, pte_t set, pte_t clear)
{
    const volatile pte_t *p = pte_lookup(va);

    if (!p || !(*p & _PAGE_PRESENT)) {
        return -XEN_EINVAL;
    }
    return map_page(va, (*p & ~clear) | set);
}

int page_set_user(uintptr_t va, bool user)
{
    return user ? update_flags(va, _PAGE_USER, 0) : update_flags(va, 0, _PAGE_USER);
}

int page_set_readonly(uintptr_t va)
{
    return update_flags(va, 0, _PAGE_RW);
}

/* The pool: a bump pointer over [first free pfn, nr_pages), and a stack of returned pfns. */
static unsigned long next_pfn;
static unsigned long returned[64];
static unsigned int nr_returned;

static void pool_init(void)
{
    if (!next_pfn) {
        next_pfn = tables_end_pfn() + 1;
    }
}

unsigned long frame_alloc(void)
{
    pool_init();
    if (nr_returned) {
        return returned[--nr_returned];
    }
    return next_pfn < start_info->nr_pages ? next_pfn++ : 0;
}

void frame_free(unsigned long pfn)
{
    if (nr_returned < ARRAY_SIZE(returned)) {
        returned[nr_returned++] = pfn;
    }
}

unsigned long frames_free_count(void)
{
    pool_init();
    return nr_returned + (start_info->nr_pages > next_pfn ? start_info->nr_pages - next_pfn : 0);
}

uintptr_t bootstrap_mapped_end(void)
{
    uintptr_t va = (uintptr_t)pfn_to_va(tables_end_pfn());
    const volatile pte_t *p;

    while ((p = pte_lookup(va)) != NULL && (*p & _PAGE_PRESENT)) {
        va += PAGE_SIZE;
    }
    return va;
}
