/* ELF32 Xen PV guest kernel images: header, segment and note parsing, and address checks. */
#include "kernel/elfimage.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "arch/x86/layout.h"

/*
 * Guests own [0, HYPERVISOR_VIRT_START) of the PAE layout.  <xen/xen.h> selects the 32-bit
 * header only when compiling for i386 (host unit tests see the 64-bit one), so the limit is
 * the monitor's own constant, checked against Xen's wherever Xen's is visible.
 */
#define GUEST_VA_END MONITOR_WINDOW_START
#ifdef __HYPERVISOR_VIRT_START_PAE
static_assert(GUEST_VA_END == __HYPERVISOR_VIRT_START_PAE, "guest address space end");
#endif

/* The file under inspection; its header has been copied out and checked. */
struct elf_file {
    const uint8_t *data;
    size_t size;
    Elf32_Ehdr eh;
};

enum pae_mode { PAE_ABSENT, PAE_NO, PAE_YES };

/* State of one elfimage_parse() call. */
struct parser {
    struct elf_file f;
    struct guest_image *out;
    const char *why;
    uint32_t paddr[ELFIMAGE_MAX_SEGMENTS]; /* p_paddr of each kept segment */
    uint32_t num[XEN_ELFNOTE_MAX + 1];     /* numeric notes; legacy HYPERCALL_PAGE: a pfn */
    bool have[XEN_ELFNOTE_MAX + 1];        /* ... and which of them were given */
    bool legacy;                           /* reading the __xen_guest string */
    enum pae_mode pae;
    char pae_value[24];
    unsigned int xen_notes;
};

/* ---------------------------------------------------------------- helpers --- */

static int refuse(struct parser *p, const char *why)
{
    p->why = why;
    return -EINVAL;
}

static int __printf(2, 3) refusef(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->out->reason, sizeof(p->out->reason), fmt, ap);
    va_end(ap);
    return refuse(p, p->out->reason);
}

/* True when [off, off + len) lies inside the file; 64-bit so that nothing wraps. */
static bool in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
    return off <= f->size && len <= f->size - off;
}

static bool read_at(const struct elf_file *f, uint64_t off, void *dst, size_t len)
{
    if (!in_file(f, off, len)) {
        return false;
    }
    memcpy(dst, f->data + off, len);
    return true;
}

/* Reads program header i; false when i is out of range. */
static bool read_phdr(const struct elf_file *f, uint32_t i, Elf32_Phdr *ph)
{
    if (i >= f->eh.e_phnum) {
        return false;
    }
    return read_at(f, f->eh.e_phoff + (uint64_t)i * sizeof(*ph), ph, sizeof(*ph));
}

/* Reads section header i (an untrusted index); false when it is out of range. */
static bool read_shdr(const struct elf_file *f, uint32_t i, Elf32_Shdr *sh)
{
    if (i >= f->eh.e_shnum) {
        return false;
    }
    return read_at(f, f->eh.e_shoff + (uint64_t)i * sizeof(*sh), sh, sizeof(*sh));
}

/* [s, s + len) equals the C string word. */
static bool span_is(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len == n && !memcmp(s, word, n);
}

static bool span_starts(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && !memcmp(s, word, n);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return span_starts(s, strlen(s), prefix);
}

static bool span_contains(const char *s, size_t len, const char *word)
{
    for (size_t i = 0; i < len; i++) {
        if (span_starts(s + i, len - i, word)) {
            return true;
        }
    }
    return false;
}

/*
 * Copies [s, s + len) up to its first NUL into dst, truncated to fit, with bytes that are not
 * printable ASCII replaced by '?': the caller prints these strings.
 */
static void copy_text(char *dst, size_t dst_size, const char *s, size_t len)
{
    size_t i;
    for (i = 0; i + 1 < dst_size && i < len && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = '\0';
}

static unsigned int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return (unsigned int)(c - '0');
    }
    c = (char)(c | 0x20); /* lower case */
    return (c >= 'a' && c <= 'f') ? (unsigned int)(c - 'a' + 10) : 99;
}

