/* Machine memory maps: collection, normalization and queries (pure logic). */
#include "mm/memmap.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

int memmap_add(struct memmap *m, uint64_t start, uint64_t end, uint32_t type)
{
    if (end <= start) {
        return 0;
    }
    if (m->nr == MEMMAP_MAX) {
        return -ENOSPC;
    }
    m->r[m->nr++] = (struct mem_range){ start, end, type };
    return 0;
}

/* Higher wins where ranges overlap. */
static unsigned int type_rank(uint32_t type)
{
    switch (type) {
    case MEM_RAM: return 0;
    case MEM_ACPI: return 1;
    case MEM_NVS: return 2;
    case MEM_UNUSABLE: return 4;
    default: return 3;
    }
}

static uint32_t known_type(uint32_t type)
{
    return (type >= MEM_RAM && type <= MEM_UNUSABLE) ? type : MEM_RESERVED;
}

/* The type covering address a in in (0 when none), by the overlap rule. */
static uint32_t type_at(const struct memmap *in, uint64_t a)
{
    uint32_t best = 0;
    for (unsigned int i = 0; i < in->nr; i++) {
        uint32_t t = known_type(in->r[i].type);
        if (in->r[i].start <= a && a < in->r[i].end && (!best || type_rank(t) > type_rank(best))) {
            best = t;
        }
    }
    return best;
}

static void sort_u64(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned int j = i;
        for (; j > 0 && v[j - 1] > x; j--) {
            v[j] = v[j - 1];
        }
        v[j] = x;
    }
}

static void append_merged(struct memmap *out, uint64_t start, uint64_t end, uint32_t type)
{
    struct mem_range *last = out->nr ? &out->r[out->nr - 1] : NULL;
    if (last && last->type == type && last->end == start) {
        last->end = end;
        return;
    }
    memmap_add(out, start, end, type);
}

/* Shrinks RAM ranges to whole pages (after merging, so split pages are not lost). */
static void round_ram(struct memmap *m)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < m->nr; i++) {
        struct mem_range r = m->r[i];
        if (r.type == MEM_RAM) {
            if (r.start > UINT64_MAX - (PAGE_SIZE - 1)) {
                continue;
            }
            r.start = ALIGN_UP(r.start, (uint64_t)PAGE_SIZE);
            r.end = ALIGN_DOWN(r.end, (uint64_t)PAGE_SIZE);
            if (r.end <= r.start) {
                continue;
            }
        }
        m->r[n++] = r;
    }
    m->nr = n;
}

void memmap_normalize(const struct memmap *in, struct memmap *out)
{
    /* Every range boundary splits the address space into pieces of one type each. */
    static uint64_t cuts[2 * MEMMAP_MAX];
    unsigned int n = 0;
    for (unsigned int i = 0; i < in->nr; i++) {
        if (in->r[i].end > in->r[i].start) {
            cuts[n++] = in->r[i].start;
            cuts[n++] = in->r[i].end;
        }
    }
    sort_u64(cuts, n);
    out->nr = 0;
    for (unsigned int i = 0; i + 1 < n; i++) {
        uint32_t t;
        if (cuts[i] == cuts[i + 1]) {
            continue;
        }
        t = type_at(in, cuts[i]);
        if (t) {
            append_merged(out, cuts[i], cuts[i + 1], t);
        }
    }
    round_ram(out);
}

int memmap_set(struct memmap *m, uint64_t start, uint64_t end, uint32_t type)
{
    static struct memmap tmp;
    unsigned int n = 0;
    if (end <= start) {
        return 0;
    }
    /* Rebuild: the pieces of each range outside [start, end), then the new range. */
    tmp.nr = 0;
    for (unsigned int i = 0; i < m->nr; i++) {
        const struct mem_range *r = &m->r[i];
        if (r->end <= start || r->start >= end) {
            n += memmap_add(&tmp, r->start, r->end, r->type) ? 1 : 0;
            continue;
        }
        n += memmap_add(&tmp, r->start, start, r->type) ? 1 : 0;
        n += memmap_add(&tmp, end, r->end, r->type) ? 1 : 0;
    }
    n += memmap_add(&tmp, start, end, type) ? 1 : 0;
    if (n) {
        return -ENOSPC;
    }
    /* tmp holds disjoint ranges: normalizing them never makes more. */
    memmap_normalize(&tmp, m);
    return 0;
}

uint64_t memmap_total(const struct memmap *m, uint32_t type)
{
    uint64_t total = 0;
    for (unsigned int i = 0; i < m->nr; i++) {
        if (m->r[i].type == type) {
            total += m->r[i].end - m->r[i].start;
        }
    }
    return total;
}

uint64_t memmap_ram_end(const struct memmap *m)
{
    uint64_t end = 0;
    for (unsigned int i = 0; i < m->nr; i++) {
        if (m->r[i].type == MEM_RAM && m->r[i].end > end) {
            end = m->r[i].end;
        }
    }
    return end;
}

uint32_t memmap_efi_type(uint32_t efi_type)
{
    switch (efi_type) {
    case 1:  /* loader code */
    case 2:  /* loader data */
    case 3:  /* boot services code */
    case 4:  /* boot services data */
    case 7:  /* conventional */
        return MEM_RAM;
    case 8:  /* unusable */
        return MEM_UNUSABLE;
    case 9:  /* ACPI reclaim */
        return MEM_ACPI;
    case 10: /* ACPI NVS */
        return MEM_NVS;
    default: /* reserved, runtime services, MMIO, PAL code, persistent... */
        return MEM_RESERVED;
    }
}

const char *memmap_type_name(uint32_t type)
{
    switch (type) {
    case MEM_RAM: return "RAM";
    case MEM_ACPI: return "ACPI data";
    case MEM_NVS: return "ACPI NVS";
    case MEM_UNUSABLE: return "unusable";
    default: return "reserved";
    }
}
