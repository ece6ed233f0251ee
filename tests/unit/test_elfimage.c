/* Unit tests of the guest kernel image parser (kernel/elfimage.c), on images built here. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "kernel/elfimage.h"

/* File layout of the synthetic images. */
#define NOTES_OFF 0x200u /* note records (PT_NOTE segment and/or SHT_NOTE section) */
#define NOTES_MAX 0x600u
#define AUX_OFF   0x800u /* other section contents: __xen_guest, .symtab, .strtab */
#define AUX_MAX   0x600u
#define SHSTR_OFF 0xE00u /* section name table */
#define SHSTR_MAX 0x200u
#define TEXT_OFF  0x1000u
#define TEXT_SIZE 0x2000u
#define DATA_OFF  0x3000u
#define DATA_FILE 0x800u
#define DATA_MEM  0x17F0u /* bss after the file bytes; the image end is not page-aligned */
#define SHDR_OFF  0x3800u
#define MAX_PH    12
#define MAX_SH    10
#define IMG_MAX   (SHDR_OFF + MAX_SH * sizeof(Elf32_Shdr))

/* Addresses: a Linux-style kernel at 0xC0100000 with p_paddr = p_vaddr - VIRT_BASE. */
#define VBASE     0xC0000000u
#define TEXT_VA   0xC0100000u
#define DATA_VA   (TEXT_VA + TEXT_SIZE)
#define HCALL_VA  (TEXT_VA + 0x1000u)
#define IMAGE_END (DATA_VA + DATA_MEM)

#define SYMTAB_LEN 48u /* three Elf32_Sym */
static const char strtab[] = "\0_start\0hypercall_page\0"; /* 24 bytes with the final NUL */
#define STRTAB_LEN 22u                                     /* not a multiple of 4 */

struct layout {
    Elf32_Ehdr eh;
    Elf32_Phdr ph[MAX_PH];
    unsigned int nph;
    Elf32_Shdr sh[MAX_SH];
    unsigned int nsh;
    int note_section; /* index of the SHT_NOTE section over the notes, or -1 */
    uint8_t notes[NOTES_MAX];
    size_t notes_len;
    uint8_t aux[AUX_MAX];
    size_t aux_len;
    char shstr[SHSTR_MAX];
    size_t shstr_len;
};

/* ---------------------------------------------------------------- builder --- */

static void add_phdr(struct layout *l, uint32_t type, uint32_t off, uint32_t va, uint32_t pa,
                     uint32_t filesz, uint32_t memsz)
{
    Elf32_Phdr *ph = &l->ph[l->nph++];
    assert_true(l->nph <= MAX_PH);
    *ph = (Elf32_Phdr){ .p_type = type, .p_offset = off, .p_vaddr = va, .p_paddr = pa,
                        .p_filesz = filesz, .p_memsz = memsz, .p_flags = 7, .p_align = 4096 };
}

/* An empty image: header and the two PT_LOAD segments (text, then data + bss). */
static void lay_init(struct layout *l)
{
    memset(l, 0, sizeof(*l));
    memcpy(l->eh.e_ident, ELFMAG, SELFMAG);
    l->eh.e_ident[EI_CLASS] = ELFCLASS32;
    l->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    l->eh.e_ident[EI_VERSION] = EV_CURRENT;
    l->eh.e_type = ET_EXEC;
    l->eh.e_machine = EM_386;
    l->eh.e_version = EV_CURRENT;
    l->eh.e_entry = TEXT_VA;
    l->eh.e_ehsize = sizeof(Elf32_Ehdr);
    l->note_section = -1;
    add_phdr(l, PT_LOAD, TEXT_OFF, TEXT_VA, TEXT_VA - VBASE, TEXT_SIZE, TEXT_SIZE);
    add_phdr(l, PT_LOAD, DATA_OFF, DATA_VA, DATA_VA - VBASE, DATA_FILE, DATA_MEM);
}

/* Section names: "" at 0, ".shstrtab" at 1, then the others. */
static uint32_t add_name(struct layout *l, const char *name)
{
    uint32_t at;
    if (l->shstr_len == 0) {
        memcpy(l->shstr, "\0.shstrtab", 11);
        l->shstr_len = 11;
    }
    at = (uint32_t)l->shstr_len;
    assert_true(l->shstr_len + strlen(name) + 1 <= SHSTR_MAX);
    memcpy(l->shstr + at, name, strlen(name) + 1);
    l->shstr_len += strlen(name) + 1;
    return at;
}

/* Adds a section whose contents go to the aux area; returns its index. */
static unsigned int add_section(struct layout *l, const char *name, uint32_t type,
                                const void *data, size_t len, uint32_t link)
{
    Elf32_Shdr *sh;
    if (l->nsh == 0) {
        l->nsh = 2; /* [0] undefined, [1] .shstrtab (filled in by finish()) */
    }
    assert_true(l->nsh < MAX_SH && l->aux_len + len <= AUX_MAX);
    sh = &l->sh[l->nsh];
    *sh = (Elf32_Shdr){ .sh_name = add_name(l, name), .sh_type = type, .sh_link = link,
                        .sh_offset = AUX_OFF + (uint32_t)l->aux_len, .sh_size = (uint32_t)len };
    if (len) {
        memcpy(l->aux + l->aux_len, data, len);
    }
    l->aux_len = (l->aux_len + len + 3) & ~(size_t)3;
    return l->nsh++;
}