/* Parses a decimal or 0x-prefixed hexadecimal number below 4 GiB. */
static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
    unsigned int base = 10;
    uint32_t v = 0;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned int d = digit_value(s[i]);
        if (d >= base || v > (UINT32_MAX - d) / base) {
            return false;
        }
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Calls fn on each sep-separated item of [s, s + len), empty ones included; stops on error. */
static int for_each_item(struct parser *p, const char *s, size_t len, char sep,
                         int (*fn)(struct parser *p, const char *item, size_t len))
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        int rc;
        while (end < len && s[end] != sep) {
            end++;
        }
        rc = fn(p, s + i, end - i);
        if (rc) {
            return rc;
        }
        i = end + 1;
    }
    return 0;
}

/* ------------------------------------------------------------ file layout --- */

static const char *check_ehdr(const Elf32_Ehdr *eh)
{
    /* In order: the first failing check gives the reason. */
    const struct {
        bool bad;
        const char *why;
    } checks[] = {
        { memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0, "not an ELF file" },
        { eh->e_ident[EI_CLASS] != ELFCLASS32, "not 32-bit x86 (not an ELF32 file)" },
        { eh->e_ident[EI_DATA] != ELFDATA2LSB, "not 32-bit x86 (not little-endian)" },
        { eh->e_machine != EM_386, "not 32-bit x86 (e_machine is not EM_386)" },
        { eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT,
          "unknown ELF version" },
        { eh->e_type != ET_EXEC, "not an executable ELF file (e_type is not ET_EXEC)" },
        { eh->e_phnum && eh->e_phentsize != sizeof(Elf32_Phdr),
          "bad e_phentsize (program header size is not 32)" },
        { eh->e_shnum && eh->e_shentsize != sizeof(Elf32_Shdr),
          "bad e_shentsize (section header size is not 40)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
        if (checks[i].bad) {
            return checks[i].why;
        }
    }
    return NULL;
}

/* Reads and checks the file header and the bounds of both header tables. */
static const char *file_open(struct elf_file *f, const void *file, size_t size)
{
    const char *why;
    f->data = file;
    f->size = file ? size : 0;
    if (!read_at(f, 0, &f->eh, sizeof(f->eh))) {
        return "not an ELF file (shorter than an ELF header)";
    }
    why = check_ehdr(&f->eh);
    if (why) {
        return why;
    }
    if (!in_file(f, f->eh.e_phoff, (uint64_t)f->eh.e_phnum * sizeof(Elf32_Phdr))) {
        return "program headers outside the file";
    }
    if (!in_file(f, f->eh.e_shoff, (uint64_t)f->eh.e_shnum * sizeof(Elf32_Shdr))) {
        return "section headers outside the file";
    }
    return NULL;
}

/* Finds the section called name through the section name table. */
static bool find_section(const struct elf_file *f, const char *name, Elf32_Shdr *out)
{
    size_t n = strlen(name) + 1;
    Elf32_Shdr names;
    if (!read_shdr(f, f->eh.e_shstrndx, &names) || !in_file(f, names.sh_offset, names.sh_size)) {
        return false;
    }
    for (uint32_t i = 1; i < f->eh.e_shnum; i++) {
        if (!read_shdr(f, i, out) || (uint64_t)out->sh_name + n > names.sh_size) {
            continue;
        }
        if (!memcmp(f->data + names.sh_offset + out->sh_name, name, n)) {
            return true;
        }
    }
    return false;
}

/* Keeps every PT_LOAD segment with memory, checking it against the file. */
static int collect_segments(struct parser *p)
{
    struct guest_image *o = p->out;
    Elf32_Phdr ph;
    for (uint32_t i = 0; read_phdr(&p->f, i, &ph); i++) {
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz) {
            return refuse(p, "segment has more bytes in the file than in memory");
        }
        if (!in_file(&p->f, ph.p_offset, ph.p_filesz)) {
            return refuse(p, "segment runs past the end of the file");
        }
        if (o->nr_segments == ELFIMAGE_MAX_SEGMENTS) {
            return refuse(p, "too many segments (more than 8 PT_LOAD)");
        }
        p->paddr[o->nr_segments] = ph.p_paddr;
        o->segments[o->nr_segments].memsz = ph.p_memsz;
        o->segments[o->nr_segments].filesz = ph.p_filesz;
        o->segments[o->nr_segments].offset = ph.p_offset;
        o->nr_segments++;
    }
    if (o->nr_segments == 0) {
        return refuse(p, "no loadable segments");
    }
    return 0;
}

/* ---------------------------------------------------------------- features --- */

