/*
 * The virtual CPU's trap state: trap table, kernel stack, callbacks, FPU TS bit, IOPL,
 * debug registers, and HYPERVISOR_iret.
 */
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "mm/guest_copy.h"
#include "mm/heap.h"
#include <xen/callback.h>
#include <xen/physdev.h>

#define EFLAGS_IF    (1u << 9)
#define EFLAGS_IOPL  (3u << 12)
#define EFLAGS_NT    (1u << 14)
#define EFLAGS_VM    (1u << 17)
#define DR7_GD       (1u << 13)

/*
 * A guest's code selector for a handler: null means the flat ring-1 one, RPL 0 becomes 1,
 * and anything that is not a guest code selector (a monitor selector above all) is refused.
 */
static int handler_selector(uint32_t sel, uint16_t *out)
{
    if ((sel & ~3u) == 0) {
        *out = FLAT_RING1_CS;
        return 0;
    }
    if (!guest_code_selector_ok(sel)) {
        return -EPERM;
    }
    *out = (uint16_t)((sel & 3) == 0 ? sel | 1 : sel);
    return 0;
}

static bool running_here(const struct vcpu *v)
{
    return this_cpu()->current == v;
}

/* Checks every entry into a copy of the table first; the vCPU's table changes only at the end. */
long do_set_trap_table(struct vcpu *v, const uint32_t a[6])
{
    uint32_t list = a[0];
    trap_info_t *table = kmalloc(sizeof(v->arch.traps)), t;
    long rc = 0;
    if (!table) {
        return -ENOMEM;
    }
    if (list) {
        memcpy(table, v->arch.traps, sizeof(v->arch.traps));
    }
    for (unsigned int i = 0; list && i < 256 && !rc; i++) {
        if (copy_from_guest(&t, list + i * (uint32_t)sizeof(t), sizeof(t))) {
            rc = -EFAULT;
        } else if (!t.address) {
            break;
        } else if (!(rc = handler_selector(t.cs, &t.cs))) {
            table[t.vector] = t;
        }
    }
    if (!rc) {
        memcpy(v->arch.traps, table, sizeof(v->arch.traps));
        if (running_here(v)) {
            arch_update_int80_gate(v);
        }
    }
    kfree(table);
    return rc;
}

long do_stack_switch(struct vcpu *v, const uint32_t a[6])
{
    uint32_t ss = a[0], esp = a[1];
    /* A ring-1 stack segment: its RPL must say ring 1. */
    if ((ss & 3) != 1) {
        return -EPERM;
    }
    v->arch.kernel_ss = ss;
    v->arch.kernel_sp = esp;
    if (running_here(v)) {
        tss_set_ring1_stack(ss, esp);
        arch_update_int80_gate(v);
    }
    return 0;
}

long do_set_callbacks(struct vcpu *v, const uint32_t a[6])
{
    uint16_t event_cs, failsafe_cs;
    if (handler_selector(a[0], &event_cs) || handler_selector(a[2], &failsafe_cs)) {
        return -EPERM;
    }
    v->arch.event_cs = event_cs;
    v->arch.event_eip = a[1];
    v->arch.failsafe_cs = failsafe_cs;
    v->arch.failsafe_eip = a[3];
    return 0;
}

static long callback_register(struct vcpu *v, const callback_register_t *cb)
{
    uint32_t eip = cb->address.eip;
    uint16_t cs;
    if (handler_selector(cb->address.cs, &cs)) {
        return -EPERM;
    }
    switch (cb->type) {
    case CALLBACKTYPE_event:
        v->arch.event_cs = cs;
        v->arch.event_eip = eip;
        v->arch.event_disables_events = cb->flags & CALLBACKF_mask_events;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->arch.failsafe_cs = cs;
        v->arch.failsafe_eip = eip;
        v->arch.failsafe_disables_events = cb->flags & CALLBACKF_mask_events;
        return 0;
    case CALLBACKTYPE_sysenter:
        v->arch.sysenter_eip = eip;   /* recorded; SYSENTER stays disabled */
        return 0;
    case CALLBACKTYPE_syscall32:
        v->arch.syscall_eip = eip;    /* recorded; SYSCALL stays disabled */
        return 0;
    case CALLBACKTYPE_nmi:
        v->arch.nmi_eip = eip;        /* recorded; no source of virtual NMIs yet */
        return 0;
    default:
        return -EINVAL;
    }
}

