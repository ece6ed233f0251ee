/*
 * Host stand-in for descriptor_ok() (mm/pagetype.h).  The real one, arch/x86/descriptor.c,
 * does not build for a 64-bit host: the flat ring-1/ring-3 selectors it checks call gates
 * against exist in Xen's public headers only for i386 builds.  This stand-in does not judge
 * descriptors.  It refuses exactly the value a test puts in stub_descriptor_refused, raises
 * DPL 0 to 1 in every other present descriptor (one visible fix-up, so a test sees that the
 * caller keeps the checked value), and counts its calls.  The real checks are exercised in
 * QEMU by the hc_set_gdt, hostile_descriptors and hostile_selectors guests.
 */
#include "descriptor.h"
#include "mm/pagetype.h"

#define D_DPL_SHIFT 45
#define D_P         (1ull << 47)

uint64_t stub_descriptor_refused = ~0ull;
unsigned int stub_descriptor_calls;

bool descriptor_ok(uint64_t *desc)
{
    stub_descriptor_calls++;
    if (*desc == stub_descriptor_refused) {
        return false;
    }
    if ((*desc & D_P) && ((*desc >> D_DPL_SHIFT) & 3) == 0) {
        *desc |= 1ull << D_DPL_SHIFT;
    }
    return true;
}
