/* Virtual memory of the processes: user pages, and the demand area mapped on first touch. */
#include "guest/console.h"
#include "guest/mm.h"
#include "guest/user.h"
#include "kernel.h"

/*
 * The demand area is part of the image (user/memory.user.c), so the start-of-day L1
 * tables already cover it: vm_setup() unmaps its pages (their frames join the free pool)
 * and a fault there maps a fresh zeroed frame, user-writable, with update_va_mapping.
 */
#define DEMAND_PAGES USER_DEMAND_PAGES
#define DEMAND_END   ((uintptr_t)user_demand_area + sizeof(user_demand_area))
static bool demand_mapped[DEMAND_PAGES];
static unsigned long demand_pfn[DEMAND_PAGES];

static uintptr_t demand_va(unsigned int i)
{
    return (uintptr_t)user_demand_area + i * PAGE_SIZE;
}

void vm_setup(void)
{
    unsigned int pages = (unsigned int)((__user_end - __user_start) / PAGE_SIZE);

    check_hypercall(user_region_enable(), "update_va_mapping (user pages)");
    for (unsigned int i = 0; i < DEMAND_PAGES; i++) {
        check_hypercall(unmap_page(demand_va(i)), "update_va_mapping (unmap demand area)");
        frame_free(va_to_pfn((void *)demand_va(i)));
    }
    printk("mini kernel: user region %p-%p (%u pages) is user-accessible; demand area %p-%p "
           "unmapped\n",
           __user_start, __user_end, pages, user_demand_area, (void *)DEMAND_END);
}

/* Maps a fresh zeroed frame at the demand page holding addr; false if it cannot. */
static bool demand_map(uint32_t addr)
{
    unsigned int i = (unsigned int)((addr - (uintptr_t)user_demand_area) / PAGE_SIZE);
    unsigned long pfn = frame_alloc();
    int rc;

    if (!pfn) {
        printk("mini kernel: out of free frames\n");
        return false;
    }
    rc = map_page(demand_va(i), pte_make(pfn_to_mfn(pfn), PTE_USER_RW));
    if (rc != 0) {
        panic("update_va_mapping (demand page %#x) failed: %d (%s)", (unsigned int)demand_va(i), rc,
              errname(rc));
    }
    memset((void *)demand_va(i), 0, PAGE_SIZE);
    demand_mapped[i] = true;
    demand_pfn[i] = pfn;
    return true;
}

void page_fault_trap(struct guest_regs *r)
{
    uint32_t addr = trap_cr2();
    bool in_area = addr >= (uintptr_t)user_demand_area && addr < DEMAND_END;

    if (in_area && !(r->error_code & 1) && demand_map(addr)) {
        printk("mini kernel: page fault at %#x (error %#x) in %s: mapped a fresh page\n", addr,
               r->error_code, proc_current_name());
        return;
    }
    if (guest_regs_user(r) && user_active()) {
        proc_note_fault(addr);
        user_leave(r);
    }
    trap_dump("mini kernel: page fault in the kernel", r);
    panic("kernel page fault at %#x", addr);
}

void vm_release(void)
{
    for (unsigned int i = 0; i < DEMAND_PAGES; i++) {
        if (demand_mapped[i]) {
            check_hypercall(unmap_page(demand_va(i)), "update_va_mapping (release)");
            frame_free(demand_pfn[i]);
            demand_mapped[i] = false;
        }
    }
}
