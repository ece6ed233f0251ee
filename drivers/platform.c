/* Platform bring-up order and its one-line summary. */
#include "drivers/platform.h"

#include "arch/x86/apic.h"
#include "arch/x86/pic.h"
#include "drivers/acpi.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

#define SUMMARY_MAX_IDS 16 /* APIC IDs listed before "..." */

struct line {
    char buf[320];
    size_t len;
};

static void __printf(2, 3) line_add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (l->len >= sizeof(l->buf) - 1) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
    va_end(ap);
    l->len = MIN(l->len + (size_t)MAX(n, 0), sizeof(l->buf) - 1);
}

static void summary_cpus(struct line *l)
{
    unsigned int n = platform.nr_cpus;

    line_add(l, "%u CPU%s (APIC ID%s", n, n == 1 ? "" : "s", n == 1 ? "" : "s");
    for (unsigned int i = 0; i < n && i < SUMMARY_MAX_IDS; i++) {
        line_add(l, " %u", platform.cpus[i].apic_id);
    }
    line_add(l, "%s)", n > SUMMARY_MAX_IDS ? " ..." : "");
}

/* Only the I/O APICs that answered ioapic_probe() count. */
static void summary_ioapics(struct line *l)
{
    unsigned int n = 0, pins = 0;

    for (unsigned int i = 0; i < platform.nr_ioapics; i++) {
        if (platform.ioapics[i].pins) {
            n++;
            pins += platform.ioapics[i].pins;
        }
    }
    if (n == 0) {
        line_add(l, ", no I/O APIC");
        return;
    }
    line_add(l, ", %u I/O APIC%s (%u pins) at", n, n == 1 ? "" : "s", pins);
    for (unsigned int i = 0; i < platform.nr_ioapics; i++) {
        if (platform.ioapics[i].pins) {
            line_add(l, " 0x%x", platform.ioapics[i].addr);
        }
    }
}

static void platform_summary(void)
{
    struct line l = {.len = 0};

    if (platform.acpi) {
        line_add(&l, "platform: ACPI rev %u (OEM %s), ", platform.acpi_revision, platform.oem_id);
    } else {
        line_add(&l, "platform: no ACPI, ");
    }
    summary_cpus(&l);
    if (lapic_present()) {
        line_add(&l, ", LAPIC at 0x%llx", platform.lapic_base);
    } else {
        line_add(&l, ", no LAPIC");
    }
    summary_ioapics(&l);
    if (platform.hpet_base) {
        line_add(&l, ", HPET at 0x%llx", platform.hpet_base);
    } else {
        line_add(&l, ", no HPET");
    }
    pr_info("%s\n", l.buf);
}

void platform_init(void)
{
    acpi_init();
    pic_init();
    lapic_init();
    ioapic_init();
    platform_summary();
}
