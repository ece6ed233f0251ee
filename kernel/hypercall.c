/* Hypercall dispatch through one table indexed by number, and multicall batches. */
#include "kernel/hypercall.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
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
    [__HYPERVISOR_grant_table_op] = do_grant_table_op,
};

static long call(struct vcpu *v, uint32_t nr, const uint32_t a[6])
{
    if (nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[nr]) {
        return -ENOSYS;
    }
    return hypercall_table[nr](v, a);
}

void hypercall_dispatch(struct vcpu *v, struct cpu_regs *r)
{
    const uint32_t a[6] = { r->ebx, r->ecx, r->edx, r->esi, r->edi, r->ebp };
    long rc;
    v->arch.frame_replaced = false;
    rc = call(v, r->eax, a);
    /* An iret (alone or ending a multicall) restored the guest's EAX from its frame. */
    if (!v->arch.frame_replaced) {
        r->eax = (uint32_t)rc;
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
            break;
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
