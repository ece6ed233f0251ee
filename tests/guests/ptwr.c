/*
 * Test guest: writable page tables (VMASST_TYPE_writable_pagetables).  The guest writes
 * straight into the start-of-day L1 entry that maps one of its pages, through the
 * read-only mapping of its page tables, with every instruction form the monitor emulates,
 * and checks after each that the new mapping works.  With the assist off the same write is
 * a page fault.
 */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("ptwr");

#define PFEC_PRESENT_WRITE 3 /* error code of a ring-1 write to a read-only page */
#define DR6_BS             0x4000
#define AVAIL_BIT          9 /* a bit of the entry the CPU ignores and guests may use */

static uint8_t window[4096] PAGE_ALIGNED; /* the page whose mapping changes */
static pte_t window_pte;                  /* its start-of-day entry */
static volatile uint32_t *entry;          /* that entry, through the read-only mapping */
static unsigned long frame_a, frame_b;    /* two data frames the window is pointed at */

static pte_t entry_now(void)
{
    return *pte_lookup((uintptr_t)window);
}

static pte_t data_pte(unsigned long pfn)
{
    return pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
}

static void flush(void)
{
    struct mmuext_op op = {.cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = (uintptr_t)window};

    TEST_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
}

/* ------------------------------------------------------------- the instruction forms */

/* As Linux's PAE set_pte: the high half, then the low half (89 /r, disp8 and no disp). */
static void set_high_low(volatile uint32_t *p, pte_t v)
{
    __asm__ volatile("movl %1, 4(%0)\n\tmovl %2, (%0)"
                     :
                     : "r"(p), "r"((uint32_t)(v >> 32)), "r"((uint32_t)v)
                     : "memory");
}

/* As pte_clear: movl $0 to the low half, then to the high half (C7 /0). */
static void clear_imm(volatile uint32_t *p)
{
    __asm__ volatile("movl $0, (%0)\n\tmovl $0, 4(%0)" : : "r"(p) : "memory");
}

/* xchg r/m32, r32 on the low half (the get-and-clear of older PAE kernels). */
static uint32_t xchg_low(volatile uint32_t *p, uint32_t v)
{
    __asm__ volatile("xchgl %0, (%1)" : "+r"(v) : "r"(p) : "memory");
    return v;
}

static bool cmpxchg_low(volatile uint32_t *p, uint32_t *expect, uint32_t v)
{
    bool equal;

    __asm__ volatile("lock cmpxchgl %3, (%2)"
                     : "+a"(*expect), "=@ccz"(equal)
                     : "r"(p), "r"(v)
                     : "memory");
    return equal;
}

static bool cmpxchg8b(volatile uint32_t *p, pte_t *expect, pte_t v)
{
    bool equal;

    __asm__ volatile("lock cmpxchg8b (%2)"
                     : "+A"(*expect), "=@ccz"(equal)
                     : "S"(p), "b"((uint32_t)v), "c"((uint32_t)(v >> 32))
                     : "memory");
    return equal;
}

/* set_pte_atomic: a cmpxchg8b loop starting from what the entry holds. */
static void set_atomic(volatile uint32_t *p, pte_t v)
{
    pte_t old = entry_now();

    while (!cmpxchg8b(p, &old, v)) {
    }
}

/* ------------------------------------------------------------- checking ----------- */

static uint32_t read_result;

static void read_window(void *arg)
{
    read_result = *(volatile uint32_t *)window;
}

/*
 * A write that keeps the contents (or-ing in nothing), or with arg a plain store of 0 (for
 * a page that is not present: QEMU reports the locked or's fault there as a read).
 */
static void write_window(void *arg)
{
    if (arg) {
        *(volatile uint32_t *)window = 0;
        return;
    }
    __asm__ volatile("lock orl $0, %0" : "+m"(*(volatile uint32_t *)window) : : "memory");
}

