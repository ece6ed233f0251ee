/* The local APIC in xAPIC mode (set-up, EOI, one-shot timer) and I/O APIC discovery. */
#include "arch/x86/apic.h"

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "arch/x86/traps.h"
#include "drivers/acpi.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

/* Local APIC registers (byte offsets in its 4 KiB page). */
#define LAPIC_ID          0x020
#define LAPIC_VERSION     0x030
#define LAPIC_TPR         0x080
#define LAPIC_EOI         0x0B0
#define LAPIC_SVR         0x0F0
#define LAPIC_ESR         0x280
#define LAPIC_LVT_CMCI    0x2F0
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF    0x340
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_INIT  0x380
#define LAPIC_TIMER_CUR   0x390
#define LAPIC_TIMER_DIV   0x3E0

#define SVR_ENABLE       (1u << 8)
#define LVT_MASKED       (1u << 16)
#define LVT_ACTIVE_LOW   (1u << 13)
#define LVT_DELIVERY_NMI (4u << 8)

#define APIC_BASE_EXTD   (1ull << 10) /* x2APIC mode */
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR   0x000FFFFFFFFFF000ull

/* I/O APIC: an index register and a data window; registers are selected by index. */
#define IOAPIC_REGSEL       0 /* as 32-bit word offsets */
#define IOAPIC_WINDOW       4
#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VERSION  0x01
#define IOAPIC_REG_REDIR(n) (0x10 + 2 * (n))
#define IOAPIC_MASKED       (1u << 16)
#define IOAPIC_LEVEL        (1u << 15)
#define IOAPIC_ACTIVE_LOW   (1u << 13)

/* The local APIC's mapping: each CPU sees its own APIC at the same address. */
static volatile uint32_t *lapic_regs;
static uint32_t lapic_errors; /* error interrupts so far; only the first few print */

/* Serializes the index/window pairs of every I/O APIC. */
static spinlock_t ioapic_lock = SPINLOCK_INIT;

static inline uint32_t lapic_read(unsigned int reg)
{
    return lapic_regs[reg / 4];
}
static inline void lapic_write(unsigned int reg, uint32_t v)
{
    lapic_regs[reg / 4] = v;
}

bool lapic_present(void)
{
    return lapic_regs != NULL;
}

uint32_t lapic_id(void)
{
    if (!lapic_regs) {
        return cpuid(1, 0).ebx >> 24;
    }
    return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
    if (lapic_regs) {
        lapic_write(LAPIC_EOI, 0);
    }
}

/* ---- timer ------------------------------------------------------------------------------ */

/* The divide configuration register's encoding of LAPIC_TIMER_DIVIDE. */
static uint32_t timer_divide_bits(void)
{
    switch (LAPIC_TIMER_DIVIDE) {
    case 1:
        return 0xB;
    case 2:
        return 0x0;
    case 4:
        return 0x1;
    case 8:
        return 0x2;
    case 16:
        return 0x3;
    case 32:
        return 0x8;
    case 64:
        return 0x9;
    default:
        return 0xA; /* 128 */
    }
}

void lapic_timer_oneshot(uint32_t ticks)
{
    if (lapic_regs) {
        lapic_write(LAPIC_LVT_TIMER, VECTOR_LAPIC_TIMER);
        lapic_write(LAPIC_TIMER_INIT, ticks);
    }
}

void lapic_timer_stop(void)
{
    if (lapic_regs) {
        lapic_write(LAPIC_TIMER_INIT, 0);
        lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
    }
}

void lapic_timer_start_masked(uint32_t ticks)
{
    if (lapic_regs) {
        lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
        lapic_write(LAPIC_TIMER_INIT, ticks);
    }
}

uint32_t lapic_timer_current(void)
{
    return lapic_regs ? lapic_read(LAPIC_TIMER_CUR) : 0;
}

/* ---- interrupt handlers -------------------------------------------------------------------- */

static void lapic_timer_irq(struct cpu_regs *regs)
{
    lapic_eoi();
    time_lapic_timer_interrupt();
}

static void lapic_error_irq(struct cpu_regs *regs)
{
    uint32_t esr;

    /* The ESR latches on a write; read it after one. */
    lapic_write(LAPIC_ESR, 0);
    esr = lapic_read(LAPIC_ESR);
    lapic_eoi();
    if (atomic_fetch_add32(&lapic_errors, 1) < 10) {
        pr_warn("apic: error interrupt on CPU %u, ESR 0x%x\n", smp_processor_id(), esr);
    }
}

