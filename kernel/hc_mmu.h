/* Validated page-table entry updates (kernel/hc_mmu.c), for callers besides mmu_update. */
#ifndef KERNEL_HC_MMU_H
#define KERNEL_HC_MMU_H

#include "arch/x86/paging.h"
#include "kernel/domain.h"

/*
 * Replaces the entry at machine address ma (8-byte aligned) of one of d's L1, L2 or L3
 * frames in use, checking val exactly as mmu_update's MMU_NORMAL_PT_UPDATE does
 * (preserve_ad: keep the old entry's A and D bits).  Returns 0 or -EINVAL; nothing changes
 * on failure.  pt_update takes d->mm_lock; pt_update_locked needs the caller to hold it.
 */
int pt_update(struct domain *d, uint64_t ma, pte_t val, bool preserve_ad);
int pt_update_locked(struct domain *d, uint64_t ma, pte_t val, bool preserve_ad);

#endif
