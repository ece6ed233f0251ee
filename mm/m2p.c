/* The machine-to-physical table. */
#include "mm/m2p.h"
#include "arch/x86/paging.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

static uint32_t *const m2p_rw = (uint32_t *)M2P_RW_START;
static unsigned int nr_frames;

void m2p_init(void)
{
    nr_frames = ALIGN_UP(frame_table_frames, 1024u) / 1024;
    for (unsigned int i = 0; i < nr_frames; i++) {
        mfn_t m = alloc_frames(0, 0);
        uint32_t *p;
        if (mfn_x(m) == INVALID_MFN_RAW) {
            panic("m2p: no memory for the machine-to-physical table");
        }
        p = map_frame(m);
        memset(p, 0xFF, PAGE_SIZE);
        unmap_frame(p);
        map_page(M2P_RW_START + i * PAGE_SIZE, mfn_to_paddr(m),
                 PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | pte_nx);
        /* Read-only to everyone: ring 1 is supervisor, CR0.WP makes this stick. */
        map_page(M2P_RO_START + i * PAGE_SIZE, mfn_to_paddr(m), PTE_P | PTE_A | PTE_G | pte_nx);
    }
}

void m2p_set(mfn_t mfn, pfn_t pfn)
{
    BUG_ON(mfn_x(mfn) >= frame_table_frames);
    m2p_rw[mfn_x(mfn)] = pfn_x(pfn);
}

void m2p_clear(mfn_t mfn)
{
    BUG_ON(mfn_x(mfn) >= frame_table_frames);
    m2p_rw[mfn_x(mfn)] = M2P_INVALID;
}

uint32_t m2p_get(mfn_t mfn)
{
    return mfn_x(mfn) < frame_table_frames ? m2p_rw[mfn_x(mfn)] : M2P_INVALID;
}

mfn_t m2p_frame(unsigned int i)
{
    if (i >= nr_frames) {
        return _mfn(INVALID_MFN_RAW);
    }
    return paddr_to_mfn(virt_to_maddr(M2P_RW_START + i * PAGE_SIZE));
}

unsigned int m2p_frames(mfn_t *out, unsigned int max)
{
    for (unsigned int i = 0; i < nr_frames && i < max; i++) {
        out[i] = m2p_frame(i);
    }
    return nr_frames;
}
