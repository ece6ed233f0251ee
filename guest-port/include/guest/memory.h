/*
 * memory_op for a PV guest: taking and giving back frames (the reservation calls) and the
 * memory facts the monitor gives (reservations, machine size, M2P, memory map).
 */
#ifndef GUEST_MEMORY_H
#define GUEST_MEMORY_H

#include "guest/hypercall.h"
#include "guest/lib.h"

/*
 * One E820 entry as XENMEM_memory_map writes it (the BIOS INT 15h/E820 layout, which the
 * public headers name but do not declare).
 */
struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));
#define E820_RAM 1

/*
 * The reservation calls in full: cmd is XENMEM_increase_reservation, _decrease_reservation
 * or _populate_physmap, possibly with a start extent above MEMOP_EXTENT_SHIFT.  Returns the
 * index past the last extent done (fewer than nr when one fails or the monitor's per-call
 * budget ends), or a negative errno for a bad request.
 */
#define MEMOP_EXTENT_SHIFT 6
long xenmem_reservation(unsigned int cmd, xen_pfn_t *list, unsigned long nr, unsigned int order,
                        unsigned int mem_flags, domid_t domid);

/* The same for DOMID_SELF, no flags, from extent 0. */
long xenmem_increase(xen_pfn_t *mfns_out, unsigned long nr, unsigned int order);
long xenmem_decrease(xen_pfn_t *mfns, unsigned long nr, unsigned int order);
long xenmem_populate(xen_pfn_t *pfns_in_mfns_out, unsigned long nr, unsigned int order);

/* Pages the domain holds, and may hold; a negative errno when refused. */
long xenmem_current_reservation(domid_t domid);
long xenmem_maximum_reservation(domid_t domid);

/* One past the largest machine frame of RAM. */
long xenmem_maximum_ram_page(void);

/* The M2P window; the frames holding the table (*nr set to how many were written). */
int xenmem_machphys_mapping(xen_machphys_mapping_t *m);
int xenmem_machphys_mfn_list(xen_pfn_t *list, unsigned int max, unsigned int *nr);

/* The domain's memory map: *nr in: room in buffer, out: entries written. */
int xenmem_memory_map(struct e820_entry *buffer, unsigned int *nr);

#endif
