/*
 * The IDT and the first stop of every trap.  An exception the monitor did not expect is a
 * panic with a register dump; interrupts go to the handler registered for their vector.
 * Guest traps (ring 1 and 3) are the domains' business and arrive with the guest issue.
 */
#include "arch/x86/traps.h"
#include "arch/x86/asm.h"
#include "arch/x86/percpu.h"
#include "arch/x86/segments.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/symbols.h"

struct __packed idt_gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
};

/* An exception-fixup entry: a fault at insn resumes at fixup (guest-memory gateway). */
struct ex_entry {
    uintptr_t insn, fixup;
};

static struct idt_gate idt[256] __aligned(8);
static irq_handler_t irq_handlers[256];
static void (*irq_tail_hook)(void);
static uint32_t monitor_debug_traps;
extern const char trap_stubs[], hypercall_gate[];
extern const struct ex_entry __start_ex_table[], __stop_ex_table[];

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 error", "alignment check", "machine check",
    "SIMD error", "virtualization", "control protection",
};

static void set_gate(unsigned int v, uintptr_t handler, uint16_t sel, uint8_t type_attr)
{
    idt[v] = (struct idt_gate){ (uint16_t)handler, sel, 0, type_attr, (uint16_t)(handler >> 16) };
}

void idt_init(void)
{
    struct desc_ptr p = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    for (unsigned int v = 0; v < 256; v++) {
        uint8_t dpl = (v == 3 || v == 4) ? 3 : (v == VECTOR_HYPERCALL ? 1 : 0);
        set_gate(v, (uintptr_t)trap_stubs + 16 * v, MONITOR_CS, (uint8_t)(0x8E | (dpl << 5)));
    }
    /* Hypercalls take their own, shorter way in (entry.S). */
    set_gate(VECTOR_HYPERCALL, (uintptr_t)hypercall_gate, MONITOR_CS, 0x8E | (1 << 5));
    /* Double fault: a task gate, so a broken stack still gets a dump. */
    set_gate(8, 0, DF_TSS_SEL, 0x85);
    lidt(&p);
}

void idt_set_guest_int80(uint16_t cs, uint32_t eip)
{
    /* A DPL-3 trap gate: ring 3 enters ring 1 directly, interrupts stay enabled. */
    set_gate(0x80, eip, cs, 0xEF);
}

void idt_clear_guest_int80(void)
{
    set_gate(0x80, (uintptr_t)trap_stubs + 16 * 0x80, MONITOR_CS, 0x8E);
}

int irq_register(unsigned int vector, irq_handler_t handler)
{
    if (vector < 32 || vector > 255 || vector == VECTOR_HYPERCALL) {
        return -EINVAL;
    }
    if (irq_handlers[vector]) {
        return -EBUSY;
    }
    irq_handlers[vector] = handler;
    return 0;
}

void traps_dump_regs(const struct cpu_regs *r)
{
    uintptr_t off;
    const char *sym = symbol_lookup(r->eip, &off);
    pr_err("EIP %04x:%08x [%s+0x%x]  EFLAGS %08x  vector %u error %08x\n", r->cs & 0xFFFF,
           r->eip, sym ? sym : "?", (unsigned int)off, r->eflags, r->vector, r->error_code);
    pr_err("EAX %08x EBX %08x ECX %08x EDX %08x\n", r->eax, r->ebx, r->ecx, r->edx);
    pr_err("ESI %08x EDI %08x EBP %08x ESP %08x\n", r->esi, r->edi, r->ebp,
           (r->cs & 3) ? r->esp : (uint32_t)(uintptr_t)&r->esp);
    pr_err("DS %04x ES %04x FS %04x GS %04x SS %04x\n", r->ds & 0xFFFF, r->es & 0xFFFF,
           r->fs & 0xFFFF, r->gs & 0xFFFF, (r->cs & 3) ? r->ss & 0xFFFF : MONITOR_DS);
    pr_err("CR0 %08x CR2 %08x CR3 %08x CR4 %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

static bool fixup_exception(struct cpu_regs *r)
{
    for (const struct ex_entry *e = __start_ex_table; e < __stop_ex_table; e++) {
        if (e->insn == r->eip) {
            r->eip = e->fixup;
            return true;
        }
    }
    return false;
}

static void monitor_exception(struct cpu_regs *r)
{
    if (r->vector == 1) {
        /* A #DB in the monitor (a guest's breakpoint, MOV SS tricks): note and go on. */
        monitor_debug_traps++;
        write_dr6(0xFFFF0FF0u);
        return;
    }
    if (r->vector == 2) {
        pr_err("NMI on CPU %u; continuing\n", smp_processor_id());
        return;
    }
    if (r->vector >= 11 && r->vector <= 14 && fixup_exception(r)) {
        return;
    }
    panic_regs(r, "unexpected %s (vector %u) in the monitor", exception_names[r->vector] ?
               exception_names[r->vector] : "exception", r->vector);
}

void irq_set_tail_hook(void (*fn)(void))
{
    irq_tail_hook = fn;
}

void irq_dispatch(struct cpu_regs *r)
{
    void (*tail)(void) = READ_ONCE(irq_tail_hook);

    if (irq_handlers[r->vector]) {
        irq_handlers[r->vector](r);
    } else {
        pr_warn("traps: unexpected interrupt vector %u on CPU %u\n", r->vector,
                smp_processor_id());
    }
    if (tail) {
        tail();
    }
}

void trap_dispatch(struct cpu_regs *r)
{
    if (r->cs & 3) {
        guest_trap(r);
    } else if (r->vector < 32) {
        monitor_exception(r);
    } else {
        irq_dispatch(r);
    }
}

/* Runs in the double-fault task: the faulting context is in the boot CPU's TSS. */
void double_fault_report(void);
void double_fault_report(void)
{
    const struct tss_view {
        uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
        uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    } *t = (const struct tss_view *)percpu_data[0].tss;
    struct cpu_regs r = {
        .ebx = t->ebx, .ecx = t->ecx, .edx = t->edx, .esi = t->esi, .edi = t->edi,
        .ebp = t->ebp, .eax = t->eax, .vector = 8, .eip = t->eip, .cs = MONITOR_CS,
        .eflags = t->eflags, .esp = t->esp,
    };
    panic_regs(&r, "double fault (ESP %08x: a monitor stack overflow?)", t->esp);
}
