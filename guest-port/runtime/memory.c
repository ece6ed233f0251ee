/* memory_op wrappers (guest/memory.h). */
#include "guest/memory.h"

long xenmem_reservation(unsigned int cmd, xen_pfn_t *list, unsigned long nr, unsigned int order,
                        unsigned int mem_flags, domid_t domid)
{
    struct xen_memory_reservation r = {
        .nr_extents = nr,
        .extent_order = order,
        .mem_flags = mem_flags,
        .domid = domid,
    };

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(cmd, &r);
}

long xenmem_increase(xen_pfn_t *mfns_out, unsigned long nr, unsigned int order)
{
    return xenmem_reservation(XENMEM_increase_reservation, mfns_out, nr, order, 0, DOMID_SELF);
}

long xenmem_decrease(xen_pfn_t *mfns, unsigned long nr, unsigned int order)
{
    return xenmem_reservation(XENMEM_decrease_reservation, mfns, nr, order, 0, DOMID_SELF);
}

long xenmem_populate(xen_pfn_t *pfns_in_mfns_out, unsigned long nr, unsigned int order)
{
    return xenmem_reservation(XENMEM_populate_physmap, pfns_in_mfns_out, nr, order, 0, DOMID_SELF);
}

static long reservation_of(unsigned int cmd, domid_t domid)
{
    struct xen_memory_domain d = {.domid = domid};

    return HYPERVISOR_memory_op(cmd, &d);
}

long xenmem_current_reservation(domid_t domid)
{
    return reservation_of(XENMEM_current_reservation, domid);
}

long xenmem_maximum_reservation(domid_t domid)
{
    return reservation_of(XENMEM_maximum_reservation, domid);
}

long xenmem_maximum_ram_page(void)
{
    return HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
}

int xenmem_machphys_mapping(xen_machphys_mapping_t *m)
{
    return HYPERVISOR_memory_op(XENMEM_machphys_mapping, m);
}

int xenmem_machphys_mfn_list(xen_pfn_t *list, unsigned int max, unsigned int *nr)
{
    struct xen_machphys_mfn_list l = {.max_extents = max};
    int rc;

    set_xen_guest_handle(l.extent_start, list);
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
    *nr = rc ? 0 : l.nr_extents;
    return rc;
}

int xenmem_memory_map(struct e820_entry *buffer, unsigned int *nr)
{
    struct xen_memory_map m = {.nr_entries = *nr};
    int rc;

    set_xen_guest_handle(m.buffer, buffer);
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &m);
    *nr = rc ? 0 : m.nr_entries;
    return rc;
}
