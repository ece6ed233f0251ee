/* The mini guest kernel: boots, takes over its traps, GDT and memory, runs its processes. */
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/runtime.h"
#include "kernel.h"

static void banner(void)
{
    unsigned long pages = start_info->nr_pages;

    printk("Ringvisor mini kernel " MINI_KERNEL_VERSION ": %lu pages (%lu MiB), "
           "command line \"%.*s\"\n",
           pages, pages >> 8, (int)sizeof(start_info->cmd_line),
           (const char *)start_info->cmd_line);
    printk("mini kernel: start_info %s, flags %#x, pt_base %#lx, %lu page-table frames\n",
           start_info->magic, start_info->flags, start_info->pt_base, start_info->nr_pt_frames);
}

static void traps_setup(void)
{
    proc_traps_setup();
    trap_set(14, TRAP_DPL(0), page_fault_trap);
    trap_set(0x80, TRAP_DPL(3), syscall_trap);
    check_hypercall(traps_load(), "set_trap_table");
    printk("mini kernel: trap table installed (exceptions 0-19, system calls at int $0x80)\n");
}

int guest_main(void)
{
    banner();
    frames_init();
    if (!shared_info) {
        panic("the kernel needs the shared info page (fault addresses come through it)");
    }
    traps_setup();
    gdt_setup();
    vm_setup();
    control_init();
    proc_run_all();
    printk("mini kernel: all processes done\n");
    control_done();
    frames_summary(as_tables_built(), as_torn_down());
    return 0;
}
