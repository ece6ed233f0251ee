/*
 * Unit tests of the page-table write decoder and executor (arch/x86/ptwr.c): every
 * instruction form, every addressing mode, the prefixes, and every refusal.  Guest memory
 * is two fake regions behind the real copy_from_guest (mm/guest_copy.c): a code page, and
 * the last guest page with the first monitor page after it, so that only the gateway's
 * range check keeps instruction bytes out of the monitor's area.
 */
#include <string.h>

#include "unit.h"
#include "arch/x86/ptwr.h"
#include "kernel/errno.h"

#define CODE_VA      0x00401000u
#define TOP_VA       0xF57FF000u /* the last guest page; the next one is the monitor's */
#define MONITOR_VA   0xF5800000u
#define NONFLAT_SEL  0x0063u     /* a selector the fake descriptor lookup calls non-flat */
#define OLD_ENTRY    0x8000000012345067ull

static uint8_t code_page[4096];
static uint8_t top_pages[8192];

/* The fault-safe copy of the monitor, over the fake guest memory; returns bytes not copied. */
size_t copy_bytes_fault_safe(void *dst, const void *src, size_t n);
size_t copy_bytes_fault_safe(void *dst, const void *src, size_t n)
{
    uint32_t va = (uint32_t)(uintptr_t)src;
    for (size_t i = 0; i < n; i++, va++) {
        uint8_t *from;
        if (va - CODE_VA < sizeof(code_page)) {
            from = &code_page[va - CODE_VA];
        } else if (va - TOP_VA < sizeof(top_pages)) {
            from = &top_pages[va - TOP_VA];
        } else {
            return n - i;
        }
        ((uint8_t *)dst)[i] = *from;
    }
    return 0;
}

static bool flat(uint16_t sel)
{
    return sel != NONFLAT_SEL;
}

/* Ring-1 registers with distinct values; EBX, ESI, EDI point at an entry's low half. */
static struct cpu_regs regs(void)
{
    struct cpu_regs r = {
        .eax = 0x11111111, .ecx = 0x22222222, .edx = 0x33333333, .ebx = 0x00200000,
        .esi = 0x00200008, .edi = 0x00200010, .ebp = 0x00300000, .esp = 0x00310000,
        .ds = 0xe021, .es = 0xe021, .fs = 0xe021, .gs = 0xe021, .ss = 0xe021,
        .cs = 0xe019, .eflags = 0x202, .eip = CODE_VA, .error_code = 3, .vector = 14,
    };
    return r;
}

/* Decodes bytes placed at va (the code page or the top page). */
static int decode_at(uint32_t va, const uint8_t *bytes, size_t n, struct cpu_regs *r,
                     struct ptwr_insn *in)
{
    uint8_t *at = va >= TOP_VA ? &top_pages[va - TOP_VA] : &code_page[va - CODE_VA];
    memset(code_page, 0x90, sizeof(code_page));
    memset(top_pages, 0x90, sizeof(top_pages));
    memcpy(at, bytes, n);
    r->eip = va;
    memset(in, 0xA5, sizeof(*in));
    return ptwr_decode(r, flat, in);
}

#define BYTES(...)         ((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...)        sizeof((const uint8_t[]){ __VA_ARGS__ })
#define DECODE(r, in, ...) decode_at(CODE_VA, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), r, in)

/* Decodes, checks op, length, size and address, and runs the instruction on OLD_ENTRY. */
static bool run(struct cpu_regs *r, const uint8_t *bytes, size_t n, enum ptwr_op op,
                unsigned int size, uint32_t addr, uint64_t *entry)
{
    struct ptwr_insn in;
    uint32_t eip = CODE_VA;
    assert_int_equal(decode_at(CODE_VA, bytes, n, r, &in), 0);
    assert_int_equal(in.op, op);
    assert_int_equal(in.len, n);
    assert_int_equal(in.size, size);
    assert_int_equal(in.addr, addr);
    *entry = 0xDEAD;
    bool write = ptwr_execute(&in, r, OLD_ENTRY, entry);
    assert_int_equal(r->eip, eip + n);
    return write;
}

#define RUN(r, op, size, addr, entry, ...) \
    run(r, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), op, size, addr, entry)

