/* Segment descriptors, and handing a guest GDT page to the monitor. */
#include "guest/segments.h"
#include "guest/hypercall.h"
#include "guest/mm.h"

uint64_t seg_descriptor(uint32_t base, uint32_t limit_pages, unsigned int type, unsigned int dpl)
{
    uint32_t lo = (limit_pages & 0xffff) | ((base & 0xffff) << 16);
    uint32_t hi = ((base >> 16) & 0xff) | ((type & 0xf) << 8) | (1u << 12) /* S */ |
                  ((dpl & 3) << 13) | (1u << 15) /* P */ | (limit_pages & 0xf0000) |
                  (1u << 22) /* 32-bit */ | (1u << 23) /* 4 KiB granularity */ |
                  (base & 0xff000000);

    return ((uint64_t)hi << 32) | lo;
}

int gdt_install(uint64_t *gdt, unsigned int entries, const char **what)
{
    unsigned long frame = va_to_mfn(gdt);
    int rc;

    *what = "update_va_mapping (GDT page read-only)";
    rc = page_set_readonly((uintptr_t)gdt);
    if (rc != 0) {
        return rc;
    }
    *what = "set_gdt";
    return HYPERVISOR_set_gdt(&frame, entries);
}
