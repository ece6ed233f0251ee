/* panic() for monitor bugs and unusable boot configurations; BUG_ON and ASSERT. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/types.h"

struct cpu_regs;

/* Prints the reason, the registers and a backtrace, then halts or leaves QEMU failing. */
void panic(const char *fmt, ...) __noreturn __printf(1, 2);
/* The same from a trap handler: dumps the trapped frame instead of the caller's. */
void panic_regs(const struct cpu_regs *regs, const char *fmt, ...) __noreturn __printf(2, 3);

/* Leaves QEMU through isa-debug-exit when exit_port= is set, else halts this CPU. */
void machine_stop(bool failure) __noreturn;

/* Every domain has gone: leaves QEMU (exit_port=) with the status, else returns to idle. */
void machine_stop_when_done(bool failure);

/* Always on: only where going on would break isolation or corrupt monitor state. */
#define BUG_ON(c)                                                                          \
    do {                                                                                   \
        if (unlikely(c)) {                                                                 \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c);                             \
        }                                                                                  \
    } while (0)

#ifdef NDEBUG
#define ASSERT(c) ((void)0)
#else
#define ASSERT(c)                                                                          \
    do {                                                                                   \
        if (unlikely(!(c))) {                                                              \
            panic("assertion failed at %s:%d: %s", __FILE__, __LINE__, #c);                \
        }                                                                                  \
    } while (0)
#endif

#endif
