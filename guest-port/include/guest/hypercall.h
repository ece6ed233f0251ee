/* Hypercall wrappers: each calls its stub in the hypercall page the monitor wrote for us. */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include "guest/xen.h"
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

/*
 * The page (guest.ld, head.S) holds stub i at byte 32 * i: "mov $i, %eax; int $0x82; ret".
 * Arguments go in EBX, ECX, EDX, ESI, EDI; the result (0 or a negative errno from
 * <xen/errno.h>, or a count for a few calls) comes back in EAX.  Every argument register
 * is treated as clobbered: a debugging monitor may overwrite them.  "memory" because the
 * monitor reads and writes guest memory behind the compiler's back.
 */
extern char hypercall_page[4096];

#define HYPERCALL_STUB      "call hypercall_page + %c[off]"
#define HYPERCALL_OFF(name) [off] "i"(__HYPERVISOR_##name * 32)

#define _hypercall0(type, name)                                                                    \
    ({                                                                                             \
        long __res;                                                                                \
        __asm__ volatile(HYPERCALL_STUB : "=a"(__res) : HYPERCALL_OFF(name) : "memory");           \
        (type) __res;                                                                              \
    })

#define _hypercall1(type, name, a1)                                                                \
    ({                                                                                             \
        long __res, __b;                                                                           \
        __asm__ volatile(HYPERCALL_STUB                                                            \
                         : "=a"(__res), "=b"(__b)                                                  \
                         : HYPERCALL_OFF(name), "1"((long)(a1))                                    \
                         : "memory");                                                              \
        (type) __res;                                                                              \
    })

#define _hypercall2(type, name, a1, a2)                                                            \
    ({                                                                                             \
        long __res, __b, __c;                                                                      \
        __asm__ volatile(HYPERCALL_STUB                                                            \
                         : "=a"(__res), "=b"(__b), "=c"(__c)                                       \
                         : HYPERCALL_OFF(name), "1"((long)(a1)), "2"((long)(a2))                   \
                         : "memory");                                                              \
        (type) __res;                                                                              \
    })

#define _hypercall3(type, name, a1, a2, a3)                                                        \
    ({                                                                                             \
        long __res, __b, __c, __d;                                                                 \
        __asm__ volatile(HYPERCALL_STUB                                                            \
                         : "=a"(__res), "=b"(__b), "=c"(__c), "=d"(__d)                            \
                         : HYPERCALL_OFF(name), "1"((long)(a1)), "2"((long)(a2)), "3"((long)(a3))  \
                         : "memory");                                                              \
        (type) __res;                                                                              \
    })

#define _hypercall4(type, name, a1, a2, a3, a4)                                                    \
    ({                                                                                             \
        long __res, __b, __c, __d, __S;                                                            \
        __asm__ volatile(HYPERCALL_STUB                                                            \
                         : "=a"(__res), "=b"(__b), "=c"(__c), "=d"(__d), "=S"(__S)                 \
                         : HYPERCALL_OFF(name), "1"((long)(a1)), "2"((long)(a2)), "3"((long)(a3)), \
                           "4"((long)(a4))                                                         \
                         : "memory");                                                              \
        (type) __res;                                                                              \
    })

#define _hypercall5(type, name, a1, a2, a3, a4, a5)                                                \
    ({                                                                                             \
        long __res, __b, __c, __d, __S, __D;                                                       \
        __asm__ volatile(HYPERCALL_STUB                                                            \
                         : "=a"(__res), "=b"(__b), "=c"(__c), "=d"(__d), "=S"(__S), "=D"(__D)      \
                         : HYPERCALL_OFF(name), "1"((long)(a1)), "2"((long)(a2)), "3"((long)(a3)), \
                           "4"((long)(a4)), "5"((long)(a5))                                        \
                         : "memory");                                                              \
        (type) __res;                                                                              \
    })

/*
 * Any hypercall number, issued with "int $0x82" directly rather than through the page (the
 * ABI allows both).  For tests of numbers the page has no stub for and of the raw gate.
 */
static inline long hypercall_int82(unsigned long nr, unsigned long a1, unsigned long a2,
                                   unsigned long a3, unsigned long a4, unsigned long a5)
{
    long res;
    __asm__ volatile("int $0x82"
                     : "=a"(res), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                     : "0"(nr)
                     : "memory");
    return res;
}

static inline int HYPERVISOR_set_trap_table(const trap_info_t *table)
{
    return _hypercall1(int, set_trap_table, table);
}

static inline int HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count,
                                        unsigned int *success_count, domid_t domid)
{
    return _hypercall4(int, mmu_update, req, count, success_count, domid);
}

static inline int HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
                                       unsigned int *success_count, domid_t domid)
{
    return _hypercall4(int, mmuext_op, op, count, success_count, domid);
}