#define FL_CF 0x001u
#define FL_PF 0x004u
#define FL_ZF 0x040u
#define FL_SF 0x080u
#define FL_OF 0x800u

/* ------------------------------------------------------------- mov ---------------- */

static void mov_reg32_halves(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    /* mov %eax,(%ebx): the low half; then mov %eax,4(%ebx): the high half. */
    assert_true(RUN(&r, PTWR_MOV, 4, 0x00200000, &e, 0x89, 0x03));
    assert_true(e == 0x8000000011111111ull);
    r = regs();
    assert_true(RUN(&r, PTWR_MOV, 4, 0x00200004, &e, 0x89, 0x43, 0x04));
    assert_true(e == 0x1111111112345067ull);
    assert_int_equal(r.eflags, 0x202); /* mov leaves the flags */
}

static void mov_reg8_and_reg16(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.eax = 0x0000AB00;
    /* mov %ah,1(%ebx): AH is register 4 of the byte set. */
    assert_true(RUN(&r, PTWR_MOV, 1, 0x00200001, &e, 0x88, 0x63, 0x01));
    assert_true(e == 0x800000001234AB67ull);
    r = regs();
    r.ecx = 0xFFFF0BAD;
    /* mov %cx,2(%ebx) */
    assert_true(RUN(&r, PTWR_MOV, 2, 0x00200002, &e, 0x66, 0x89, 0x4B, 0x02));
    assert_true(e == 0x800000000BAD5067ull);
}

static void mov_immediates(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    /* movl $0x00001063,(%ebx) and movl $0,4(%ebx) */
    assert_true(RUN(&r, PTWR_MOV, 4, 0x00200000, &e, 0xC7, 0x03, 0x63, 0x10, 0x00, 0x00));
    assert_true(e == 0x8000000000001063ull);
    assert_true(RUN(&r, PTWR_MOV, 4, 0x00200004, &e, 0xC7, 0x43, 0x04, 0, 0, 0, 0));
    assert_true(e == 0x0000000012345067ull);
    /* movw $0xbeef,(%ebx) and movb $0x7f,7(%ebx) */
    assert_true(RUN(&r, PTWR_MOV, 2, 0x00200000, &e, 0x66, 0xC7, 0x03, 0xEF, 0xBE));
    assert_true(e == 0x800000001234BEEFull);
    assert_true(RUN(&r, PTWR_MOV, 1, 0x00200007, &e, 0xC6, 0x43, 0x07, 0x7F));
    assert_true(e == 0x7F00000012345067ull);
}

/* ------------------------------------------------------------- xchg, cmpxchg ------ */

static void xchg_forms(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.eax = 0;
    /* xchg %eax,(%ebx): the low half goes to EAX, as a get-and-clear does. */
    assert_true(RUN(&r, PTWR_XCHG, 4, 0x00200000, &e, 0x87, 0x03));
    assert_true(e == 0x8000000000000000ull);
    assert_int_equal(r.eax, 0x12345067);
    r = regs();
    /* xchg %ch,(%ebx): CH = 0x22 in, the entry's low byte (0x67) out. */
    assert_true(RUN(&r, PTWR_XCHG, 1, 0x00200000, &e, 0x86, 0x2B));
    assert_true(e == 0x8000000012345022ull);
    assert_int_equal(r.ecx, 0x22226722);
    r = regs();
    r.edx = 0xAAAA1234;
    /* xchg %dx,4(%ebx) */
    assert_true(RUN(&r, PTWR_XCHG, 2, 0x00200004, &e, 0x66, 0x87, 0x53, 0x04));
    assert_true(e == 0x8000123412345067ull);
    assert_int_equal(r.edx, 0xAAAA0000);
}

