/*
 * Grant-table helpers shared by the grant test guests: the guest's own table (set up and
 * mapped at a page of .bss), entries, and one-element map, unmap and copy calls.
 */
#ifndef TESTS_GUESTS_GRANT_UTIL_H
#define TESTS_GUESTS_GRANT_UTIL_H

#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"

/* Our grant table's first frame, mapped here by gnt_init(). */
static grant_entry_v1_t gnt_table[PAGE_SIZE / sizeof(grant_entry_v1_t)] PAGE_ALIGNED;
static unsigned long gnt_own_mfn; /* the .bss frame gnt_table displaced */

/* setup_table for one frame, mapped writable over gnt_table; 0 or the failing status. */
static inline int gnt_init(void)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1};
    int rc;

    set_xen_guest_handle(st.frame_list, &frame);
    gnt_own_mfn = va_to_mfn(gnt_table);
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc || st.status) {
        return rc ? rc : st.status;
    }
    return map_page((uintptr_t)gnt_table, pte_make(frame, PTE_KERNEL_RW));
}

/* Gives the .bss page back its own frame (so that the table frame has no mapping left). */
static inline int gnt_fini(void)
{
    return map_page((uintptr_t)gnt_table, pte_make(gnt_own_mfn, PTE_KERNEL_RW));
}

/* Grants frame mfn to domid through ref, as a guest does: the frame first, then flags. */
static inline void gnt_grant(grant_ref_t ref, domid_t domid, unsigned long mfn, bool readonly)
{
    gnt_table[ref].domid = domid;
    gnt_table[ref].frame = (uint32_t)mfn;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gnt_table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}

static inline uint16_t gnt_flags(grant_ref_t ref)
{
    return __atomic_load_n(&gnt_table[ref].flags, __ATOMIC_SEQ_CST);
}

/* One map; returns the status, *handle the handle. */
static inline int gnt_map(domid_t dom, grant_ref_t ref, uint32_t flags, uint64_t host_addr,
                          grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom, .status = 99};
    int rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

    if (rc) {
        return rc;
    }
    *handle = op.handle;
    return op.status;
}

static inline int gnt_unmap(grant_handle_t handle, uint64_t host_addr)
{
    struct gnttab_unmap_grant_ref op = {.host_addr = host_addr, .handle = handle, .status = 99};
    int rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

    return rc ? rc : op.status;
}

/* One copy; each side a grant reference of dom (gref) or our own frame (dom DOMID_SELF). */
static inline int gnt_copy(bool src_gref, domid_t sdom, uint32_t src, uint16_t soff, bool dst_gref,
                           domid_t ddom, uint32_t dst, uint16_t doff, uint16_t len)
{
    struct gnttab_copy op = {
        .source = {.domid = sdom, .offset = soff},
        .dest = {.domid = ddom, .offset = doff},
        .len = len,
        .flags =
            (uint16_t)((src_gref ? GNTCOPY_source_gref : 0) | (dst_gref ? GNTCOPY_dest_gref : 0)),
        .status = 99,
    };
    int rc;

    op.source.u.ref = src;
    op.dest.u.ref = dst;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &op, 1);
    return rc ? rc : op.status;
}

/* Yields until cond holds (evaluated once per turn) or n turns passed; returns cond. */
#define GNT_WAIT(cond, n)                                                                          \
    ({                                                                                             \
        unsigned long __i = 0;                                                                     \
        bool __ok;                                                                                 \
        while (!(__ok = (cond)) && __i++ < (n)) {                                                  \
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);                                              \
        }                                                                                          \
        __ok;                                                                                      \
    })

/*
 * Blocks until the absolute system time deadline (ns) with SCHEDOP_poll on no port: the
 * idle loop runs meanwhile and destroys domains that left.  (No clock is read: the
 * monitor keeps no time record in vcpu_info yet.)
 */
static inline void gnt_sleep_until(uint64_t deadline)
{
    struct sched_poll p = {.nr_ports = 0, .timeout = deadline};

    HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/*
 * GNT_WAIT for conditions another domain's destruction makes true: between turns it sleeps
 * until doubling absolute deadlines (1 ms, 2 ms, ... about 34 s of system time).
 */
#define GNT_WAIT_SLEEP(cond)                                                                       \
    ({                                                                                             \
        uint64_t __t = 1000000;                                                                    \
        bool __ok;                                                                                 \
        while (!(__ok = (cond)) && __t < (1ULL << 35)) {                                           \
            gnt_sleep_until(__t);                                                                  \
            __t *= 2;                                                                              \
        }                                                                                          \
        __ok;                                                                                      \
    })

/* "key=N" from our command line, or def. */
static inline unsigned long gnt_arg(const char *key, unsigned long def)
{
    const char *line = (const char *)start_info->cmd_line, *p = line;
    size_t n = strlen(key);
    unsigned long v = 0;

    while ((p = strstr(p, key)) && !((p == line || p[-1] == ' ') && p[n] == '=')) {
        p += n;
    }
    if (!p) {
        return def;
    }
    for (p += n + 1; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
    }
    return v;
}

#endif
