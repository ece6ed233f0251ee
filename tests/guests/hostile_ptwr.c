/*
 * Hostile guest: the writable-pagetables assist as a way in.  With the assist on, writes
 * straight into the guest's own page tables try to map monitor frames, another domain's
 * frame, page tables writable, PSE/PAT, global, caching and reserved bits, build invalid
 * entries half by half, use instructions the monitor does not emulate (or whose bytes run
 * into the monitor's area), a non-flat segment, ring 3, and the L2 and L3 tables.  Each
 * must come back as the page fault it was (CR2 and error code as the hardware gave them)
 * with nothing changed; a bystander domain runs alongside.
 */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/segments.h"
#include "guest/test.h"
#include "guest/traps.h"
#include "guest/user.h"

TEST_NAME("hostile_ptwr");

#define PFEC_WRITE      3       /* present, write, supervisor */
#define PFEC_USER_WRITE 7       /* present, write, user */
#define PFEC_FETCH      0x11    /* present, instruction fetch */
#define MONITOR_MFN     0x100UL /* the monitor image is loaded at 1 MiB */
#define LOW_MFN         1UL
#define EDGE_VA         0xF57FF000UL /* the last guest page: the monitor's area follows */
#define EDGE_L2_IDX     0x1AB
#define L2_FLAGS        0x67ULL
#define SEL(i)          ((uint16_t)(((i) << 3) | 1))

static uint8_t window[4096] PAGE_ALIGNED;
static pte_t window_pte;
static volatile uint32_t *entry; /* window's L1 entry through the read-only mapping */
static uint64_t gdt[512] PAGE_ALIGNED;

static pte_t entry_now(void)
{
    return *(volatile pte_t *)entry;
}

static const volatile pte_t *l3(void)
{
    return (const volatile pte_t *)start_info->pt_base;
}

/* The read-only view of a start-of-day table by its machine frame. */
static volatile uint32_t *table_va(unsigned long mfn)
{
    return pfn_to_va(mfn_to_pfn(mfn));
}

/* ------------------------------------------------------------- attack primitives -- */

struct shot {
    volatile uint32_t *p;
    uint32_t v;
    pte_t v64;
};

static void mov_store(void *a)
{
    const struct shot *s = a;

    __asm__ volatile("movl %1, (%0)" : : "r"(s->p), "r"(s->v) : "memory");
}

static void movb_store(void *a)
{
    const struct shot *s = a;

    __asm__ volatile("movb %b1, (%0)" : : "r"(s->p), "q"(s->v) : "memory");
}

static void cmpxchg_store(void *a)
{
    const struct shot *s = a;
    uint32_t expect = *s->p;

    __asm__ volatile("lock cmpxchgl %2, (%1)" : "+a"(expect) : "r"(s->p), "r"(s->v) : "memory");
}

static void cmpxchg8b_store(void *a)
{
    const struct shot *s = a;
    pte_t expect = *(volatile pte_t *)s->p;

    __asm__ volatile("lock cmpxchg8b (%1)"
                     : "+A"(expect)
                     : "S"(s->p), "b"((uint32_t)s->v64), "c"((uint32_t)(s->v64 >> 32))
                     : "memory");
}

static void bts_store(void *a)
{
    const struct shot *s = a;

    __asm__ volatile("lock btsl %1, (%0)" : : "r"(s->p), "r"(s->v) : "memory", "cc");
}

static void or_store(void *a)
{
    const struct shot *s = a;

    __asm__ volatile("lock orl %1, (%0)" : : "r"(s->p), "r"(s->v) : "memory", "cc");
}

/* Writes the monitor does not emulate, each leaving the value as it is if it ran. */
static void add_insn(void *a)
{
    __asm__ volatile("addl $0, (%0)" : : "r"(((const struct shot *)a)->p) : "memory", "cc");
}