static void cmpxchg_success_and_failure(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.eax = 0x12345067;
    r.eflags = 0x202 | FL_CF | FL_SF;
    /* lock cmpxchg %ecx,(%ebx): equal, so ECX is written and the flags say "equal". */
    assert_true(RUN(&r, PTWR_CMPXCHG, 4, 0x00200000, &e, 0xF0, 0x0F, 0xB1, 0x0B));
    assert_true(e == 0x8000000022222222ull);
    assert_int_equal(r.eflags, 0x202 | FL_ZF | FL_PF);
    r = regs();
    r.eax = 1;
    /* Different: no write, EAX gets the operand, flags of 1 - 0x12345067. */
    assert_false(RUN(&r, PTWR_CMPXCHG, 4, 0x00200000, &e, 0x0F, 0xB1, 0x0B));
    assert_int_equal(r.eax, 0x12345067);
    assert_int_equal(r.eflags & (FL_ZF | FL_CF | FL_SF | FL_OF), FL_CF | FL_SF);
    r = regs();
    r.eax = 0x80000000;
    /* cmpxchg %ecx,4(%ebx), the high half: equal. */
    assert_true(RUN(&r, PTWR_CMPXCHG, 4, 0x00200004, &e, 0x0F, 0xB1, 0x4B, 0x04));
    assert_true(e == 0x2222222212345067ull);
}

static void cmpxchg_byte_and_word(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.eax = 0xFFFFFF67;
    /* cmpxchg %cl,(%ebx): AL = 0x67 matches. */
    assert_true(RUN(&r, PTWR_CMPXCHG, 1, 0x00200000, &e, 0x0F, 0xB0, 0x0B));
    assert_true(e == 0x8000000012345022ull);
    r = regs();
    r.eax = 0xFFFF0001;
    /* cmpxchg %cx,(%ebx): AX = 1 differs from 0x5067, AX takes it, the rest of EAX stays. */
    assert_false(RUN(&r, PTWR_CMPXCHG, 2, 0x00200000, &e, 0x66, 0x0F, 0xB1, 0x0B));
    assert_int_equal(r.eax, 0xFFFF5067);
    assert_int_equal(r.eflags & FL_ZF, 0);
}

static void cmpxchg8b_whole_entry(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.esi = 0x00200000;
    r.edx = 0x80000000;
    r.eax = 0x12345067;
    r.ecx = 0x00000000;
    r.ebx = 0x00ABC063;
    r.eflags = 0x202 | FL_CF;
    /* lock cmpxchg8b (%esi): EDX:EAX matches, ECX:EBX is written; only ZF changes. */
    assert_true(RUN(&r, PTWR_CMPXCHG8B, 8, 0x00200000, &e, 0xF0, 0x0F, 0xC7, 0x0E));
    assert_true(e == 0x0000000000ABC063ull);
    assert_int_equal(r.eflags, 0x202 | FL_CF | FL_ZF);
    r.edx = 0;
    r.eax = 0;
    r.eflags = 0x202 | FL_ZF;
    /* No match: EDX:EAX is loaded with the entry, nothing is written. */
    assert_false(RUN(&r, PTWR_CMPXCHG8B, 8, 0x00200000, &e, 0x0F, 0xC7, 0x0E));
    assert_int_equal(r.edx, 0x80000000);
    assert_int_equal(r.eax, 0x12345067);
    assert_int_equal(r.eflags, 0x202);
}

/* ------------------------------------------------------------- or, and, xor ------- */

static void logic_register_forms(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.eax = 0x00000080;
    r.eflags = 0x202 | FL_CF | FL_OF;
    /* or %eax,(%ebx): CF and OF cleared. */
    assert_true(RUN(&r, PTWR_OR, 4, 0x00200000, &e, 0x09, 0x03));
    assert_true(e == 0x80000000123450E7ull);
    assert_int_equal(r.eflags & (FL_CF | FL_OF | FL_ZF), 0);
    r = regs();
    r.eax = 0xFFFFFFFD;
    /* and %eax,(%ebx) clears RW; xor %eax,(%ebx) */
    assert_true(RUN(&r, PTWR_AND, 4, 0x00200000, &e, 0x21, 0x03));
    assert_true(e == 0x8000000012345065ull);
    assert_true(RUN(&r, PTWR_XOR, 4, 0x00200000, &e, 0x31, 0x03));
    assert_true(e == 0x80000000EDCBAF9Aull);
    assert_int_equal(r.eflags & FL_SF, FL_SF);
    r = regs();
    r.eax = 0x00000080;
    /* orb %al,7(%ebx): the byte with NX; andb %al / xorb %al on the low byte. */
    assert_true(RUN(&r, PTWR_OR, 1, 0x00200007, &e, 0x08, 0x43, 0x07));
    assert_true(e == OLD_ENTRY);
    assert_true(RUN(&r, PTWR_AND, 1, 0x00200000, &e, 0x20, 0x03));
    assert_true(e == 0x8000000012345000ull);
    assert_int_equal(r.eflags & FL_ZF, FL_ZF);
    assert_true(RUN(&r, PTWR_XOR, 1, 0x00200000, &e, 0x30, 0x03));
    assert_true(e == 0x80000000123450E7ull);
}