long do_callback_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], arg = a[1];
    if (cmd == CALLBACKOP_register) {
        callback_register_t cb;
        if (copy_from_guest(&cb, arg, sizeof(cb))) {
            return -EFAULT;
        }
        return callback_register(v, &cb);
    }
    if (cmd == CALLBACKOP_unregister) {
        callback_unregister_t cb;
        if (copy_from_guest(&cb, arg, sizeof(cb))) {
            return -EFAULT;
        }
        switch (cb.type) {
        case CALLBACKTYPE_nmi: v->arch.nmi_eip = 0; return 0;
        case CALLBACKTYPE_sysenter: v->arch.sysenter_eip = 0; return 0;
        case CALLBACKTYPE_syscall32: v->arch.syscall_eip = 0; return 0;
        default: return -EINVAL;      /* event and failsafe cannot be taken away */
        }
    }
    return -ENOSYS;
}

long do_fpu_taskswitch(struct vcpu *v, const uint32_t a[6])
{
    v->arch.virtual_ts = a[0] != 0;
    if (running_here(v)) {
        write_cr0(v->arch.virtual_ts ? read_cr0() | X86_CR0_TS : read_cr0() & ~X86_CR0_TS);
    }
    return 0;
}

/*
 * iret: the frame [eax, eip, cs, eflags, (esp, ss)] at the guest's stack pointer (the
 * hypercall page's stub pushed EAX).  The event mask follows the frame's EFLAGS.IF.
 * Returns the frame's EAX, which the dispatcher stores as every hypercall's result.
 */
long do_iret(struct vcpu *v, const uint32_t a[6])
{
    struct cpu_regs *r = guest_regs();
    uint32_t f[6];
    if (copy_from_guest(f, r->esp, 4 * 4)) {
        domain_crash(v->domain, "HYPERVISOR_iret with an unreadable frame");
        return -EFAULT;
    }
    if ((f[2] & 3) == 0) {
        f[2] |= 1;                          /* never back to ring 0 */
    }
    if ((f[2] & 3) != 1 && copy_from_guest(&f[4], r->esp + 16, 8)) {
        domain_crash(v->domain, "HYPERVISOR_iret with an unreadable frame");
        return -EFAULT;
    }
    v->vcpu_info->evtchn_upcall_mask = !(f[3] & EFLAGS_IF);
    r->eip = f[1];
    r->cs = f[2] & 0xFFFF;
    r->eflags = (f[3] & ~(EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT)) | EFLAGS_IF | 2;
    if ((f[2] & 3) == 1) {
        r->esp += 16;
    } else {
        r->esp = f[4];
        r->ss = (f[5] & 0xFFFF) | 3;
    }
    return (long)f[0];
}

long do_physdev_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], arg = a[1];
    struct physdev_set_iopl p;
    if (cmd != PHYSDEVOP_set_iopl) {
        return -ENOSYS;
    }
    if (copy_from_guest(&p, arg, sizeof(p))) {
        return -EFAULT;
    }
    if (p.iopl > 3) {
        return -EINVAL;
    }
    v->arch.iopl = (uint8_t)p.iopl;
    return 0;
}

/* Breakpoints must not cover monitor addresses; DR7 may not set GD or touch reserved bits. */
long do_set_debugreg(struct vcpu *v, const uint32_t a[6])
{
    uint32_t reg = a[0], value = a[1];
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (value > MONITOR_WINDOW_START - 4) {
            return -EPERM;
        }
        break;
    case 6:
        value = (value & 0x0000E00F) | 0xFFFF0FF0;
        break;
    case 7:
        if (value & (DR7_GD | 0x0000D800)) {
            return -EPERM;
        }
        for (unsigned int i = 0; i < 4; i++) {
            /* RW = 10 (I/O) needs CR4.DE, LEN = 10 is undefined on 32-bit CPUs. */
            if (((value >> (16 + 4 * i)) & 3) == 2 || ((value >> (18 + 4 * i)) & 3) == 2) {
                return -EPERM;
            }
        }
        value |= 0x400;
        break;
    default:
        return -EINVAL;
    }
    v->arch.debugreg[reg] = value;
    if (running_here(v)) {
        arch_load_debugregs(v);
        if (reg == 6) {
            write_dr6(value);
        }
    }
    return 0;
}

long do_get_debugreg(struct vcpu *v, const uint32_t a[6])
{
    uint32_t reg = a[0];
    if (reg > 7 || reg == 4 || reg == 5) {
        return -EINVAL;
    }
    return (long)v->arch.debugreg[reg];
}
