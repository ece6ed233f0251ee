/* The kernel's own GDT: one read-only page handed to the monitor with set_gdt. */
#include "guest/console.h"
#include "guest/mm.h"
#include "guest/runtime.h"
#include "guest/segments.h"
#include "kernel.h"

enum { GDT_KERNEL_CS = 1, GDT_KERNEL_DS, GDT_USER_CS, GDT_USER_DS, GDT_ENTRIES = 512 };

/* Exactly one page: nothing else may share a frame that becomes a descriptor page. */
static uint64_t gdt[GDT_ENTRIES] PAGE_ALIGNED;

static const uint32_t gdt_probe = 0x6d696e69; /* read back through the new data selector */

/* Loads the kernel data selector into %fs, reads through it, puts FLAT_KERNEL_DS back. */
static bool gdt_check(uint16_t sel)
{
    uint32_t value;

    seg_load_fs(sel);
    value = seg_fs_read32((uint32_t)(uintptr_t)&gdt_probe);
    seg_load_fs(FLAT_KERNEL_DS);
    return value == gdt_probe;
}

void gdt_setup(void)
{
    const uint16_t kernel_ds = (GDT_KERNEL_DS << 3) | 1;
    const char *what;
    int rc;

    gdt[GDT_KERNEL_CS] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_CODE, 1);
    gdt[GDT_KERNEL_DS] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    gdt[GDT_USER_CS] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_CODE, 3);
    gdt[GDT_USER_DS] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 3);
    rc = gdt_install(gdt, GDT_ENTRIES, &what);
    if (rc == -XEN_ENOSYS && strcmp(what, "set_gdt") == 0) {
        printk("GDT: set_gdt not supported by this monitor (-ENOSYS), keeping the flat "
               "selectors\n");
        return;
    }
    if (rc != 0) {
        panic("GDT: %s failed: %d (%s)", what, rc, errname(rc));
    }
    if (!gdt_check(kernel_ds)) {
        panic("GDT: selector %#x does not read what FLAT_KERNEL_DS reads", kernel_ds);
    }
    printk("GDT: own GDT loaded (%u entries, frame %#lx), selector %#x works\n", GDT_ENTRIES,
           va_to_mfn(gdt), kernel_ds);
}
