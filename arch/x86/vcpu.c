/*
 * Running guest vCPUs: their start-of-day state, the address-space switch through the
 * shadow PDPT, entering and leaving them, and bouncing exceptions to their handlers.
 *
 * While a vCPU runs, its registers live in the frame at the top of the CPU's stack (every
 * guest trap arrives from ring 1 or 3, so the frame always holds ESP and SS).  A switch
 * copies that frame out to the vCPU and the next vCPU's registers in.
 */
#include "arch/x86/vcpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "mm/guest_copy.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

#define EFLAGS_TF   (1u << 8)
#define EFLAGS_IF   (1u << 9)
#define EFLAGS_NT   (1u << 14)
#define EFLAGS_RF   (1u << 16)
#define EFLAGS_VM   (1u << 17)

extern const char trap_return[];

struct cpu_regs *guest_regs(void)
{
    uintptr_t base = read_esp() & ~(uintptr_t)(STACK_SIZE - 1);
    return (struct cpu_regs *)(stack_top(base) - sizeof(struct cpu_regs));
}

int arch_vcpu_init(struct vcpu *v)
{
    struct arch_vcpu *a = &v->arch;
    mfn_t pdpt = alloc_frames(0, FRAME_BELOW_4G);
    if (mfn_x(pdpt) == INVALID_MFN_RAW) {
        return -ENOMEM;
    }
    clear_frame(pdpt);
    a->pdpt = pdpt;
    a->guest_table = _mfn(INVALID_MFN_RAW);
    a->regs.cs = FLAT_RING1_CS;
    a->regs.ds = a->regs.es = a->regs.fs = a->regs.gs = a->regs.ss = FLAT_RING1_DS;
    a->regs.eflags = 0x202;
    a->kernel_ss = FLAT_RING1_DS;
    a->debugreg[6] = 0xFFFF0FF0;   /* the architectural reset values */
    a->debugreg[7] = 0x400;
    /* A freshly initialised FPU: FCW 0x37F, MXCSR 0x1F80. */
    memset(a->fpu, 0, sizeof(a->fpu));
    a->fpu[0] = 0x7F;
    a->fpu[1] = 0x03;
    a->fpu[24] = 0x80;
    a->fpu[25] = 0x1F;
    return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    if (mfn_x(v->arch.pdpt) != INVALID_MFN_RAW) {
        free_frames(v->arch.pdpt, 0);
        v->arch.pdpt = _mfn(INVALID_MFN_RAW);
    }
}

void arch_vcpu_sync_pdpt(struct vcpu *v)
{
    pte_t *guest = map_frame(v->arch.guest_table);
    pte_t *shadow = map_frame(v->arch.pdpt);
    /* Only the address, P, PWT and PCD are legal in a real PDPTE. */
    for (unsigned int i = 0; i < 4; i++) {
        v->arch.pdpte[i] = guest[i] & (PTE_ADDR | PTE_P | PTE_PWT | PTE_PCD);
        shadow[i] = v->arch.pdpte[i];
    }
    unmap_frame(shadow);
    unmap_frame(guest);
    if (current_vcpu() == v) {
        write_cr3((uint32_t)mfn_to_paddr(v->arch.pdpt));
    }
}

void arch_load_debugregs(const struct vcpu *v)
{
    const uint32_t *dr = v->arch.debugreg;
    /* Breakpoints were checked to stay below the monitor (set_debugreg). */
    write_dr7(0x400);
    write_dr0(dr[0]);
    write_dr1(dr[1]);
    write_dr2(dr[2]);
    write_dr3(dr[3]);
    write_dr7(dr[7] ? dr[7] : 0x400);
}

/*
 * The direct int $0x80 gate, when the guest asked for it (DPL 3) and its kernel stack lies
 * in guest memory: the CPU then pushes there by itself, with no monitor check on the way
 * (a limit check that emulators may skip).  Otherwise int $0x80 comes through the monitor.
 */
void arch_update_int80_gate(const struct vcpu *v)
{
    const trap_info_t *t80 = &v->arch.traps[0x80];
    uint32_t sp = v->arch.kernel_sp;
    if (t80->address && (t80->flags & 3) == 3 && sp >= 64 && sp <= MONITOR_WINDOW_START &&
        guest_code_selector_ok(t80->cs) && (v->arch.kernel_ss & 3) == 1) {
        idt_set_guest_int80(t80->cs, t80->address);
    } else {
        idt_clear_guest_int80();
    }
}

/* Loads v's address space, stacks, gates, FPU and debug registers onto this CPU. */
static void load_vcpu_state(struct vcpu *v)
{
    struct arch_vcpu *a = &v->arch;
    this_cpu()->current = v;
    vtime_update(v);
    write_cr3((uint32_t)mfn_to_paddr(a->pdpt));
    tss_set_ring1_stack(a->kernel_ss, a->kernel_sp);
    gdt_load_guest_frames(a->gdt_frames, (a->gdt_ents + 511) / 512);
    gdt_load_guest_ldt(a->ldt_frames, a->ldt_ents);
    arch_update_int80_gate(v);
    arch_load_debugregs(v);
    write_cr0(read_cr0() & ~X86_CR0_TS);
    __asm__ volatile("fxrstor %0" ::"m"(*(const uint8_t(*)[512])a->fpu));
    if (a->virtual_ts) {
        write_cr0(read_cr0() | X86_CR0_TS);
    }
}