#define FEATURE(name) { #name, XENFEAT_##name }
static const struct {
    const char *name;
    unsigned int bit;
} feature_names[] = {
    FEATURE(writable_page_tables),      FEATURE(writable_descriptor_tables),
    FEATURE(auto_translated_physmap),   FEATURE(supervisor_mode_kernel),
    FEATURE(pae_pgdir_above_4gb),       FEATURE(mmu_pt_update_preserve_ad),
    FEATURE(highmem_assist),            FEATURE(gnttab_map_avail_bits),
    FEATURE(hvm_callback_vector),       FEATURE(hvm_safe_pvclock),
    FEATURE(hvm_pirqs),                 FEATURE(dom0),
    FEATURE(memory_op_vnode_supported), FEATURE(ARM_SMCCC_supported),
    FEATURE(linux_rsdp_unrestricted),
};
#undef FEATURE

/* One name of a FEATURES string; '!' marks it required.  Unknown names are counted. */
static int add_feature(struct parser *p, const char *name, size_t len)
{
    bool required = len && name[0] == '!';
    char shown[32];
    if (required) {
        name++;
        len--;
    }
    for (size_t i = 0; len && i < ARRAY_SIZE(feature_names); i++) {
        unsigned int bit = feature_names[i].bit;
        if (!span_is(name, len, feature_names[i].name) || bit >= 32 * XENFEAT_NR_SUBMAPS) {
            continue;
        }
        p->out->features_supported[bit / 32] |= 1u << (bit % 32);
        if (required) {
            p->out->features_required[bit / 32] |= 1u << (bit % 32);
        }
        return 0;
    }
    if (len && required) {
        copy_text(shown, sizeof(shown), name, len);
        return refusef(p, "FEATURES requires unknown feature '%s'", shown);
    }
    p->out->features_unknown += len ? 1 : 0;
    return 0;
}

/* "name|!name|..." as in XEN_ELFNOTE_FEATURES. */
static int parse_features(struct parser *p, const char *s, size_t len)
{
    return for_each_item(p, s, len, '|', add_feature);
}

/* ------------------------------------------------------------------- notes --- */

enum note_kind { NOTE_IGNORED, NOTE_NUMBER, NOTE_TEXT, NOTE_PAE, NOTE_FEATURES, NOTE_SYMTAB };

#define TEXT_FIELD(f) offsetof(struct guest_image, f), sizeof(((struct guest_image *)0)->f)

/* The Xen notes that matter here, with their key in the legacy __xen_guest string. */
static const struct {
    const char *legacy_key;
    enum note_kind kind;
    size_t field, field_size; /* NOTE_TEXT: where the text goes in struct guest_image */
} note_info[XEN_ELFNOTE_MAX + 1] = {
    [XEN_ELFNOTE_ENTRY] = { "VIRT_ENTRY", NOTE_NUMBER, 0, 0 },
    [XEN_ELFNOTE_HYPERCALL_PAGE] = { "HYPERCALL_PAGE", NOTE_NUMBER, 0, 0 },
    [XEN_ELFNOTE_VIRT_BASE] = { "VIRT_BASE", NOTE_NUMBER, 0, 0 },
    [XEN_ELFNOTE_PADDR_OFFSET] = { "ELF_PADDR_OFFSET", NOTE_NUMBER, 0, 0 },
    [XEN_ELFNOTE_XEN_VERSION] = { "XEN_VER", NOTE_TEXT, TEXT_FIELD(xen_version) },
    [XEN_ELFNOTE_GUEST_OS] = { "GUEST_OS", NOTE_TEXT, TEXT_FIELD(guest_os) },
    [XEN_ELFNOTE_GUEST_VERSION] = { "GUEST_VER", NOTE_TEXT, TEXT_FIELD(guest_version) },
    [XEN_ELFNOTE_LOADER] = { "LOADER", NOTE_TEXT, TEXT_FIELD(loader) },
    [XEN_ELFNOTE_PAE_MODE] = { "PAE", NOTE_PAE, 0, 0 },
    [XEN_ELFNOTE_FEATURES] = { "FEATURES", NOTE_FEATURES, 0, 0 },
    [XEN_ELFNOTE_BSD_SYMTAB] = { "BSD_SYMTAB", NOTE_SYMTAB, 0, 0 },
};

static enum note_kind note_kind(uint32_t type)
{
    return type < ARRAY_SIZE(note_info) ? note_info[type].kind : NOTE_IGNORED;
}

static void set_number(struct parser *p, uint32_t type, uint32_t v)
{
    p->num[type] = v;
    p->have[type] = true;
}

