/* The console multiplexer: every registered output device selected by console=. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

struct console {
    const char *name;     /* as named by console=: "com1", "com2", "vga" */
    /* Writes n bytes ("\n" is a line end; the driver adds "\r" if it needs one). */
    void (*write)(struct console *c, const char *s, size_t n);
    struct console *next;
};

/*
 * Adds a device.  If console= selects it, it starts receiving output, beginning with a
 * replay of the log ring so a late device (the screen) shows the whole boot.
 */
void console_register(struct console *c);

/* Writes to every selected device.  Caller holds the printk lock (see printk.c). */
void console_write(const char *s, size_t n);

/* True when console= names this device. */
bool console_selected(const char *name);

/*
 * One byte typed on a serial line (kernel/console_input.c): to the domain with the input
 * focus, or to the monitor's command line; Ctrl-A three times moves the focus on.  From
 * the drivers, interrupts off; serialized inside.
 */
void console_rx(char c);

/* Writes to the selected devices without entering the log ring (typed-character echo). */
void console_echo(const char *s, size_t n);

#endif

/* Internal to printk.c: replay then attach, under the printk lock. */
void printk_attach_console(struct console *c);
void console_attach_locked(struct console *c);
