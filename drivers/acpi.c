/* ACPI discovery: finds the RSDP, walks the RSDT/XSDT and reads the MADT and HPET tables. */
#include "drivers/acpi.h"

#include "arch/x86/apic.h"
#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "kernel/bootinfo.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

/* ---- table layouts, as the ACPI specification defines them ---------------------------- */

struct __packed acpi_rsdp {
    char signature[8]; /* "RSD PTR " */
    uint8_t checksum;  /* over the first 20 bytes */
    char oem_id[6];
    uint8_t revision; /* 0: ACPI 1.0, 2: ACPI 2.0 and later */
    uint32_t rsdt_address;
    /* Revision 2 and up: */
    uint32_t length;
    uint64_t xsdt_address;
    uint8_t extended_checksum; /* over `length` bytes */
    uint8_t reserved[3];
};
#define RSDP_V1_SIZE 20u
static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");

struct __packed acpi_header {
    char signature[4];
    uint32_t length; /* of the whole table, this header included */
    uint8_t revision;
    uint8_t checksum; /* the bytes of the whole table sum to 0 */
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};
static_assert(sizeof(struct acpi_header) == 36, "ACPI table header layout");

struct __packed acpi_madt {
    struct acpi_header h;
    uint32_t lapic_addr;
    uint32_t flags;
    /* followed by variable-length entries, each starting with struct madt_entry */
};
#define MADT_PCAT_COMPAT 0x1u
static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");

struct __packed madt_entry {
    uint8_t type;
    uint8_t length; /* of the entry, these two bytes included */
};

enum madt_type {
    MADT_LAPIC = 0,
    MADT_IOAPIC = 1,
    MADT_OVERRIDE = 2,
    MADT_NMI_SOURCE = 3,
    MADT_LAPIC_NMI = 4,
    MADT_LAPIC_ADDR = 5,
    MADT_X2APIC = 9,
    MADT_X2APIC_NMI = 10,
};

/* Processor local APIC and x2APIC flags. */
#define MADT_CPU_ENABLED        0x1u
#define MADT_CPU_ONLINE_CAPABLE 0x2u

struct __packed madt_lapic {
    struct madt_entry e;
    uint8_t acpi_uid;
    uint8_t apic_id;
    uint32_t flags;
};
struct __packed madt_ioapic {
    struct madt_entry e;
    uint8_t id;
    uint8_t reserved;
    uint32_t addr;
    uint32_t gsi_base;
};
struct __packed madt_override {
    struct madt_entry e;
    uint8_t bus;    /* 0: ISA */
    uint8_t source; /* ISA IRQ */
    uint32_t gsi;
    uint16_t flags;
};
struct __packed madt_nmi_source {
    struct madt_entry e;
    uint16_t flags;
    uint32_t gsi;
};
struct __packed madt_lapic_nmi {
    struct madt_entry e;
    uint8_t acpi_uid; /* 0xFF: every processor */
    uint16_t flags;
    uint8_t lint;
};
struct __packed madt_lapic_addr {
    struct madt_entry e;
    uint16_t reserved;
    uint64_t addr;
};
struct __packed madt_x2apic {
    struct madt_entry e;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;
    uint32_t acpi_uid;
};
struct __packed madt_x2apic_nmi {
    struct madt_entry e;
    uint16_t flags;
    uint32_t acpi_uid; /* 0xFFFFFFFF: every processor */
    uint8_t lint;
    uint8_t reserved[3];
};
static_assert(sizeof(struct madt_lapic) == 8, "MADT type 0 layout");
static_assert(sizeof(struct madt_ioapic) == 12, "MADT type 1 layout");
static_assert(sizeof(struct madt_override) == 10, "MADT type 2 layout");
static_assert(sizeof(struct madt_nmi_source) == 8, "MADT type 3 layout");
static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT type 4 layout");
static_assert(sizeof(struct madt_lapic_addr) == 12, "MADT type 5 layout");
static_assert(sizeof(struct madt_x2apic) == 16, "MADT type 9 layout");
static_assert(sizeof(struct madt_x2apic_nmi) == 12, "MADT type 10 layout");

struct __packed acpi_gas {
    uint8_t space_id; /* 0: system memory */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
};

