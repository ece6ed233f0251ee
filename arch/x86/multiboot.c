/* Copies what a Multiboot 1 or 2 loader handed over into boot_info (boot only). */
#include "arch/x86/paging.h"
#include "kernel/bootinfo.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36D76289u

/* Multiboot 1 information structure (the specification's layout). */
struct __packed mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table;
    uint32_t boot_loader_name, apm_table;
    uint32_t vbe_control_info, vbe_mode_info;
    uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
    uint64_t fb_addr;
    uint32_t fb_pitch, fb_width, fb_height;
    uint8_t fb_bpp, fb_type;
    uint8_t fb_reserved[2];     /* the colour info is 4-byte aligned (offset 112) */
    uint8_t color_info[6];
};
#define MB1_INFO_MEMORY  (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS    (1u << 3)
#define MB1_INFO_MMAP    (1u << 6)
#define MB1_INFO_LOADER  (1u << 9)
#define MB1_INFO_FB      (1u << 12)

struct __packed mb1_module {
    uint32_t start, end, string, reserved;
};

struct __packed mb1_mmap_entry {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
};

/* Multiboot 2 tags. */
struct __packed mb2_tag {
    uint32_t type, size;
};
enum {
    MB2_TAG_END = 0, MB2_TAG_CMDLINE = 1, MB2_TAG_LOADER = 2, MB2_TAG_MODULE = 3,
    MB2_TAG_MMAP = 6, MB2_TAG_FB = 8, MB2_TAG_ACPI_OLD = 14, MB2_TAG_ACPI_NEW = 15,
    MB2_TAG_EFI_MMAP = 17,
};
struct __packed mb2_mmap {
    struct mb2_tag tag;
    uint32_t entry_size, entry_version;
};
struct __packed mb2_fb {
    struct mb2_tag tag;
    uint64_t addr;
    uint32_t pitch, width, height;
    uint8_t bpp, type;
    uint16_t reserved;
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};
struct __packed efi_mem_desc {
    uint32_t type, pad;
    uint64_t phys_start, virt_start, num_pages, attribute;
};

struct boot_info boot_info;

/* Copies a NUL-terminated string from machine memory (below 4 GiB). */
static void copy_string(char *dst, size_t size, paddr_t pa)
{
    const char *s = early_map(pa, size);
    size_t n = strnlen(s, size);
    if (n == size) {
        n = size - 1;
        if (dst == boot_info.cmdline) {
            boot_info.cmdline_truncated = true;
        }
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void add_module(paddr_t start, paddr_t end, paddr_t string)
{
    struct boot_module *m;
    if (boot_info.nr_modules == BOOT_MODULES_MAX) {
        pr_err("boot: more than %d modules; the rest are ignored\n", BOOT_MODULES_MAX);
        return;
    }
    m = &boot_info.modules[boot_info.nr_modules++];
    m->start = start;
    m->end = end;
    if (string) {
        copy_string(m->cmdline, sizeof(m->cmdline), string);
    }
}

static void collect_mb1(paddr_t info_pa)
{
    struct mb1_info mbi;
    memcpy(&mbi, early_map(info_pa, sizeof(mbi)), sizeof(mbi));
    boot_info.info_start = info_pa;
    boot_info.info_end = info_pa + sizeof(mbi);
    if (mbi.flags & MB1_INFO_LOADER) {
        copy_string(boot_info.loader, sizeof(boot_info.loader), mbi.boot_loader_name);
    }
    if (mbi.flags & MB1_INFO_CMDLINE) {
        copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), mbi.cmdline);
    }
    if (mbi.flags & MB1_INFO_MODS) {
        for (uint32_t i = 0; i < mbi.mods_count && i < BOOT_MODULES_MAX; i++) {
            struct mb1_module mod;
            memcpy(&mod, early_map(mbi.mods_addr + i * sizeof(mod), sizeof(mod)), sizeof(mod));
            add_module(mod.start, mod.end, mod.string);
        }
    }
    if (mbi.flags & MB1_INFO_MMAP) {
        for (uint32_t off = 0; off + 4 <= mbi.mmap_length;) {
            struct mb1_mmap_entry e;
            memcpy(&e, early_map(mbi.mmap_addr + off, sizeof(e)), sizeof(e));
            memmap_add(&boot_info.raw_map, e.base, e.base + e.len, e.type);
            off += e.size + 4;
        }
    } else if (mbi.flags & MB1_INFO_MEMORY) {
        memmap_add(&boot_info.raw_map, 0, (uint64_t)mbi.mem_lower << 10, MEM_RAM);
        memmap_add(&boot_info.raw_map, 1u << 20, (1ull << 20) + ((uint64_t)mbi.mem_upper << 10), MEM_RAM);
    }
    if (mbi.flags & MB1_INFO_FB) {
        boot_info.fb = (struct boot_framebuffer){
            .addr = mbi.fb_addr, .pitch = mbi.fb_pitch, .width = mbi.fb_width,
            .height = mbi.fb_height, .bpp = mbi.fb_bpp, .type = mbi.fb_type,
            .red_pos = mbi.color_info[0], .red_size = mbi.color_info[1],
            .green_pos = mbi.color_info[2], .green_size = mbi.color_info[3],
            .blue_pos = mbi.color_info[4], .blue_size = mbi.color_info[5],
        };
    }
}