/* A spurious interrupt sets no in-service bit, so it takes no EOI. */
static void lapic_spurious_irq(struct cpu_regs *regs) {}

/* ---- set-up ------------------------------------------------------------------------------ */

/* Firmware may hand over in x2APIC mode; the MMIO registers only work in xAPIC mode. */
static void lapic_xapic_mode(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    if (base & APIC_BASE_EXTD) {
        /* x2APIC to xAPIC is only allowed through the disabled state. */
        pr_warn("apic: CPU %u was in x2APIC mode, switching to xAPIC\n", smp_processor_id());
        base &= ~(APIC_BASE_EXTD | APIC_BASE_ENABLE);
        wrmsr(MSR_APIC_BASE, base);
    }
    if (!(base & APIC_BASE_ENABLE)) {
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    }
}

/* The LVT value for LINTn: NMI where the MADT routes an NMI there, else masked. */
static uint32_t lint_config(unsigned int lint, uint32_t my_apic_id)
{
    uint32_t uid = PLATFORM_NMI_ALL_CPUS;

    if (!platform.madt) {
        /* No MADT: the PC-compatible wiring, LINT1 carries NMI. */
        return lint == 1 ? LVT_DELIVERY_NMI : LVT_MASKED;
    }
    for (unsigned int i = 0; i < platform.nr_cpus; i++) {
        if (platform.cpus[i].apic_id == my_apic_id) {
            uid = platform.cpus[i].acpi_uid;
        }
    }
    for (unsigned int i = 0; i < platform.nr_nmis; i++) {
        const struct platform_nmi *n = &platform.nmis[i];
        if (n->lint == lint && (n->acpi_uid == PLATFORM_NMI_ALL_CPUS || n->acpi_uid == uid)) {
            /* NMIs are always edge-triggered; only the polarity is taken from the MADT. */
            bool low = (n->flags & MPS_POLARITY_MASK) == MPS_POLARITY_LOW;
            return LVT_DELIVERY_NMI | (low ? LVT_ACTIVE_LOW : 0);
        }
    }
    return LVT_MASKED;
}

void lapic_cpu_init(void)
{
    uint32_t max_lvt, me;

    if (!lapic_regs) {
        return;
    }
    lapic_xapic_mode();
    me = lapic_id();
    max_lvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xFF;
    /* Enable first: while software-disabled, the LVT mask bits cannot be cleared. */
    lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
    lapic_write(LAPIC_TIMER_DIV, timer_divide_bits());
    lapic_write(LAPIC_LVT_LINT0, lint_config(0, me));
    lapic_write(LAPIC_LVT_LINT1, lint_config(1, me));
    if (max_lvt >= 4) {
        lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
    }
    if (max_lvt >= 5) {
        lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
    }
    if (max_lvt >= 6) {
        lapic_write(LAPIC_LVT_CMCI, LVT_MASKED);
    }
    lapic_write(LAPIC_LVT_ERROR, VECTOR_LAPIC_ERROR);
    /* Clear errors latched before now (the ESR wants a write before each read). */
    lapic_write(LAPIC_ESR, 0);
    lapic_write(LAPIC_ESR, 0);
}

static void lapic_register(unsigned int vector, irq_handler_t handler)
{
    int rc = irq_register(vector, handler);

    if (rc) {
        pr_err("apic: cannot register vector 0x%x (%d)\n", vector, rc);
    }
}

bool lapic_init(void)
{
    paddr_t base;

    if (!boot_cpu.apic) {
        pr_warn("apic: this CPU has no local APIC\n");
        return false;
    }
    /* The MSR is where the APIC actually decodes; a different MADT address is a firmware bug. */
    base = rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR;
    if (platform.lapic_base && platform.lapic_base != base) {
        pr_warn("apic: firmware puts the local APIC at 0x%llx, the CPU at 0x%llx; using 0x%llx\n",
                platform.lapic_base, base, base);
    }
    platform.lapic_base = base;
    lapic_regs = ioremap(base, PAGE_SIZE, true);
    if (!lapic_regs) {
        pr_warn("apic: cannot map the local APIC at 0x%llx\n", base);
        return false;
    }
    lapic_register(VECTOR_LAPIC_TIMER, lapic_timer_irq);
    lapic_register(VECTOR_LAPIC_ERROR, lapic_error_irq);
    lapic_register(VECTOR_SPURIOUS, lapic_spurious_irq);
    lapic_cpu_init();
    return true;
}

/* ---- I/O APICs ------------------------------------------------------------------------------- */

