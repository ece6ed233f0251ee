/* vcpu_op: which vCPUs are up, bringing one up or down, run-state information; the timer
 * sub-ops are in kernel/hc_timer.c. */
#include "arch/x86/segments.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/sched.h"
#include "mm/guest_copy.h"
#include "mm/heap.h"
#include <xen/vcpu.h>

/* Everything in a context the vCPU would run with: refused unless it is a guest's to use. */
static bool context_ok(const struct vcpu_guest_context *ctx)
{
    if ((ctx->kernel_ss & 3) != 1) {
        return false;
    }
    for (unsigned int i = 0; i < 256; i++) {
        const trap_info_t *t = &ctx->trap_ctxt[i];
        if (t->address && (t->cs & ~3u) && !guest_code_selector_ok(t->cs)) {
            return false;
        }
    }
    return (!(ctx->event_callback_cs & ~3u) || guest_code_selector_ok(ctx->event_callback_cs)) &&
           (!(ctx->failsafe_callback_cs & ~3u) || guest_code_selector_ok(ctx->failsafe_callback_cs));
}

static void context_load(struct vcpu *target, const struct vcpu_guest_context *ctx)
{
    struct cpu_regs *r = &target->arch.regs;
    r->eip = ctx->user_regs.eip;
    r->esp = ctx->user_regs.esp;
    /* No IOPL, NT or VM for a guest; interrupts stay on for real. */
    r->eflags = (ctx->user_regs.eflags & ~0x27000u) | 0x202;
    r->eax = ctx->user_regs.eax;
    r->ebx = ctx->user_regs.ebx;
    r->ecx = ctx->user_regs.ecx;
    r->edx = ctx->user_regs.edx;
    r->esi = ctx->user_regs.esi;
    r->edi = ctx->user_regs.edi;
    r->ebp = ctx->user_regs.ebp;
    memcpy(target->arch.traps, ctx->trap_ctxt, sizeof(target->arch.traps));
    for (unsigned int i = 0; i < 256; i++) {
        trap_info_t *t = &target->arch.traps[i];
        t->cs = (t->cs & ~3u) ? (uint16_t)(t->cs | ((t->cs & 3) ? 0 : 1)) : FLAT_RING1_CS;
    }
    target->arch.kernel_ss = ctx->kernel_ss;
    target->arch.kernel_sp = ctx->kernel_sp;
    target->arch.event_cs = (ctx->event_callback_cs & ~3u) ? ctx->event_callback_cs | 1 : FLAT_RING1_CS;
    target->arch.event_eip = ctx->event_callback_eip;
    target->arch.failsafe_cs = (ctx->failsafe_callback_cs & ~3u) ? ctx->failsafe_callback_cs | 1 : FLAT_RING1_CS;
    target->arch.failsafe_eip = ctx->failsafe_callback_eip;
}

/* vcpu_guest_context is large (the whole virtual IDT): copied to the heap, checked, loaded. */
static long vcpu_initialise(struct vcpu *target, uint32_t arg)
{
    struct vcpu_guest_context *ctx;
    long rc = 0;
    if (target->initialised) {
        return -EEXIST;
    }
    ctx = kmalloc(sizeof(*ctx));
    if (!ctx) {
        return -ENOMEM;
    }
    if (copy_from_guest(ctx, arg, sizeof(*ctx))) {
        rc = -EFAULT;
    } else if (!context_ok(ctx) ||
               (ctx->ctrlreg[3] && vcpu_new_baseptr(target, cr3_to_mfn(ctx->ctrlreg[3])))) {
        rc = -EINVAL;
    } else {
        context_load(target, ctx);
        target->initialised = true;
    }
    kfree(ctx);
    return rc;
}

long do_vcpu_op(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], id = a[1], arg = a[2];
    struct domain *d = v->domain;
    struct vcpu *target;
    if (id >= d->nr_vcpus) {
        return -ENOENT;
    }
    target = d->vcpu[id];
    switch (cmd) {
    case VCPUOP_is_up:
        return target->up;
    case VCPUOP_initialise:
        return vcpu_initialise(target, arg);
    case VCPUOP_up:
        if (!target->initialised) {
            return -EINVAL;   /* nothing to run yet */
        }
        target->up = true;
        return 0;
    case VCPUOP_down:
        target->up = false;
        sched_request();
        return 0;
    case VCPUOP_get_runstate_info: {
        /* Times to the ns, the current state's time so far included (as on Xen). */
        struct vcpu_runstate_info rs;
        sched_runstate(target, &rs);
        return copy_to_guest(arg, &rs, sizeof(rs)) ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;
        if (copy_from_guest(&area, arg, sizeof(area))) {
            return -EFAULT;
        }
        return sched_runstate_area(target, (uint32_t)(uintptr_t)area.addr.v);
    }
    default:
        return vtimer_is_vcpu_op(cmd) ? vtimer_vcpu_op(v, target, cmd, arg) : -ENOSYS;
    }
}
