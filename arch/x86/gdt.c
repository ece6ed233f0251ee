/*
 * GDT and TSS.  Each CPU's GDT is a 64 KiB window: pages 0-13 (guest entries, later the
 * running guest's frames) map a zero page, page 14 is the reserved page built here.  The
 * TSS's I/O bitmap denies every port.  A double fault switches to its own task and stack so
 * even a monitor stack overflow ends in a register dump.
 */
#include "arch/x86/segments.h"
#include "arch/x86/asm.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

struct __packed tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
    uint8_t iomap[8192 / 8 * 8 + 1];   /* 65536 ports, one bit each, then 0xFF */
};
static_assert(offsetof(struct tss, iomap) == 104, "hardware TSS layout");

struct percpu percpu_data[MAX_CPUS];

static uint64_t boot_gdt_page[GDT_RESERVED_ENTRIES] __aligned(4096) __section(".bss.page_aligned");
static struct tss boot_tss __aligned(128);
static struct tss df_tss __aligned(128);
static uint8_t df_stack[STACK_SIZE] __aligned(STACK_SIZE) __section(".bss.page_aligned");
extern const char double_fault_task[];
extern pte_t boot_l3[4];

/* base, limit (20 bits), access byte, flags nibble (G, D/B). */
static uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

#define ACC_CODE(dpl)   (0x9A | ((dpl) << 5))   /* present, code, execute/read */
#define ACC_DATA(dpl)   (0x92 | ((dpl) << 5))   /* present, data, read/write */
#define ACC_TSS         0x89                    /* present, 32-bit TSS, available */
#define ACC_LDT         0x82                    /* present, LDT */
#define FLAGS_4K_32     0xC                     /* G = 1, D/B = 1 */
/* Flat guest segments end below GUEST_SEGMENT_END: the monitor is above. */
#define GUEST_LIMIT     ((GUEST_SEGMENT_END >> 12) - 1)

static void tss_setup(struct tss *t, uintptr_t esp0)
{
    memset(t, 0, sizeof(*t));
    t->ss0 = MONITOR_DS;
    t->esp0 = esp0;
    t->iomap_base = offsetof(struct tss, iomap);
    memset(t->iomap, 0xFF, sizeof(t->iomap));
}

static void df_tss_setup(void)
{
    memset(&df_tss, 0, sizeof(df_tss));
    df_tss.cr3 = (uint32_t)image_pa(boot_l3);
    df_tss.eip = (uint32_t)(uintptr_t)double_fault_task;
    df_tss.eflags = 0x2;
    df_tss.esp = (uint32_t)stack_top((uintptr_t)df_stack);
    /* The double-fault stack is a CPU stack too: the report finds its CPU through it. */
    ((struct cpu_info *)df_tss.esp)->pcpu = this_cpu();
    ((struct cpu_info *)df_tss.esp)->cpu = smp_processor_id();
    df_tss.cs = MONITOR_CS;
    df_tss.ds = df_tss.es = df_tss.ss = MONITOR_DS;
    df_tss.iomap_base = offsetof(struct tss, iomap);
    memset(df_tss.iomap, 0xFF, sizeof(df_tss.iomap));
}

static void fill_reserved_page(uint64_t *g, const struct tss *tss)
{
    memset(g, 0, PAGE_SIZE);
    g[RESERVED_SLOT(MONITOR_CS)] = make_desc(0, 0xFFFFF, ACC_CODE(0), FLAGS_4K_32);
    g[RESERVED_SLOT(MONITOR_DS)] = make_desc(0, 0xFFFFF, ACC_DATA(0), FLAGS_4K_32);
    g[RESERVED_SLOT(FLAT_RING1_CS)] = make_desc(0, GUEST_LIMIT, ACC_CODE(1), FLAGS_4K_32);
    g[RESERVED_SLOT(FLAT_RING1_DS)] = make_desc(0, GUEST_LIMIT, ACC_DATA(1), FLAGS_4K_32);
    g[RESERVED_SLOT(FLAT_RING3_CS)] = make_desc(0, GUEST_LIMIT, ACC_CODE(3), FLAGS_4K_32);
    g[RESERVED_SLOT(FLAT_RING3_DS)] = make_desc(0, GUEST_LIMIT, ACC_DATA(3), FLAGS_4K_32);
    g[RESERVED_SLOT(TSS_SEL)] = make_desc((uint32_t)(uintptr_t)tss, sizeof(struct tss) - 1, ACC_TSS, 0);
    g[RESERVED_SLOT(DF_TSS_SEL)] = make_desc((uint32_t)(uintptr_t)&df_tss, sizeof(struct tss) - 1, ACC_TSS, 0);
}

