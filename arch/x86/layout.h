/*
 * The monitor's virtual memory map (see docs/architecture.md for the diagram).  Guests own
 * [0, 0xF5800000); everything here lies in the monitor's window [0xF5800000, 4 GiB), which
 * is the top 168 MiB of L3 slot 3 (L2 indices 0x1AC..0x1FF).
 */
#ifndef ARCH_X86_LAYOUT_H
#define ARCH_X86_LAYOUT_H

#define MONITOR_WINDOW_START 0xF5800000u  /* = HYPERVISOR_VIRT_START (PAE) */
#define M2P_RO_START         0xF5800000u  /* 16 MiB: machine-to-phys, read-only to guests */
#define M2P_RO_END           0xF6800000u
#define GUEST_SEGMENT_END    0xF6800000u  /* every guest descriptor ends below this */
#define M2P_RW_START         0xF6800000u  /* 16 MiB: writable alias of the M2P (monitor) */
#define M2P_RW_END           0xF7800000u
#define GDT_WINDOW_START     0xF7800000u  /* 4 MiB: 64 KiB GDT window per CPU */
#define GDT_WINDOW_PER_CPU   0x00010000u
#define GDT_WINDOW_END       0xF7C00000u
#define PERDOMAIN_START      0xF7C00000u  /* 4 MiB: per-vCPU mappings of the running guest */
#define LDT_WINDOW_START     0xF7C00000u  /* 2 MiB: 64 KiB LDT window per CPU */
#define LDT_WINDOW_PER_CPU   0x00010000u
#define PERDOMAIN_END        0xF8000000u
#define FRAMETABLE_START     0xF8000000u  /* 64 MiB: struct page_info per machine frame */
#define FRAMETABLE_END       0xFC000000u
#define HEAP_START           0xFC000000u  /* 16 MiB: small-object heap and page allocations */
#define HEAP_END             0xFD000000u
#define FB_START             0xFD000000u  /* 16 MiB: linear framebuffer */
#define FB_END               0xFE000000u
#define MAPCACHE_START       0xFE000000u  /* 2 MiB: temporary mappings, 16 slots per CPU */
#define MAPCACHE_END         0xFE200000u
#define FIXMAP_START         0xFE200000u  /* 2 MiB: device registers and firmware tables */
#define FIXMAP_END           0xFE400000u
#define MONITOR_VIRT         0xFF000000u  /* image: VA = MONITOR_VIRT + machine address */
#define MONITOR_IMAGE_END    0xFF400000u  /* end of the 4 MiB that may hold the image */

#define MONITOR_L2_FIRST     ((MONITOR_WINDOW_START - 0xC0000000u) >> 21)   /* 0x1AC */

/* Largest machine frame the ABI's M2P window can describe: 16 MiB of 4-byte entries. */
#define MAX_MFN_M2P          ((M2P_RO_END - M2P_RO_START) / 4)

#define STACK_ORDER          2
#define STACK_SIZE           (4096u << STACK_ORDER)

#define MAX_CPUS             32
#define CPU_INFO_SIZE        16   /* struct cpu_info at the top of each CPU stack */
#define MAPCACHE_SLOTS       16

#endif
