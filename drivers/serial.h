/* 16550 UART consoles com1 and com2, configured by com1= / com2= (Xen's syntax). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include "kernel/types.h"

/* Probes and programs each UART that console= selects and registers it as a console. */
void serial_init(void);

#endif
