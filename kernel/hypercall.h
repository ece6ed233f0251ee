/*
 * The hypercall table.  Every handler follows one shape: decode (copy arguments in,
 * check them all), then commit (a step that cannot fail).  Arguments are the guest's EBX,
 * ECX, EDX, ESI, EDI, EBP; results are 0 or Xen's negative errno values.
 */
#ifndef KERNEL_HYPERCALL_H
#define KERNEL_HYPERCALL_H

#include "kernel/domain.h"

typedef long (*hypercall_fn)(struct vcpu *v, const uint32_t a[6]);

/* The int $0x82 gate's handler (arch/x86/entry.S): dispatch, then the scheduler's exit. */
void hypercall_entry(struct cpu_regs *r);

/* Handlers, one subsystem per file (hc_*.c). */
long do_console_io(struct vcpu *v, const uint32_t a[6]);
long do_xen_version(struct vcpu *v, const uint32_t a[6]);
long do_sched_op(struct vcpu *v, const uint32_t a[6]);
long do_set_trap_table(struct vcpu *v, const uint32_t a[6]);
long do_stack_switch(struct vcpu *v, const uint32_t a[6]);
long do_set_callbacks(struct vcpu *v, const uint32_t a[6]);
long do_callback_op(struct vcpu *v, const uint32_t a[6]);
long do_fpu_taskswitch(struct vcpu *v, const uint32_t a[6]);
long do_vm_assist(struct vcpu *v, const uint32_t a[6]);
long do_iret(struct vcpu *v, const uint32_t a[6]);
long do_update_va_mapping(struct vcpu *v, const uint32_t a[6]);
long do_update_va_mapping_otherdomain(struct vcpu *v, const uint32_t a[6]);
long do_mmu_update(struct vcpu *v, const uint32_t a[6]);
long do_mmuext_op(struct vcpu *v, const uint32_t a[6]);
long do_physdev_op(struct vcpu *v, const uint32_t a[6]);
long do_vcpu_op(struct vcpu *v, const uint32_t a[6]);
long do_set_gdt(struct vcpu *v, const uint32_t a[6]);
long do_update_descriptor(struct vcpu *v, const uint32_t a[6]);
long do_set_debugreg(struct vcpu *v, const uint32_t a[6]);
long do_get_debugreg(struct vcpu *v, const uint32_t a[6]);
long do_memory_op(struct vcpu *v, const uint32_t a[6]);
long do_event_channel_op(struct vcpu *v, const uint32_t a[6]);
long do_set_timer_op(struct vcpu *v, const uint32_t a[6]);
long do_grant_table_op(struct vcpu *v, const uint32_t a[6]);

/* Drops the references a vCPU's own GDT holds (d->mm_lock held). */
void put_gdt_frames(struct vcpu *v);

/* MMUEXT_NEW_BASEPTR for v (also a CR3 load, VCPUOP_initialise): 0 or -EINVAL. */
int vcpu_new_baseptr(struct vcpu *v, uint32_t mfn);

/* The machine frame a guest's CR3 value names (the 32-bit extended-CR3 fold undone). */
static inline uint32_t cr3_to_mfn(uint32_t cr3)
{
    return (cr3 >> 12) | (cr3 << 20);
}

/* MMUEXT_SET_LDT for v (kernel/ldt.c): 0 or -EINVAL.  ents = 0 removes the LDT. */
int vcpu_set_ldt(struct vcpu *v, uint32_t base, uint32_t ents);
/* Drops the LDT's frame references (the domain's mm lock is held). */
void put_ldt_frames(struct vcpu *v);

/* Console output of a domain, line-buffered and prefixed with its name. */
void domain_console_write(struct domain *d, const char *s, size_t n);

#endif