static void inc_dec_insn(void *a)
{
    __asm__ volatile("incl (%0)\n\tdecl (%0)"
                     :
                     : "r"(((const struct shot *)a)->p)
                     : "memory", "cc");
}

static void xadd_insn(void *a)
{
    uint32_t zero = 0;

    __asm__ volatile("lock xaddl %0, (%1)"
                     : "+r"(zero)
                     : "r"(((const struct shot *)a)->p)
                     : "memory", "cc");
}

static void movs_insn(void *a)
{
    const struct shot *s = a;
    uint32_t src = *s->p;
    const uint32_t *from = &src;
    volatile uint32_t *to = s->p;

    __asm__ volatile("cld\n\tmovsl" : "+S"(from), "+D"(to) : : "memory");
}

static void rep_stos_insn(void *a)
{
    const struct shot *s = a;
    volatile uint32_t *to = s->p;
    uint32_t n = 1;

    __asm__ volatile("cld\n\trep stosl" : "+D"(to), "+c"(n) : "a"(*s->p) : "memory");
}

static void movnti_insn(void *a)
{
    const struct shot *s = a;

    __asm__ volatile("movnti %1, (%0)" : : "r"(s->p), "r"(*s->p) : "memory");
}

/* A mov with a rep prefix (which the CPU ignores and the monitor refuses). */
static void rep_mov_insn(void *a)
{
    const struct shot *s = a;

    __asm__ volatile(".byte 0xf3\n\tmovl %1, (%0)" : : "r"(s->p), "r"(*s->p) : "memory");
}

/* ------------------------------------------------------------- checking ----------- */

/*
 * fn(shot) must fault on the address at, with error code err, and leave the window's
 * entry (and *watch, when given) as they were.  *out gets the frame.
 */
static void expect_fault(const char *what, void (*fn)(void *), const struct shot *s, uintptr_t at,
                         uint32_t err, struct guest_regs *out)
{
    struct guest_regs r;
    pte_t before = entry_now();
    bool caught = trap_catch(fn, (void *)s, &r);

    TEST_CHECK(caught && r.vector == 14 && r.error_code == err && trap_cr2() == at,
               "%s: caught %d vector %u error %#x cr2 %#x (expected a #PF, error %#x, at %#x)",
               what, caught, r.vector, r.error_code, trap_cr2(), err, at);
    TEST_CHECK(entry_now() == before, "%s: the entry became %#llx", what, entry_now());
    if (out) {
        *out = r;
    }
}

/* Writes low (at +0) or high (at +4) into the window's entry with a plain mov. */
static void expect_refused_half(const char *what, bool high, uint32_t val)
{
    struct shot s = {.p = entry + (high ? 1 : 0), .v = val};

    expect_fault(what, mov_store, &s, (uintptr_t)s.p, PFEC_WRITE, NULL);
}

static uint32_t low_of(unsigned long mfn, uint64_t flags)
{
    return (uint32_t)pte_make(mfn, flags);
}

/* ------------------------------------------------------------- the attacks -------- */

/* A machine frame that is another domain's: in use in the M2P, and not in our P2M. */
static unsigned long foreign_frame(void)
{
    for (unsigned long mfn = 0x100; mfn < 0x4000; mfn++) {
        unsigned long pfn = mfn_to_pfn(mfn);

        if (pfn < 0x100000 && (pfn >= start_info->nr_pages || pfn_to_mfn(pfn) != mfn)) {
            return mfn;
        }
    }
    return 0;
}