struct __packed acpi_hpet {
    struct acpi_header h;
    uint32_t event_timer_block_id;
    struct acpi_gas base;
    uint8_t hpet_number;
    uint16_t min_tick;
    uint8_t page_protection;
};
static_assert(sizeof(struct acpi_hpet) == 56, "HPET table layout");

/* ---- state ------------------------------------------------------------------------------ */

struct platform_info platform;

#define FOUR_GIB         0x100000000ull
#define ACPI_TABLE_MAX   (64u * 1024) /* larger MADTs/RSDTs/XSDTs are taken for garbage */
#define BIOS_AREA_START  0xE0000u
#define BIOS_AREA_END    0x100000u
#define BDA_EBDA_SEGMENT 0x40Eu
#define EBDA_SCAN_SIZE   1024u
/*
 * Garbage can point anywhere: at most this much fixmap space goes to ACPI (the BIOS-area
 * search without acpi_early_init() takes 132 KiB of it), and at most this many root
 * entries are looked at.
 */
#define ACPI_MAP_BUDGET  (512u * 1024)
#define ACPI_ROOT_MAX    256u

/*
 * The mappings made so far.  ioremap() mappings are permanent and the fixmap window is
 * small, so a request that an earlier mapping covers reuses it (firmware packs its tables
 * together, so most tables land in pages already mapped for a neighbour).
 */
struct acpi_window {
    paddr_t start, end;
    const uint8_t *va;
};
static struct acpi_window windows[16];
static unsigned int next_window;
static uint32_t mapped_bytes;
static bool map_failed; /* reported once */

/* Where the root table's entries are, and how wide each one is (4: RSDT, 8: XSDT). */
struct acpi_root {
    const char *name;
    const uint8_t *entries;
    unsigned int nr, entry_size;
};

/* ---- mapping and validation ----------------------------------------------------------- */

/* Returns [pa, pa + len) mapped (cacheable) for the monitor's life, or NULL. */
static const void *acpi_map(paddr_t pa, uint32_t len, const char *what)
{
    paddr_t start, end;
    const uint8_t *va;

    if (len == 0 || pa >= FOUR_GIB || len > FOUR_GIB - pa) {
        pr_warn("acpi: %s at 0x%llx (+%u) is not below 4 GiB, skipped\n", what, pa, len);
        return NULL;
    }
    if (pa < PAGE_SIZE) {
        /* ioremap() cannot map machine page 0 (map_page() takes address 0 as "unmap"). */
        pr_debug("acpi: %s is in page 0, which cannot be mapped; skipped\n", what);
        return NULL;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(windows); i++) {
        if (windows[i].va && windows[i].start <= pa && pa + len <= windows[i].end) {
            return windows[i].va + (pa - windows[i].start);
        }
    }
    start = ALIGN_DOWN(pa, PAGE_SIZE);
    end = ALIGN_UP(pa + len, PAGE_SIZE);
    va = NULL;
    if (end - start <= ACPI_MAP_BUDGET - mapped_bytes) {
        va = ioremap(start, (size_t)(end - start), false);
    }
    if (!va) {
        if (!map_failed) {
            pr_warn("acpi: no mapping space left for %s at 0x%llx and after\n", what, pa);
        }
        map_failed = true;
        return NULL;
    }
    mapped_bytes += (uint32_t)(end - start);
    windows[next_window] = (struct acpi_window){start, end, va};
    next_window = (next_window + 1) % ARRAY_SIZE(windows);
    return va + (pa - start);
}

static uint8_t acpi_sum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--) {
        sum += *b++;
    }
    return sum;
}

/*
 * Maps the table at pa whole and checks it: its signature, a length between min_len and
 * ACPI_TABLE_MAX, and its checksum.  Returns it, or NULL after a warning naming it.
 */
