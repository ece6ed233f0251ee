/*
 * The machine-to-physical table: for every machine frame the guest pseudo-physical frame
 * it holds, mapped read-only for guests at MACH2PHYS_VIRT_START and writable for the
 * monitor at M2P_RW_START.
 */
#ifndef MM_M2P_H
#define MM_M2P_H

#include "kernel/types.h"

#define M2P_INVALID 0xFFFFFFFFu

/* Allocates and maps the table for every frame of the frame table (boot). */
void m2p_init(void);

void m2p_set(mfn_t mfn, pfn_t pfn);
void m2p_clear(mfn_t mfn);
uint32_t m2p_get(mfn_t mfn);

/* Frames holding the table (for machphys_mfn_list) and their number. */
unsigned int m2p_frames(mfn_t *out, unsigned int max);

/* Frame i of the table (the one holding entries 1024 i ..), INVALID_MFN_RAW past the end. */
mfn_t m2p_frame(unsigned int i);

#endif
