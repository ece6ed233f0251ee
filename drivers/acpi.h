/* ACPI table discovery: the RSDP, the RSDT/XSDT, the MADT and the HPET table. */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include "arch/x86/layout.h"
#include "kernel/types.h"

#define PLATFORM_MAX_IOAPICS     8
#define PLATFORM_MAX_OVERRIDES   16
#define PLATFORM_MAX_NMIS        8
#define PLATFORM_MAX_NMI_SOURCES 4

/* A CPU the monitor can run on: enabled in the MADT and addressable by the xAPIC. */
struct platform_cpu {
    uint32_t apic_id;  /* < 255 */
    uint32_t acpi_uid; /* processor UID (MADT type 0: 8 bits, type 9: 32 bits) */
};

struct platform_ioapic {
    uint8_t id;        /* as the MADT gives it */
    uint32_t addr;     /* machine address of the register window */
    uint32_t gsi_base; /* first global system interrupt it serves */
    unsigned int pins; /* redirection entries; 0 until ioapic_probe() read them */
    void *regs;        /* its mapping, made once by ioapic_probe() */
};

/* An ISA IRQ that does not arrive on GSI == IRQ, or does with non-ISA polarity/trigger. */
struct platform_override {
    uint8_t isa_irq;
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags: bits 0-1 polarity, bits 2-3 trigger mode */
};

/* A local APIC LINT pin wired to NMI (MADT types 4 and 10). */
struct platform_nmi {
    uint32_t acpi_uid; /* PLATFORM_NMI_ALL_CPUS: every processor */
    uint8_t lint;      /* 0 or 1 */
    uint16_t flags;    /* MPS INTI flags */
};
#define PLATFORM_NMI_ALL_CPUS 0xFFFFFFFFu

/* A global system interrupt wired to NMI (MADT type 3). */
struct platform_nmi_source {
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags */
};

/* MPS INTI flags (interrupt source overrides and NMI entries). */
#define MPS_POLARITY_MASK 0x3u
#define MPS_POLARITY_LOW  0x3u
#define MPS_TRIGGER_MASK  0xCu
#define MPS_TRIGGER_LEVEL 0xCu

/*
 * What the firmware says about the machine.  Written at boot on the boot CPU by acpi_init()
 * (lapic_init() corrects lapic_base to the CPU's own, ioapic_probe() fills each I/O APIC's
 * pins and regs), read-only afterwards: no lock.
 */
struct platform_info {
    bool acpi;             /* a valid RSDP was found */
    uint8_t acpi_revision; /* the RSDP's revision: 0 (ACPI 1.0) or 2 and up */
    char oem_id[7];        /* the RSDP's OEM ID, NUL-terminated, trailing blanks cut */
    bool madt;             /* the CPU and interrupt facts below came from a MADT */
    bool pcat_compat;      /* the machine has dual 8259s (MADT flag, or assumed) */

    unsigned int nr_cpus; /* enabled, xAPIC-addressable CPUs; cpus[0] need not be us */
    struct platform_cpu cpus[MAX_CPUS];
    unsigned int nr_cpus_hotplug;  /* online-capable but not enabled: not counted above */
    unsigned int nr_cpus_unusable; /* enabled but x2APIC ID >= 255, or over MAX_CPUS */

    paddr_t lapic_base; /* 0: no local APIC */

    unsigned int nr_ioapics;
    struct platform_ioapic ioapics[PLATFORM_MAX_IOAPICS];

    unsigned int nr_overrides;
    struct platform_override overrides[PLATFORM_MAX_OVERRIDES];

    unsigned int nr_nmis;
    struct platform_nmi nmis[PLATFORM_MAX_NMIS];

    unsigned int nr_nmi_sources;
    struct platform_nmi_source nmi_sources[PLATFORM_MAX_NMI_SOURCES];

    paddr_t hpet_base; /* 0: none */
};

extern struct platform_info platform;

/*
 * Finds the RSDP through early_map(), where page 0 (the EBDA pointer) is reachable and the
 * BIOS areas cost no permanent mapping; acpi_init() then uses what it found.  Optional:
 * without it acpi_init() searches through ioremap(), skipping the EBDA.  Boot CPU, once,
 * after bootinfo_collect() and before paging_init().
 */
void acpi_early_init(void);

/*
 * Fills `platform` from the ACPI tables, or with the one-CPU fallback when there are none
 * or the MADT is unusable.  Firmware garbage is reported with pr_warn and skipped; never
 * fails.  Boot CPU, once, after cpu_init() and paging_init() (it uses ioremap()).
 */
void acpi_init(void);

#endif
