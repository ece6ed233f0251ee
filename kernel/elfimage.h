/* ELF32 Xen PV guest kernel images: parsing and validation without hardware access. */
#ifndef KERNEL_ELFIMAGE_H
#define KERNEL_ELFIMAGE_H

#include "kernel/types.h"
#include "kernel/xen.h"
#include <xen/elfnote.h>
#include <xen/features.h>

/*
 * ELF32 file format, from the System V ABI (generic part and the i386 supplement).  This is
 * the object file format, not Xen's ABI, so it is spelled out here: the monitor has no libc
 * and <elf.h> is a C library header.  Only the little-endian i386 flavour is accepted, and
 * the monitor and its host unit tests both run on little-endian x86, so file fields are read
 * in native byte order.
 */
typedef uint32_t Elf32_Addr;
typedef uint32_t Elf32_Off;
typedef uint16_t Elf32_Half;
typedef uint32_t Elf32_Word;

#define EI_NIDENT  16
#define EI_CLASS   4
#define EI_DATA    5
#define EI_VERSION 6

#define ELFMAG      "\177ELF"
#define SELFMAG     4
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_386      3

#define PT_LOAD 1
#define PT_NOTE 4

#define SHN_UNDEF  0
#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHT_NOTE   7

typedef struct {
    unsigned char e_ident[EI_NIDENT];
    Elf32_Half e_type;
    Elf32_Half e_machine;
    Elf32_Word e_version;
    Elf32_Addr e_entry;
    Elf32_Off e_phoff;
    Elf32_Off e_shoff;
    Elf32_Word e_flags;
    Elf32_Half e_ehsize;
    Elf32_Half e_phentsize;
    Elf32_Half e_phnum;
    Elf32_Half e_shentsize;
    Elf32_Half e_shnum;
    Elf32_Half e_shstrndx;
} Elf32_Ehdr;

typedef struct {
    Elf32_Word p_type;
    Elf32_Off p_offset;
    Elf32_Addr p_vaddr;
    Elf32_Addr p_paddr;
    Elf32_Word p_filesz;
    Elf32_Word p_memsz;
    Elf32_Word p_flags;
    Elf32_Word p_align;
} Elf32_Phdr;

typedef struct {
    Elf32_Word sh_name;
    Elf32_Word sh_type;
    Elf32_Word sh_flags;
    Elf32_Addr sh_addr;
    Elf32_Off sh_offset;
    Elf32_Word sh_size;
    Elf32_Word sh_link;
    Elf32_Word sh_info;
    Elf32_Word sh_addralign;
    Elf32_Word sh_entsize;
} Elf32_Shdr;

/* A note record; the name follows, then the descriptor, each padded to 4 bytes. */
typedef struct {
    Elf32_Word n_namesz;
    Elf32_Word n_descsz;
    Elf32_Word n_type;
} Elf32_Nhdr;

static_assert(sizeof(Elf32_Ehdr) == 52, "ELF32 file header");
static_assert(sizeof(Elf32_Phdr) == 32, "ELF32 program header");
static_assert(sizeof(Elf32_Shdr) == 40, "ELF32 section header");
static_assert(sizeof(Elf32_Nhdr) == 12, "ELF32 note header");

#define ELFIMAGE_MAX_SEGMENTS 8

/*
 * What the domain builder needs to know about a guest kernel.  Virtual addresses are the
 * guest's; the builder maps [virt_base, ...) 1:1 onto pseudo-physical frames, so the frame
 * of an address a is (a - virt_base) / 4096.
 */