/* Reading the window gives want (a fault there counts as a failure). */
static void check_reads(uint32_t want, int line)
{
    struct guest_regs r;

    flush();
    if (trap_catch(read_window, NULL, &r)) {
        test_check(false, line, "reading the window faulted (vector %u error %u)", r.vector,
                   r.error_code);
        return;
    }
    test_check(read_result == want, line, "the window holds %#x, expected %#x", read_result, want);
}

/* A write to the window faults with error code err (0 for none). */
static void check_write_faults(uint32_t err, int line)
{
    struct guest_regs r;
    bool faulted;

    flush();
    faulted = trap_catch(write_window, err == 2 ? window : NULL, &r);
    if (!err) {
        test_check(!faulted, line, "writing the window faulted (error %u)", r.error_code);
        return;
    }
    test_check(faulted && r.vector == 14 && r.error_code == err && trap_cr2() == (uintptr_t)window,
               line, "write to the window: faulted %d vector %u error %u cr2 %#x", faulted,
               r.vector, r.error_code, trap_cr2());
}

static void store_low(void *arg)
{
    entry[0] = (uint32_t)(uintptr_t)arg;
}

/* The plain store of low into the entry is a #PF on the entry, which does not change. */
static void check_store_faults(uint32_t low, int line)
{
    struct guest_regs r;
    pte_t before = entry_now();
    bool faulted = trap_catch(store_low, (void *)(uintptr_t)low, &r);

    test_check(faulted && r.vector == 14 && r.error_code == PFEC_PRESENT_WRITE &&
                   trap_cr2() == (uintptr_t)entry,
               line, "store to the entry: faulted %d vector %u error %u cr2 %#x (entry at %p)",
               faulted, r.vector, r.error_code, trap_cr2(), (const void *)entry);
    test_check(entry_now() == before, line, "the entry changed to %#llx", entry_now());
}

static void restore(void)
{
    set_high_low(entry, window_pte);
    TEST_EQ(entry_now(), window_pte);
    check_reads(0x600d0000, __LINE__);
}

/* ------------------------------------------------------------- the tests ---------- */

static void test_movs(void)
{
    set_high_low(entry, data_pte(frame_a));
    TEST_EQ(entry_now(), data_pte(frame_a));
    check_reads(0xaaaa0001, __LINE__);
    check_write_faults(0, __LINE__);
    *(volatile uint32_t *)window = 0xaaaa1111; /* the window is frame A now */
    TEST_EQ(*(volatile uint32_t *)pfn_to_va(frame_a), 0xaaaa1111);
    *(volatile uint32_t *)window = 0xaaaa0001;
    clear_imm(entry);
    TEST_EQ(entry_now(), 0);
    check_write_faults(2, __LINE__); /* not present now */
    restore();
}

static void test_xchg(void)
{
    set_high_low(entry, data_pte(frame_b));
    TEST_EQ(xchg_low(entry, 0), (uint32_t)data_pte(frame_b));
    TEST_EQ(entry_now(), 0);
    check_write_faults(2, __LINE__);
    restore();
}

static void test_cmpxchg(void)
{
    uint32_t expect = (uint32_t)window_pte;

    TEST_ASSERT(cmpxchg_low(entry, &expect, (uint32_t)data_pte(frame_a)));
    TEST_EQ(entry_now(), data_pte(frame_a));
    check_reads(0xaaaa0001, __LINE__);
    expect = 0x1234;
    TEST_ASSERT(!cmpxchg_low(entry, &expect, (uint32_t)data_pte(frame_b)));
    TEST_EQ(expect, (uint32_t)data_pte(frame_a)); /* EAX gets what the entry holds */
    TEST_EQ(entry_now(), data_pte(frame_a));
    restore();
}