/* Notes: "yes" or anything with "bimodal"; legacy string: anything starting with "yes". */
static void set_pae(struct parser *p, const char *s, size_t len)
{
    bool bimodal = !p->legacy && span_contains(s, len, "bimodal");
    bool yes = p->legacy ? span_starts(s, len, "yes") : span_is(s, len, "yes");
    p->pae = (yes || bimodal) ? PAE_YES : PAE_NO;
    p->out->pae_bimodal = bimodal;
    copy_text(p->pae_value, sizeof(p->pae_value), s, len);
}

/* A string-valued note (or legacy item) of a kind other than NOTE_NUMBER. */
static int set_string(struct parser *p, uint32_t type, const char *s, size_t len)
{
    switch (note_kind(type)) {
    case NOTE_TEXT:
        copy_text((char *)p->out + note_info[type].field, note_info[type].field_size, s, len);
        return 0;
    case NOTE_PAE:
        set_pae(p, s, len);
        return 0;
    case NOTE_SYMTAB:
        /* The legacy string's key is a flag; the note says "yes" or "no". */
        p->out->bsd_symtab = p->legacy || span_is(s, len, "yes");
        return 0;
    case NOTE_FEATURES:
        return parse_features(p, s, len);
    default:
        return 0;
    }
}

/* A numeric descriptor: 4 or 8 bytes, little-endian, below 4 GiB. */
static int note_number(struct parser *p, uint32_t type, uint64_t desc, uint32_t descsz)
{
    uint64_t wide = 0;
    if (descsz != 4 && descsz != 8) {
        return refuse(p, "numeric Xen note is not 4 or 8 bytes long");
    }
    read_at(&p->f, desc, &wide, descsz);
    if (wide >> 32) {
        return refuse(p, "numeric Xen note value is 4 GiB or more");
    }
    set_number(p, type, (uint32_t)wide);
    return 0;
}

/* One Xen note whose descriptor [desc, desc + descsz) lies inside the file. */
static int handle_note(struct parser *p, uint32_t type, uint64_t desc, uint32_t descsz)
{
    const char *s = (const char *)p->f.data + desc;
    size_t len = 0;
    uint32_t word;
    if (type == XEN_ELFNOTE_SUPPORTED_FEATURES) {
        for (uint32_t i = 0; i < XENFEAT_NR_SUBMAPS && (i + 1) * 4 <= descsz; i++) {
            read_at(&p->f, desc + i * 4, &word, 4);
            p->out->features_supported[i] |= word;
        }
        return 0;
    }
    if (note_kind(type) == NOTE_NUMBER) {
        return note_number(p, type, desc, descsz);
    }
    if (note_kind(type) == NOTE_IGNORED) {
        return 0;
    }
    while (len < descsz && s[len]) {
        len++;
    }
    if (len == descsz) {
        return refuse(p, "string Xen note is not NUL-terminated");
    }
    return set_string(p, type, s, len);
}

/* Walks the note records in [off, off + len); refuses with `outside` if that is not in the file. */
static int parse_note_area(struct parser *p, uint64_t off, uint64_t len, const char *outside)
{
    uint64_t end = off + len;
    Elf32_Nhdr nh;
    if (!in_file(&p->f, off, len)) {
        return refuse(p, outside);
    }
    while (off + sizeof(nh) <= end) {
        uint64_t name = off + sizeof(nh), desc, next;
        read_at(&p->f, off, &nh, sizeof(nh));
        desc = name + ALIGN_UP((uint64_t)nh.n_namesz, 4);
        next = desc + ALIGN_UP((uint64_t)nh.n_descsz, 4);
        if (desc + nh.n_descsz > end) {
            return refuse(p, "note runs past the end of its segment or section");
        }
        if (nh.n_namesz == 4 && !memcmp(p->f.data + name, "Xen", 4)) {
            int rc = handle_note(p, nh.n_type, desc, nh.n_descsz);
            if (rc) {
                return rc;
            }
            p->xen_notes++;
        }
        off = next;
    }
    return 0;
}

