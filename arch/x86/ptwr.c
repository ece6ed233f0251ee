/*
 * Decoder and executor of the guest instructions that write page-table entries: the
 * instruction half of the writable-pagetables assist (kernel/ptwr_fault.c is the other).
 *
 * Only the forms PAE guests use on their L1 entries are known, each with a memory
 * destination: mov (88, 89, C6 /0, C7 /0), xchg (86, 87), cmpxchg (0F B0, 0F B1),
 * cmpxchg8b (0F C7 /1), or/and/xor with a register or an immediate (08, 09, 20, 21, 30,
 * 31, 80/81/83 /1 /4 /6) and bts/btr/btc (0F AB, 0F B3, 0F BB, 0F BA /5 /6 /7).  Linux's
 * PAE helpers write an entry as two 32-bit movs, clear it with movs of zero or an xchg of
 * its low half, replace it atomically with a cmpxchg8b loop and change single flags with
 * locked bit operations or byte-wide and/or; Xen emulates any instruction, these are the
 * ones that matter.  Prefixes: lock, operand size, segment overrides (flat segments only).
 */
#include "arch/x86/ptwr.h"
#include "kernel/errno.h"
#include "mm/guest_copy.h"

#define INSN_MAX_LEN 15 /* the architecture's limit, prefixes included */

#define FL_CF    (1u << 0)
#define FL_PF    (1u << 2)
#define FL_AF    (1u << 4)
#define FL_ZF    (1u << 6)
#define FL_SF    (1u << 7)
#define FL_OF    (1u << 11)
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* ------------------------------------------------------------- registers ---------- */

/* General register n in the ModRM order: EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI. */
static uint32_t *gpr_ptr(struct cpu_regs *r, unsigned int n)
{
    uint32_t *const regs[8] = { &r->eax, &r->ecx, &r->edx, &r->ebx,
                                &r->esp, &r->ebp, &r->esi, &r->edi };
    return regs[n & 7];
}

static uint32_t gpr_get(const struct cpu_regs *r, unsigned int n)
{
    const uint32_t vals[8] = { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi };
    return vals[n & 7];
}

