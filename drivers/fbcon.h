/* Text console drawn on the linear framebuffer the boot loader set up (UEFI, or BIOS VBE). */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include "kernel/bootinfo.h"
#include "kernel/types.h"

/*
 * Checks the framebuffer fb (direct RGB colour, type 1, at 15, 16, 24 or 32 bits per pixel;
 * an indexed palette is refused), maps it, clears it and registers it as console "vga".
 * Prints the geometry chosen; returns false, with a warning naming the reason, for a
 * framebuffer it refuses or cannot map.  Needs paging_init().  Boot only, on the boot CPU;
 * called by screen_console_init().
 */
bool fbcon_init(const struct boot_framebuffer *fb);

#endif