void arch_vcpu_save(struct vcpu *v)
{
    /* DR6 needs no saving: each guest #DB moves its bits into debugreg[6] at once. */
    write_dr7(0x400);
    write_cr0(read_cr0() & ~X86_CR0_TS);
    __asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[512])v->arch.fpu));
    v->arch.regs = *guest_regs();
}

void arch_context_switch(struct vcpu *prev, struct vcpu *next)
{
    if (prev) {
        arch_vcpu_save(prev);
    }
    load_vcpu_state(next);
    *guest_regs() = next->arch.regs;
}

void arch_enter_vcpu(struct vcpu *v)
{
    struct cpu_regs *frame = guest_regs();
    load_vcpu_state(v);
    *frame = v->arch.regs;
    __asm__ volatile("movl %0, %%esp\n\tjmp trap_return" ::"r"(frame) : "memory");
    __builtin_unreachable();
}

/*
 * Builds a bounce frame on the guest's stack -- the words of pre (an error code, or the
 * failsafe callback's segments) lowest, then EIP, CS with the saved event mask in its upper
 * half, EFLAGS, and ESP/SS when the guest was in ring 3 -- and points the guest at cs:eip.
 * Returns false (the domain is crashed) when the frame cannot be written.
 */
static bool bounce_frame(struct vcpu *v, uint32_t cs, uint32_t eip, const uint32_t *pre,
                         unsigned int npre, bool mask_events)
{
    struct cpu_regs *r = guest_regs();
    uint32_t frame[9], n = 0, sp, ss;
    uint8_t mask = v->vcpu_info->evtchn_upcall_mask;
    bool from_user = (r->cs & 3) == 3;
    sp = from_user ? v->arch.kernel_sp : r->esp;
    ss = from_user ? v->arch.kernel_ss : r->ss;
    for (unsigned int i = 0; i < npre; i++) {
        frame[n++] = pre[i];
    }
    frame[n++] = r->eip;
    frame[n++] = (r->cs & 0xFFFF) | ((uint32_t)mask << 16);
    frame[n++] = (r->eflags & ~EFLAGS_IF) | (mask ? 0 : EFLAGS_IF);
    if (from_user) {
        frame[n++] = r->esp;
        frame[n++] = r->ss & 0xFFFF;
    }
    sp -= n * 4;
    if ((ss & 3) != 1 || copy_to_guest(sp, frame, n * 4)) {
        domain_crash(v->domain, "writing an exception frame on its kernel stack faulted");
        return false;
    }
    r->esp = sp;
    r->ss = ss;
    r->cs = (cs & ~3u) | 1;
    r->eip = eip;
    r->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    if (mask_events) {
        v->vcpu_info->evtchn_upcall_mask = 1;
    }
    return true;
}

void bounce_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error)
{
    const trap_info_t *t = &v->arch.traps[vector];
    if (!t->address) {
        char why[64];
        snprintf(why, sizeof(why), "exception %u and no handler for it in its trap table", vector);
        domain_crash(v->domain, why);
        return;
    }
    bounce_frame(v, t->cs, (uint32_t)t->address, &error, has_error ? 1 : 0, t->flags & 4);
}

void bounce_failsafe(struct vcpu *v)
{
    struct cpu_regs *r = guest_regs();
    const uint32_t segs[4] = { r->ds & 0xFFFF, r->es & 0xFFFF, r->fs & 0xFFFF, r->gs & 0xFFFF };
    if (bounce_frame(v, v->arch.failsafe_cs, v->arch.failsafe_eip, segs, 4,
                     v->arch.failsafe_disables_events)) {
        r->ds = r->es = FLAT_RING1_DS;
        r->fs = r->gs = 0;
    }
}

/*
 * Called by entry.S on every return to a guest (hypercalls, exceptions, interrupts, the
 * first entry and the failsafe path), interrupts off.
 *
 * First, a return to an EIP past every guest code segment's limit is what the CPU's iret
 * refuses with #GP; emulators skip that check, so it is made here and taken the same way
 * (the failsafe callback, or a crash).  Then, with an event pending and not masked, the
 * guest's event callback gets a bounce frame (no error code) and runs with events masked,
 * as Xen does for a 32-bit PV guest; the frame's saved mask is 0.  Without a callback the
 * event waits.  A frame that cannot be written crashes the domain.  Whenever the vCPU
 * changes underneath (a crash), the next one is checked in turn.
 */
void guest_exit_events(void);
void guest_exit_events(void)
{
    for (;;) {
        struct vcpu *v = this_cpu()->current;   /* current_vcpu(), without the call */
        struct cpu_regs *r = guest_regs();
        const vcpu_info_t *vi = v->vcpu_info;
        if (unlikely(r->eip >= GUEST_SEGMENT_END)) {
            guest_exit_fault(r);
            continue;
        }
        if (likely(!READ_ONCE(vi->evtchn_upcall_pending) || READ_ONCE(vi->evtchn_upcall_mask) ||
                   !v->arch.event_eip)) {
            return;
        }
        if (bounce_frame(v, v->arch.event_cs, v->arch.event_eip, NULL, 0, true)) {
            continue;   /* the callback's EIP gets the check above */
        }
        sched_on_exit();
    }
}
