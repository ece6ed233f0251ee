/* The trap table given to the monitor, and guest_trap(), where every bounced trap lands. */
#include "guest/console.h"
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "guest/traps.h"
#include "guest/user.h"

static_assert(sizeof(struct guest_regs) == 19 * 4, "entry.S frame layout");
static_assert(offsetof(struct guest_regs, vector) == 12 * 4, "entry.S frame layout");
static_assert(offsetof(struct guest_regs, eip) == 14 * 4, "bounce frame layout");
static_assert(sizeof(trap_info_t) == 8, "trap_info layout");

extern char trap_stubs[];

/* The runtime's view of the table; traps_load() hands the present entries to the monitor. */
static struct {
    bool present;
    uint8_t flags;
    trap_handler_t handler;
} traps[256];

/* What set_trap_table reads: the entries, then one with address 0 that ends the table. */
static trap_info_t table[257];

static struct jmpctx catch_ctx;
static struct guest_regs *catch_out;
static volatile bool catch_armed;
uintptr_t trap_caught_frame;

static const char *const vector_names[20] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 error",
    "alignment check",
    "machine check",
    "SIMD error",
};

bool trap_has_error_code(unsigned int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

uint32_t trap_stub(unsigned int vector)
{
    return (uint32_t)(uintptr_t)trap_stubs + 16 * (vector & 255);
}

void trap_set(unsigned int vector, unsigned int flags, trap_handler_t handler)
{
    traps[vector & 255].present = true;
    traps[vector & 255].flags = (uint8_t)flags;
    traps[vector & 255].handler = handler;
}

void trap_clear(unsigned int vector)
{
    traps[vector & 255].present = false;
    traps[vector & 255].handler = NULL;
}

int traps_load(void)
{
    unsigned int n = 0;

    for (unsigned int v = 0; v < 256; v++) {
        if (traps[v].present) {
            table[n++] = (trap_info_t){
                .vector = (uint8_t)v,
                .flags = traps[v].flags,
                .cs = FLAT_KERNEL_CS,
                .address = trap_stub(v),
            };
        }
    }
    table[n] = (trap_info_t){0};
    return HYPERVISOR_set_trap_table(table);
}

void traps_set_defaults(void)
{
    for (unsigned int v = 0; v < 20; v++) {
        trap_set(v, (v == 3 || v == 4) ? TRAP_DPL(3) : TRAP_DPL(0), NULL);
    }
}

uint32_t trap_cr2(void)
{
    vcpu_info_t *v = vcpu0();

    return v ? v->arch.cr2 : 0;
}

static const char *vector_name(unsigned int v)
{
    if (v < 20) {
        return vector_names[v];
    }
    return v == 0x80 ? "system call" : v == 256 ? "event" : "software interrupt";
}

void trap_dump(const char *why, const struct guest_regs *r)
{
    printk("%s: vector %u (%s), error code %#x, at %04x:%08x, eflags %08x, mask %u\n", why,
           r->vector, vector_name(r->vector), r->error_code, r->cs & 0xffff, r->eip, r->eflags,
           (r->cs >> 16) & 0xff);
    printk("  eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x\n", r->eax, r->ebx,
           r->ecx, r->edx, r->esi, r->edi, r->ebp);
    printk("  esp %08x ss %04x ds %04x es %04x fs %04x gs %04x cr2 %08x\n", guest_regs_sp(r),
           guest_regs_user(r) ? r->ss & 0xffff : FLAT_KERNEL_SS, r->ds & 0xffff, r->es & 0xffff,
           r->fs & 0xffff, r->gs & 0xffff, trap_cr2());
}

bool trap_catch(void (*fn)(void *), void *arg, struct guest_regs *caught)
{
    catch_out = caught;
    if (ctx_save(&catch_ctx) != 0) {
        return true;
    }
    catch_armed = true;
    fn(arg);
    catch_armed = false;
    return false;
}

/* A vector registered with TRAP_MASK_EVENTS had the mask set on delivery: put it back. */
static void restore_event_mask(const struct guest_regs *r)
{
    if (r->vector < 256 && (traps[r->vector].flags & TRAP_MASK_EVENTS)) {
        events_mask_set((r->cs >> 16) & 0xff);
    }
}

void guest_trap(struct guest_regs *r)
{
    unsigned int v = r->vector & 255;

    if (catch_armed && !guest_regs_user(r)) {
        catch_armed = false;
        trap_caught_frame = (uintptr_t)r;
        *catch_out = *r;
        restore_event_mask(r);
        ctx_restore(&catch_ctx, 1);
    }
    if (traps[v].handler) {
        traps[v].handler(r);
        restore_event_mask(r);
        return;
    }
    if (guest_regs_user(r) && user_active()) {
        user_leave(r);
    }
    trap_dump("unexpected trap", r);
    panic("unexpected %s (vector %u) at %04x:%08x", vector_name(v), v, r->cs & 0xffff, r->eip);
}
