/*
 * Decoding and executing the guest instructions that write page-table entries
 * (VMASST_TYPE_writable_pagetables).  Pure instruction semantics: the page-table side (which
 * frame, validation, the write itself) is kernel/ptwr_fault.c's.
 */
#ifndef ARCH_X86_PTWR_H
#define ARCH_X86_PTWR_H

#include "arch/x86/traps.h"
#include "kernel/types.h"

/* What the instruction does to its memory operand. */
enum ptwr_op {
    PTWR_MOV,
    PTWR_XCHG,
    PTWR_CMPXCHG,
    PTWR_CMPXCHG8B,
    PTWR_OR,
    PTWR_AND,
    PTWR_XOR,
    PTWR_BTS,
    PTWR_BTR,
    PTWR_BTC,
};

/* Segment registers in the encoding's order (the override prefixes name them so). */
enum ptwr_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

struct ptwr_insn {
    enum ptwr_op op;
    unsigned int len;   /* instruction length in bytes: EIP advances by it */
    unsigned int size;  /* bytes the instruction writes: 1, 2, 4 or 8 */
    uint32_t addr;      /* linear address of the write (flat segments: base 0) */
    bool imm_src;       /* source is imm (or a bit number for BTx), else register reg */
    unsigned int reg;   /* ModRM reg field: the source register */
    uint32_t imm;       /* immediate, sign-extended to size; bit number for BTx */
    enum ptwr_seg seg;  /* segment of the memory operand */
};

/* True when selector sel names a flat segment (base 0) of the faulting guest. */
typedef bool (*ptwr_flat_fn)(uint16_t sel);

/*
 * Decodes the instruction at r->eip (CS must be flat), reading its bytes one at a time with
 * copy_from_guest.  Returns 0 with *insn filled; -EFAULT when a byte cannot be read (or lies
 * in the monitor's area); -EINVAL for anything not emulated: another instruction, a register
 * operand, 16-bit addressing, rep prefixes, a non-flat segment, more than 15 bytes.
 */
int ptwr_decode(const struct cpu_regs *r, ptwr_flat_fn flat, struct ptwr_insn *insn);

/*
 * Runs insn against the 8-byte entry that holds its write (insn->addr must be naturally
 * aligned for insn->size).  old is the entry's current value.  Updates *r as the CPU would
 * (registers, arithmetic flags, EIP past the instruction) and returns true with *new_entry
 * set when the entry is to be written; false when it stays (a compare that failed).
 */
bool ptwr_execute(const struct ptwr_insn *insn, struct cpu_regs *r, uint64_t old,
                  uint64_t *new_entry);

struct vcpu;

/*
 * The page fault at cr2 that interrupted v (frame r), when it is a write the assist
 * emulates (kernel/ptwr_fault.c): the entry is written, *r moves past the instruction and
 * true is returned.  False leaves everything as it was, for the fault to be bounced.
 */
bool ptwr_page_fault(struct vcpu *v, struct cpu_regs *r, uint32_t cr2);

#endif