static void test_cmpxchg8b(void)
{
    pte_t expect = 0;

    set_atomic(entry, data_pte(frame_b));
    TEST_EQ(entry_now(), data_pte(frame_b));
    check_reads(0xbbbb0002, __LINE__);
    TEST_ASSERT(!cmpxchg8b(entry, &expect, window_pte));
    TEST_EQ(expect, data_pte(frame_b));
    TEST_EQ(entry_now(), data_pte(frame_b));
    TEST_ASSERT(cmpxchg8b(entry, &expect, window_pte));
    TEST_EQ(entry_now(), window_pte);
    check_reads(0x600d0000, __LINE__);
}

/* Byte and word stores, and the locked and/or/xor of flag updates. */
static void test_narrow_and_logic(void)
{
    uint8_t low_byte = (uint8_t)window_pte & ~(uint8_t)_PAGE_RW;
    uint16_t low_word = (uint16_t)window_pte;

    __asm__ volatile("movb %1, (%0)" : : "r"(entry), "q"(low_byte) : "memory");
    TEST_EQ(entry_now(), window_pte & ~_PAGE_RW);
    check_reads(0x600d0000, __LINE__);
    check_write_faults(PFEC_PRESENT_WRITE, __LINE__); /* read-only data: not emulated */
    __asm__ volatile("movw %1, (%0)" : : "r"(entry), "r"(low_word) : "memory");
    TEST_EQ(entry_now(), window_pte);
    check_write_faults(0, __LINE__);
    __asm__ volatile("lock andb $0xfd, (%0)" : : "r"(entry) : "memory");
    TEST_EQ(entry_now(), window_pte & ~_PAGE_RW);
    check_write_faults(PFEC_PRESENT_WRITE, __LINE__);
    __asm__ volatile("lock orb $2, (%0)" : : "r"(entry) : "memory");
    TEST_EQ(entry_now(), window_pte);
    __asm__ volatile("lock orl %1, (%0)" : : "r"(entry), "r"(1u << AVAIL_BIT) : "memory");
    TEST_EQ(entry_now(), window_pte | (1u << AVAIL_BIT));
    __asm__ volatile("lock xorl %1, (%0)" : : "r"(entry), "r"(3u << AVAIL_BIT) : "memory");
    TEST_EQ(entry_now(), window_pte | (2u << AVAIL_BIT));
    __asm__ volatile("lock andl $0xfffff9ff, (%0)" : : "r"(entry) : "memory");
    TEST_EQ(entry_now(), window_pte);
    check_write_faults(0, __LINE__);
}

static void test_bit_ops(void)
{
    bool was;

    __asm__ volatile("lock btrl $5, (%1)" : "=@ccc"(was) : "r"(entry) : "memory");
    TEST_ASSERT(was);
    TEST_EQ(entry_now(), window_pte & ~_PAGE_ACCESSED);
    check_reads(0x600d0000, __LINE__); /* the CPU sets A again on the walk */
    TEST_EQ(entry_now() & _PAGE_ACCESSED, _PAGE_ACCESSED);
    __asm__ volatile("lock btsl %2, (%1)" : "=@ccc"(was) : "r"(entry), "r"(AVAIL_BIT) : "memory");
    TEST_ASSERT(!was);
    TEST_EQ(entry_now(), window_pte | (1u << AVAIL_BIT));
    __asm__ volatile("lock btcl %2, (%1)" : "=@ccc"(was) : "r"(entry), "r"(AVAIL_BIT) : "memory");
    TEST_ASSERT(was);
    TEST_EQ(entry_now(), window_pte);
}

/* A SIB address: the L1 page as base, the entry's index scaled by 8. */
static void test_sib_addressing(void)
{
    uintptr_t l1 = (uintptr_t)entry & ~(PAGE_SIZE - 1);
    uint32_t idx = ((uintptr_t)entry & (PAGE_SIZE - 1)) / 8;
    pte_t v = data_pte(frame_a);

    __asm__ volatile("movl %2, 4(%0,%1,8)\n\tmovl %3, (%0,%1,8)"
                     :
                     : "r"(l1), "r"(idx), "r"((uint32_t)(v >> 32)), "r"((uint32_t)v)
                     : "memory");
    TEST_EQ(entry_now(), v);
    check_reads(0xaaaa0001, __LINE__);
    restore();
}