static void logic_immediate_forms(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    /* lock andb $0xfd,(%ebx): the constant clear_bit form; orb $0x20; xorb $1 */
    assert_true(RUN(&r, PTWR_AND, 1, 0x00200000, &e, 0xF0, 0x80, 0x23, 0xFD));
    assert_true(e == 0x8000000012345065ull);
    assert_true(RUN(&r, PTWR_OR, 1, 0x00200000, &e, 0x80, 0x0B, 0x80));
    assert_true(e == 0x80000000123450E7ull);
    assert_true(RUN(&r, PTWR_XOR, 1, 0x00200000, &e, 0x80, 0x33, 0x01));
    assert_true(e == 0x8000000012345066ull);
    /* andl $0xffff0fff,(%ebx); orl $0x40,(%ebx) sign-extended; xorl $-1,4(%ebx) */
    assert_true(RUN(&r, PTWR_AND, 4, 0x00200000, &e, 0x81, 0x23, 0xFF, 0x0F, 0xFF, 0xFF));
    assert_true(e == 0x8000000012340067ull);
    assert_true(RUN(&r, PTWR_OR, 4, 0x00200000, &e, 0x83, 0x0B, 0x40));
    assert_true(e == OLD_ENTRY);
    assert_true(RUN(&r, PTWR_XOR, 4, 0x00200004, &e, 0x83, 0x73, 0x04, 0xFF));
    assert_true(e == 0x7FFFFFFF12345067ull);
    /* andw $0xfffe,(%ebx) with the operand-size prefix, imm16 and imm8 sign-extended. */
    assert_true(RUN(&r, PTWR_AND, 2, 0x00200000, &e, 0x66, 0x81, 0x23, 0xFE, 0xFF));
    assert_true(e == 0x8000000012345066ull);
    assert_true(RUN(&r, PTWR_AND, 2, 0x00200000, &e, 0x66, 0x83, 0x23, 0xFE));
    assert_true(e == 0x8000000012345066ull);
}

/* ------------------------------------------------------------- bts, btr, btc ------ */

static void bit_register_forms(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    r.eax = 1;
    /* lock btr %eax,(%ebx): RW was set, CF says so. */
    assert_true(RUN(&r, PTWR_BTR, 4, 0x00200000, &e, 0xF0, 0x0F, 0xB3, 0x03));
    assert_true(e == 0x8000000012345065ull);
    assert_int_equal(r.eflags & FL_CF, FL_CF);
    r.eax = 63;
    /* bts %eax,(%ebx) with bit 63: the next dword, bit 31 (NX, already set). */
    assert_true(RUN(&r, PTWR_BTS, 4, 0x00200004, &e, 0x0F, 0xAB, 0x03));
    assert_true(e == OLD_ENTRY);
    assert_int_equal(r.eflags & FL_CF, FL_CF);
    r.eax = (uint32_t)-27;
    r.ebx = 0x00200004;
    /* btc %eax,(%ebx) with bit -27: the dword before, bit 5 (A) toggled off. */
    assert_true(RUN(&r, PTWR_BTC, 4, 0x00200000, &e, 0x0F, 0xBB, 0x03));
    assert_true(e == 0x8000000012345047ull);
    assert_int_equal(r.eflags & FL_CF, FL_CF);
    r.eax = 0xFFFF0011; /* 16-bit offset 17: the next word, bit 1 */
    r.ebx = 0x00200000;
    assert_true(RUN(&r, PTWR_BTS, 2, 0x00200002, &e, 0x66, 0x0F, 0xAB, 0x03));
    assert_true(e == 0x8000000012365067ull);
    assert_int_equal(r.eflags & FL_CF, 0);
}

