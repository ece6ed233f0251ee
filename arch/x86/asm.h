/* Every inline-assembly wrapper of the monitor: port I/O, MSRs, control registers, CPUID. */
#ifndef ARCH_X86_ASM_H
#define ARCH_X86_ASM_H

#include "kernel/types.h"

#define X86_EFLAGS_IF   (1u << 9)
#define X86_CR0_PE      (1u << 0)
#define X86_CR0_MP      (1u << 1)
#define X86_CR0_EM      (1u << 2)
#define X86_CR0_TS      (1u << 3)
#define X86_CR0_ET      (1u << 4)
#define X86_CR0_NE      (1u << 5)
#define X86_CR0_WP      (1u << 16)
#define X86_CR0_AM      (1u << 18)
#define X86_CR0_NW      (1u << 29)
#define X86_CR0_CD      (1u << 30)
#define X86_CR0_PG      (1u << 31)
#define X86_CR4_PSE     (1u << 4)
#define X86_CR4_PAE     (1u << 5)
#define X86_CR4_PGE     (1u << 7)
#define X86_CR4_OSFXSR  (1u << 9)
#define X86_CR4_OSXMMEXCPT (1u << 10)

#define MSR_EFER        0xC0000080u
#define EFER_NXE        (1u << 11)
#define MSR_APIC_BASE   0x0000001Bu

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

#define DEFINE_CR(n)                                                                      \
    static inline uint32_t read_cr##n(void)                                               \
    {                                                                                     \
        uint32_t v;                                                                       \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                 \
        return v;                                                                         \
    }                                                                                     \
    static inline void write_cr##n(uint32_t v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

#define DEFINE_DR(n)                                                                      \
    static inline uint32_t read_dr##n(void)                                               \
    {                                                                                     \
        uint32_t v;                                                                       \
        __asm__ volatile("mov %%db" #n ", %0" : "=r"(v));                                 \
        return v;                                                                         \
    }                                                                                     \
    static inline void write_dr##n(uint32_t v) { __asm__ volatile("mov %0, %%db" #n ::"r"(v)); }
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)
#undef DEFINE_DR

static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}
static inline uint32_t read_ebp(void)
{
    uint32_t v;
    __asm__ volatile("mov %%ebp, %0" : "=r"(v));
    return v;
}
static inline uint32_t read_esp(void)
{
    uint32_t v;
    __asm__ volatile("mov %%esp, %0" : "=r"(v));
    return v;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* Enables interrupts and halts with no window between the two. */
static inline void safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline uint32_t irq_save(void)
{
    uint32_t f = read_eflags();
    irq_disable();
    return f;
}
static inline void irq_restore(uint32_t flags)
{
    if (flags & X86_EFLAGS_IF) {
        irq_enable();
    }
}
static inline bool irqs_enabled(void) { return read_eflags() & X86_EFLAGS_IF; }

static inline void invlpg(const void *va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

struct __packed desc_ptr {
    uint16_t limit;
    uint32_t base;
};
static inline void lgdt(const struct desc_ptr *p) { __asm__ volatile("lgdt %0" ::"m"(*p)); }
static inline void lidt(const struct desc_ptr *p) { __asm__ volatile("lidt %0" ::"m"(*p)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" ::"r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" ::"r"(sel)); }

/* Atomics used by the lock implementations. */
static inline uint32_t atomic_fetch_add32(volatile uint32_t *p, uint32_t v)
{
    __asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

/*
 * Bit n of a word only this CPU writes: one instruction each, so an interrupt handler on
 * this CPU cannot come between the read and the write (not atomic against other CPUs).
 */
static inline bool test_and_set_bit_local(volatile uint32_t *p, unsigned int n)
{
    bool old;
    __asm__ volatile("btsl %2, %1" : "=@ccc"(old), "+m"(*p) : "r"(n) : "memory");
    return old;
}
static inline bool test_and_clear_bit_local(volatile uint32_t *p, unsigned int n)
{
    bool old;
    __asm__ volatile("btrl %2, %1" : "=@ccc"(old), "+m"(*p) : "r"(n) : "memory");
    return old;
}

#endif