static void load_gdt(uintptr_t base)
{
    struct desc_ptr p = { GDT_LIMIT, (uint32_t)base };
    lgdt(&p);
    __asm__ volatile("ljmp %0, $1f\n1:\n"
                     "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
                     "mov %2, %%fs\n mov %2, %%gs\n"
                     ::"i"(MONITOR_CS), "r"(MONITOR_DS), "r"(0) : "memory");
}

void gdt_init_early(void)
{
    struct percpu *pc = this_cpu();
    uintptr_t stack = read_esp() & ~(uintptr_t)(STACK_SIZE - 1);
    tss_setup(&boot_tss, stack_top(stack));
    df_tss_setup();
    fill_reserved_page(boot_gdt_page, &boot_tss);
    pc->tss = &boot_tss;
    pc->gdt = boot_gdt_page;
    /* Entries below 7168 point at unmapped memory until the window exists: none is used. */
    load_gdt((uintptr_t)boot_gdt_page - GDT_FIRST_RESERVED * 8);
    ltr(TSS_SEL);
    lldt(0);
}

static mfn_t zero_frame = { INVALID_MFN_RAW };

void tss_set_ring1_stack(uint32_t ss1, uint32_t esp1)
{
    struct tss *t = this_cpu()->tss;
    t->ss1 = ss1;
    t->esp1 = esp1;
}

void gdt_load_guest_frames(const uint32_t *frames, unsigned int nr)
{
    uintptr_t win = this_cpu()->gdt_va;
    pte_t flags = PTE_P | PTE_A | PTE_G | pte_nx;
    for (unsigned int i = 0; i < GDT_FIRST_RESERVED * 8 / PAGE_SIZE; i++) {
        if (i < nr) {
            /* Writable here: the CPU sets accessed bits; the guest's own mapping is not. */
            map_page(win + i * PAGE_SIZE, mfn_to_paddr(_mfn(frames[i])), flags | PTE_RW | PTE_D);
        } else {
            map_page(win + i * PAGE_SIZE, mfn_to_paddr(zero_frame), flags);
        }
    }
}

void gdt_load_guest_ldt(const uint32_t *frames, unsigned int ents)
{
    struct percpu *pc = this_cpu();
    uintptr_t win = LDT_WINDOW_START + pc->cpu * LDT_WINDOW_PER_CPU;
    if (ents == 0) {
        lldt(0);
        return;
    }
    /* Writable here: the CPU sets accessed bits; the guest's own mapping is not. */
    for (unsigned int i = 0; i < (ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE; i++) {
        map_page(win + i * PAGE_SIZE, mfn_to_paddr(_mfn(frames[i])),
                 PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | pte_nx);
    }
    pc->gdt[RESERVED_SLOT(LDT_SEL)] = make_desc((uint32_t)win, ents * 8 - 1, ACC_LDT, 0);
    lldt(LDT_SEL);
}

void gdt_init_window(void)
{
    struct percpu *pc = this_cpu();
    uintptr_t win = GDT_WINDOW_START + pc->cpu * GDT_WINDOW_PER_CPU;
    pte_t ro = PTE_P | PTE_A | PTE_G | pte_nx;
    if (mfn_x(zero_frame) == INVALID_MFN_RAW) {
        zero_frame = alloc_frames(0, 0);
        BUG_ON(mfn_x(zero_frame) == INVALID_MFN_RAW);
        clear_frame(zero_frame);
    }
    for (unsigned int i = 0; i < GDT_WINDOW_PER_CPU / PAGE_SIZE; i++) {
        if (i == GDT_FIRST_RESERVED * 8 / PAGE_SIZE) {
            /* Writable: the CPU sets accessed and busy bits in it. */
            map_page(win + i * PAGE_SIZE, virt_to_maddr((uintptr_t)pc->gdt), ro | PTE_RW | PTE_D);
        } else {
            map_page(win + i * PAGE_SIZE, mfn_to_paddr(zero_frame), ro);
        }
    }
    pc->gdt_va = win;
    load_gdt(win);
}