static uint64_t size_mask(unsigned int size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Register n as an operand of size bytes; for bytes n 4-7 are AH, CH, DH, BH. */
static uint32_t reg_read(const struct cpu_regs *r, unsigned int n, unsigned int size)
{
    if (size == 1) {
        return (gpr_get(r, n & 3) >> ((n & 4) ? 8 : 0)) & 0xFF;
    }
    return gpr_get(r, n) & (uint32_t)size_mask(size);
}

/* Writes the low size bytes of register n (a byte register for size 1), keeping the rest. */
static void reg_write(struct cpu_regs *r, unsigned int n, unsigned int size, uint32_t val)
{
    unsigned int shift = (size == 1 && (n & 4)) ? 8 : 0;
    uint32_t m = (uint32_t)size_mask(size) << shift;
    uint32_t *g = gpr_ptr(r, size == 1 ? n & 3 : n);
    *g = (*g & ~m) | ((val << shift) & m);
}

/* ------------------------------------------------------------- fetching ----------- */

/* The instruction's bytes, read one at a time so that a short one near a hole still works. */
struct fetch {
    uint32_t eip;
    unsigned int len;
};

static int fetch_u8(struct fetch *f, uint8_t *b)
{
    if (f->len >= INSN_MAX_LEN) {
        return -EINVAL;
    }
    if (copy_from_guest(b, f->eip + f->len, 1)) {
        return -EFAULT; /* unmapped, or reaching the monitor's area */
    }
    f->len++;
    return 0;
}

/* n (1, 2 or 4) little-endian bytes; with sx, a single byte is sign-extended. */
static int fetch_imm(struct fetch *f, unsigned int n, bool sx, uint32_t *val)
{
    uint8_t b = 0;
    *val = 0;
    for (unsigned int i = 0; i < n; i++) {
        int rc = fetch_u8(f, &b);
        if (rc) {
            return rc;
        }
        *val |= (uint32_t)b << (8 * i);
    }
    if (sx && n == 1) {
        *val = (uint32_t)(int32_t)(int8_t)b;
    }
    return 0;
}

/* ------------------------------------------------------------- prefixes, ModRM ----- */

struct prefixes {
    bool opsize;
    int seg; /* an override's segment, or -1 */
};

/* Skips prefixes; *op is the first byte that is not one.  Address size and rep: refused. */
static int decode_prefixes(struct fetch *f, struct prefixes *p, uint8_t *op)
{
    p->opsize = false;
    p->seg = -1;
    for (;;) {
        int rc = fetch_u8(f, op);
        if (rc) {
            return rc;
        }
        switch (*op) {
        case 0xF0: /* lock: every emulated write is atomic under the domain's mm lock */
            break;
        case 0x66:
            p->opsize = true;
            break;
        case 0x26: /* ES */
        case 0x2E: /* CS */
        case 0x36: /* SS */
        case 0x3E: /* DS */
            p->seg = (*op >> 3) & 3;
            break;
        case 0x64: /* FS */
        case 0x65: /* GS */
            p->seg = SEG_FS + (*op - 0x64);
            break;
        case 0x67: /* 16-bit addressing: no PAE guest writes its tables that way */
        case 0xF2:
        case 0xF3:
            return -EINVAL;
        default:
            return 0;
        }
    }
}

struct modrm {
    unsigned int reg; /* the reg field: a register or an opcode extension */
    uint32_t ea;      /* effective address (offset in the segment) */
    enum ptwr_seg seg; /* SS for an ESP or EBP base, else DS */
};

/* The SIB byte's scaled index; *base gets its base register. */
static int decode_sib(struct fetch *f, const struct cpu_regs *r, uint32_t *ea, unsigned int *base)
{
    uint8_t sib;
    unsigned int index;
    int rc = fetch_u8(f, &sib);
    if (rc) {
        return rc;
    }
    index = (sib >> 3) & 7;
    *ea = index == 4 ? 0 : gpr_get(r, index) << (sib >> 6); /* index 4: none */
    *base = sib & 7;
    return 0;
}

/*
 * A ModRM byte with 32-bit addressing and a memory operand (mod 3, a register, is
 * refused: such an instruction cannot have written the page table).
 */
static int decode_modrm(struct fetch *f, const struct cpu_regs *r, struct modrm *m)
{
    uint8_t b;
    unsigned int mod, base;
    uint32_t disp = 0;
    bool has_base = true;
    int rc = fetch_u8(f, &b);
    if (rc) {
        return rc;
    }
    mod = b >> 6;
    m->reg = (b >> 3) & 7;
    base = b & 7;
    m->ea = 0;
    if (mod == 3) {
        return -EINVAL;
    }
    if (base == 4 && (rc = decode_sib(f, r, &m->ea, &base))) {
        return rc;
    }
    if (base == 5 && mod == 0) {
        has_base = false; /* disp32 alone (or after a SIB index) */
        rc = fetch_imm(f, 4, false, &disp);
    } else if (mod != 0) {
        rc = fetch_imm(f, mod == 1 ? 1 : 4, true, &disp);
    }
    if (rc) {
        return rc;
    }
    if (has_base) {
        m->ea += gpr_get(r, base);
    }
    m->ea += disp;
    m->seg = (has_base && (base == 4 || base == 5)) ? SEG_SS : SEG_DS;
    return 0;
}

/* ------------------------------------------------------------- opcodes ------------ */

enum src { SRC_REG, SRC_IMM8, SRC_IMM8SX, SRC_IMMZ, SRC_NONE };

/* One known form: opcode (0x0Fxx for two bytes), the reg field it needs (-1: a register). */
struct form {
    uint16_t opcode;
    int8_t digit;
    uint8_t op;   /* enum ptwr_op */
    uint8_t src;  /* enum src */
    bool byte;    /* a byte operand (operand size ignored) */
};

static const struct form forms[] = {
    { 0x88, -1, PTWR_MOV, SRC_REG, true },      { 0x89, -1, PTWR_MOV, SRC_REG, false },
    { 0xC6, 0, PTWR_MOV, SRC_IMM8, true },      { 0xC7, 0, PTWR_MOV, SRC_IMMZ, false },
    { 0x86, -1, PTWR_XCHG, SRC_REG, true },     { 0x87, -1, PTWR_XCHG, SRC_REG, false },
    { 0x08, -1, PTWR_OR, SRC_REG, true },       { 0x09, -1, PTWR_OR, SRC_REG, false },
    { 0x20, -1, PTWR_AND, SRC_REG, true },      { 0x21, -1, PTWR_AND, SRC_REG, false },
    { 0x30, -1, PTWR_XOR, SRC_REG, true },      { 0x31, -1, PTWR_XOR, SRC_REG, false },
    { 0x80, 1, PTWR_OR, SRC_IMM8, true },       { 0x80, 4, PTWR_AND, SRC_IMM8, true },
    { 0x80, 6, PTWR_XOR, SRC_IMM8, true },      { 0x81, 1, PTWR_OR, SRC_IMMZ, false },
    { 0x81, 4, PTWR_AND, SRC_IMMZ, false },     { 0x81, 6, PTWR_XOR, SRC_IMMZ, false },
    { 0x83, 1, PTWR_OR, SRC_IMM8SX, false },    { 0x83, 4, PTWR_AND, SRC_IMM8SX, false },
    { 0x83, 6, PTWR_XOR, SRC_IMM8SX, false },   { 0x0FB0, -1, PTWR_CMPXCHG, SRC_REG, true },
    { 0x0FB1, -1, PTWR_CMPXCHG, SRC_REG, false }, { 0x0FC7, 1, PTWR_CMPXCHG8B, SRC_NONE, false },
    { 0x0FAB, -1, PTWR_BTS, SRC_REG, false },   { 0x0FB3, -1, PTWR_BTR, SRC_REG, false },
    { 0x0FBB, -1, PTWR_BTC, SRC_REG, false },   { 0x0FBA, 5, PTWR_BTS, SRC_IMM8, false },
    { 0x0FBA, 6, PTWR_BTR, SRC_IMM8, false },   { 0x0FBA, 7, PTWR_BTC, SRC_IMM8, false },
};

/* The form of opcode whose reg field may be digit; any form of opcode when digit < 0. */
static const struct form *find_form(uint16_t opcode, int digit)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(forms); i++) {
        if (forms[i].opcode == opcode &&
            (digit < 0 || forms[i].digit < 0 || forms[i].digit == digit)) {
            return &forms[i];
        }
    }
    return NULL;
}

