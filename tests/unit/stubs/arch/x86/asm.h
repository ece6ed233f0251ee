/*
 * Host stand-in for arch/x86/asm.h, whose wrappers are 32-bit ring-0 instructions: the same
 * constants, and the wrappers as plain declarations.  Only the control registers have host
 * versions (stubs/cpu.c, a fake register file that counts CR3 writes); a test whose monitor
 * source calls any other wrapper fails to link, on purpose.  Keep the constants in step with
 * the real header.
 */
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

/* Host versions in stubs/cpu.c. */
uint32_t read_cr0(void);
void write_cr0(uint32_t v);
uint32_t read_cr2(void);
void write_cr2(uint32_t v);
uint32_t read_cr3(void);
void write_cr3(uint32_t v);
uint32_t read_cr4(void);
void write_cr4(uint32_t v);

/* Writes to the fake CR3 since the program started: flush_tlb_local() is one. */
extern unsigned int stub_cr3_writes;

/* No host versions: declared so that headers using them compile, never defined. */
void outb(uint16_t port, uint8_t v);
void outw(uint16_t port, uint16_t v);
void outl(uint16_t port, uint32_t v);
uint8_t inb(uint16_t port);
uint16_t inw(uint16_t port);
uint32_t inl(uint16_t port);
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t v);
uint64_t rdtsc(void);

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};
struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf);

uint32_t read_dr0(void);
uint32_t read_dr1(void);
uint32_t read_dr2(void);
uint32_t read_dr3(void);
uint32_t read_dr6(void);
uint32_t read_dr7(void);
void write_dr0(uint32_t v);
void write_dr1(uint32_t v);
void write_dr2(uint32_t v);
void write_dr3(uint32_t v);
void write_dr6(uint32_t v);
void write_dr7(uint32_t v);

uint32_t read_eflags(void);
uint32_t read_ebp(void);
uint32_t read_esp(void);
void cpu_relax(void);
void irq_disable(void);
void irq_enable(void);
void halt(void);
void safe_halt(void);
uint32_t irq_save(void);
void irq_restore(uint32_t flags);
bool irqs_enabled(void);
void invlpg(const void *va);

struct __packed desc_ptr {
    uint16_t limit;
    uint32_t base;
};
void lgdt(const struct desc_ptr *p);
void lidt(const struct desc_ptr *p);
void ltr(uint16_t sel);
void lldt(uint16_t sel);

uint32_t atomic_fetch_add32(volatile uint32_t *p, uint32_t v);

#endif