struct guest_image {
    uint32_t virt_base;      /* XEN_ELFNOTE_VIRT_BASE, 0 when absent */
    uint32_t paddr_offset;   /* XEN_ELFNOTE_PADDR_OFFSET; absent: 0 (notes), virt_base (legacy) */
    uint32_t entry;          /* XEN_ELFNOTE_ENTRY, else e_entry */
    uint32_t hypercall_page; /* virtual address of the hypercall page, if has_hypercall_page */
    uint32_t load_start;     /* lowest virtual address a PT_LOAD segment covers */
    uint32_t image_end;      /* end of the highest PT_LOAD segment (exclusive, not rounded) */
    uint32_t symtab_vaddr;   /* where the BSD symbol table blob goes; 0 when there is none */
    uint32_t symtab_size;    /* its size, elfimage_symtab_size(); 0 when there is none */
    uint32_t load_end;       /* end of image and symbol table blob, rounded up to a page */
    bool has_hypercall_page; /* XEN_ELFNOTE_HYPERCALL_PAGE given (legacy: HYPERCALL_PAGE) */
    bool bsd_symtab;         /* XEN_ELFNOTE_BSD_SYMTAB "yes" (legacy: BSD_SYMTAB present) */
    bool pae_bimodal;        /* PAE_MODE mentions "bimodal" */
    bool from_legacy_string; /* the values came from the __xen_guest section string */
    uint32_t features_supported[XENFEAT_NR_SUBMAPS]; /* XENFEAT_* bits, '!' ones included */
    uint32_t features_required[XENFEAT_NR_SUBMAPS];  /* XENFEAT_* bits named with '!' */
    unsigned int features_unknown; /* unknown names in FEATURES (ignored; caller may warn) */
    char guest_os[32], guest_version[32], xen_version[16], loader[16]; /* truncated, NUL-ended */
    unsigned int nr_segments;
    struct {
        uint32_t vaddr;  /* where it is loaded: p_paddr + virt_base - paddr_offset, as Xen does */
        uint32_t memsz;  /* bytes in memory; those past filesz are zeroed */
        uint32_t filesz; /* bytes copied from the file */
        uint32_t offset; /* file offset of those bytes */
    } segments[ELFIMAGE_MAX_SEGMENTS];
    char reason[96]; /* storage for a refusal reason that carries numbers */
};

/*
 * Parses and validates the ELF32 PV kernel image [file, file + size).  Every field of the
 * file is treated as hostile: nothing outside the buffer is read, whatever it says.
 *
 * Xen notes come from PT_NOTE segments, else from SHT_NOTE sections, else from the legacy
 * __xen_guest string.  Refused: anything but a little-endian ELF32 i386 executable; headers,
 * segments or notes outside the file; malformed notes; a kernel that is not PAE; one whose
 * LOADER is not "generic" while its GUEST_OS is not "linux", or whose XEN_VERSION is not
 * "xen-3.0" (as Xen refuses them); a required FEATURES name this parser does not know; more
 * than ELFIMAGE_MAX_SEGMENTS loadable segments, overlapping ones, ones below VIRT_BASE or
 * reaching the monitor's addresses; an entry point or hypercall page outside the kernel.
 * Left to the caller: refusing required features the monitor lacks, warning about
 * features_unknown, and writing the symbol table blob (elfimage_symtab_write()).
 *
 * Returns 0 with *out filled in, or -EINVAL with *why (when why is not NULL) pointing at a
 * human-readable reason, a constant string or out->reason (valid as long as *out is); *out
 * then holds only what was parsed before the refusal.  Pure: no allocation, no output, no
 * global state; safe to call concurrently on different outputs.
 */
int elfimage_parse(const void *file, size_t size, struct guest_image *out, const char **why);

/*
 * BSD_SYMTAB blob, laid out as Xen's PV builder lays it out (the guest finds it right after
 * its image and reads it as a small ELF file).  It starts at the image end rounded up to 4
 * bytes (guest_image.symtab_vaddr); offsets below are from that start; every part is 4-byte
 * aligned and every padding byte is zero:
 *
 *     0    uint32_t size: bytes from the ELF header (offset 4) to the end of the string table
 *     4    Elf32_Ehdr: the kernel's own header, but e_phoff = e_phentsize = e_phnum = 0,
 *          e_shoff = 52 (relative to this header), e_shnum = 3, e_shstrndx = SHN_UNDEF,
 *          e_ehsize = 52, e_shentsize = 40, e_version = EV_CURRENT
 *    56    Elf32_Shdr[0]: all zero (the undefined section)
 *    96    Elf32_Shdr[1]: the kernel's SHT_SYMTAB header, sh_offset = 172 (relative to the
 *          ELF header), sh_link = 2
 *   136    Elf32_Shdr[2]: the string table it links to, sh_offset = 172 + symtab size
 *          rounded up to 4
 *   176    the symbol table contents, zero-padded to 4 bytes
 *     .    the string table contents, zero-padded to 4 bytes
 *
 * Only the first SHT_SYMTAB section whose sh_link names an SHT_STRTAB section counts.
 */

/* Bytes the blob takes, padding included; 0 when the image has no usable symbol table. */
size_t elfimage_symtab_size(const void *file, size_t size);

/*
 * Writes the blob to [dst, dst + elfimage_symtab_size()).  Returns 0, -EINVAL when the
 * image has no usable symbol table, or -ENOSPC when dst_size is too small.
 */
int elfimage_symtab_write(const void *file, size_t size, void *dst, size_t dst_size);

#endif