static void bit_immediate_forms(void **state)
{
    struct cpu_regs r = regs();
    uint64_t e;
    /* btsl $8,(%ebx) (/5), btrl $5,(%ebx) (/6), btcl $0,(%ebx) (/7); the number wraps at 32 */
    assert_true(RUN(&r, PTWR_BTS, 4, 0x00200000, &e, 0x0F, 0xBA, 0x2B, 0x08));
    assert_true(e == 0x8000000012345167ull);
    assert_int_equal(r.eflags & FL_CF, 0);
    assert_true(RUN(&r, PTWR_BTR, 4, 0x00200000, &e, 0x0F, 0xBA, 0x33, 0x25));
    assert_true(e == 0x8000000012345047ull);
    assert_int_equal(r.eflags & FL_CF, FL_CF);
    assert_true(RUN(&r, PTWR_BTC, 4, 0x00200000, &e, 0x0F, 0xBA, 0x3B, 0x00));
    assert_true(e == 0x8000000012345066ull);
}

/* ------------------------------------------------------------- addressing --------- */

static void expect_addr(const uint8_t *bytes, size_t n, uint32_t addr, enum ptwr_seg seg)
{
    struct cpu_regs r = regs();
    struct ptwr_insn in;
    int rc = decode_at(CODE_VA, bytes, n, &r, &in);
    if (rc || in.addr != addr || in.seg != seg || in.len != n) {
        fail_msg("bytes %02x %02x %02x: rc %d addr %#x seg %d len %u; expected %#x seg %d len %zu",
                 bytes[0], bytes[1], n > 2 ? bytes[2] : 0, rc, in.addr, (int)in.seg, in.len,
                 addr, (int)seg, n);
    }
}

#define ADDR(addr, seg, ...) expect_addr(BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), addr, seg)

static void addressing_modes(void **state)
{
    /* mod 0: [reg] for each register but ESP (SIB) and EBP (disp32). */
    ADDR(0x11111111, SEG_DS, 0x89, 0x00);
    ADDR(0x22222222, SEG_DS, 0x89, 0x01);
    ADDR(0x33333333, SEG_DS, 0x89, 0x02);
    ADDR(0x00200000, SEG_DS, 0x89, 0x03);
    ADDR(0x00200008, SEG_DS, 0x89, 0x06);
    ADDR(0x00200010, SEG_DS, 0x89, 0x07);
    ADDR(0x00001000, SEG_DS, 0x89, 0x05, 0x00, 0x10, 0x00, 0x00);
    /* mod 1: disp8 (signed), mod 2: disp32; an EBP base uses SS. */
    ADDR(0x001FFFF8, SEG_DS, 0x89, 0x43, 0xF8);
    ADDR(0x00200100, SEG_DS, 0x89, 0x83, 0x00, 0x01, 0x00, 0x00);
    ADDR(0x00300008, SEG_SS, 0x89, 0x45, 0x08);
    ADDR(0x002FFFF0, SEG_SS, 0x89, 0x85, 0xF0, 0xFF, 0xFF, 0xFF);
    /* SIB: ESP base (SS), base + index * scale, no index, disp32 without a base. */
    ADDR(0x00310000, SEG_SS, 0x89, 0x04, 0x24);
    ADDR(0x00310004, SEG_SS, 0x89, 0x44, 0x24, 0x04);
    ADDR(0x00200000 + 0x22222222u * 4, SEG_DS, 0x89, 0x04, 0x8B);
    ADDR(0x00200000 + 0x11111111u * 8, SEG_DS, 0x89, 0x04, 0xC3);
    ADDR(0x00200000 + 0x00200010u * 2, SEG_DS, 0x89, 0x04, 0x7B);
    ADDR(0x00200000, SEG_DS, 0x89, 0x04, 0x63); /* index 4: none, the scale ignored */
    ADDR(0x22222222u * 4 + 0x1000, SEG_DS, 0x89, 0x04, 0x8D, 0x00, 0x10, 0x00, 0x00);
    ADDR(0x00300000 + 0x22222222u * 4 + 4, SEG_SS, 0x89, 0x44, 0x8D, 0x04);
    ADDR(0x00200000 + 0x00200008u + 0x100, SEG_DS, 0x89, 0x84, 0x33, 0x00, 0x01, 0x00, 0x00);
}