static void collect_mb2_mmap(const struct mb2_mmap *m)
{
    for (uint32_t off = sizeof(*m); off + 24 <= m->tag.size; off += m->entry_size) {
        const struct mb1_mmap_entry *e = (const void *)((const char *)m + off - 4);
        memmap_add(&boot_info.raw_map, e->base, e->base + e->len, e->type);
        if (m->entry_size < 24) {
            break;
        }
    }
}

static void collect_efi_mmap(const struct mb2_mmap *m)
{
    /* The EFI map is the firmware's own and the more precise: it replaces the E820 one. */
    boot_info.raw_map.nr = 0;
    boot_info.efi_map = true;
    for (uint32_t off = sizeof(*m); off + sizeof(struct efi_mem_desc) <= m->tag.size;
         off += m->entry_size) {
        const struct efi_mem_desc *d = (const void *)((const char *)m + off);
        memmap_add(&boot_info.raw_map, d->phys_start, d->phys_start + (d->num_pages << 12),
                   memmap_efi_type(d->type));
        if (m->entry_size < sizeof(*d)) {
            break;
        }
    }
}

/* Handles one Multiboot 2 tag, already copied into tag (at most 2 MiB... bounded by size). */
static void collect_mb2_tag(const struct mb2_tag *tag, bool *have_efi)
{
    const char *body = (const char *)(tag + 1);
    switch (tag->type) {
    case MB2_TAG_CMDLINE:
        strlcpy(boot_info.cmdline, body, sizeof(boot_info.cmdline));
        boot_info.cmdline_truncated = strnlen(body, tag->size - 8) >= sizeof(boot_info.cmdline);
        break;
    case MB2_TAG_LOADER:
        strlcpy(boot_info.loader, body, sizeof(boot_info.loader));
        break;
    case MB2_TAG_MODULE: {
        const uint32_t *w = (const uint32_t *)body;
        if (boot_info.nr_modules < BOOT_MODULES_MAX) {
            struct boot_module *mod = &boot_info.modules[boot_info.nr_modules++];
            mod->start = w[0];
            mod->end = w[1];
            strlcpy(mod->cmdline, (const char *)(w + 2), sizeof(mod->cmdline));
        }
        break;
    }
    case MB2_TAG_MMAP:
        if (!*have_efi) {
            collect_mb2_mmap((const struct mb2_mmap *)tag);
        }
        break;
    case MB2_TAG_EFI_MMAP:
        collect_efi_mmap((const struct mb2_mmap *)tag);
        *have_efi = true;
        break;
    case MB2_TAG_FB: {
        const struct mb2_fb *f = (const struct mb2_fb *)tag;
        boot_info.fb = (struct boot_framebuffer){
            .addr = f->addr, .pitch = f->pitch, .width = f->width, .height = f->height,
            .bpp = f->bpp, .type = f->type, .red_pos = f->red_pos, .red_size = f->red_size,
            .green_pos = f->green_pos, .green_size = f->green_size,
            .blue_pos = f->blue_pos, .blue_size = f->blue_size,
        };
        break;
    }
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        if (!boot_info.has_rsdp_copy || tag->type == MB2_TAG_ACPI_NEW) {
            memcpy(boot_info.rsdp_copy, body, MIN(sizeof(boot_info.rsdp_copy), tag->size - 8));
            boot_info.has_rsdp_copy = true;
        }
        break;
    default:
        break;
    }
}

static void collect_mb2(paddr_t info_pa)
{
    uint32_t total = *(const uint32_t *)early_map(info_pa, 8);
    bool have_efi = false;
    if (total < 16 || total > (1u << 20)) {
        pr_err("boot: Multiboot 2 information of %u bytes is not believable\n", total);
        return;
    }
    boot_info.info_start = info_pa;
    boot_info.info_end = info_pa + total;
    for (uint32_t off = 8; off + 8 <= total;) {
        const struct mb2_tag *tag = early_map(info_pa + off, 8);
        uint32_t size = tag->size;
        if (tag->type == MB2_TAG_END || size < 8 || off + size > total) {
            break;
        }
        collect_mb2_tag(early_map(info_pa + off, size), &have_efi);
        off += ALIGN_UP(size, 8u);
    }
}

bool bootinfo_collect(uint32_t magic, uint32_t info_pa)
{
    if (magic == MB1_BOOTLOADER_MAGIC) {
        boot_info.multiboot = 1;
        collect_mb1(info_pa);
    } else if (magic == MB2_BOOTLOADER_MAGIC) {
        boot_info.multiboot = 2;
        collect_mb2(info_pa);
    } else {
        return false;
    }
    if (!boot_info.loader[0]) {
        strlcpy(boot_info.loader, "unknown loader", sizeof(boot_info.loader));
    }
    return true;
}
