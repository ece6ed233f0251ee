/* memory_op: giving frames back to the monitor and taking new ones, one page per extent. */
#include "guest/hypercall.h"
#include "kernel.h"

/* The same request for both directions; only the meaning of the list differs. */
static long reservation(unsigned int cmd, xen_pfn_t *list, unsigned int n)
{
    struct xen_memory_reservation r = {
        .nr_extents = n,
        .extent_order = 0,
        .mem_flags = 0,
        .domid = DOMID_SELF,
    };

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(cmd, &r);
}

/*
 * XENMEM_decrease_reservation: mfns are machine frames (a PV guest's GMFNs) that nothing
 * maps any more.  Returns how many of the first ones went back (the rest are still
 * ours), or a negative errno when the call did nothing.
 */
long memop_give_back(xen_pfn_t *mfns, unsigned int n)
{
    return reservation(XENMEM_decrease_reservation, mfns, n);
}

/*
 * XENMEM_populate_physmap: list holds pfns without a frame; for each of the first
 * (returned) count ones the monitor wrote its new MFN in its place and set the M2P.  A
 * negative errno when nothing was populated.
 */
long memop_take(xen_pfn_t *list, unsigned int n)
{
    return reservation(XENMEM_populate_physmap, list, n);
}