static void test_bad_targets(unsigned long foreign)
{
    unsigned long l1_mfn = va_to_mfn((const void *)entry);
    unsigned long l3_mfn = va_to_mfn((const void *)start_info->pt_base);

    expect_refused_half("monitor frame", false, low_of(MONITOR_MFN, PTE_KERNEL_RW));
    expect_refused_half("monitor frame read-only", false, low_of(MONITOR_MFN, _PAGE_PRESENT));
    expect_refused_half("low frame", false, low_of(LOW_MFN, PTE_KERNEL_RW));
    TEST_CHECK(foreign != 0, "no frame of another domain found in the M2P");
    if (foreign) {
        struct shot s = {.p = entry, .v64 = pte_make(foreign, PTE_KERNEL_RW)};

        expect_refused_half("another domain's frame", false, low_of(foreign, PTE_KERNEL_RW));
        expect_fault("another domain's frame (cmpxchg8b)", cmpxchg8b_store, &s, (uintptr_t)entry,
                     PFEC_WRITE, NULL);
    }
    expect_refused_half("our L1 writable", false, low_of(l1_mfn, PTE_KERNEL_RW));
    expect_refused_half("our L3 writable", false, low_of(l3_mfn, PTE_KERNEL_RW));
    expect_refused_half("slot-3 L2 writable", false, low_of(pte_mfn(l3()[3]), PTE_KERNEL_RW));
}