static const struct acpi_header *acpi_load(paddr_t pa, const char *sig, uint32_t min_len)
{
    const struct acpi_header *h = acpi_map(pa, sizeof(*h), sig);
    uint32_t len;

    if (!h) {
        return NULL;
    }
    if (memcmp(h->signature, sig, 4) != 0) {
        pr_warn("acpi: %s at 0x%llx has signature \"%.4s\", skipped\n", sig, pa, h->signature);
        return NULL;
    }
    len = h->length;
    if (len < min_len || len > ACPI_TABLE_MAX) {
        pr_warn("acpi: %s at 0x%llx has bad length %u, skipped\n", sig, pa, len);
        return NULL;
    }
    h = acpi_map(pa, len, sig);
    if (!h) {
        return NULL;
    }
    if (acpi_sum(h, len) != 0) {
        pr_warn("acpi: %s at 0x%llx has a bad checksum, skipped\n", sig, pa);
        return NULL;
    }
    pr_debug("acpi: %s at 0x%llx, %u bytes, revision %u\n", sig, pa, len, h->revision);
    return h;
}

/* ---- the RSDP ---------------------------------------------------------------------------- */

/* How the RSDP search reads memory: ioremap() for good, or early_map() before paging_init(). */
typedef const void *(*rsdp_map_fn)(paddr_t pa, uint32_t len, const char *what);

/* What acpi_early_init() found, if it ran. */
static struct acpi_rsdp early_rsdp;
static bool early_rsdp_searched, early_rsdp_found;

static bool rsdp_valid(const struct acpi_rsdp *r)
{
    return memcmp(r->signature, "RSD PTR ", 8) == 0 && acpi_sum(r, RSDP_V1_SIZE) == 0;
}

/* Looks for a valid RSDP on 16-byte boundaries of [start, start + len); copies it out. */
static bool rsdp_scan(rsdp_map_fn map, paddr_t start, uint32_t len, struct acpi_rsdp *out)
{
    const uint8_t *area = map(start, len, "BIOS area");

    if (!area) {
        return false;
    }
    for (uint32_t off = 0; off + RSDP_V1_SIZE <= len; off += 16) {
        if (rsdp_valid((const struct acpi_rsdp *)(area + off))) {
            /* A revision 0 RSDP may end closer to the area's end than 36 bytes. */
            memset(out, 0, sizeof(*out));
            memcpy(out, area + off, MIN(sizeof(*out), (size_t)(len - off)));
            pr_debug("acpi: RSDP at 0x%llx\n", start + off);
            return true;
        }
    }
    return false;
}

/* The EBDA's first KiB, then the BIOS read-only area, as the specification orders them. */
static bool rsdp_scan_bios(rsdp_map_fn map, struct acpi_rsdp *out)
{
    const uint16_t *seg = map(BDA_EBDA_SEGMENT, sizeof(*seg), "BIOS data area");
    paddr_t ebda = seg ? (paddr_t)*seg << 4 : 0;

    /* The EBDA sits just below 640 KiB; anything else is not an EBDA pointer. */
    if (ebda >= 0x80000 && ebda + EBDA_SCAN_SIZE <= 0xA0000 &&
        rsdp_scan(map, ebda, EBDA_SCAN_SIZE, out)) {
        return true;
    }
    return rsdp_scan(map, BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START, out);
}

/* Finds the RSDP: the loader's copy, then the loader's pointer, then the BIOS areas. */
static bool rsdp_find(rsdp_map_fn map, struct acpi_rsdp *out)
{
    if (boot_info.has_rsdp_copy) {
        static_assert(sizeof(boot_info.rsdp_copy) == sizeof(*out), "RSDP copy size");
        memcpy(out, boot_info.rsdp_copy, sizeof(*out));
        if (rsdp_valid(out)) {
            return true;
        }
        pr_warn("acpi: the boot loader's copy of the RSDP is invalid, ignored\n");
    }
    if (boot_info.rsdp) {
        const struct acpi_rsdp *r = map(boot_info.rsdp, sizeof(*r), "RSDP");
        if (r && rsdp_valid(r)) {
            memcpy(out, r, sizeof(*out));
            return true;
        }
        pr_warn("acpi: no valid RSDP at 0x%llx (from the boot loader)\n", boot_info.rsdp);
    }
    return rsdp_scan_bios(map, out);
}

/* early_map() reaches any address, page 0 included, but only until its next call. */
static const void *__boot rsdp_early_map(paddr_t pa, uint32_t len, const char *what)
{
    return early_map(pa, len);
}