/* Notes in PT_NOTE segments; failing those, in SHT_NOTE sections (as Xen does). */
static int parse_notes(struct parser *p)
{
    Elf32_Phdr ph;
    Elf32_Shdr sh;
    int rc = 0;
    for (uint32_t i = 0; !rc && read_phdr(&p->f, i, &ph); i++) {
        /* Some linkers leave p_offset 0 in note segments; such a segment is skipped. */
        if (ph.p_type == PT_NOTE && ph.p_offset != 0) {
            rc = parse_note_area(p, ph.p_offset, ph.p_filesz, "note segment outside the file");
        }
    }
    for (uint32_t i = 1; !rc && p->xen_notes == 0 && read_shdr(&p->f, i, &sh); i++) {
        if (sh.sh_type == SHT_NOTE) {
            rc = parse_note_area(p, sh.sh_offset, sh.sh_size, "note section outside the file");
        }
    }
    return rc;
}

/* ------------------------------------------------------- __xen_guest string --- */

/* One KEY=VALUE item, or a bare KEY; unknown keys are ignored, as Xen does. */
static int legacy_item(struct parser *p, const char *s, size_t len)
{
    size_t klen = 0, vlen;
    uint32_t n;
    while (klen < len && s[klen] != '=') {
        klen++;
    }
    vlen = klen < len ? len - klen - 1 : 0;
    for (uint32_t type = 0; type < ARRAY_SIZE(note_info); type++) {
        if (!note_info[type].legacy_key || !span_is(s, klen, note_info[type].legacy_key)) {
            continue;
        }
        if (note_kind(type) != NOTE_NUMBER) {
            return set_string(p, type, s + len - vlen, vlen);
        }
        if (!parse_u32(s + len - vlen, vlen, &n)) {
            return refuse(p, "bad number in the __xen_guest string");
        }
        set_number(p, type, n);
        return 0;
    }
    return 0;
}

/* The __xen_guest section, read only when there are no Xen notes. */
static int find_legacy(struct parser *p)
{
    Elf32_Shdr sh;
    const char *s;
    size_t len = 0;
    if (p->xen_notes) {
        return 0;
    }
    if (!find_section(&p->f, "__xen_guest", &sh)) {
        return refuse(p, "no Xen notes (no Xen ELF notes and no __xen_guest section)");
    }
    if (!in_file(&p->f, sh.sh_offset, sh.sh_size)) {
        return refuse(p, "__xen_guest section outside the file");
    }
    s = (const char *)p->f.data + sh.sh_offset;
    while (len < sh.sh_size && s[len]) {
        len++;
    }
    /*
     * "GUEST_OS=linux,XEN_VER=xen-3.0,...", up to the first NUL or the end of the section.
     * Its HYPERCALL_PAGE is a page number from VIRT_BASE (see check_entry_points()).
     */
    p->legacy = true;
    p->out->from_legacy_string = true;
    return for_each_item(p, s, len, ',', legacy_item);
}

/* --------------------------------------------------------------- addresses --- */

/* What Xen insists on before it looks at addresses. */
static int check_identity(struct parser *p)
{
    const struct guest_image *o = p->out;
    if (p->pae == PAE_ABSENT) {
        return refuse(p, "no PAE_MODE note: non-PAE kernels cannot run");
    }
    if (p->pae == PAE_NO) {
        return refusef(p, "PAE_MODE is '%s': non-PAE kernels cannot run", p->pae_value);
    }
    if (!has_prefix(o->loader, "generic") && !has_prefix(o->guest_os, "linux")) {
        return refuse(p, "LOADER is not 'generic' and GUEST_OS is not 'linux'");
    }
    if (!has_prefix(o->xen_version, "xen-3.0")) {
        return refuse(p, "XEN_VERSION is not 'xen-3.0'");
    }
    return 0;
}

static bool segments_overlap(const struct guest_image *o)
{
    for (unsigned int i = 0; i < o->nr_segments; i++) {
        for (unsigned int j = i + 1; j < o->nr_segments; j++) {
            uint64_t a = o->segments[i].vaddr, b = o->segments[j].vaddr;
            if (a < b + o->segments[j].memsz && b < a + o->segments[i].memsz) {
                return true;
            }
        }
    }
    return false;
}