static void add_note(struct layout *l, const char *name, uint32_t namesz, uint32_t type,
                     const void *desc, uint32_t descsz)
{
    Elf32_Nhdr nh = { namesz, descsz, type };
    size_t at = l->notes_len;
    assert_true(at + 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u) <= NOTES_MAX);
    memcpy(l->notes + at, &nh, sizeof(nh));
    memcpy(l->notes + at + 12, name, namesz);
    at += 12 + ((namesz + 3) & ~3u);
    memcpy(l->notes + at, desc, descsz);
    l->notes_len = at + ((descsz + 3) & ~3u);
}

static void xen_str(struct layout *l, uint32_t type, const char *s)
{
    add_note(l, "Xen", 4, type, s, (uint32_t)strlen(s) + 1);
}

static void xen_u32(struct layout *l, uint32_t type, uint32_t v)
{
    add_note(l, "Xen", 4, type, &v, 4);
}

static void xen_u64(struct layout *l, uint32_t type, uint64_t v)
{
    add_note(l, "Xen", 4, type, &v, 8);
}

/* The notes a Linux PAE kernel carries. */
static void std_notes(struct layout *l)
{
    xen_str(l, XEN_ELFNOTE_GUEST_OS, "linux");
    xen_str(l, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    xen_str(l, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xen_u32(l, XEN_ELFNOTE_VIRT_BASE, VBASE);
    xen_u32(l, XEN_ELFNOTE_PADDR_OFFSET, 0);
    xen_u32(l, XEN_ELFNOTE_ENTRY, TEXT_VA + 0x10);
    xen_u32(l, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_VA);
    xen_str(l, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    xen_str(l, XEN_ELFNOTE_PAE_MODE, "yes");
    xen_str(l, XEN_ELFNOTE_LOADER, "generic");
}

static void note_segment(struct layout *l)
{
    add_phdr(l, PT_NOTE, NOTES_OFF, 0, 0, 0, 0); /* size set by finish() */
}

static void note_section(struct layout *l)
{
    l->note_section = (int)add_section(l, ".note.Xen", SHT_NOTE, NULL, 0, 0);
    l->sh[l->note_section].sh_offset = NOTES_OFF;
}

static void add_symtab(struct layout *l)
{
    uint8_t sym[SYMTAB_LEN];
    unsigned int str;
    for (unsigned int i = 0; i < SYMTAB_LEN; i++) {
        sym[i] = (uint8_t)(0x40 + i);
    }
    str = add_section(l, ".strtab", SHT_STRTAB, strtab, STRTAB_LEN, 0);
    add_section(l, ".symtab", SHT_SYMTAB, sym, SYMTAB_LEN, str);
}

/* Fills in the header's table fields and the sizes that depend on the contents. */
static void finish(struct layout *l)
{
    l->eh.e_phoff = sizeof(Elf32_Ehdr);
    l->eh.e_phentsize = sizeof(Elf32_Phdr);
    l->eh.e_phnum = (Elf32_Half)l->nph;
    for (unsigned int i = 0; i < l->nph; i++) {
        if (l->ph[i].p_type == PT_NOTE && l->ph[i].p_offset == NOTES_OFF) {
            l->ph[i].p_filesz = (uint32_t)l->notes_len;
        }
    }
    if (l->note_section >= 0) {
        l->sh[l->note_section].sh_size = (uint32_t)l->notes_len;
    }
    if (l->nsh) {
        l->sh[1] = (Elf32_Shdr){ .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = SHSTR_OFF,
                                 .sh_size = (uint32_t)l->shstr_len };
        l->eh.e_shoff = SHDR_OFF;
        l->eh.e_shentsize = sizeof(Elf32_Shdr);
        l->eh.e_shnum = (Elf32_Half)l->nsh;
        l->eh.e_shstrndx = 1;
    }
}

/* Writes the file; returns its size. */
static size_t emit(const struct layout *l, uint8_t *buf)
{
    memset(buf, 0, IMG_MAX);
    memcpy(buf, &l->eh, sizeof(l->eh));
    memcpy(buf + sizeof(l->eh), l->ph, l->nph * sizeof(Elf32_Phdr));
    memcpy(buf + NOTES_OFF, l->notes, l->notes_len);
    memcpy(buf + AUX_OFF, l->aux, l->aux_len);
    memcpy(buf + SHSTR_OFF, l->shstr, l->shstr_len);
    memset(buf + TEXT_OFF, 0x90, TEXT_SIZE);
    memset(buf + DATA_OFF, 0x11, DATA_FILE);
    memcpy(buf + SHDR_OFF, l->sh, l->nsh * sizeof(Elf32_Shdr));
    return l->nsh ? SHDR_OFF + l->nsh * sizeof(Elf32_Shdr) : SHDR_OFF;
}

static size_t build(struct layout *l, uint8_t *buf)
{
    finish(l);
    return emit(l, buf);
}

/* The reference image: standard notes in a PT_NOTE segment. */
static size_t std_image(struct layout *l, uint8_t *buf)
{
    lay_init(l);
    std_notes(l);
    note_segment(l);
    return build(l, buf);
}

static struct layout lay;
static uint8_t img[IMG_MAX];
static struct guest_image gi;

/* Starts from the reference notes; the test adds or overrides some, then calls seg_image(). */
static void std_begin(void)
{
    lay_init(&lay);
    std_notes(&lay);
}

/* Puts the notes in a PT_NOTE segment and writes the file to img; returns its size. */
static size_t seg_image(void)
{
    note_segment(&lay);
    return build(&lay, img);
}

static void assert_reason(int rc, const char *why, const char *mentions)
{
    assert_int_equal(rc, -EINVAL);
    if (!why || !strstr(why, mentions)) {
        fail_msg("reason '%s' does not mention '%s'", why ? why : "(none)", mentions);
    }
}

/* Parses img[0, len) and checks it is refused for a reason mentioning `mentions`. */
static void expect_refusal(size_t len, const char *mentions)
{
    const char *why = NULL;
    int rc = elfimage_parse(img, len, &gi, &why);
    assert_reason(rc, why, mentions);
}

static void expect_ok(size_t len)
{
    const char *why = "unset";
    int rc = elfimage_parse(img, len, &gi, &why);
    if (rc) {
        fail_msg("refused: %s", why ? why : "(none)");
    }
    assert_null(why);
}

/* ------------------------------------------------------------ good images --- */

static void check_std_result(void)
{
    assert_int_equal(gi.virt_base, VBASE);
    assert_int_equal(gi.entry, TEXT_VA + 0x10);
    assert_true(gi.has_hypercall_page);
    assert_int_equal(gi.hypercall_page, HCALL_VA);
    assert_int_equal(gi.load_start, TEXT_VA);
    assert_int_equal(gi.image_end, IMAGE_END);
    assert_int_equal(gi.load_end, (IMAGE_END + 0xFFF) & ~0xFFFu);
    assert_int_equal(gi.symtab_vaddr, 0);
    assert_int_equal(gi.symtab_size, 0);
    assert_false(gi.bsd_symtab);
    assert_false(gi.pae_bimodal);
    assert_string_equal(gi.guest_os, "linux");
    assert_string_equal(gi.guest_version, "2.6");
    assert_string_equal(gi.xen_version, "xen-3.0");
    assert_string_equal(gi.loader, "generic");
    assert_int_equal(gi.features_supported[0],
                     (1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_pae_pgdir_above_4gb));
    assert_int_equal(gi.features_required[0], 1u << XENFEAT_writable_page_tables);
    assert_int_equal(gi.features_unknown, 0);
    assert_int_equal(gi.nr_segments, 2);
    assert_int_equal(gi.segments[0].vaddr, TEXT_VA);
    assert_int_equal(gi.segments[0].offset, TEXT_OFF);
    assert_int_equal(gi.segments[0].filesz, TEXT_SIZE);
    assert_int_equal(gi.segments[0].memsz, TEXT_SIZE);
    assert_int_equal(gi.segments[1].vaddr, DATA_VA);
    assert_int_equal(gi.segments[1].offset, DATA_OFF);
    assert_int_equal(gi.segments[1].filesz, DATA_FILE);
    assert_int_equal(gi.segments[1].memsz, DATA_MEM);
}

static void test_good_pt_note(void **state __unused)
{
    expect_ok(std_image(&lay, img));
    check_std_result();
    assert_int_equal(gi.paddr_offset, 0);
    assert_false(gi.from_legacy_string);
}

static void test_good_sht_note_only(void **state __unused)
{
    std_begin();
    note_section(&lay);
    expect_ok(build(&lay, img));
    check_std_result();
}

/* Section notes are only a fallback: with Xen notes in a PT_NOTE they are not read. */
static void test_pt_note_preferred(void **state __unused)
{
    size_t std_len;
    std_begin();
    std_len = lay.notes_len;
    xen_str(&lay, XEN_ELFNOTE_GUEST_OS, "other");
    note_segment(&lay);
    note_section(&lay);
    finish(&lay);
    lay.ph[2].p_filesz = (uint32_t)std_len; /* the segment holds the standard notes */
    lay.sh[lay.note_section].sh_offset = NOTES_OFF + (uint32_t)std_len; /* the section, one more */
    lay.sh[lay.note_section].sh_size = 24;
    expect_ok(emit(&lay, img));
    assert_string_equal(gi.guest_os, "linux");
}

static void test_pt_note_with_zero_offset_skipped(void **state __unused)
{
    std_begin();
    note_section(&lay);
    add_phdr(&lay, PT_NOTE, 0, 0, 0, 64, 0); /* binutils quirk: p_offset 0 */
    expect_ok(build(&lay, img));
    check_std_result();
}

static void test_non_xen_notes_skipped(void **state __unused)
{
    uint32_t id[5] = { 1, 2, 3, 4, 5 };
    lay_init(&lay);
    add_note(&lay, "GNU", 4, XEN_ELFNOTE_PAE_MODE, id, sizeof(id));
    add_note(&lay, "Xenix", 6, XEN_ELFNOTE_PAE_MODE, "no", 3);
    std_notes(&lay);
    expect_ok(seg_image());
    check_std_result();
}

static void test_numeric_notes_8_bytes(void **state __unused)
{
    lay_init(&lay);
    xen_str(&lay, XEN_ELFNOTE_GUEST_OS, "linux");
    xen_str(&lay, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xen_str(&lay, XEN_ELFNOTE_PAE_MODE, "yes");
    xen_u64(&lay, XEN_ELFNOTE_VIRT_BASE, VBASE);
    xen_u64(&lay, XEN_ELFNOTE_PADDR_OFFSET, 0);
    xen_u64(&lay, XEN_ELFNOTE_ENTRY, TEXT_VA + 4);
    xen_u64(&lay, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_VA);
    expect_ok(seg_image());
    assert_int_equal(gi.virt_base, VBASE);
    assert_int_equal(gi.entry, TEXT_VA + 4);
    assert_int_equal(gi.hypercall_page, HCALL_VA);
    assert_int_equal(gi.load_start, TEXT_VA);
}

/* No VIRT_BASE: base 0 and PADDR_OFFSET 0, so the image sits at its p_paddr. */
static void test_no_virt_base(void **state __unused)
{
    lay_init(&lay);
    xen_str(&lay, XEN_ELFNOTE_LOADER, "generic");
    xen_str(&lay, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xen_str(&lay, XEN_ELFNOTE_PAE_MODE, "yes,bimodal");
    note_segment(&lay);
    lay.eh.e_entry = TEXT_VA - VBASE;
    expect_ok(build(&lay, img));
    assert_int_equal(gi.virt_base, 0);
    assert_int_equal(gi.paddr_offset, 0);
    assert_int_equal(gi.load_start, TEXT_VA - VBASE);
    assert_int_equal(gi.entry, TEXT_VA - VBASE);
    assert_false(gi.has_hypercall_page);
    assert_true(gi.pae_bimodal);
}

static void test_features(void **state __unused)
{
    uint32_t words[XENFEAT_NR_SUBMAPS] = { 1u << XENFEAT_dom0 };
    std_begin();
    xen_str(&lay, XEN_ELFNOTE_FEATURES,
            "writable_descriptor_tables|!auto_translated_physmap||frobnicate|hvm_pirqs|x");
    add_note(&lay, "Xen", 4, XEN_ELFNOTE_SUPPORTED_FEATURES, words, sizeof(words));
    expect_ok(seg_image());
    assert_int_equal(gi.features_supported[0],
                     (1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_pae_pgdir_above_4gb) |
                         (1u << XENFEAT_writable_descriptor_tables) |
                         (1u << XENFEAT_auto_translated_physmap) | (1u << XENFEAT_hvm_pirqs) |
                         (1u << XENFEAT_dom0));
    assert_int_equal(gi.features_required[0], (1u << XENFEAT_writable_page_tables) |
                                                  (1u << XENFEAT_auto_translated_physmap));
    assert_int_equal(gi.features_unknown, 2);
}

static void test_unknown_required_feature(void **state __unused)
{
    std_begin();
    xen_str(&lay, XEN_ELFNOTE_FEATURES, "dom0|!frobnicate");
    expect_refusal(seg_image(), "unknown feature 'frobnicate'");
}

static void add_legacy(struct layout *l, const char *s)
{
    add_section(l, "__xen_guest", 1 /* SHT_PROGBITS */, s, strlen(s) + 1, 0);
}

/* Old kernels: p_paddr holds the virtual address, PADDR_OFFSET defaults to VIRT_BASE. */
static void lay_legacy(struct layout *l, const char *s)
{
    lay_init(l);
    l->ph[0].p_paddr = TEXT_VA;
    l->ph[1].p_paddr = DATA_VA;
    add_legacy(l, s);
}

static void test_legacy_string(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,"
                     "HYPERCALL_PAGE=0x101,PAE=yes[extended-cr3],LOADER=generic,"
                     "FEATURES=!writable_page_tables|pae_pgdir_above_4gb,VIRT_ENTRY=0xC0100010,"
                     "UNKNOWN_KEY=1,FLAG");
    expect_ok(build(&lay, img));
    check_std_result();
    assert_true(gi.from_legacy_string);
    assert_int_equal(gi.paddr_offset, VBASE);
}

static void test_legacy_explicit_paddr_offset(void **state __unused)
{
    lay_init(&lay);
    add_legacy(&lay, "HYPERCALL_PAGE=257,VIRT_BASE=3221225472,ELF_PADDR_OFFSET=0,PAE=yes,"
                     "XEN_VER=xen-3.0,GUEST_OS=linux,BSD_SYMTAB");
    lay.eh.e_entry = TEXT_VA + 0x10;
    expect_ok(build(&lay, img));
    assert_int_equal(gi.hypercall_page, HCALL_VA);
    assert_int_equal(gi.paddr_offset, 0);
    assert_int_equal(gi.load_start, TEXT_VA);
    assert_true(gi.bsd_symtab);
    assert_int_equal(gi.symtab_size, 0); /* asked for, but the image has no symbol table */
}

/* ---------------------------------------------------------------- refusals --- */

static void test_refuse_not_elf(void **state __unused)
{
    size_t len = std_image(&lay, img);
    img[1] = 'X';
    expect_refusal(len, "not an ELF file");
    expect_refusal(20, "not an ELF file");
}

static void test_refuse_elf64(void **state __unused)
{
    size_t len = std_image(&lay, img);
    img[EI_CLASS] = 2; /* ELFCLASS64 */
    expect_refusal(len, "not 32-bit x86");
}

static void test_refuse_not_x86(void **state __unused)
{
    std_image(&lay, img);
    lay.eh.e_machine = 62; /* EM_X86_64 */
    expect_refusal(emit(&lay, img), "not 32-bit x86");
}

static void test_refuse_big_endian(void **state __unused)
{
    size_t len = std_image(&lay, img);
    img[EI_DATA] = 2; /* ELFDATA2MSB */
    expect_refusal(len, "little-endian");
}

static void test_refuse_not_executable(void **state __unused)
{
    std_image(&lay, img);
    lay.eh.e_type = 3; /* ET_DYN */
    expect_refusal(emit(&lay, img), "not an executable");
}

static void test_refuse_bad_phentsize(void **state __unused)
{
    std_image(&lay, img);
    lay.eh.e_phentsize = 56;
    expect_refusal(emit(&lay, img), "e_phentsize");
}

static void test_refuse_bad_shentsize(void **state __unused)
{
    std_begin();
    note_section(&lay);
    finish(&lay);
    lay.eh.e_shentsize = 64;
    expect_refusal(emit(&lay, img), "e_shentsize");
}

static void test_refuse_phdrs_outside(void **state __unused)
{
    std_image(&lay, img);
    lay.eh.e_phoff = 0xFFFFFFF0u; /* wraps in 32 bits */
    expect_refusal(emit(&lay, img), "program headers outside the file");
}

static void test_refuse_shdrs_outside(void **state __unused)
{
    std_image(&lay, img);
    lay.eh.e_shoff = SHDR_OFF;
    lay.eh.e_shentsize = sizeof(Elf32_Shdr);
    lay.eh.e_shnum = 0xFFFF;
    expect_refusal(emit(&lay, img), "section headers outside the file");
}

static void test_refuse_segment_past_eof(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[1].p_offset = 0xFFFFF000u;
    expect_refusal(emit(&lay, img), "segment runs past the end of the file");
}

static void test_refuse_filesz_over_memsz(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[1].p_filesz = DATA_MEM + 4;
    expect_refusal(emit(&lay, img), "more bytes in the file than in memory");
}

static void test_refuse_too_many_segments(void **state __unused)
{
    std_begin();
    note_segment(&lay);
    for (uint32_t i = 0; i < 7; i++) {
        uint32_t va = DATA_VA + 0x2000 + i * 0x1000;
        add_phdr(&lay, PT_LOAD, DATA_OFF, va, va - VBASE, 0x100, 0x100);
    }
    expect_refusal(build(&lay, img), "too many segments");
}

static void test_refuse_no_loadable_segments(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[0].p_type = 6; /* PT_PHDR */
    lay.ph[1].p_memsz = 0;
    lay.ph[1].p_filesz = 0;
    expect_refusal(emit(&lay, img), "no loadable segments");
}

static void test_refuse_segments_overlap(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[1].p_paddr -= 0x10;
    expect_refusal(emit(&lay, img), "segments overlap");
}

static void test_refuse_monitor_reach(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[1].p_paddr = 0xF5800000u - VBASE - 0x100;
    expect_refusal(emit(&lay, img), "monitor's addresses (>= 0xf5800000)");
}

/* The page-rounded end, symbol table included, must stay below the monitor too. */
static void test_refuse_monitor_reach_by_symtab(void **state __unused)
{
    std_begin();
    xen_str(&lay, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    note_segment(&lay);
    add_symtab(&lay);
    finish(&lay);
    lay.ph[1].p_paddr = 0xF5800000u - VBASE - DATA_MEM;
    expect_refusal(emit(&lay, img), "monitor's addresses");
}

static void test_refuse_segment_below_virt_base(void **state __unused)
{
    std_begin();
    xen_u32(&lay, XEN_ELFNOTE_PADDR_OFFSET, 0x00200000u);
    expect_refusal(seg_image(), "below VIRT_BASE");
}

static void test_refuse_paddr_offset_without_virt_base(void **state __unused)
{
    lay_init(&lay);
    xen_str(&lay, XEN_ELFNOTE_GUEST_OS, "linux");
    xen_str(&lay, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xen_str(&lay, XEN_ELFNOTE_PAE_MODE, "yes");
    xen_u32(&lay, XEN_ELFNOTE_PADDR_OFFSET, 0);
    expect_refusal(seg_image(), "PADDR_OFFSET given without VIRT_BASE");
}

static void test_refuse_unaligned_virt_base(void **state __unused)
{
    std_begin();
    xen_u32(&lay, XEN_ELFNOTE_VIRT_BASE, VBASE + 0x10);
    expect_refusal(seg_image(), "VIRT_BASE 0xc0000010 is not page-aligned");
}

static void refuse_with_pae(const char *value, const char *mentions)
{
    lay_init(&lay);
    xen_str(&lay, XEN_ELFNOTE_GUEST_OS, "linux");
    xen_str(&lay, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    if (value) {
        xen_str(&lay, XEN_ELFNOTE_PAE_MODE, value);
    }
    expect_refusal(seg_image(), mentions);
}

static void test_refuse_pae_no(void **state __unused)
{
    refuse_with_pae("no", "PAE_MODE is 'no': non-PAE kernels cannot run");
    refuse_with_pae("yesss", "non-PAE");
}

static void test_refuse_pae_absent(void **state __unused)
{
    refuse_with_pae(NULL, "non-PAE");
}

static void test_refuse_legacy_non_pae(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,PAE=no");
    expect_refusal(build(&lay, img), "non-PAE");
}

/* Program headers past e_phnum are not read, even when they look valid. */
static void test_refuse_notes_past_phnum(void **state __unused)
{
    std_image(&lay, img);
    lay.eh.e_phnum--; /* drops the PT_NOTE */
    expect_refusal(emit(&lay, img), "no Xen notes");
}

static void test_refuse_no_xen_notes(void **state __unused)
{
    uint32_t id = 42;
    lay_init(&lay);
    add_note(&lay, "GNU", 4, 3, &id, 4);
    note_segment(&lay);
    add_section(&lay, ".comment", 1, "gcc", 4, 0);
    expect_refusal(build(&lay, img), "no Xen notes");
}

/* A section name that runs past the end of the name table does not count. */
static void test_refuse_legacy_name_outside_strtab(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,PAE=yes");
    finish(&lay);
    expect_ok(emit(&lay, img));
    lay.sh[1].sh_size -= 4; /* cuts "__xen_guest", the last name */
    expect_refusal(emit(&lay, img), "no Xen notes");
}

static void test_refuse_wrong_xen_version(void **state __unused)
{
    lay_init(&lay);
    xen_str(&lay, XEN_ELFNOTE_GUEST_OS, "linux");
    xen_str(&lay, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    xen_str(&lay, XEN_ELFNOTE_PAE_MODE, "yes");
    expect_refusal(seg_image(), "XEN_VERSION");
}

static void test_refuse_wrong_loader(void **state __unused)
{
    lay_init(&lay);
    xen_str(&lay, XEN_ELFNOTE_GUEST_OS, "plan9");
    xen_str(&lay, XEN_ELFNOTE_LOADER, "special");
    xen_str(&lay, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xen_str(&lay, XEN_ELFNOTE_PAE_MODE, "yes");
    expect_refusal(seg_image(), "LOADER");
}

static void test_refuse_entry_outside(void **state __unused)
{
    std_begin();
    xen_u32(&lay, XEN_ELFNOTE_ENTRY, IMAGE_END);
    expect_refusal(seg_image(), "entry 0xc01037f0 outside the loaded image");
}

static void test_refuse_e_entry_outside(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,PAE=yes");
    lay.eh.e_entry = TEXT_VA - 1;
    expect_refusal(build(&lay, img), "entry");
}

static void test_refuse_hypercall_outside(void **state __unused)
{
    std_begin();
    xen_u32(&lay, XEN_ELFNOTE_HYPERCALL_PAGE, TEXT_VA - 0x1000);
    expect_refusal(seg_image(), "hypercall page 0xc00ff000 outside the image");
}

static void test_refuse_legacy_hypercall_outside(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,PAE=yes,"
                     "HYPERCALL_PAGE=0xFFFFFFFF");
    expect_refusal(build(&lay, img), "hypercall page");
}

static void test_refuse_hypercall_after_image(void **state __unused)
{
    std_begin();
    xen_u32(&lay, XEN_ELFNOTE_HYPERCALL_PAGE, (IMAGE_END + 0xFFF) & ~0xFFFu);
    expect_refusal(seg_image(), "outside the image");
}

static void test_refuse_hypercall_unaligned(void **state __unused)
{
    std_begin();
    xen_u32(&lay, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_VA + 8);
    expect_refusal(seg_image(), "not page-aligned");
}

static void test_refuse_numeric_note_size(void **state __unused)
{
    uint16_t v = 1;
    std_begin();
    add_note(&lay, "Xen", 4, XEN_ELFNOTE_ENTRY, &v, 2);
    expect_refusal(seg_image(), "not 4 or 8 bytes");
}

static void test_refuse_numeric_note_above_4g(void **state __unused)
{
    std_begin();
    xen_u64(&lay, XEN_ELFNOTE_VIRT_BASE, 0x1C0000000ull);
    expect_refusal(seg_image(), "4 GiB");
}

static void test_refuse_unterminated_string_note(void **state __unused)
{
    std_begin();
    add_note(&lay, "Xen", 4, XEN_ELFNOTE_GUEST_OS, "linux", 5);
    expect_refusal(seg_image(), "NUL-terminated");
}

static void test_refuse_note_past_segment(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[2].p_filesz -= 2; /* cuts the last descriptor */
    expect_refusal(emit(&lay, img), "note runs past the end");
}

static void test_refuse_note_segment_outside(void **state __unused)
{
    std_image(&lay, img);
    lay.ph[2].p_filesz = 0xFFFFFF00u;
    expect_refusal(emit(&lay, img), "note segment outside the file");
}

static void test_refuse_note_section_outside(void **state __unused)
{
    std_begin();
    note_section(&lay);
    finish(&lay);
    lay.sh[lay.note_section].sh_offset = 0xFFFFFFF0u;
    expect_refusal(emit(&lay, img), "note section outside the file");
}

static void test_refuse_legacy_section_outside(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,PAE=yes");
    finish(&lay);
    lay.sh[2].sh_size = 0x10000; /* __xen_guest */
    expect_refusal(emit(&lay, img), "__xen_guest section outside the file");
}

static void test_refuse_legacy_bad_number(void **state __unused)
{
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,PAE=yes,VIRT_BASE=0xC000000G");
    expect_refusal(build(&lay, img), "bad number");
    lay_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,PAE=yes,VIRT_BASE=0x100000000");
    expect_refusal(build(&lay, img), "bad number");
}

/* ------------------------------------------------------------ symbol table --- */

static size_t symtab_image(uint8_t *buf)
{
    std_begin();
    xen_str(&lay, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    note_segment(&lay);
    add_section(&lay, ".comment", 1, "cc", 3, 0); /* the string table is not section 2 */
    add_symtab(&lay);
    return build(&lay, buf);
}

#define BLOB_SIZE (176u + SYMTAB_LEN + ((STRTAB_LEN + 3) & ~3u))

static void test_symtab_placement(void **state __unused)
{
    expect_ok(symtab_image(img));
    assert_true(gi.bsd_symtab);
    assert_int_equal(gi.image_end, IMAGE_END);
    assert_int_equal(gi.symtab_vaddr, IMAGE_END); /* already 4-byte aligned */
    assert_int_equal(gi.symtab_size, BLOB_SIZE);
    assert_int_equal(gi.load_end, (IMAGE_END + BLOB_SIZE + 0xFFF) & ~0xFFFu);
}

static void test_symtab_not_asked(void **state __unused)
{
    size_t len;
    std_begin();
    xen_str(&lay, XEN_ELFNOTE_BSD_SYMTAB, "no");
    note_segment(&lay);
    add_symtab(&lay);
    len = build(&lay, img);
    expect_ok(len);
    assert_false(gi.bsd_symtab);
    assert_int_equal(gi.symtab_vaddr, 0);
    assert_int_equal(gi.symtab_size, 0);
    assert_int_equal(gi.load_end, (IMAGE_END + 0xFFF) & ~0xFFFu);
    assert_int_equal(elfimage_symtab_size(img, len), BLOB_SIZE);
}

static uint32_t word_at(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void check_blob_headers(const uint8_t *blob)
{
    Elf32_Ehdr eh;
    Elf32_Shdr sh[3], zero;
    memcpy(&eh, blob + 4, sizeof(eh));
    memcpy(sh, blob + 56, sizeof(sh));
    memset(&zero, 0, sizeof(zero));
    assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
    assert_int_equal(eh.e_machine, EM_386);
    assert_int_equal(eh.e_phoff, 0);
    assert_int_equal(eh.e_phnum, 0);
    assert_int_equal(eh.e_phentsize, 0);
    assert_int_equal(eh.e_shoff, 52);
    assert_int_equal(eh.e_shnum, 3);
    assert_int_equal(eh.e_shentsize, 40);
    assert_int_equal(eh.e_shstrndx, SHN_UNDEF);
    assert_memory_equal(&sh[0], &zero, sizeof(zero));
    assert_int_equal(sh[1].sh_type, SHT_SYMTAB);
    assert_int_equal(sh[1].sh_offset, 172);
    assert_int_equal(sh[1].sh_size, SYMTAB_LEN);
    assert_int_equal(sh[1].sh_link, 2);
    assert_int_equal(sh[2].sh_type, SHT_STRTAB);
    assert_int_equal(sh[2].sh_offset, 172 + SYMTAB_LEN);
    assert_int_equal(sh[2].sh_size, STRTAB_LEN);
}

static void test_symtab_write(void **state __unused)
{
    size_t len = symtab_image(img), n;
    uint8_t blob[BLOB_SIZE + 16];
    n = elfimage_symtab_size(img, len);
    assert_int_equal(n, BLOB_SIZE);
    memset(blob, 0xAA, sizeof(blob));
    assert_int_equal(elfimage_symtab_write(img, len, blob, n), 0);
    assert_int_equal(word_at(blob), 172 + SYMTAB_LEN + STRTAB_LEN);
    check_blob_headers(blob);
    for (unsigned int i = 0; i < SYMTAB_LEN; i++) {
        assert_int_equal(blob[176 + i], 0x40 + i);
    }
    assert_memory_equal(blob + 176 + SYMTAB_LEN, strtab, STRTAB_LEN);
    for (unsigned int i = 176 + SYMTAB_LEN + STRTAB_LEN; i < BLOB_SIZE; i++) {
        assert_int_equal(blob[i], 0); /* padding */
    }
    for (unsigned int i = BLOB_SIZE; i < sizeof(blob); i++) {
        assert_int_equal(blob[i], 0xAA); /* nothing written past the blob */
    }
}

static void test_symtab_errors(void **state __unused)
{
    size_t len = symtab_image(img);
    uint8_t blob[BLOB_SIZE];
    memset(blob, 0xAA, sizeof(blob));
    assert_int_equal(elfimage_symtab_write(img, len, blob, BLOB_SIZE - 1), -ENOSPC);
    assert_int_equal(blob[0], 0xAA);
    len = std_image(&lay, img);
    assert_int_equal(elfimage_symtab_size(img, len), 0);
    assert_int_equal(elfimage_symtab_write(img, len, blob, sizeof(blob)), -EINVAL);
    assert_int_equal(elfimage_symtab_size(NULL, 0), 0);
    /* A symbol table whose sh_link is not a string table does not count. */
    symtab_image(img);
    lay.sh[lay.nsh - 1].sh_link = lay.nsh - 1;
    len = emit(&lay, img);
    assert_int_equal(elfimage_symtab_size(img, len), 0);
    /* Nor one that links just past the section table, even to a string table header. */
    lay.sh[lay.nsh - 1].sh_link = lay.nsh;
    len = emit(&lay, img);
    memcpy(img + len, &lay.sh[lay.nsh - 2], sizeof(Elf32_Shdr));
    assert_int_equal(elfimage_symtab_size(img, len + sizeof(Elf32_Shdr)), 0);
}

/* ------------------------------------------------------- hostile images --- */

/* A copy in a buffer of exactly len bytes, so that the sanitizer sees any overread. */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, src, len);
    return p;
}

/* Whatever the input, the results must hold together. */
static void check_consistent(const uint8_t *file, size_t len)
{
    const char *why = NULL;
    int rc = elfimage_parse(file, len, &gi, &why);
    size_t n = elfimage_symtab_size(file, len);
    if (n) {
        uint8_t *blob = malloc(n);
        assert_non_null(blob);
        assert_int_equal(elfimage_symtab_write(file, len, blob, n), 0);
        free(blob);
    }
    if (rc) {
        assert_int_equal(rc, -EINVAL);
        assert_non_null(why);
        return;
    }
    assert_true(gi.entry >= gi.load_start && gi.entry < gi.image_end);
    assert_true(gi.load_end <= 0xF5800000u && gi.image_end <= gi.load_end);
    assert_true(gi.nr_segments >= 1 && gi.nr_segments <= ELFIMAGE_MAX_SEGMENTS);
    for (unsigned int i = 0; i < gi.nr_segments; i++) {
        assert_true((uint64_t)gi.segments[i].offset + gi.segments[i].filesz <= len);
    }
}

static size_t rich_image(uint8_t *buf)
{
    std_begin();
    xen_str(&lay, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    note_segment(&lay);
    note_section(&lay);
    add_symtab(&lay);
    add_legacy(&lay, "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,PAE=yes");
    return build(&lay, buf);
}

static void test_truncated_everywhere(void **state __unused)
{
    size_t (*const images[])(uint8_t *) = { rich_image, symtab_image };
    for (size_t k = 0; k < sizeof(images) / sizeof(images[0]); k++) {
        size_t len = images[k](img);
        for (size_t n = 0; n < len; n++) {
            uint8_t *p = exact_copy(img, n);
            const char *why = NULL;
            assert_int_equal(elfimage_parse(p, n, &gi, &why), -EINVAL);
            assert_non_null(why);
            check_consistent(p, n);
            free(p);
        }
        check_consistent(img, len);
    }
}

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Interesting spots: the headers, the notes and the section table. */
static size_t fuzz_offset(size_t len)
{
    switch (rnd() % 4) {
    case 0:
        return rnd() % (sizeof(Elf32_Ehdr) + 4 * sizeof(Elf32_Phdr));
    case 1:
        return NOTES_OFF + rnd() % 0x180;
    case 2:
        return SHDR_OFF + rnd() % (len - SHDR_OFF);
    default:
        return rnd() % len;
    }
}

static void test_fuzz_corruption(void **state __unused)
{
    static uint8_t base[IMG_MAX];
    size_t len = rich_image(base);
    for (unsigned int iter = 0; iter < 40000; iter++) {
        uint8_t *p = exact_copy(base, len);
        unsigned int flips = 1 + rnd() % 6;
        for (unsigned int i = 0; i < flips; i++) {
            size_t at = fuzz_offset(len);
            p[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(p[at] ^ (1u << (rnd() % 8)));
        }
        check_consistent(p, len);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_pt_note),
        cmocka_unit_test(test_good_sht_note_only),
        cmocka_unit_test(test_pt_note_preferred),
        cmocka_unit_test(test_pt_note_with_zero_offset_skipped),
        cmocka_unit_test(test_non_xen_notes_skipped),
        cmocka_unit_test(test_numeric_notes_8_bytes),
        cmocka_unit_test(test_no_virt_base),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_unknown_required_feature),
        cmocka_unit_test(test_legacy_string),
        cmocka_unit_test(test_legacy_explicit_paddr_offset),
        cmocka_unit_test(test_refuse_not_elf),
        cmocka_unit_test(test_refuse_elf64),
        cmocka_unit_test(test_refuse_not_x86),
        cmocka_unit_test(test_refuse_big_endian),
        cmocka_unit_test(test_refuse_not_executable),
        cmocka_unit_test(test_refuse_bad_phentsize),
        cmocka_unit_test(test_refuse_bad_shentsize),
        cmocka_unit_test(test_refuse_phdrs_outside),
        cmocka_unit_test(test_refuse_shdrs_outside),
        cmocka_unit_test(test_refuse_segment_past_eof),
        cmocka_unit_test(test_refuse_filesz_over_memsz),
        cmocka_unit_test(test_refuse_too_many_segments),
        cmocka_unit_test(test_refuse_no_loadable_segments),
        cmocka_unit_test(test_refuse_segments_overlap),
        cmocka_unit_test(test_refuse_monitor_reach),
        cmocka_unit_test(test_refuse_monitor_reach_by_symtab),
        cmocka_unit_test(test_refuse_segment_below_virt_base),
        cmocka_unit_test(test_refuse_paddr_offset_without_virt_base),
        cmocka_unit_test(test_refuse_unaligned_virt_base),
        cmocka_unit_test(test_refuse_pae_no),
        cmocka_unit_test(test_refuse_pae_absent),
        cmocka_unit_test(test_refuse_legacy_non_pae),
        cmocka_unit_test(test_refuse_notes_past_phnum),
        cmocka_unit_test(test_refuse_no_xen_notes),
        cmocka_unit_test(test_refuse_legacy_name_outside_strtab),
        cmocka_unit_test(test_refuse_wrong_xen_version),
        cmocka_unit_test(test_refuse_wrong_loader),
        cmocka_unit_test(test_refuse_entry_outside),
        cmocka_unit_test(test_refuse_e_entry_outside),
        cmocka_unit_test(test_refuse_hypercall_outside),
        cmocka_unit_test(test_refuse_legacy_hypercall_outside),
        cmocka_unit_test(test_refuse_hypercall_after_image),
        cmocka_unit_test(test_refuse_hypercall_unaligned),
        cmocka_unit_test(test_refuse_numeric_note_size),
        cmocka_unit_test(test_refuse_numeric_note_above_4g),
        cmocka_unit_test(test_refuse_unterminated_string_note),
        cmocka_unit_test(test_refuse_note_past_segment),
        cmocka_unit_test(test_refuse_note_segment_outside),
        cmocka_unit_test(test_refuse_note_section_outside),
        cmocka_unit_test(test_refuse_legacy_section_outside),
        cmocka_unit_test(test_refuse_legacy_bad_number),
        cmocka_unit_test(test_symtab_placement),
        cmocka_unit_test(test_symtab_not_asked),
        cmocka_unit_test(test_symtab_write),
        cmocka_unit_test(test_symtab_errors),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_fuzz_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