void __boot acpi_early_init(void)
{
    early_rsdp_found = rsdp_find(rsdp_early_map, &early_rsdp);
    early_rsdp_searched = true;
}

/*
 * True when the revision 2 part of the RSDP can be trusted.  Only the 36-byte layout is
 * known, and the loader's copy holds no more, so any other length is refused.
 */
static bool rsdp_xsdt_usable(const struct acpi_rsdp *r)
{
    if (r->revision < 2 || r->xsdt_address == 0) {
        return false;
    }
    if (r->length != sizeof(*r) || acpi_sum(r, sizeof(*r)) != 0) {
        pr_warn("acpi: RSDP extended part is invalid (length %u), using the RSDT\n", r->length);
        return false;
    }
    return true;
}

/* ---- the root table ----------------------------------------------------------------------- */

static bool root_load(paddr_t pa, const char *sig, unsigned int entry_size, struct acpi_root *root)
{
    const struct acpi_header *h = acpi_load(pa, sig, sizeof(*h));
    uint32_t body;

    if (!h) {
        return false;
    }
    body = h->length - (uint32_t)sizeof(*h);
    if (body % entry_size) {
        pr_warn("acpi: %s length %u is not a whole number of entries, tail ignored\n", sig,
                h->length);
    }
    *root = (struct acpi_root){sig, (const uint8_t *)(h + 1), body / entry_size, entry_size};
    if (root->nr > ACPI_ROOT_MAX) {
        pr_warn("acpi: %s lists %u tables, only the first %u are read\n", sig, root->nr,
                ACPI_ROOT_MAX);
        root->nr = ACPI_ROOT_MAX;
    }
    return true;
}

static bool root_find(const struct acpi_rsdp *r, struct acpi_root *root)
{
    if (rsdp_xsdt_usable(r)) {
        if (r->xsdt_address < FOUR_GIB && root_load(r->xsdt_address, "XSDT", 8, root)) {
            return true;
        }
        pr_warn("acpi: XSDT at 0x%llx unusable, falling back to the RSDT\n", r->xsdt_address);
    }
    if (r->rsdt_address && root_load(r->rsdt_address, "RSDT", 4, root)) {
        return true;
    }
    pr_warn("acpi: no usable RSDT or XSDT\n");
    return false;
}

static paddr_t root_entry(const struct acpi_root *root, unsigned int i)
{
    uint64_t v64;
    uint32_t v32;

    /* Entries are not naturally aligned in an XSDT: copy them out. */
    if (root->entry_size == 8) {
        memcpy(&v64, root->entries + 8 * i, 8);
        return v64;
    }
    memcpy(&v32, root->entries + 4 * i, 4);
    return v32;
}

/* ---- MADT ------------------------------------------------------------------------------ */

static void cpu_add(uint32_t apic_id, uint32_t acpi_uid)
{
    for (unsigned int i = 0; i < platform.nr_cpus; i++) {
        if (platform.cpus[i].apic_id == apic_id) {
            pr_warn("acpi: APIC: APIC ID %u listed twice, second entry skipped\n", apic_id);
            return;
        }
    }
    if (platform.nr_cpus == ARRAY_SIZE(platform.cpus)) {
        pr_warn("acpi: APIC: more than %u CPUs, APIC ID %u ignored\n", MAX_CPUS, apic_id);
        platform.nr_cpus_unusable++;
        return;
    }
    platform.cpus[platform.nr_cpus++] = (struct platform_cpu){apic_id, acpi_uid};
}

/* Counts one processor entry: usable, hot-pluggable later, or out of the xAPIC's reach. */
static void madt_cpu(uint32_t apic_id, uint32_t acpi_uid, uint32_t flags, bool x2apic)
{
    if (!(flags & MADT_CPU_ENABLED)) {
        if (flags & MADT_CPU_ONLINE_CAPABLE) {
            platform.nr_cpus_hotplug++;
        }
        return;
    }
    if (apic_id >= 0xFF) {
        /* 0xFF is the xAPIC broadcast ID; larger ones need x2APIC mode, which we do not use. */
        pr_warn("acpi: APIC: CPU with %sAPIC ID %u cannot be driven by an xAPIC, ignored\n",
                x2apic ? "x2" : "", apic_id);
        platform.nr_cpus_unusable++;
        return;
    }
    cpu_add(apic_id, acpi_uid);
}