static void test_bad_flags(void)
{
    uint32_t low = (uint32_t)window_pte, high = (uint32_t)(window_pte >> 32);
    struct shot s = {.p = entry};

    expect_refused_half("PSE/PAT bit", false, low | _PAGE_PSE);
    expect_refused_half("global bit", false, low | 0x100);
    expect_refused_half("cache-disable bit", false, low | _PAGE_PCD);
    expect_refused_half("write-through bit", false, low | _PAGE_PWT);
    /* The upper half: a reserved bit (52) or a frame far past the frame table. */
    expect_refused_half("reserved bit 52", true, high | (1u << 20));
    expect_refused_half("huge frame number", true, high | 0xFF);
    s.v = (uint8_t)low | _PAGE_PSE;
    expect_fault("PSE/PAT by movb", movb_store, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    s.v = 8; /* global */
    expect_fault("global by bts", bts_store, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    s.v = _PAGE_PCD;
    expect_fault("cache-disable by or", or_store, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
}

/* A refused compare-exchange changes no register either: the whole fault is bounced. */
static void test_refused_compare_exchange(void)
{
    struct shot s = {.p = entry, .v = low_of(MONITOR_MFN, PTE_KERNEL_RW)};
    struct guest_regs r;

    expect_fault("cmpxchg to a monitor frame", cmpxchg_store, &s, (uintptr_t)entry, PFEC_WRITE, &r);
    TEST_EQ(r.eax, (uint32_t)window_pte); /* the compare value, not touched */
    s.v64 = window_pte | (1ULL << 52);
    expect_fault("cmpxchg8b with a reserved bit", cmpxchg8b_store, &s, (uintptr_t)entry, PFEC_WRITE,
                 &r);
    TEST_EQ(r.eax, (uint32_t)window_pte);
    TEST_EQ(r.edx, (uint32_t)(window_pte >> 32));
}

static void test_unsupported(void)
{
    struct shot s = {.p = entry};
    struct shot half = {.p = (volatile uint32_t *)((uintptr_t)entry + 2), .v = 0};
    struct shot split = {.p = entry + 1, .v64 = window_pte};

    expect_fault("add", add_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    expect_fault("inc", inc_dec_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    expect_fault("xadd", xadd_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    expect_fault("movs", movs_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    expect_fault("rep stos", rep_stos_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    expect_fault("movnti", movnti_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    expect_fault("rep-prefixed mov", rep_mov_insn, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    /* Accesses that are not naturally aligned, splitting a half or an entry. */
    expect_fault("misaligned mov", mov_store, &half, (uintptr_t)half.p, PFEC_WRITE, NULL);
    expect_fault("cmpxchg8b across two entries", cmpxchg8b_store, &split, (uintptr_t)split.p,
                 PFEC_WRITE, NULL);
}

/* The upper levels are not emulated: writes to the L3 and to an L2 fault. */
static void test_upper_levels(void)
{
    volatile uint32_t *l3w = (volatile uint32_t *)start_info->pt_base;
    volatile uint32_t *l2w = table_va(pte_mfn(l3()[3]));
    pte_t l3e = l3()[0], l2e = ((volatile pte_t *)l2w)[0];
    struct shot s3 = {.p = l3w, .v = (uint32_t)l3e};
    struct shot s2 = {.p = l2w, .v = (uint32_t)l2e};

    expect_fault("L3 entry", mov_store, &s3, (uintptr_t)l3w, PFEC_WRITE, NULL);
    expect_fault("L2 entry", mov_store, &s2, (uintptr_t)l2w, PFEC_WRITE, NULL);
    TEST_EQ(l3()[0], l3e);
    TEST_EQ(((volatile pte_t *)l2w)[0], l2e);
}

/* A write through %fs with base 0x1000 reaches the entry, but the segment is not flat. */
static void fs_store(void *a)
{
    const struct shot *s = a;

    seg_load_fs((uint16_t)s->v64);
    __asm__ volatile("movl %1, %%fs:(%0)" : : "r"(s->p), "r"(s->v) : "memory");
    seg_load_fs(FLAT_KERNEL_DS);
}

static void test_segments(void)
{
    const char *what = "";
    struct shot s = {.p = (volatile uint32_t *)((uintptr_t)entry - 0x1000),
                     .v = (uint32_t)window_pte & ~_PAGE_RW,
                     .v64 = SEL(2)};
    struct guest_regs r;
    int rc;

    gdt[2] = seg_descriptor(0x1000, GUEST_SEG_LIMIT_PAGES - 1, SEG_TYPE_DATA, 1);
    gdt[3] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    rc = gdt_install(gdt, 4, &what);
    if (rc) {
        TEST_CHECK(false, "%s: %d", what, rc);
        return;
    }
    expect_fault("non-flat %fs", fs_store, &s, (uintptr_t)entry, PFEC_WRITE, NULL);
    seg_load_fs(FLAT_KERNEL_DS);
    /* The control: a flat descriptor of our own GDT works. */
    s.p = entry;
    s.v64 = SEL(3);
    TEST_ASSERT(!trap_catch(fs_store, &s, &r));
    seg_load_fs(FLAT_KERNEL_DS);
    TEST_EQ(entry_now(), window_pte & ~_PAGE_RW);
    TEST_EQ(map_page((uintptr_t)window, window_pte), 0);
    TEST_EQ(HYPERVISOR_set_gdt(NULL, 0), 0);
}

/* Ring 3 writing through a user mapping of the L1 (read-only, as every table mapping). */
USER_BSS uint8_t u_view[4096] __attribute__((aligned(4096)));
USER_BSS uint8_t u_stack[4096] __attribute__((aligned(4096)));
USER_DATA uint32_t u_target;
__asm__(".section .user.text, \"ax\"\n"
        "u_ptw: movl u_target, %ebx\n"
        "       movl %eax, (%ebx)\n"
        "       jmp .\n"
        ".text\n");
extern char u_ptw[];

static void test_ring3(void)
{
    const volatile pte_t *view_pte = pte_lookup((uintptr_t)u_view);
    pte_t saved, before = entry_now();
    struct guest_regs r;

    if (user_region_enable() != 0 || !view_pte) {
        TEST_CHECK(false, "the user region cannot be set up");
        return;
    }
    saved = *view_pte;
    TEST_EQ(map_page((uintptr_t)u_view,
                     pte_make(va_to_mfn((const void *)entry), _PAGE_PRESENT | _PAGE_USER)),
            0);
    u_target = (uint32_t)(uintptr_t)u_view + ((uintptr_t)entry & (PAGE_SIZE - 1));
    TEST_EQ(user_run((uintptr_t)u_ptw, (uint32_t)(uintptr_t)(u_stack + sizeof(u_stack)),
                     (uint32_t)window_pte & ~_PAGE_RW, &r),
            0);
    TEST_EQ(r.vector, 14);
    TEST_EQ(r.error_code, PFEC_USER_WRITE);
    TEST_EQ(trap_cr2(), u_target);
    TEST_EQ(entry_now(), before);
    TEST_EQ(map_page((uintptr_t)u_view, saved), 0);
}

/* ------------------------------------------------------------- the monitor's edge -- */

static unsigned long fresh_frame(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    memset(pfn_to_va(pfn), 0, PAGE_SIZE);
    return pfn;
}

static int set_edge_l2(pte_t val)
{
    uint64_t ma = ((uint64_t)pte_mfn(l3()[3]) << PAGE_SHIFT) + EDGE_L2_IDX * sizeof(pte_t);
    mmu_update_t u = {.ptr = ma, .val = val};

    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static void run_edge(void *a)
{
    const struct shot *s = a;

    __asm__ volatile("call *%0" : : "r"(EDGE_VA + PAGE_SIZE - 2), "b"(s->p) : "memory", "cc");
}

/*
 * movl $imm32,(%ebx) at the last two bytes below the monitor's area: its immediate lies in
 * the M2P.  Either the CPU refuses to fetch there (NX) or the monitor refuses to read the
 * bytes; the entry stays, and the guest gets a #PF either way.
 */
static void test_edge(void)
{
    unsigned long l1 = fresh_frame(), code = fresh_frame();
    struct shot s = {.p = entry};
    struct guest_regs r;
    uint8_t *insn;

    TEST_EQ(page_set_readonly((uintptr_t)pfn_to_va(l1)), 0);
    if (set_edge_l2(pte_make(pfn_to_mfn(l1), L2_FLAGS)) != 0 ||
        map_page(EDGE_VA, pte_make(pfn_to_mfn(code), PTE_KERNEL_RW)) != 0) {
        TEST_CHECK(false, "could not map the page below the monitor's area");
        return;
    }
    insn = (uint8_t *)(EDGE_VA + PAGE_SIZE - 2);
    insn[0] = 0xC7;
    insn[1] = 0x03;
    TEST_ASSERT(trap_catch(run_edge, &s, &r));
    TEST_EQ(r.vector, 14);
    if (trap_cr2() == (uintptr_t)entry) {
        TEST_EQ(r.error_code, PFEC_WRITE);
        test_note("straddling instruction: fetched by the CPU, refused by the monitor");
    } else {
        TEST_EQ(trap_cr2(), EDGE_VA + PAGE_SIZE);
        TEST_EQ(r.error_code, PFEC_FETCH);
        test_note("straddling instruction: the CPU would not fetch it (NX on the M2P)");
    }
    TEST_EQ(entry_now(), window_pte);
    TEST_EQ(map_page(EDGE_VA, 0), 0);
    TEST_EQ(set_edge_l2(0), 0);
    TEST_EQ(map_page((uintptr_t)pfn_to_va(l1), pte_make(pfn_to_mfn(l1), PTE_KERNEL_RW)), 0);
    frame_free(l1);
    frame_free(code);
}

/* After all that the assist still works for a good write, and the window maps its page. */
static void test_still_works(void)
{
    struct shot s = {.p = entry, .v = (uint32_t)window_pte};

    mov_store(&s);
    TEST_EQ(entry_now(), window_pte);
    TEST_EQ(*(volatile uint32_t *)window, 0x600d);
}

int guest_main(void)
{
    unsigned long foreign = foreign_frame(); /* first, while the bystander surely lives */

    *(volatile uint32_t *)window = 0x600d;
    entry = (volatile uint32_t *)pte_lookup((uintptr_t)window);
    if (!entry) {
        test_error("no start-of-day L1 entry maps the window");
    }
    window_pte = entry_now();
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    test_bad_targets(foreign);
    test_bad_flags();
    test_refused_compare_exchange();
    test_unsupported();
    test_upper_levels();
    test_segments();
    test_ring3();
    test_edge();
    test_still_works();
    test_finish();
}
