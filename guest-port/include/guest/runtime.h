/* The guest runtime's entry contract: start of day, globals, options and shutdown. */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include "guest/lib.h"
#include "guest/xen.h"

/* Where guest.ld links every guest image (the VIRT_BASE note says the same). */
#define GUEST_VIRT_BASE 0xC0000000UL

/*
 * Each guest defines this; guest_start() calls it after setting the runtime up, and shuts
 * the domain down with SHUTDOWN_poweroff when it returns (SHUTDOWN_crash if it returns
 * nonzero).
 */
int guest_main(void);

/*
 * What guest_start() sets up before guest_main().  A guest that wants less defines its own
 * instance with GUEST_OPTIONS(...); the default (a weak definition in start.c) sets
 * everything up.
 */
struct guest_options {
    bool no_shared_info; /* leave the shared info page unmapped (shared_info stays NULL) */
    bool no_trap_table;  /* register no trap table: every exception crashes the domain */
    bool no_callbacks;   /* register no event or failsafe callback */
};
#define GUEST_OPTIONS(...) const struct guest_options guest_options = {__VA_ARGS__}
extern const struct guest_options guest_options;

/* Valid from the first C instruction on: the monitor's start_info page (ESI at entry). */
extern start_info_t *start_info;

/* The shared info page, mapped at a page of our own .bss; NULL until (or unless) mapped. */
extern shared_info_t *shared_info;

/* vcpu_info of vCPU 0 (inside shared_info); NULL until the shared info page is mapped. */
vcpu_info_t *vcpu0(void);

/* True when the event and failsafe callbacks are registered, so events may be unmasked. */
extern bool events_usable;

/* The TSC read by the very first instruction of the image (head.S). */
extern uint64_t guest_entry_tsc;

/* The image's extent, from guest.ld. */
extern char __image_start[], __image_end[], __text_start[], __text_end[];

/* SCHEDOP_shutdown with the given reason; if the monitor ever returns, spins yielding. */
NORETURN void guest_shutdown(unsigned int reason);

/* Prints the message (printk format), "guest panic", and shuts down with SHUTDOWN_crash. */
NORETURN PRINTF_LIKE(1, 2) void panic(const char *fmt, ...);

/* panic() with the hypercall's name and error unless rc == 0; returns rc otherwise. */
int check_hypercall(int rc, const char *what);

/*
 * Called by panic() before it prints anything, when a guest provides it (test.c does, to
 * end a test with "Test result: ERROR").  Must not return if it shuts down itself.
 */
void guest_panic_hook(const char *msg);

#endif
