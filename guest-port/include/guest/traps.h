/* Exceptions and software interrupts bounced to the guest: trap table, handlers, catching. */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include "guest/lib.h"

/*
 * What an entry stub (entry.S) saves, lowest address first.  The monitor pushed the part
 * from error_code up (the stub pushes a zero error code for vectors without one); the
 * stub pushed the rest.  esp and ss exist only for a trap from ring 3 (guest_regs_user()).
 * The upper half of cs carries the saved event mask of a bounce; the stubs clear it before
 * their iret.  Segment register slots hold 16 meaningful bits.
 */
struct guest_regs {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};

static inline bool guest_regs_user(const struct guest_regs *r)
{
    return (r->cs & 3) == 3;
}

/* The interrupted stack pointer: from the frame for ring 3, just above it for ring 1. */
static inline uint32_t guest_regs_sp(const struct guest_regs *r)
{
    return guest_regs_user(r) ? r->esp : (uint32_t)(uintptr_t)&r->esp;
}

/* Bits of the trap-table flags byte (<xen/arch-x86/xen.h>). */
#define TRAP_DPL(n)      ((n)&3)
#define TRAP_MASK_EVENTS 4 /* the monitor sets the event mask on delivery */

/* True for the vectors whose bounce frame carries an error code: 8, 10-14, 17. */
bool trap_has_error_code(unsigned int vector);

typedef void (*trap_handler_t)(struct guest_regs *regs);

/*
 * Sets the entry for vector in the runtime's table (not yet the monitor's: call
 * traps_load()).  handler NULL leaves the vector's default: an unexpected-trap report and
 * panic, or the catch below.  flags: TRAP_DPL(n) | TRAP_MASK_EVENTS.
 */
void trap_set(unsigned int vector, unsigned int flags, trap_handler_t handler);

/* Removes vector from the table given to the monitor (its bounces then crash the domain). */
void trap_clear(unsigned int vector);

/* Registers the runtime's table with HYPERVISOR_set_trap_table; returns its result. */
int traps_load(void);

/*
 * The default table guest_start() loads: vectors 0-19 with DPL 0, except #BP and #OF
 * (DPL 3, as their IDT gates are), all with the runtime's stubs.
 */
void traps_set_defaults(void);

/* The address of the entry stub for vector (0-255), for tests building their own tables. */
uint32_t trap_stub(unsigned int vector);

/* Called by every stub. */
void guest_trap(struct guest_regs *regs);

/* Prints the registers of a trap, one line per group. */
void trap_dump(const char *why, const struct guest_regs *regs);

/*
 * Catching ring-1 traps: runs fn(arg); if any trap from ring 1 arrives before fn returns,
 * its frame is copied to *caught and trap_catch() returns true at once (the stack of fn is
 * abandoned, as longjmp does).  Returns false when fn returned normally.  Traps from ring 3
 * are not caught.  Not nestable.
 */
bool trap_catch(void (*fn)(void *), void *arg, struct guest_regs *caught);

/* Where the frame of the last caught trap lay on the stack (to check the frame's place). */
extern uintptr_t trap_caught_frame;

/* The page-fault address of the last fault, from vcpu_info.arch.cr2. */
uint32_t trap_cr2(void);

/* setjmp/longjmp for the runtime (entry.S): callee-saved registers, ESP and EIP. */
struct jmpctx {
    uint32_t ebx, esi, edi, ebp, esp, eip;
};
int ctx_save(struct jmpctx *ctx) __attribute__((returns_twice));
NORETURN void ctx_restore(const struct jmpctx *ctx, int value);

#endif
