/* Platform bring-up: firmware tables, then the interrupt controllers, then a summary. */
#ifndef DRIVERS_PLATFORM_H
#define DRIVERS_PLATFORM_H

/*
 * acpi_init(), pic_init(), lapic_init(), ioapic_init(), then one summary line
 * "platform: ..., N CPU(s) (APIC IDs ...), ...".  Boot CPU, once, interrupts off, after
 * cpu_init(), paging_init() and idt_init(); before time_init().
 */
void platform_init(void);

#endif