/* The opcode, one byte or 0F and a second. */
static int decode_opcode(struct fetch *f, uint8_t first, uint16_t *opcode)
{
    uint8_t second;
    int rc;
    *opcode = first;
    if (first != 0x0F) {
        return 0;
    }
    if ((rc = fetch_u8(f, &second))) {
        return rc;
    }
    *opcode = 0x0F00 | second;
    return 0;
}

/* ------------------------------------------------------------- decoding ----------- */

static uint16_t seg_selector(const struct cpu_regs *r, enum ptwr_seg seg)
{
    const uint32_t sels[6] = { r->es, r->cs, r->ss, r->ds, r->fs, r->gs };
    return (uint16_t)sels[seg];
}

static bool is_bit_op(enum ptwr_op op)
{
    return op == PTWR_BTS || op == PTWR_BTR || op == PTWR_BTC;
}

/*
 * The source operand.  For the bit operations it becomes the bit number inside the
 * operand, and a register bit offset also moves the address by whole operands (signed),
 * as the CPU does.
 */
static int decode_source(struct fetch *f, const struct cpu_regs *r, const struct form *fm,
                         struct ptwr_insn *in)
{
    unsigned int bits = in->size * 8;
    int rc = 0;
    in->imm_src = fm->src != SRC_REG;
    if (fm->src == SRC_IMM8 || fm->src == SRC_IMM8SX) {
        rc = fetch_imm(f, 1, fm->src == SRC_IMM8SX, &in->imm);
    } else if (fm->src == SRC_IMMZ) {
        rc = fetch_imm(f, in->size, false, &in->imm);
    }
    if (rc || !is_bit_op(in->op)) {
        in->imm &= (uint32_t)size_mask(in->size);
        return rc;
    }
    if (fm->src == SRC_REG) {
        int32_t off =
            in->size == 2 ? (int16_t)reg_read(r, in->reg, 2) : (int32_t)gpr_get(r, in->reg);
        in->addr += (uint32_t)((off >> (in->size == 2 ? 4 : 5)) * (int32_t)in->size);
        in->imm = (uint32_t)off;
        in->imm_src = true;
    }
    in->imm &= bits - 1;
    return 0;
}

int ptwr_decode(const struct cpu_regs *r, ptwr_flat_fn flat, struct ptwr_insn *in)
{
    struct fetch f = { r->eip, 0 };
    struct prefixes p;
    struct modrm m;
    const struct form *fm;
    uint16_t opcode;
    uint8_t first;
    int rc;
    if (!flat((uint16_t)r->cs)) {
        return -EINVAL; /* EIP would not be the linear address of the instruction */
    }
    if ((rc = decode_prefixes(&f, &p, &first)) || (rc = decode_opcode(&f, first, &opcode))) {
        return rc;
    }
    if (!find_form(opcode, -1)) {
        return -EINVAL;
    }
    if ((rc = decode_modrm(&f, r, &m))) {
        return rc;
    }
    if (!(fm = find_form(opcode, (int)m.reg))) {
        return -EINVAL; /* an opcode extension that is not a known write */
    }
    in->op = fm->op;
    in->size = fm->byte ? 1 : fm->op == PTWR_CMPXCHG8B ? 8 : p.opsize ? 2 : 4;
    in->reg = m.reg;
    in->seg = p.seg >= 0 ? (enum ptwr_seg)p.seg : m.seg;
    in->addr = m.ea;
    in->imm = 0;
    if ((rc = decode_source(&f, r, fm, in))) {
        return rc;
    }
    if (!flat(seg_selector(r, in->seg))) {
        return -EINVAL;
    }
    in->len = f.len;
    return 0;
}

