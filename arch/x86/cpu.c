/* CPU identification and the monitor's control-register state. */
#include "arch/x86/cpu.h"
#include "arch/x86/asm.h"
#include "arch/x86/paging.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

struct cpu_features boot_cpu;

static void read_features(struct cpu_features *f)
{
    struct cpuid_regs r = cpuid(0, 0);
    uint32_t fms;
    f->max_leaf = r.eax;
    memcpy(f->vendor, &r.ebx, 4);
    memcpy(f->vendor + 4, &r.edx, 4);
    memcpy(f->vendor + 8, &r.ecx, 4);
    r = cpuid(1, 0);
    fms = r.eax;
    f->family = (fms >> 8) & 0xF;
    f->model = (fms >> 4) & 0xF;
    if (f->family == 0xF) {
        f->family += (fms >> 20) & 0xFF;
    }
    if (f->family >= 6) {
        f->model |= ((fms >> 16) & 0xF) << 4;
    }
    f->stepping = fms & 0xF;
    f->tsc = r.edx & (1u << 4);
    f->pae = r.edx & (1u << 6);
    f->apic = r.edx & (1u << 9);
    f->pge = r.edx & (1u << 13);
    f->fxsr = r.edx & (1u << 24);
    f->sse = r.edx & (1u << 25);
    f->sse2 = r.edx & (1u << 26);
    f->x2apic = r.ecx & (1u << 21);
    f->tsc_deadline = r.ecx & (1u << 24);
    f->xsave = r.ecx & (1u << 26);
    f->hypervisor = r.ecx & (1u << 31);
    if (f->max_leaf >= 7) {
        r = cpuid(7, 0);
        f->smep = r.ebx & (1u << 7);
        f->smap = r.ebx & (1u << 20);
    }
    f->max_ext_leaf = cpuid(0x80000000u, 0).eax;
    if (f->max_ext_leaf >= 0x80000001u) {
        f->nx = cpuid(0x80000001u, 0).edx & (1u << 20);
    }
    if (f->max_ext_leaf >= 0x80000004u) {
        for (uint32_t i = 0; i < 3; i++) {
            r = cpuid(0x80000002u + i, 0);
            memcpy(f->brand + 16 * i, &r, 16);
        }
    }
    if (f->max_ext_leaf >= 0x80000007u) {
        f->invariant_tsc = cpuid(0x80000007u, 0).edx & (1u << 8);
    }
    f->phys_bits = f->max_ext_leaf >= 0x80000008u ? (cpuid(0x80000008u, 0).eax & 0xFF) : 36;
}

void cpu_init(void)
{
    uint32_t cr4 = X86_CR4_PAE;
    read_features(&boot_cpu);
    /* Explicit values: firmware hand-overs (UEFI) leave odd bits behind. */
    write_cr0(X86_CR0_PG | X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP);
    if (boot_cpu.pge) {
        cr4 |= X86_CR4_PGE;
    }
    if (boot_cpu.fxsr) {
        cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    }
    /* SMEP/SMAP stay off: ring 1 counts as supervisor and guests run there. */
    write_cr4(cr4);
    pte_nx = boot_cpu.nx ? PTE_NX : 0;
}

void cpu_print(void)
{
    const struct cpu_features *f = &boot_cpu;
    const char *brand = f->brand;
    while (*brand == ' ') {
        brand++;
    }
    pr_info("CPU: %s family %u model %u stepping %u: %s\n", f->vendor, f->family, f->model,
            f->stepping, *brand ? brand : "(no brand string)");
    pr_info("CPU features:%s%s%s%s%s%s%s%s%s%s%s, %u physical address bits\n",
            f->pae ? " pae" : "", f->nx ? " nx" : "", f->pge ? " pge" : "",
            f->apic ? " apic" : "", f->x2apic ? " x2apic" : "", f->tsc ? " tsc" : "",
            f->invariant_tsc ? " invtsc" : "", f->fxsr ? " fxsr" : "", f->sse2 ? " sse2" : "",
            f->smep ? " smep" : "", f->hypervisor ? " hypervisor" : "", f->phys_bits);
}