/* Segment address = p_paddr + virt_base - paddr_offset (Xen's rule; p_vaddr is not used). */
static int place_segments(struct parser *p)
{
    struct guest_image *o = p->out;
    int64_t shift;
    uint64_t lo = UINT64_MAX, hi = 0;
    o->virt_base = p->num[XEN_ELFNOTE_VIRT_BASE];
    o->paddr_offset = p->num[XEN_ELFNOTE_PADDR_OFFSET];
    if (p->have[XEN_ELFNOTE_PADDR_OFFSET] && !p->have[XEN_ELFNOTE_VIRT_BASE]) {
        return refuse(p, "PADDR_OFFSET given without VIRT_BASE");
    }
    if (!IS_ALIGNED(o->virt_base, PAGE_SIZE)) {
        return refusef(p, "VIRT_BASE 0x%x is not page-aligned", o->virt_base);
    }
    if (!p->have[XEN_ELFNOTE_PADDR_OFFSET]) {
        o->paddr_offset = p->legacy ? o->virt_base : 0;
    }
    shift = (int64_t)o->virt_base - (int64_t)o->paddr_offset;
    for (unsigned int i = 0; i < o->nr_segments; i++) {
        int64_t va = (int64_t)p->paddr[i] + shift;
        if (va < (int64_t)o->virt_base) {
            return refusef(p, "segment (p_paddr 0x%x) lies below VIRT_BASE 0x%x", p->paddr[i],
                           o->virt_base);
        }
        if ((uint64_t)va + o->segments[i].memsz > GUEST_VA_END) {
            return refusef(p, "image reaches into the monitor's addresses (>= 0x%x)", GUEST_VA_END);
        }
        o->segments[i].vaddr = (uint32_t)va;
        lo = MIN(lo, (uint64_t)va);
        hi = MAX(hi, (uint64_t)va + o->segments[i].memsz);
    }
    if (segments_overlap(o)) {
        return refuse(p, "segments overlap");
    }
    o->load_start = (uint32_t)lo;
    o->image_end = (uint32_t)hi;
    return 0;
}

/* Entry point and hypercall page must lie in the loaded kernel (not in its symbol table). */
static int check_entry_points(struct parser *p)
{
    struct guest_image *o = p->out;
    uint64_t hc = p->num[XEN_ELFNOTE_HYPERCALL_PAGE];
    uint64_t kernel_end = ALIGN_UP((uint64_t)o->image_end, PAGE_SIZE);
    o->entry = p->have[XEN_ELFNOTE_ENTRY] ? p->num[XEN_ELFNOTE_ENTRY] : p->f.eh.e_entry;
    o->has_hypercall_page = p->have[XEN_ELFNOTE_HYPERCALL_PAGE];
    if (o->entry < o->load_start || o->entry >= o->image_end) {
        return refusef(p, "entry 0x%x outside the loaded image [0x%x, 0x%x)", o->entry,
                       o->load_start, o->image_end);
    }
    if (!o->has_hypercall_page) {
        return 0;
    }
    if (p->legacy) {
        hc = o->virt_base + (hc << PAGE_SHIFT);
    }
    o->hypercall_page = (uint32_t)hc;
    if (hc < o->load_start || hc + PAGE_SIZE > kernel_end) {
        return refusef(p, "hypercall page 0x%llx outside the image [0x%x, 0x%x)",
                       (unsigned long long)hc, o->load_start, o->image_end);
    }
    if (!IS_ALIGNED(hc, PAGE_SIZE)) {
        return refusef(p, "hypercall page 0x%x is not page-aligned", o->hypercall_page);
    }
    return 0;
}

/* ------------------------------------------------------------ symbol table --- */

/* Offsets inside the BSD_SYMTAB blob (see elfimage.h). */
#define SYMBLOB_EHDR   4u
#define SYMBLOB_SHDRS  (SYMBLOB_EHDR + (uint32_t)sizeof(Elf32_Ehdr))
#define SYMBLOB_TABLES (SYMBLOB_SHDRS + 3u * (uint32_t)sizeof(Elf32_Shdr))
static_assert(SYMBLOB_TABLES == 176, "BSD_SYMTAB header layout");

/* The first symbol table that links to a string table, both inside the file. */
static bool find_symtab(const struct elf_file *f, Elf32_Shdr *sym, Elf32_Shdr *str)
{
    for (uint32_t i = 1; read_shdr(f, i, sym); i++) {
        if (sym->sh_type != SHT_SYMTAB || !in_file(f, sym->sh_offset, sym->sh_size)) {
            continue;
        }
        if (sym->sh_link == SHN_UNDEF || !read_shdr(f, sym->sh_link, str)) {
            continue;
        }
        if (str->sh_type == SHT_STRTAB && in_file(f, str->sh_offset, str->sh_size)) {
            return true;
        }
    }
    return false;
}