static uint32_t ioapic_read(const struct platform_ioapic *io, uint32_t reg)
{
    volatile uint32_t *r = io->regs;
    uint32_t flags = spin_lock_irqsave(&ioapic_lock);
    uint32_t v;

    r[IOAPIC_REGSEL] = reg;
    v = r[IOAPIC_WINDOW];
    spin_unlock_irqrestore(&ioapic_lock, flags);
    return v;
}

static void ioapic_write(const struct platform_ioapic *io, uint32_t reg, uint32_t v)
{
    volatile uint32_t *r = io->regs;
    uint32_t flags = spin_lock_irqsave(&ioapic_lock);

    r[IOAPIC_REGSEL] = reg;
    r[IOAPIC_WINDOW] = v;
    spin_unlock_irqrestore(&ioapic_lock, flags);
}

bool ioapic_probe(struct platform_ioapic *io)
{
    uint32_t ver, version, entries;

    if (!io->regs) {
        io->regs = ioremap(io->addr, 0x20, true);
        if (!io->regs) {
            pr_warn("apic: cannot map the I/O APIC at 0x%x\n", io->addr);
            return false;
        }
    }
    /* Where nothing answers, reads give all ones (or zeros): neither passes. */
    ver = ioapic_read(io, IOAPIC_REG_VERSION);
    version = ver & 0xFF;
    entries = ((ver >> 16) & 0xFF) + 1;
    if (version < 0x10 || version > 0x2F || entries > 240) {
        return false;
    }
    io->pins = entries;
    return true;
}

uint8_t ioapic_hw_id(const struct platform_ioapic *io)
{
    return (uint8_t)(ioapic_read(io, IOAPIC_REG_ID) >> 24);
}

void ioapic_init(void)
{
    for (unsigned int i = 0; i < platform.nr_ioapics; i++) {
        struct platform_ioapic *io = &platform.ioapics[i];

        if (!ioapic_probe(io)) {
            pr_warn("apic: I/O APIC %u at 0x%x does not answer, ignored\n", io->id, io->addr);
            io->pins = 0;
            continue;
        }
        /* Masked, with the rest at a known state: fixed delivery to APIC 0, edge, high. */
        for (unsigned int pin = 0; pin < io->pins; pin++) {
            ioapic_write(io, IOAPIC_REG_REDIR(pin), IOAPIC_MASKED);
            ioapic_write(io, IOAPIC_REG_REDIR(pin) + 1, 0);
        }
        pr_debug("apic: I/O APIC %u at 0x%x: %u pins from GSI %u, all masked\n", io->id, io->addr,
                 io->pins, io->gsi_base);
    }
}

/* The I/O APIC serving a GSI, and the pin on it; NULL when none does. */
static const struct platform_ioapic *ioapic_for_gsi(uint32_t gsi, unsigned int *pin)
{
    for (unsigned int i = 0; i < platform.nr_ioapics; i++) {
        const struct platform_ioapic *io = &platform.ioapics[i];
        if (io->pins && gsi >= io->gsi_base && gsi - io->gsi_base < io->pins) {
            *pin = gsi - io->gsi_base;
            return io;
        }
    }
    return NULL;
}

int ioapic_route_isa_irq(unsigned int irq, unsigned int vector)
{
    uint32_t gsi = irq, low = vector;
    uint16_t flags = 0;
    const struct platform_ioapic *io;
    unsigned int pin;

    if (irq > 15 || vector < 32 || vector > 255 || !lapic_regs) {
        return -EINVAL;
    }
    /* ISA interrupts are edge-triggered and active high unless the MADT overrides them. */
    for (unsigned int i = 0; i < platform.nr_overrides; i++) {
        if (platform.overrides[i].isa_irq == irq) {
            gsi = platform.overrides[i].gsi;
            flags = platform.overrides[i].flags;
        }
    }
    io = ioapic_for_gsi(gsi, &pin);
    if (!io) {
        return -ENODEV;
    }
    low |= (flags & MPS_POLARITY_MASK) == MPS_POLARITY_LOW ? IOAPIC_ACTIVE_LOW : 0;
    low |= (flags & MPS_TRIGGER_MASK) == MPS_TRIGGER_LEVEL ? IOAPIC_LEVEL : 0;
    /* Fixed delivery, physical destination: this CPU, the one that calls this at boot. */
    ioapic_write(io, IOAPIC_REG_REDIR(pin) + 1, lapic_id() << 24);
    ioapic_write(io, IOAPIC_REG_REDIR(pin), low);
    pr_debug("apic: ISA IRQ %u -> GSI %u (I/O APIC %u pin %u) -> vector 0x%x\n", irq, gsi, io->id,
             pin, vector);
    return 0;
}