static void madt_ioapic(const struct madt_ioapic *e)
{
    if (platform.nr_ioapics == ARRAY_SIZE(platform.ioapics)) {
        pr_warn("acpi: APIC: more than %u I/O APICs, 0x%x ignored\n", PLATFORM_MAX_IOAPICS,
                e->addr);
        return;
    }
    if (e->addr == 0 || !IS_ALIGNED(e->addr, 16u)) {
        pr_warn("acpi: APIC: I/O APIC %u has a bad address 0x%x, ignored\n", e->id, e->addr);
        return;
    }
    platform.ioapics[platform.nr_ioapics++] =
        (struct platform_ioapic){.id = e->id, .addr = e->addr, .gsi_base = e->gsi_base};
}

static void madt_override(const struct madt_override *e)
{
    if (e->bus != 0 || e->source >= 16) {
        pr_warn("acpi: APIC: override of bus %u IRQ %u is not an ISA IRQ, ignored\n", e->bus,
                e->source);
        return;
    }
    if (platform.nr_overrides == ARRAY_SIZE(platform.overrides)) {
        pr_warn("acpi: APIC: too many interrupt overrides, IRQ %u ignored\n", e->source);
        return;
    }
    platform.overrides[platform.nr_overrides++] =
        (struct platform_override){e->source, e->gsi, e->flags};
}

static void madt_nmi(uint32_t acpi_uid, uint8_t lint, uint16_t flags)
{
    if (lint > 1) {
        pr_warn("acpi: APIC: NMI on LINT%u does not exist, ignored\n", lint);
        return;
    }
    if (platform.nr_nmis == ARRAY_SIZE(platform.nmis)) {
        pr_warn("acpi: APIC: too many local APIC NMI entries, ignored\n");
        return;
    }
    platform.nmis[platform.nr_nmis++] = (struct platform_nmi){acpi_uid, lint, flags};
}

static void madt_nmi_source(const struct madt_nmi_source *e)
{
    if (platform.nr_nmi_sources == ARRAY_SIZE(platform.nmi_sources)) {
        pr_warn("acpi: APIC: too many NMI source entries, GSI %u ignored\n", e->gsi);
        return;
    }
    platform.nmi_sources[platform.nr_nmi_sources++] =
        (struct platform_nmi_source){e->gsi, e->flags};
}

static void madt_lapic_addr(const struct madt_lapic_addr *e)
{
    if (e->addr == 0 || e->addr >= FOUR_GIB || !IS_ALIGNED(e->addr, PAGE_SIZE)) {
        pr_warn("acpi: APIC: local APIC address override 0x%llx unusable, ignored\n", e->addr);
        return;
    }
    platform.lapic_base = e->addr;
}

/* The smallest length of each entry type we read; 0: a type we skip. */
static const uint8_t madt_min_len[] = {
    [MADT_LAPIC] = sizeof(struct madt_lapic),
    [MADT_IOAPIC] = sizeof(struct madt_ioapic),
    [MADT_OVERRIDE] = sizeof(struct madt_override),
    [MADT_NMI_SOURCE] = sizeof(struct madt_nmi_source),
    [MADT_LAPIC_NMI] = sizeof(struct madt_lapic_nmi),
    [MADT_LAPIC_ADDR] = sizeof(struct madt_lapic_addr),
    [MADT_X2APIC] = sizeof(struct madt_x2apic),
    [MADT_X2APIC_NMI] = sizeof(struct madt_x2apic_nmi),
};

/* The processor and NMI entries of both widths, decoded into the common helpers. */
static void madt_cpu_entry(const struct madt_entry *e)
{
    if (e->type == MADT_LAPIC) {
        const struct madt_lapic *l = (const void *)e;
        madt_cpu(l->apic_id, l->acpi_uid, l->flags, false);
    } else {
        const struct madt_x2apic *x = (const void *)e;
        madt_cpu(x->x2apic_id, x->acpi_uid, x->flags, true);
    }
}

