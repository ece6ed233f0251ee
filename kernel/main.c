/* start_monitor(): the boot CPU's path from the loader's hand-over to a running monitor. */
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "arch/x86/traps.h"
#include "arch/x86/time.h"
#include "drivers/acpi.h"
#include "drivers/platform.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/domain_build.h"
#include "kernel/sched.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/version.h"
#include "mm/bootmem.h"
#include "mm/heap.h"
#include "mm/m2p.h"
#include "mm/page_alloc.h"

extern const char __image_start[], __bss_start[], __image_end[];

static struct memmap machine_map;

static void print_memmap(const struct memmap *m)
{
    pr_info("Machine memory map%s:\n", boot_info.efi_map ? " (from EFI)" : "");
    for (unsigned int i = 0; i < m->nr; i++) {
        pr_info("  %012llx - %012llx  %s\n", m->r[i].start, m->r[i].end,
                memmap_type_name(m->r[i].type));
    }
}

/* Everything the allocator must never hand out: low memory, the image, the loader's data. */
static void reserve_boot_areas(void)
{
    bootmem_reserve(0, 1u << 20);   /* real-mode IVT, BDA, EBDA, option ROMs, AP trampoline */
    bootmem_reserve(image_pa(__image_start), image_pa(__image_end));
    bootmem_reserve(boot_info.info_start, boot_info.info_end);
    for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
        bootmem_reserve(boot_info.modules[i].start, boot_info.modules[i].end);
    }
}

static void memory_init(void)
{
    memmap_normalize(&boot_info.raw_map, &machine_map);
    if (!memmap_total(&machine_map, MEM_RAM)) {
        panic("the boot loader gave no memory map");
    }
    print_memmap(&machine_map);
    bootmem_init(&machine_map);
    reserve_boot_areas();
    paging_init();
    frame_table_init(&machine_map, bootmem_free_map());
}

static void print_memory_summary(void)
{
    uint64_t ram = memmap_total(&machine_map, MEM_RAM);
    uint32_t free = frames_free();
    pr_info("Memory: %llu MiB RAM (%llu KiB), frame table covers %u frames, %u frames free "
            "(%u MiB), monitor image %u KiB loaded + %u KiB zeroed, boot allocations %llu KiB\n",
            ram >> 20, ram >> 10, frame_table_frames, free, free >> 8,
            (unsigned int)((__bss_start - __image_start) >> 10),
            (unsigned int)((__image_end - __bss_start) >> 10), bootmem_allocated() >> 10);
}

static void print_banner(void)
{
    pr_info("Ringvisor " RINGVISOR_VERSION " - a paravirtual microhypervisor for 32-bit x86\n");
    pr_info("Booted by %s (Multiboot %u)%s\n", boot_info.loader, boot_info.multiboot,
            boot_info.efi_map ? " on UEFI" : "");
    pr_info("Command line: %s\n", boot_info.cmdline[0] ? boot_info.cmdline : "(empty)");
}

void start_monitor(uint32_t magic, uint32_t info_pa);
void start_monitor(uint32_t magic, uint32_t info_pa)
{
    struct cpu_info *ci = get_cpu_info();
    bool known_loader;
    unsigned int bad_options;

    ci->pcpu = &percpu_data[0];
    ci->cpu = 0;
    percpu_data[0].online = true;
    idt_init();
    cpu_init();
    gdt_init_early();

    known_loader = bootinfo_collect(magic, info_pa);
    bad_options = cmdline_parse(boot_info.cmdline, boot_info.multiboot == 1);
    serial_init();
    print_banner();
    if (!known_loader) {
        panic("not started by a Multiboot loader (magic 0x%08x)", magic);
    }
    if (boot_info.cmdline_truncated) {
        pr_err("cmdline: longer than %d characters; the rest was dropped\n", BOOT_CMDLINE_MAX - 1);
    }
    if (bad_options) {
        pr_err("cmdline: %u bad option(s), named above; booting with the defaults for them\n",
               bad_options);
    }
    cpu_print();
    acpi_early_init();
    memory_init();
    gdt_init_window();
    screen_console_init();
    platform_init();
    serial_input_init();
    time_init();
    if (!time_selftest()) {
        pr_err("time: the one-shot timer is not usable; guests will not be preempted\n");
    }
    vtime_init();
    sched_start_ticks();
    print_memory_summary();
    selftest_run();
    m2p_init();
    if (!boot_domains_create()) {
        pr_info("Ringvisor: boot complete; no domains to run\n");
        machine_stop_when_done(false);
    } else {
        pr_info("Ringvisor: boot complete; running %u domain(s)\n", domain_count());
    }
    sched_idle_loop();
}
