/*
 * Traps from guests (ring 1 and 3): interrupts while a guest ran, software interrupts, the
 * few privileged instructions PV kernels still use, and everything else bounced to the
 * guest's own handler.  Always ends by asking the scheduler what runs next.  Hypercalls
 * take their own gate to kernel/hypercall.c (hypercall_entry), which leaves the same way.
 */
#include "arch/x86/asm.h"
#include "arch/x86/percpu.h"
#include "arch/x86/ptwr.h"
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
#define DR6_DEFAULT           0xFFFF0FF0u

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

/* The general register a ModRM r/m field names (mod = 11). */
static uint32_t *gpr(struct cpu_regs *r, unsigned int n)
{
    uint32_t *const regs[8] = { &r->eax, &r->ecx, &r->edx, &r->ebx, &r->esp, &r->ebp, &r->esi, &r->edi };
    return regs[n & 7];
}

/* What the guest sees in a control register; false for ones it may not read. */
static bool read_cr(struct vcpu *v, unsigned int cr, uint32_t *val)
{
    uint32_t mfn = mfn_x(v->arch.guest_table);
    switch (cr) {
    case 0:
        *val = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG |
               (v->arch.virtual_ts ? X86_CR0_TS : 0);
        return true;
    case 2:
        *val = v->vcpu_info->arch.cr2;
        return true;
    case 3:
        *val = (mfn << 12) | (mfn >> 20);     /* the extended-CR3 fold */
        return true;
    case 4:
        *val = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
        return true;
    default:
        return false;
    }
}

/* mov to/from CR0, CR2, CR3, CR4 and the debug registers (0F 20-23 with mod = 11). */
static bool emulate_mov_cr_dr(struct vcpu *v, struct cpu_regs *r, const uint8_t *insn)
{
    unsigned int reg = (insn[2] >> 3) & 7;
    uint32_t *g = gpr(r, insn[2] & 7), val;
    const uint32_t args[6] = { reg, *g };
    if ((insn[2] & 0xC0) != 0xC0) {
        return false;
    }
    switch (insn[1]) {
    case 0x20:
        if (!read_cr(v, reg, &val)) {
            return false;
        }
        *g = val;
        break;
    case 0x22:
        /* CR3 loads are MMUEXT_NEW_BASEPTR; only CR0.TS may change (fpu_taskswitch). */
        if (reg == 3) {
            if (vcpu_new_baseptr(v, cr3_to_mfn(*g))) {
                return false;
            }
            break;
        }
        if (reg != 0 || !read_cr(v, 0, &val) || ((*g ^ val) & ~X86_CR0_TS)) {
            return false;
        }
        do_fpu_taskswitch(v, (const uint32_t[6]){ *g & X86_CR0_TS });
        break;
    case 0x21:
        if (reg == 4 || reg == 5) {
            return false;
        }
        *g = v->arch.debugreg[reg];
        break;
    default:
        if (do_set_debugreg(v, args)) {
            return false;
        }
        break;
    }
    r->eip += 3;
    return true;
}

/* Ports the monitor drives itself: never a guest's, whatever its IOPL. */
static bool port_is_monitors(uint32_t port, unsigned int size)
{
    static const uint16_t ranges[][2] = {
        { 0x20, 0x21 }, { 0x40, 0x43 }, { 0x60, 0x61 }, { 0x64, 0x64 }, { 0x70, 0x71 },
        { 0xA0, 0xA1 }, { 0xF0, 0xFF }, { 0x2F8, 0x2FF }, { 0x3D4, 0x3D5 }, { 0x3F8, 0x3FF },
        { 0xCF8, 0xCFF },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(ranges); i++) {
        if (port <= ranges[i][1] && port + size - 1 >= ranges[i][0]) {
            return true;
        }
    }
    return port + size - 1 > 0xFFFF;
}

/*
 * in/out (E4-E7 with an immediate port, EC-EF with DX, 66 for 16 bits): only the initial
 * domain, with a virtual IOPL at least its ring, and only ports the monitor does not use.
 */
static bool emulate_io(struct vcpu *v, struct cpu_regs *r, const uint8_t *insn, unsigned int pfx)
{
    uint8_t op = insn[pfx];
    unsigned int size = (op & 1) ? (pfx ? 2 : 4) : 1, len = pfx + ((op & 8) ? 1 : 2);
    uint32_t port = (op & 8) ? (r->edx & 0xFFFF) : insn[pfx + 1];
    bool in = !(op & 2);
    if (!v->domain->cfg.privileged || v->arch.iopl < (r->cs & 3) || port_is_monitors(port, size)) {
        return false;
    }
    if (in) {
        uint32_t val = size == 1 ? inb((uint16_t)port) : size == 2 ? inw((uint16_t)port) : inl((uint16_t)port);
        uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        r->eax = (r->eax & ~mask) | (val & mask);
    } else if (size == 1) {
        outb((uint16_t)port, (uint8_t)r->eax);
    } else if (size == 2) {
        outw((uint16_t)port, (uint16_t)r->eax);
    } else {
        outl((uint16_t)port, r->eax);
    }
    r->eip += len;
    return true;
}

/* cli/sti under the virtual IOPL (they move the event mask); in/out; CR and DR moves. */
static bool emulate_privileged(struct vcpu *v, struct cpu_regs *r)
{
    uint8_t insn[3] = { 0 };
    if (copy_from_guest(insn, r->eip, 1)) {
        return false;
    }
    if ((insn[0] == 0xFA || insn[0] == 0xFB) && v->arch.iopl >= (r->cs & 3)) {
        v->vcpu_info->evtchn_upcall_mask = insn[0] == 0xFA;
        r->eip += 1;
        return true;
    }
    if (insn[0] == 0x0F && (r->cs & 3) == 1 && !copy_from_guest(insn, r->eip, 3) &&
        insn[1] >= 0x20 && insn[1] <= 0x23) {
        return emulate_mov_cr_dr(v, r, insn);
    }
    if ((insn[0] & 0xF4) == 0xE4 || insn[0] == 0x66) {
        unsigned int pfx = insn[0] == 0x66 ? 1 : 0;
        if (!copy_from_guest(insn, r->eip, 3) && (insn[pfx] & 0xF4) == 0xE4) {
            return emulate_io(v, r, insn, pfx);
        }
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
    case 1: {
        /* The guest reads what happened in its DR6: merge the new status bits (as Xen does). */
        uint32_t dr6 = read_dr6();
        v->arch.debugreg[6] |= dr6 & ~DR6_DEFAULT;
        v->arch.debugreg[6] &= dr6 | ~DR6_DEFAULT;
        write_dr6(DR6_DEFAULT);
        bounce_exception(v, 1, false, 0);
        return;
    }
    case 14: {
        uint32_t cr2 = read_cr2(); /* first: the emulation may fault (and fix up) itself */
        if (!ptwr_page_fault(v, r, cr2)) {
            v->vcpu_info->arch.cr2 = cr2;
            bounce_exception(v, 14, true, r->error_code);
        }
        return;
    }
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
    if (r->vector >= 32) {
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