static uint64_t symblob_size(const Elf32_Shdr *sym, const Elf32_Shdr *str)
{
    return SYMBLOB_TABLES + ALIGN_UP((uint64_t)sym->sh_size, 4) +
           ALIGN_UP((uint64_t)str->sh_size, 4);
}

size_t elfimage_symtab_size(const void *file, size_t size)
{
    struct elf_file f;
    Elf32_Shdr sym, str;
    uint64_t n;
    if (file_open(&f, file, size) || !find_symtab(&f, &sym, &str)) {
        return 0;
    }
    n = symblob_size(&sym, &str);
    return n > SIZE_MAX ? 0 : (size_t)n;
}

/* The blob's ELF header: the kernel's, describing only the three section headers. */
static void symblob_ehdr(const Elf32_Ehdr *kernel, Elf32_Ehdr *eh)
{
    *eh = *kernel;
    eh->e_version = EV_CURRENT;
    eh->e_phoff = 0;
    eh->e_phentsize = 0;
    eh->e_phnum = 0;
    eh->e_shoff = sizeof(Elf32_Ehdr);
    eh->e_shentsize = sizeof(Elf32_Shdr);
    eh->e_shnum = 3;
    eh->e_shstrndx = SHN_UNDEF;
    eh->e_ehsize = sizeof(Elf32_Ehdr);
}

int elfimage_symtab_write(const void *file, size_t size, void *dst, size_t dst_size)
{
    struct elf_file f;
    Elf32_Shdr sh[3] = { { 0 } };
    Elf32_Ehdr eh;
    uint8_t *d = dst;
    uint32_t sym_at = SYMBLOB_TABLES, str_at, total;
    uint64_t need;
    if (file_open(&f, file, size) || !find_symtab(&f, &sh[1], &sh[2])) {
        return -EINVAL;
    }
    need = symblob_size(&sh[1], &sh[2]);
    if (need > UINT32_MAX) {
        return -EINVAL;
    }
    if (need > dst_size) {
        return -ENOSPC;
    }
    str_at = sym_at + ALIGN_UP(sh[1].sh_size, 4);
    memset(d, 0, (size_t)need);
    memcpy(d + sym_at, f.data + sh[1].sh_offset, sh[1].sh_size);
    memcpy(d + str_at, f.data + sh[2].sh_offset, sh[2].sh_size);
    sh[1].sh_offset = sym_at - SYMBLOB_EHDR;
    sh[1].sh_link = 2;
    sh[2].sh_offset = str_at - SYMBLOB_EHDR;
    symblob_ehdr(&f.eh, &eh);
    memcpy(d + SYMBLOB_EHDR, &eh, sizeof(eh));
    memcpy(d + SYMBLOB_SHDRS, sh, sizeof(sh));
    total = str_at + sh[2].sh_size - SYMBLOB_EHDR;
    memcpy(d, &total, sizeof(total));
    return 0;
}

/* Places the BSD_SYMTAB blob after the image and computes the end of everything loaded. */
static int place_symtab(struct parser *p)
{
    struct guest_image *o = p->out;
    uint64_t end = o->image_end, n = 0;
    if (o->bsd_symtab) {
        n = elfimage_symtab_size(p->f.data, p->f.size);
    }
    if (n) {
        o->symtab_vaddr = (uint32_t)ALIGN_UP(end, 4);
        end = ALIGN_UP(end, 4) + n;
    }
    if (ALIGN_UP(end, PAGE_SIZE) > GUEST_VA_END) {
        return refusef(p, "image reaches into the monitor's addresses (>= 0x%x)", GUEST_VA_END);
    }
    o->symtab_size = (uint32_t)n;
    o->load_end = (uint32_t)ALIGN_UP(end, PAGE_SIZE);
    return 0;
}

/* ------------------------------------------------------------------- parse --- */

static int parse(struct parser *p)
{
    static int (*const steps[])(struct parser *) = {
        collect_segments, parse_notes,        find_legacy,  check_identity,
        place_segments,   check_entry_points, place_symtab,
    };
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        int rc = steps[i](p);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int elfimage_parse(const void *file, size_t size, struct guest_image *out, const char **why)
{
    struct parser p = { .out = out };
    const char *bad;
    int rc;
    memset(out, 0, sizeof(*out));
    bad = file_open(&p.f, file, size);
    rc = bad ? refuse(&p, bad) : parse(&p);
    if (why) {
        *why = rc ? p.why : NULL;
    }
    return rc;
}