/* With TF set, the emulated write still ends in a single-step trap after it. */
extern char ptwr_step_after[];
static void step_write(void *arg)
{
    __asm__ volatile("pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n\t"
                     "movl %1, (%0)\n"
                     "ptwr_step_after:\n\t"
                     "pushfl\n\tandl $~0x100, (%%esp)\n\tpopfl"
                     :
                     : "r"(entry), "r"((uint32_t)(uintptr_t)arg)
                     : "memory", "cc");
}

static void test_single_step(void)
{
    struct guest_regs r;
    bool caught = trap_catch(step_write, (void *)(uint32_t)data_pte(frame_b), &r);

    TEST_ASSERT(caught);
    TEST_EQ(r.vector, 1);
    TEST_EQ(r.eip, (uintptr_t)ptwr_step_after);
    TEST_EQ(entry_now(), data_pte(frame_b));
    TEST_EQ(HYPERVISOR_get_debugreg(6) & DR6_BS, DR6_BS);
    TEST_EQ(HYPERVISOR_set_debugreg(6, 0xFFFF0FF0), 0);
    check_reads(0xbbbb0002, __LINE__);
    restore();
}

/* An entry the validation refuses: the fault goes to the guest as it was. */
static void test_refused(void)
{
    unsigned long l3_mfn = va_to_mfn((const void *)start_info->pt_base);

    check_store_faults((uint32_t)pte_make(l3_mfn, PTE_KERNEL_RW), __LINE__);
    check_store_faults((uint32_t)window_pte | _PAGE_PSE, __LINE__);
    check_reads(0x600d0000, __LINE__);
}

/*
 * The cost of one emulated entry write and of one mmu_update of the same entry, in TSC
 * ticks (a note: under TCG without icount the TSC follows the host clock).
 */
static uint64_t rdtsc(void)
{
    uint64_t t;

    __asm__ volatile("rdtsc" : "=A"(t));
    return t;
}

static void measure(void)
{
    mmu_update_t u = {.ptr = va_to_maddr((const void *)entry), .val = window_pte};
    uint64_t t0, t1, t2;
    const unsigned int n = 256;

    t0 = rdtsc();
    for (unsigned int i = 0; i < n; i++) {
        entry[0] = (uint32_t)window_pte;
    }
    t1 = rdtsc();
    for (unsigned int i = 0; i < n; i++) {
        HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
    }
    t2 = rdtsc();
    test_note("TSC ticks per entry write: emulated %llu, mmu_update %llu", (t1 - t0) / n,
              (t2 - t1) / n);
    TEST_EQ(entry_now(), window_pte);
}

static unsigned long data_frame(uint32_t fill)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    *(volatile uint32_t *)pfn_to_va(pfn) = fill;
    return pfn;
}

int guest_main(void)
{
    const volatile pte_t *p = pte_lookup((uintptr_t)window);

    if (!p) {
        test_error("no start-of-day L1 entry maps the window");
    }
    entry = (volatile uint32_t *)p;
    *(volatile uint32_t *)window = 0x600d0000; /* first: the CPU sets D in the entry */
    window_pte = *p;
    frame_a = data_frame(0xaaaa0001);
    frame_b = data_frame(0xbbbb0002);

    /* Off (the start-of-day state): the write is the guest's own page fault. */
    check_store_faults((uint32_t)data_pte(frame_a), __LINE__);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    test_movs();
    test_xchg();
    test_cmpxchg();
    test_cmpxchg8b();
    test_narrow_and_logic();
    test_bit_ops();
    test_sib_addressing();
    test_single_step();
    test_refused();
    measure();
    /* Off again: faults again. */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0);
    check_store_faults((uint32_t)data_pte(frame_a), __LINE__);
    check_reads(0x600d0000, __LINE__);
    test_finish();
}