static void segment_overrides(void **state)
{
    const uint8_t prefixes[6] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    const enum ptwr_seg segs[6] = { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };
    struct cpu_regs r = regs();
    struct ptwr_insn in;
    for (unsigned int i = 0; i < 6; i++) {
        /* Flat: accepted, and the override names the segment. */
        r = regs();
        assert_int_equal(decode_at(CODE_VA, BYTES(prefixes[i], 0x89, 0x03), 3, &r, &in), 0);
        assert_int_equal(in.seg, segs[i]);
        assert_int_equal(in.len, 3);
    }
    /* Non-flat: refused, named by an override or used by default. */
    r = regs();
    r.fs = NONFLAT_SEL;
    assert_int_equal(DECODE(&r, &in, 0x64, 0x89, 0x03), -EINVAL);
    assert_int_equal(DECODE(&r, &in, 0x89, 0x03), 0);
    r = regs();
    r.ds = NONFLAT_SEL;
    assert_int_equal(DECODE(&r, &in, 0x89, 0x03), -EINVAL);
    assert_int_equal(DECODE(&r, &in, 0x26, 0x89, 0x03), 0); /* ES instead */
    r = regs();
    r.ss = NONFLAT_SEL;
    assert_int_equal(DECODE(&r, &in, 0x89, 0x45, 0x08), -EINVAL);
    assert_int_equal(DECODE(&r, &in, 0x3E, 0x89, 0x45, 0x08), 0);
    r = regs();
    r.cs = NONFLAT_SEL;
    assert_int_equal(DECODE(&r, &in, 0x89, 0x03), -EINVAL);
}

/* ------------------------------------------------------------- refusals ----------- */

#define REFUSED(rc, ...)                                        \
    do {                                                        \
        struct cpu_regs r_ = regs();                            \
        struct ptwr_insn in_;                                   \
        assert_int_equal(DECODE(&r_, &in_, __VA_ARGS__), (rc)); \
    } while (0)

static void unknown_opcodes(void **state)
{
    REFUSED(-EINVAL, 0x01, 0x03);             /* add %eax,(%ebx) */
    REFUSED(-EINVAL, 0x29, 0x03);             /* sub */
    REFUSED(-EINVAL, 0xA5);                   /* movsl */
    REFUSED(-EINVAL, 0xAB);                   /* stosl */
    REFUSED(-EINVAL, 0xFF, 0x03);             /* incl (%ebx) */
    REFUSED(-EINVAL, 0x8F, 0x03);             /* pop (%ebx) */
    REFUSED(-EINVAL, 0x0F, 0x11, 0x03);       /* movups */
    REFUSED(-EINVAL, 0x0F, 0xD6, 0x03);       /* movq (with 66: SSE2) */
    REFUSED(-EINVAL, 0x0F, 0xC1, 0x03);       /* xadd */
    REFUSED(-EINVAL, 0x0F, 0x0B);             /* ud2 */
    REFUSED(-EINVAL, 0xCC);                   /* int3 */
}

static void bad_modrm(void **state)
{
    REFUSED(-EINVAL, 0x89, 0xC3);             /* mov %eax,%ebx: no memory operand */
    REFUSED(-EINVAL, 0xC7, 0xC0, 1, 2, 3, 4); /* mov $imm,%eax */
    REFUSED(-EINVAL, 0x0F, 0xC7, 0xCE);       /* cmpxchg8b with a register */
    REFUSED(-EINVAL, 0xC7, 0x0B, 1, 2, 3, 4); /* C7 /1 */
    REFUSED(-EINVAL, 0xC6, 0x3B, 1);          /* C6 /7 */
    REFUSED(-EINVAL, 0x80, 0x03, 0x01);       /* 80 /0: add */
    REFUSED(-EINVAL, 0x81, 0x3B, 1, 2, 3, 4); /* 81 /7: cmp, which does not write */
    REFUSED(-EINVAL, 0x83, 0x2B, 0x01);       /* 83 /5: sub */
    REFUSED(-EINVAL, 0x0F, 0xC7, 0x16);       /* 0F C7 /2 */
    REFUSED(-EINVAL, 0x0F, 0xBA, 0x23, 0x01); /* bt: reads only */
    REFUSED(-EINVAL, 0x0F, 0xBA, 0x03, 0x01); /* 0F BA /0: undefined */
}