/* ------------------------------------------------------------- executing ---------- */

/* ZF, SF and PF of a result of size bytes. */
static uint32_t result_flags(uint64_t res, unsigned int size)
{
    uint32_t fl = 0;
    res &= size_mask(size);
    if (!res) {
        fl |= FL_ZF;
    }
    if (res >> (8 * size - 1)) {
        fl |= FL_SF;
    }
    if (!__builtin_parity((unsigned int)(res & 0xFF))) {
        fl |= FL_PF; /* even parity of the low byte */
    }
    return fl;
}

/* The flags of cmp a, b (a - b) on size bytes, as cmpxchg sets them. */
static uint32_t sub_flags(uint32_t a, uint32_t b, unsigned int size)
{
    uint32_t res = (uint32_t)((a - b) & size_mask(size));
    uint32_t sign = 1u << (8 * size - 1);
    uint32_t fl = result_flags(res, size);
    if (a < b) {
        fl |= FL_CF;
    }
    if ((a ^ b) & (a ^ res) & sign) {
        fl |= FL_OF;
    }
    if ((a ^ b ^ res) & 0x10) {
        fl |= FL_AF;
    }
    return fl;
}

static void set_flags(struct cpu_regs *r, uint32_t which, uint32_t val)
{
    r->eflags = (r->eflags & ~which) | (val & which);
}

/* cmpxchg8b: the whole entry against EDX:EAX; only ZF changes. */
static bool exec_cmpxchg8b(struct cpu_regs *r, uint64_t old, uint64_t *val)
{
    uint64_t expect = ((uint64_t)r->edx << 32) | r->eax;
    if (old != expect) {
        r->edx = (uint32_t)(old >> 32);
        r->eax = (uint32_t)old;
        set_flags(r, FL_ZF, 0);
        return false;
    }
    *val = ((uint64_t)r->ecx << 32) | r->ebx;
    set_flags(r, FL_ZF, FL_ZF);
    return true;
}

/* cmpxchg: the accumulator against the operand; flags as cmp. */
static bool exec_cmpxchg(struct cpu_regs *r, unsigned int size, uint32_t cur, uint32_t src,
                         uint64_t *val)
{
    uint32_t acc = reg_read(r, 0, size);
    set_flags(r, FL_ARITH, sub_flags(acc, cur, size));
    if (acc != cur) {
        reg_write(r, 0, size, cur);
        return false;
    }
    *val = src;
    return true;
}

/* or, and, xor: CF and OF clear, AF cleared too (undefined on the CPU). */
static uint64_t exec_logic(struct cpu_regs *r, const struct ptwr_insn *in, uint32_t cur,
                           uint32_t src)
{
    uint32_t res = in->op == PTWR_OR ? cur | src : in->op == PTWR_AND ? cur & src : cur ^ src;
    set_flags(r, FL_ARITH, result_flags(res, in->size));
    return res;
}

/* bts, btr, btc: CF is the bit before; the other flags stay (undefined on the CPU). */
static uint64_t exec_bit(struct cpu_regs *r, const struct ptwr_insn *in, uint32_t cur)
{
    uint32_t bit = 1u << in->imm;
    set_flags(r, FL_CF, (cur & bit) ? FL_CF : 0);
    return in->op == PTWR_BTS ? cur | bit : in->op == PTWR_BTR ? cur & ~bit : cur ^ bit;
}

bool ptwr_execute(const struct ptwr_insn *in, struct cpu_regs *r, uint64_t old,
                  uint64_t *new_entry)
{
    unsigned int shift = (in->addr & 7) * 8;
    uint64_t m = size_mask(in->size);
    uint32_t cur = (uint32_t)((old >> shift) & m), src = 0;
    uint64_t val = cur;
    bool write = true;
    if (in->op != PTWR_CMPXCHG8B) {
        src = in->imm_src ? in->imm : reg_read(r, in->reg, in->size);
    }
    switch (in->op) {
    case PTWR_MOV:
        val = src;
        break;
    case PTWR_XCHG:
        val = src;
        reg_write(r, in->reg, in->size, cur);
        break;
    case PTWR_CMPXCHG:
        write = exec_cmpxchg(r, in->size, cur, src, &val);
        break;
    case PTWR_CMPXCHG8B:
        write = exec_cmpxchg8b(r, old, &val);
        break;
    case PTWR_OR:
    case PTWR_AND:
    case PTWR_XOR:
        val = exec_logic(r, in, cur, src);
        break;
    default:
        val = exec_bit(r, in, cur);
        break;
    }
    r->eip += in->len;
    *new_entry = (old & ~(m << shift)) | ((val & m) << shift);
    return write;
}