/* frames: machine frame numbers of the GDT pages; entries: descriptors (at most 7168). */
static inline int HYPERVISOR_set_gdt(unsigned long *frames, unsigned int entries)
{
    return _hypercall2(int, set_gdt, frames, entries);
}

/* The ring-1 stack the monitor switches to on a trap or interrupt from ring 3. */
static inline int HYPERVISOR_stack_switch(unsigned long ss, unsigned long esp)
{
    return _hypercall2(int, stack_switch, ss, esp);
}

static inline int HYPERVISOR_set_callbacks(unsigned long event_cs, unsigned long event_eip,
                                           unsigned long failsafe_cs, unsigned long failsafe_eip)
{
    return _hypercall4(int, set_callbacks, event_cs, event_eip, failsafe_cs, failsafe_eip);
}

/* set != 0 sets the virtual CR0.TS, 0 clears it. */
static inline int HYPERVISOR_fpu_taskswitch(int set)
{
    return _hypercall1(int, fpu_taskswitch, set);
}

static inline int HYPERVISOR_set_debugreg(int reg, unsigned long value)
{
    return _hypercall2(int, set_debugreg, reg, value);
}

/* Returns the register's value; an error is indistinguishable from a value of -errno. */
static inline unsigned long HYPERVISOR_get_debugreg(int reg)
{
    return _hypercall1(unsigned long, get_debugreg, reg);
}

/* ma: machine address of the descriptor slot (8-byte aligned); desc: the new descriptor. */
static inline int HYPERVISOR_update_descriptor(uint64_t ma, uint64_t desc)
{
    return _hypercall4(int, update_descriptor, (uint32_t)ma, (uint32_t)(ma >> 32), (uint32_t)desc,
                       (uint32_t)(desc >> 32));
}

static inline int HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return _hypercall2(int, memory_op, cmd, arg);
}

static inline int HYPERVISOR_multicall(multicall_entry_t *calls, unsigned int count)
{
    return _hypercall2(int, multicall, calls, count);
}

/* pte: the new 64-bit PAE entry (machine address | flags), 0 to unmap; flags: UVMF_*. */
static inline int HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    return _hypercall4(int, update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags);
}

static inline int HYPERVISOR_update_va_mapping_otherdomain(unsigned long va, uint64_t pte,
                                                           unsigned long flags, domid_t domid)
{
    return _hypercall5(int, update_va_mapping_otherdomain, va, (uint32_t)pte, (uint32_t)(pte >> 32),
                       flags, domid);
}

/* timeout: absolute system time in ns; 0 cancels the timer. */
static inline int HYPERVISOR_set_timer_op(uint64_t timeout)
{
    return _hypercall2(int, set_timer_op, (uint32_t)timeout, (uint32_t)(timeout >> 32));
}

static inline int HYPERVISOR_xen_version(int cmd, void *arg)
{
    return _hypercall2(int, xen_version, cmd, arg);
}

static inline int HYPERVISOR_console_io(int cmd, unsigned int count, char *buffer)
{
    return _hypercall3(int, console_io, cmd, count, buffer);
}

static inline int HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
    return _hypercall3(int, grant_table_op, cmd, uop, count);
}

static inline int HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return _hypercall2(int, vm_assist, cmd, type);
}

static inline int HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *extra)
{
    return _hypercall3(int, vcpu_op, cmd, vcpuid, extra);
}

static inline int HYPERVISOR_sched_op(int cmd, void *arg)
{
    return _hypercall2(int, sched_op, cmd, arg);
}

static inline int HYPERVISOR_callback_op(int cmd, void *arg)
{
    return _hypercall2(int, callback_op, cmd, arg);
}

static inline int HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return _hypercall2(int, event_channel_op, cmd, arg);
}

static inline int HYPERVISOR_physdev_op(int cmd, void *arg)
{
    return _hypercall2(int, physdev_op, cmd, arg);
}

static inline int HYPERVISOR_nmi_op(unsigned int cmd, void *arg)
{
    return _hypercall2(int, nmi_op, cmd, arg);
}

/*
 * HYPERVISOR_iret: the monitor pops [eax, eip, cs, eflags, esp, ss] from the current stack
 * (esp and ss only when cs is a ring-3 selector), sets the event mask to !eflags.IF and
 * resumes there.  Never returns.  Implemented in entry.S: the arguments already lie on the
 * stack in frame order, so it drops its return address, pops eax and jumps to the stub.
 */
__attribute__((noreturn)) void hypercall_iret(uint32_t eax, uint32_t eip, uint32_t cs,
                                              uint32_t eflags, uint32_t esp, uint32_t ss);

/* The shutdown reason goes in a struct since interface 0x00030101. */
static inline int HYPERVISOR_shutdown(unsigned int reason)
{
    struct sched_shutdown arg = {.reason = reason};
    return HYPERVISOR_sched_op(SCHEDOP_shutdown, &arg);
}

#endif
