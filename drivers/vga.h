/* The screen consoles: VGA text mode, or a text grid on the loader's linear framebuffer. */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

#include "kernel/console.h"
#include "kernel/types.h"

/*
 * Picks the screen the loader left (an RGB framebuffer, else VGA text on a BIOS machine),
 * maps it, clears it and registers it as console "vga"; prints which one and its geometry,
 * or why there is none.  Does nothing unless console= selects "vga".  Needs paging_init().
 * Boot only, on the boot CPU.
 */
void screen_console_init(void);

/*
 * A grid of text cells drawn by one screen driver.  screen_write() moves the cursor
 * (newline, carriage return, tab, backspace, wrap, scroll) and calls the driver for the
 * rest.  Callers hold the printk lock, which serializes every console write.
 */
struct screen {
    struct console con;                 /* con.write = screen_write */
    unsigned int cols, rows;            /* text cells, both >= 1 */
    unsigned int col, row;              /* next cell; col == cols: wrap before the next byte */
    /* Draws byte ch (>= 0x20, not 0x7F; >= 0x80 means "no glyph") in one cell. */
    void (*put)(struct screen *s, unsigned int col, unsigned int row, unsigned char ch);
    /* Moves every row up by one and blanks the last row. */
    void (*scroll)(struct screen *s);
    /* Optional: called once at the end of each write (e.g. to move a hardware cursor). */
    void (*flush)(struct screen *s);
};

/* The console write method of every screen: draws n bytes of text from s. */
void screen_write(struct console *c, const char *s, size_t n);

#endif
