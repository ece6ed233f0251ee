/* Hypercall dispatch through one table indexed by number, and multicall batches. */
#include "kernel/hypercall.h"
#include "arch/x86/percpu.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "mm/guest_copy.h"

#define MULTICALL_MAX 256

static long do_multicall(struct vcpu *v, const uint32_t a[6]);

static const hypercall_fn hypercall_table[] = {
    [__HYPERVISOR_set_trap_table] = do_set_trap_table,
    [__HYPERVISOR_mmu_update] = do_mmu_update,
    [__HYPERVISOR_set_gdt] = do_set_gdt,
    [__HYPERVISOR_stack_switch] = do_stack_switch,
    [__HYPERVISOR_set_callbacks] = do_set_callbacks,
    [__HYPERVISOR_fpu_taskswitch] = do_fpu_taskswitch,
    [__HYPERVISOR_set_debugreg] = do_set_debugreg,
    [__HYPERVISOR_get_debugreg] = do_get_debugreg,
    [__HYPERVISOR_update_descriptor] = do_update_descriptor,
    [__HYPERVISOR_memory_op] = do_memory_op,
    [__HYPERVISOR_multicall] = do_multicall,
    [__HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [__HYPERVISOR_xen_version] = do_xen_version,
    [__HYPERVISOR_console_io] = do_console_io,
    [__HYPERVISOR_mmuext_op] = do_mmuext_op,
    [__HYPERVISOR_vm_assist] = do_vm_assist,
    [__HYPERVISOR_iret] = do_iret,
    [__HYPERVISOR_vcpu_op] = do_vcpu_op,
    [__HYPERVISOR_sched_op] = do_sched_op,
    [__HYPERVISOR_callback_op] = do_callback_op,
    [__HYPERVISOR_physdev_op] = do_physdev_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_update_va_mapping_otherdomain] = do_update_va_mapping_otherdomain,
    [__HYPERVISOR_set_timer_op] = do_set_timer_op,
    [__HYPERVISOR_grant_table_op] = do_grant_table_op,
};

static inline long call(struct vcpu *v, uint32_t nr, const uint32_t a[6])
{
    if (nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[nr]) {
        return -ENOSYS;
    }
    return hypercall_table[nr](v, a);
}

/* The arguments are read in place: EBX, ECX, EDX, ESI, EDI, EBP lie in this order. */
static_assert(offsetof(struct cpu_regs, ebx) == 0 && offsetof(struct cpu_regs, ecx) == 4 &&
                  offsetof(struct cpu_regs, edx) == 8 && offsetof(struct cpu_regs, esi) == 12 &&
                  offsetof(struct cpu_regs, edi) == 16 && offsetof(struct cpu_regs, ebp) == 20,
              "hypercall arguments in the frame");

/*
 * Runs hypercall EAX of the frame and stores the result in its EAX.  (An iret, alone or
 * ending a multicall, returns the EAX of the frame it restored.)  The arguments stay in
 * the frame, on the monitor's stack, where the guest cannot change them.  No handler
 * writes the frame's EBX..EBP (an iret replaces EIP, CS, EFLAGS, ESP and SS only), so they
 * hold the arguments throughout.
 */
static inline void dispatch(struct vcpu *v, struct cpu_regs *r)
{
    r->eax = (uint32_t)call(v, r->eax, (const uint32_t *)r);
}

/*
 * The int $0x82 gate (arch/x86/entry.S), the hot path of every hypercall.  The gate's DPL
 * of 1 admits ring 1 only, so a vCPU is running; interrupts are off (an interrupt gate).
 * Leaves through the scheduler's exit, as every other trap from a guest does.
 */
void hypercall_entry(struct cpu_regs *r)
{
    const struct percpu *pc = this_cpu();
    struct vcpu *v = pc->current;
    if (unlikely(!v)) {
        panic_regs(r, "a hypercall with no vCPU on this CPU");
    }
    dispatch(v, r);
    /*
     * sched_on_exit() on the hot path: a hypercall that stops its vCPU (block, poll,
     * down, pause, shutdown, crash) requests a pick (see sched_request()), so the flag
     * alone says whether to pick (or a run-state area waits for its first copy).
     */
    if (unlikely(pc->need_resched || v->runstate_stale)) {
        sched_reschedule();
    }
}

/*
 * multicall(entries, nr): each entry's result is written back.  An iret ends the batch (it
 * replaces the frame the batch would return to); a nested multicall is refused.
 */
static long do_multicall(struct vcpu *v, const uint32_t a[6])
{
    uint32_t list = a[0], nr = a[1];
    /* Bounded work per call (no continuations yet): larger batches are split by the guest. */
    if (nr > MULTICALL_MAX) {
        return -EINVAL;
    }
    if (!guest_range_ok(list, (size_t)nr * sizeof(multicall_entry_t))) {
        return -EFAULT;
    }
    for (uint32_t i = 0; i < nr; i++) {
        multicall_entry_t e;
        uint32_t args[6];
        uint32_t at = list + i * (uint32_t)sizeof(e);
        if (copy_from_guest(&e, at, sizeof(e))) {
            return -EFAULT;
        }
        for (unsigned int k = 0; k < 6; k++) {
            args[k] = (uint32_t)e.args[k];
        }
        e.result = e.op == __HYPERVISOR_multicall ? -EINVAL : call(v, (uint32_t)e.op, args);
        if (e.op == __HYPERVISOR_iret) {
            return e.result; /* the EAX of the frame it restored: the guest's again */
        }
        if (copy_to_guest(at + offsetof(multicall_entry_t, result), &e.result, sizeof(e.result))) {
            return -EFAULT;
        }
        if (v->domain->state != DOMAIN_RUNNING) {
            break;   /* it shut down or crashed inside the batch */
        }
    }
    return 0;
}