static void madt_nmi_entry(const struct madt_entry *e)
{
    if (e->type == MADT_LAPIC_NMI) {
        const struct madt_lapic_nmi *n = (const void *)e;
        madt_nmi(n->acpi_uid == 0xFF ? PLATFORM_NMI_ALL_CPUS : n->acpi_uid, n->lint, n->flags);
    } else {
        const struct madt_x2apic_nmi *n = (const void *)e;
        madt_nmi(n->acpi_uid, n->lint, n->flags);
    }
}

/* Decodes one entry whose length lies inside the table; too-short ones are skipped. */
static void madt_entry(const struct madt_entry *e)
{
    if (e->type >= ARRAY_SIZE(madt_min_len) || madt_min_len[e->type] == 0) {
        return;
    }
    if (e->length < madt_min_len[e->type]) {
        pr_warn("acpi: APIC: type %u entry of %u bytes is too short, skipped\n", e->type,
                e->length);
        return;
    }
    switch (e->type) {
    case MADT_LAPIC:
    case MADT_X2APIC:
        madt_cpu_entry(e);
        break;
    case MADT_LAPIC_NMI:
    case MADT_X2APIC_NMI:
        madt_nmi_entry(e);
        break;
    case MADT_IOAPIC:
        madt_ioapic((const void *)e);
        break;
    case MADT_OVERRIDE:
        madt_override((const void *)e);
        break;
    case MADT_NMI_SOURCE:
        madt_nmi_source((const void *)e);
        break;
    case MADT_LAPIC_ADDR:
        madt_lapic_addr((const void *)e);
        break;
    }
}

/* Reads a checksummed MADT.  Stops at the first entry whose framing cannot be trusted. */
static void madt_parse(const struct acpi_madt *m)
{
    const uint8_t *base = (const uint8_t *)m;
    uint32_t off = sizeof(*m);

    platform.madt = true;
    platform.lapic_base = m->lapic_addr;
    platform.pcat_compat = m->flags & MADT_PCAT_COMPAT;
    while (off < m->h.length) {
        const struct madt_entry *e = (const void *)(base + off);
        uint32_t left = m->h.length - off;
        if (left < sizeof(*e) || e->length < sizeof(*e) || e->length > left) {
            pr_warn("acpi: APIC: entry at offset %u runs past the table's end, rest ignored\n",
                    off);
            break;
        }
        madt_entry(e);
        off += e->length;
    }
}

/* At debug level: the interrupt routing facts, which the summary line leaves out. */
static void madt_debug_print(void)
{
    for (unsigned int i = 0; i < platform.nr_overrides; i++) {
        const struct platform_override *o = &platform.overrides[i];
        pr_debug("acpi: APIC: ISA IRQ %u -> GSI %u, flags 0x%x\n", o->isa_irq, o->gsi, o->flags);
    }
    for (unsigned int i = 0; i < platform.nr_nmis; i++) {
        const struct platform_nmi *n = &platform.nmis[i];
        pr_debug("acpi: APIC: NMI on LINT%u of processor UID 0x%x, flags 0x%x\n", n->lint,
                 n->acpi_uid, n->flags);
    }
    for (unsigned int i = 0; i < platform.nr_nmi_sources; i++) {
        pr_debug("acpi: APIC: NMI source GSI %u, flags 0x%x\n", platform.nmi_sources[i].gsi,
                 platform.nmi_sources[i].flags);
    }
}

/* ---- HPET -------------------------------------------------------------------------------- */

static void hpet_table_parse(const struct acpi_hpet *t)
{
    uint64_t addr = t->base.address;

    if (t->base.space_id != 0) {
        pr_warn("acpi: HPET: registers in address space %u, not memory; ignored\n",
                t->base.space_id);
        return;
    }
    if (addr == 0 || addr >= FOUR_GIB || !IS_ALIGNED(addr, 1024u)) {
        pr_warn("acpi: HPET: register block address 0x%llx unusable, ignored\n", addr);
        return;
    }
    platform.hpet_base = addr;
}

/* ---- walking it all ------------------------------------------------------------------------ */

