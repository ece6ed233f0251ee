/*
 * What the boot loader handed over, copied out of the Multiboot 1 or 2 structures before
 * anything else runs, so nothing later depends on where the loader put them.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "kernel/types.h"
#include "mm/memmap.h"

#define BOOT_CMDLINE_MAX   1024
#define BOOT_MODULES_MAX   72      /* 64 domains and a few data modules */
#define BOOT_MODNAME_MAX   256

struct boot_module {
    paddr_t start, end;                 /* machine addresses, [start, end) */
    char cmdline[BOOT_MODNAME_MAX];
};

struct boot_framebuffer {
    paddr_t addr;                       /* 0: none */
    uint32_t pitch, width, height;
    uint8_t bpp;
    uint8_t type;                       /* 1: RGB direct colour, 2: EGA text */
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
    unsigned int multiboot;             /* 1 or 2 */
    char loader[64];
    char cmdline[BOOT_CMDLINE_MAX];
    bool cmdline_truncated;
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MODULES_MAX];
    struct memmap raw_map;              /* as the loader gave it */
    bool efi_map;                       /* raw_map came from the EFI memory map */
    struct boot_framebuffer fb;
    paddr_t rsdp;                       /* 0: not handed over (scan the BIOS areas) */
    uint8_t rsdp_copy[36];              /* the loader's copy of the RSDP, when it gave one */
    bool has_rsdp_copy;
    paddr_t info_start, info_end;       /* where the loader's structures were */
};

extern struct boot_info boot_info;

/* Copies the loader's information; returns false (with a message) for an unknown magic. */
bool bootinfo_collect(uint32_t magic, uint32_t info_pa);

#endif
