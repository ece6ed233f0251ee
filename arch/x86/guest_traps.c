/*
 * Traps from guests (ring 1 and 3): hypercalls, interrupts while a guest ran, software
 * interrupts, the few privileged instructions PV kernels still use, and everything else
 * bounced to the guest's own handler.  Always ends by asking the scheduler what runs next.
 */
#include "arch/x86/asm.h"
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "arch/x86/traps.h"
#include "kernel/domain.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "mm/guest_copy.h"

#define X86_EFLAGS_IOPL_SHIFT 12

void guest_exit_fault(struct cpu_regs *r);

static bool has_error_code(unsigned int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/* "ud2; .ascii xen; cpuid": CPUID on the guest's behalf, even without a trap table. */
static bool emulate_forced_cpuid(struct cpu_regs *r)
{
    static const uint8_t prefix[7] = { 0x0F, 0x0B, 'x', 'e', 'n', 0x0F, 0xA2 };
    uint8_t insn[7];
    struct cpuid_regs c;
    if (copy_from_guest(insn, r->eip, sizeof(insn)) || memcmp(insn, prefix, sizeof(insn))) {
        return false;
    }
    c = cpuid(r->eax, r->ecx);
    if (r->eax == 1) {
        /* No VMX, no MONITOR, no x2APIC, no TSC deadline for guests; say a hypervisor runs. */
        c.ecx = (c.ecx & ~((1u << 5) | (1u << 3) | (1u << 21) | (1u << 24))) | (1u << 31);
        c.edx &= ~(1u << 12);   /* MTRR */
    }
    r->eax = c.eax;
    r->ebx = c.ebx;
    r->ecx = c.ecx;
    r->edx = c.edx;
    r->eip += sizeof(prefix);
    return true;
}

/* cli/sti under the virtual IOPL: they move the event mask. */
static bool emulate_privileged(struct vcpu *v, struct cpu_regs *r)
{
    uint8_t op;
    if (copy_from_guest(&op, r->eip, 1)) {
        return false;
    }
    if ((op == 0xFA || op == 0xFB) && v->arch.iopl >= (r->cs & 3)) {
        v->vcpu_info->evtchn_upcall_mask = op == 0xFA;
        r->eip += 1;
        return true;
    }
    return false;
}

/* #GP: a software interrupt the guest's trap table allows, an emulation, or a bounce. */
static void guest_gp(struct vcpu *v, struct cpu_regs *r)
{
    if ((r->error_code & 3) == 2) {
        unsigned int n = r->error_code >> 3;
        const trap_info_t *t = &v->arch.traps[n];
        if (t->address && (t->flags & 3) >= (r->cs & 3)) {
            r->eip += 2;
            bounce_exception(v, n, false, 0);
            return;
        }
    } else if (r->error_code == 0 && emulate_privileged(v, r)) {
        return;
    }
    bounce_exception(v, 13, true, r->error_code);
}

static void guest_exception(struct vcpu *v, struct cpu_regs *r)
{
    switch (r->vector) {
    case 13:
        guest_gp(v, r);
        return;
    case 6:
        if (!emulate_forced_cpuid(r)) {
            bounce_exception(v, 6, false, 0);
        }
        return;
    case 14:
        v->vcpu_info->arch.cr2 = read_cr2();
        bounce_exception(v, 14, true, r->error_code);
        return;
    case 2:
    case 18:
        pr_err("traps: %s while domain %u ran\n", r->vector == 2 ? "NMI" : "machine check", v->domain->id);
        return;
    default:
        bounce_exception(v, r->vector, has_error_code(r->vector), r->error_code);
        return;
    }
}

void guest_trap(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    if (!v) {
        panic_regs(r, "a trap from ring %u with no vCPU on this CPU", r->cs & 3);
    }
    if (r->vector == VECTOR_HYPERCALL) {
        hypercall_dispatch(v, r);
    } else if (r->vector >= 32) {
        irq_dispatch(r);
    } else {
        guest_exception(v, r);
    }
    sched_on_exit();
}

/*
 * Reloading the guest's segments or its iret faulted on the way out: the failsafe callback
 * gets the segment values, or the domain is crashed when it has none.
 */
void guest_exit_fault(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    if (!v) {
        panic_regs(r, "returning to a guest faulted with no vCPU on this CPU");
    }
    if (!v->arch.failsafe_eip ||
        (r->eip == v->arch.failsafe_eip && (r->cs & ~3u) == (v->arch.failsafe_cs & ~3u))) {
        domain_crash(v->domain, "returning to it faulted (bad segment or frame) and no failsafe callback could take it");
    } else {
        bounce_failsafe(v);
    }
    sched_on_exit();
}