static void refused_prefixes(void **state)
{
    REFUSED(-EINVAL, 0x67, 0x89, 0x07);       /* 16-bit addressing */
    REFUSED(-EINVAL, 0xF3, 0x89, 0x03);
    REFUSED(-EINVAL, 0xF2, 0x89, 0x03);
    REFUSED(-EINVAL, 0xF0, 0xF3, 0xAB);
}

/* 15 bytes is the most an instruction may have, prefixes included. */
static void length_limit(void **state)
{
    struct cpu_regs r = regs();
    struct ptwr_insn in;
    assert_int_equal(DECODE(&r, &in, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0xC7, 0x05, 0x00, 0x10, 0x00,
                            0x00, 0x01, 0x02, 0x03, 0x04),
                     0);
    assert_int_equal(in.len, 15);
    assert_int_equal(in.imm, 0x04030201);
    REFUSED(-EINVAL, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0xC7, 0x05, 0x00, 0x10, 0x00, 0x00,
            0x01, 0x02, 0x03, 0x04);
    REFUSED(-EINVAL, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0,
            0xF0, 0xF0, 0xF0, 0x89, 0x03);
}

/* Instruction bytes come through the guest-memory gateway: never from the monitor's area. */
static void fetch_limits(void **state)
{
    struct cpu_regs r = regs();
    struct ptwr_insn in;
    /* Ending exactly at the monitor's first byte: fine. */
    assert_int_equal(decode_at(MONITOR_VA - 2, BYTES(0x89, 0x03), 2, &r, &in), 0);
    /* movl $imm32,(%ebx) whose immediate lies in the monitor's area (readable here). */
    assert_int_equal(decode_at(MONITOR_VA - 2, BYTES(0xC7, 0x03, 1, 2, 3, 4), 6, &r, &in),
                     -EFAULT);
    /* The ModRM byte, a displacement, a SIB byte past the end. */
    assert_int_equal(decode_at(MONITOR_VA - 1, BYTES(0x89, 0x03), 2, &r, &in), -EFAULT);
    assert_int_equal(decode_at(MONITOR_VA - 2, BYTES(0x89, 0x43, 0x04), 3, &r, &in), -EFAULT);
    assert_int_equal(decode_at(MONITOR_VA - 2, BYTES(0x89, 0x04, 0x24), 3, &r, &in), -EFAULT);
    assert_int_equal(decode_at(MONITOR_VA - 1, BYTES(0x0F, 0xB1, 0x03), 3, &r, &in), -EFAULT);
    /* EIP in the monitor's area; prefixes running into it. */
    assert_int_equal(decode_at(MONITOR_VA, BYTES(0x89, 0x03), 2, &r, &in), -EFAULT);
    assert_int_equal(decode_at(MONITOR_VA - 2, BYTES(0xF0, 0x66, 0x89, 0x03), 4, &r, &in),
                     -EFAULT);
    /* An instruction running off the code page into unmapped memory. */
    assert_int_equal(decode_at(CODE_VA + 4095, BYTES(0x89), 1, &r, &in), -EFAULT);
    r.eip = 0xFFFFFFFF;
    assert_int_equal(ptwr_decode(&r, flat, &in), -EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mov_reg32_halves),
        cmocka_unit_test(mov_reg8_and_reg16),
        cmocka_unit_test(mov_immediates),
        cmocka_unit_test(xchg_forms),
        cmocka_unit_test(cmpxchg_success_and_failure),
        cmocka_unit_test(cmpxchg_byte_and_word),
        cmocka_unit_test(cmpxchg8b_whole_entry),
        cmocka_unit_test(logic_register_forms),
        cmocka_unit_test(logic_immediate_forms),
        cmocka_unit_test(bit_register_forms),
        cmocka_unit_test(bit_immediate_forms),
        cmocka_unit_test(addressing_modes),
        cmocka_unit_test(segment_overrides),
        cmocka_unit_test(unknown_opcodes),
        cmocka_unit_test(bad_modrm),
        cmocka_unit_test(refused_prefixes),
        cmocka_unit_test(length_limit),
        cmocka_unit_test(fetch_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
