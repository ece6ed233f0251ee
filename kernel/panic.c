/* panic(): the reason, the registers and a backtrace, then stop (or leave QEMU failing). */
#include "kernel/panic.h"
#include "arch/x86/asm.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/symbols.h"

static unsigned int exit_port;
integer_param("exit_port", exit_port);
static bool noreboot;
boolean_param("noreboot", noreboot);

static volatile uint32_t panicking;

static void reboot(void)
{
    static const struct desc_ptr no_idt = { 0, 0 };
    /* Keyboard controller reset line, then a triple fault if that did not work. */
    for (unsigned int i = 0; i < 100000 && (inb(0x64) & 0x02); i++) {
        cpu_relax();
    }
    outb(0x64, 0xFE);
    for (volatile unsigned int i = 0; i < 10000000; i++) {
    }
    lidt(&no_idt);
    __asm__ volatile("int3");
}

void machine_stop(bool failure)
{
    irq_disable();
    if (exit_port) {
        /* isa-debug-exit: QEMU exits with status (value << 1) | 1. */
        outb((uint16_t)exit_port, failure ? 1 : 0);
    }
    if (failure && !noreboot) {
        pr_err("Rebooting (boot with noreboot to stay halted instead).\n");
        reboot();
    }
    for (;;) {
        halt();
    }
}

void machine_stop_when_done(bool failure)
{
    if (exit_port) {
        machine_stop(failure);
    }
}

extern const char boot_cpu_stack[];

/*
 * Walks the frame-pointer chain from ebp, staying inside the stack ebp starts in, which
 * must be a monitor CPU stack (the double-fault report runs on another one).
 */
static void backtrace(uintptr_t ebp)
{
    uintptr_t base = ebp & ~(uintptr_t)(STACK_SIZE - 1);
    uintptr_t top = base + STACK_SIZE;
    pr_err("Backtrace:\n");
    if (base != (uintptr_t)boot_cpu_stack && base != (read_esp() & ~(uintptr_t)(STACK_SIZE - 1))) {
        pr_err("  (frame pointer %08x is outside the monitor's stacks)\n", (unsigned int)ebp);
        return;
    }
    for (unsigned int depth = 0; depth < 32; depth++) {
        const uint32_t *frame = (const uint32_t *)ebp;
        uintptr_t off;
        const char *name;
        if (ebp < base || ebp + 8 > top || (ebp & 3)) {
            break;
        }
        name = symbol_lookup(frame[1], &off);
        pr_err("  [<%08x>] %s+0x%x\n", frame[1], name ? name : "?", (unsigned int)off);
        ebp = frame[0];
    }
}

static void panic_enter(void)
{
    irq_disable();
    if (__atomic_fetch_add(&panicking, 1, __ATOMIC_SEQ_CST)) {
        /* A panic while panicking (or on a second CPU): just stop. */
        machine_stop(true);
    }
    printk_force_unlock();
}

void panic_regs(const struct cpu_regs *regs, const char *fmt, ...)
{
    va_list ap;
    panic_enter();
    pr_err("*** MONITOR PANIC on CPU %u: ", smp_processor_id());
    va_start(ap, fmt);
    vprintk(LOG_ERR, fmt, ap);
    va_end(ap);
    pr_err("\n");
    traps_dump_regs(regs);
    backtrace(regs->ebp);
    machine_stop(true);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    uintptr_t off;
    const char *caller;
    uintptr_t ret = (uintptr_t)__builtin_return_address(0);
    panic_enter();
    pr_err("*** MONITOR PANIC on CPU %u: ", smp_processor_id());
    va_start(ap, fmt);
    vprintk(LOG_ERR, fmt, ap);
    va_end(ap);
    caller = symbol_lookup(ret, &off);
    pr_err("\n");
    pr_err("called from [<%08x>] %s+0x%x\n", (unsigned int)ret, caller ? caller : "?",
           (unsigned int)off);
    pr_err("CR0 %08x CR2 %08x CR3 %08x CR4 %08x EFLAGS %08x ESP %08x\n", read_cr0(),
           read_cr2(), read_cr3(), read_cr4(), read_eflags(), read_esp());
    backtrace(read_ebp());
    machine_stop(true);
}
