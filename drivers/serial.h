/* 16550 UART consoles com1 and com2, configured by com1= / com2= (Xen's syntax). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include "kernel/types.h"

/* Probes and programs each UART that console= selects and registers it as a console. */
void serial_init(void);

/*
 * Starts input on every UART serial_init() found: its IRQ through the I/O APIC (or the
 * 8259 on a machine without a local APIC), else polling after every interrupt; received
 * bytes go to console_rx().  Boot CPU, once, after platform_init(), interrupts off.
 */
void serial_input_init(void);

#endif