/* One pass over the root table: the first valid MADT and the first valid HPET table win. */
static void root_walk(const struct acpi_root *root)
{
    for (unsigned int i = 0; i < root->nr; i++) {
        paddr_t pa = root_entry(root, i);
        const struct acpi_header *h;

        if (pa == 0 || pa >= FOUR_GIB) {
            pr_warn("acpi: %s entry %u points to 0x%llx, skipped\n", root->name, i, pa);
            continue;
        }
        h = acpi_map(pa, sizeof(*h), "table header");
        if (!h) {
            continue;
        }
        if (!platform.madt && memcmp(h->signature, "APIC", 4) == 0) {
            h = acpi_load(pa, "APIC", sizeof(struct acpi_madt));
            if (h) {
                madt_parse((const struct acpi_madt *)h);
            }
        } else if (!platform.hpet_base && memcmp(h->signature, "HPET", 4) == 0) {
            h = acpi_load(pa, "HPET", sizeof(struct acpi_hpet));
            if (h) {
                hpet_table_parse((const struct acpi_hpet *)h);
            }
        }
    }
}

static void oem_id_copy(const struct acpi_rsdp *r)
{
    size_t n = sizeof(r->oem_id);

    while (n > 0 && (r->oem_id[n - 1] == ' ' || r->oem_id[n - 1] == '\0')) {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        char c = r->oem_id[i];
        platform.oem_id[i] = (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    platform.oem_id[n] = '\0';
}

/* ---- without a usable MADT ------------------------------------------------------------------ */

#define APIC_BASE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define IOAPIC_DEFAULT_ADDR 0xFEC00000u

static uint32_t boot_cpu_apic_id(void)
{
    return cpuid(1, 0).ebx >> 24;
}

/* One CPU (this one), the local APIC where the MSR says, an I/O APIC if one answers. */
static void platform_fallback(void)
{
    struct platform_ioapic io = {.addr = IOAPIC_DEFAULT_ADDR};

    platform.madt = false;
    platform.pcat_compat = true;
    platform.nr_cpus = 0;
    platform.nr_ioapics = 0;
    platform.nr_overrides = 0;
    platform.nr_nmis = 0;
    platform.nr_nmi_sources = 0;
    cpu_add(boot_cpu_apic_id(), 0);
    platform.lapic_base = 0;
    if (boot_cpu.apic) {
        platform.lapic_base = rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK;
        if (ioapic_probe(&io)) {
            io.id = ioapic_hw_id(&io);
            platform.ioapics[platform.nr_ioapics++] = io;
        }
    }
}

/* A MADT that does not list the CPU we run on is wrong; trust the CPU. */
static void check_boot_cpu(void)
{
    uint32_t me = boot_cpu_apic_id();

    for (unsigned int i = 0; i < platform.nr_cpus; i++) {
        if (platform.cpus[i].apic_id == me) {
            return;
        }
    }
    pr_warn("acpi: APIC: the boot CPU (APIC ID %u) is not listed, added\n", me);
    if (platform.nr_cpus == ARRAY_SIZE(platform.cpus)) {
        platform.nr_cpus--;
    }
    cpu_add(me, 0);
}

/* acpi_early_init()'s result, or a search now (which maps the BIOS areas for good). */
static bool rsdp_get(struct acpi_rsdp *out)
{
    if (early_rsdp_searched) {
        *out = early_rsdp;
        return early_rsdp_found;
    }
    return rsdp_find(acpi_map, out);
}

void acpi_init(void)
{
    struct acpi_rsdp rsdp;
    struct acpi_root root;

    if (!rsdp_get(&rsdp)) {
        pr_warn("no ACPI: assuming one CPU\n");
        platform_fallback();
        return;
    }
    platform.acpi = true;
    platform.acpi_revision = rsdp.revision;
    oem_id_copy(&rsdp);
    if (root_find(&rsdp, &root)) {
        root_walk(&root);
    }
    if (!platform.madt) {
        pr_warn("acpi: no usable MADT: assuming one CPU\n");
        platform_fallback();
        return;
    }
    check_boot_cpu();
    madt_debug_print();
    if (platform.nr_cpus_hotplug) {
        pr_info("acpi: %u more CPU%s can be hot-plugged (not used)\n", platform.nr_cpus_hotplug,
                platform.nr_cpus_hotplug == 1 ? "" : "s");
    }
}
