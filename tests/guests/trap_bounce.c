/* Test guest: exceptions from ring 1 bounced to the guest, and every field of their frames. */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("trap_bounce");

#define UNMAPPED_VA 0x00001000UL

/*
 * Each trap site is a small function: it records ESP just before the faulting
 * instruction (a ring-1 trap frame must end exactly there: no ESP/SS is pushed), then
 * executes it.  *_insn labels the instruction, *_next the one after it.
 */
uint32_t esp_at_trap;
uint32_t store_target;
__asm__(".text\n"
        "tb_int3:      movl %esp, esp_at_trap\n"
        "tb_int3_insn: int3\n"
        "tb_int3_next: ret\n"
        "tb_div:       xorl %ecx, %ecx\n"
        "              movl $1, %eax\n"
        "              xorl %edx, %edx\n"
        "              movl %esp, esp_at_trap\n"
        "tb_div_insn:  divl %ecx\n"
        "              ret\n"
        "tb_ud:        movl %esp, esp_at_trap\n"
        "tb_ud_insn:   ud2\n"
        "              ret\n"
        "tb_gp:        movl %esp, esp_at_trap\n"
        "tb_gp_insn:   lgdt tb_gdtr\n"
        "              ret\n"
        "tb_pf_read:   movl %esp, esp_at_trap\n"
        "tb_pf_read_insn: movl 0x1000, %eax\n"
        "              ret\n"
        "tb_pf_write:  movl store_target, %ecx\n"
        "              movl (%ecx), %eax\n"
        "              movl %esp, esp_at_trap\n"
        "tb_pf_write_insn: movl %eax, (%ecx)\n"
        "              ret\n"
        ".data\n"
        "tb_gdtr: .word 0\n"
        "         .long 0\n"
        ".text\n");
extern char tb_int3[], tb_int3_next[], tb_div[], tb_div_insn[], tb_ud[], tb_ud_insn[], tb_gp[],
    tb_gp_insn[], tb_pf_read[], tb_pf_read_insn[], tb_pf_write[], tb_pf_write_insn[];

struct expect {
    const char *name;
    char *site; /* the function to run */
    char *eip;  /* the EIP the frame must hold */
    uint32_t vector, error_code;
    uint32_t cr2; /* checked for page faults */
};

/* Runs e->site and checks the frame of the trap it must cause. */
static void check_trap(const struct expect *e)
{
    struct guest_regs r;
    bool trapped = trap_catch((void (*)(void *))e->site, NULL, &r);
    unsigned int mask = events_mask_get();

    if (!TEST_CHECK(trapped, "%s: no trap", e->name)) {
        return;
    }
    TEST_CHECK(r.vector == e->vector, "%s: vector %u", e->name, r.vector);
    TEST_CHECK(r.error_code == e->error_code, "%s: error code %#x", e->name, r.error_code);
    TEST_CHECK(r.eip == (uint32_t)(uintptr_t)e->eip, "%s: eip %#x, expected %p", e->name, r.eip,
               e->eip);
    TEST_CHECK((r.cs & 0xffff) == FLAT_KERNEL_CS, "%s: cs %#x", e->name, r.cs);
    TEST_CHECK(r.cs >> 16 == mask, "%s: saved mask %u, mask is %u", e->name, r.cs >> 16, mask);
    TEST_CHECK(!!(r.eflags & 0x200) == !mask, "%s: eflags %#x with mask %u", e->name, r.eflags,
               mask);
    TEST_CHECK((r.eflags & 0x3002) == 0x0002, "%s: eflags %#x (bit 1, IOPL)", e->name, r.eflags);
    TEST_CHECK(trap_caught_frame + offsetof(struct guest_regs, esp) == esp_at_trap,
               "%s: frame ends at %#x, esp was %#x", e->name,
               (unsigned int)(trap_caught_frame + offsetof(struct guest_regs, esp)), esp_at_trap);
    if (e->vector == 14) {
        TEST_CHECK(trap_cr2() == e->cr2, "%s: cr2 %#x, expected %#x", e->name, trap_cr2(), e->cr2);
    }
}

static void test_exceptions(void)
{
    const struct expect cases[] = {
        {"int3", tb_int3, tb_int3_next, 3, 0, 0},
        {"divide by zero", tb_div, tb_div_insn, 0, 0, 0},
        {"ud2", tb_ud, tb_ud_insn, 6, 0, 0},
        {"lgdt in ring 1", tb_gp, tb_gp_insn, 13, 0, 0},
        {"read of an unmapped page", tb_pf_read, tb_pf_read_insn, 14, 0, UNMAPPED_VA},
        /* P | W: the start-of-day L3 is mapped read-only; the value written is its own. */
        {"write to the L3 page table", tb_pf_write, tb_pf_write_insn, 14, 3, 0},
        /* P | W: the M2P is read-only to guests. */
        {"write to the M2P", tb_pf_write, tb_pf_write_insn, 14, 3, MACH2PHYS_VIRT_START},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        struct expect e = cases[i];
        if (e.site == tb_pf_write) {
            store_target = e.cr2 ? e.cr2 : (uint32_t)start_info->pt_base;
            e.cr2 = store_target;
        }
        check_trap(&e);
    }
}

/*
 * The event mask during delivery: the probe reads it on entry to the #BP handler (before
 * any C code), then continues as the runtime's stub.
 */
uint32_t probe_mask_addr, probe_mask, probe_eflags;
__asm__(".text\n"
        "mask_probe: pushl %eax\n"
        "            movl probe_mask_addr, %eax\n"
        "            movzbl (%eax), %eax\n"
        "            movl %eax, probe_mask\n"
        "            pushfl\n"
        "            popl probe_eflags\n"
        "            popl %eax\n"
        "            jmp trap_stubs + 3 * 16\n"
        "tb_int3_nt: pushfl\n"
        "            orl $0x4000, (%esp)\n"
        "            popfl\n"
        "            int3\n"
        "            ret\n");
extern char mask_probe[], tb_int3_nt[];

static void load_probe(unsigned int flags)
{
    trap_info_t table[] = {{3, (uint8_t)flags, FLAT_KERNEL_CS, (unsigned long)mask_probe}, {0}};

    TEST_EQ(HYPERVISOR_set_trap_table(table), 0);
}

/* With events unmasked: the frame says mask 0 and IF 1; flag 4 masks during delivery. */
static void test_mask_on_delivery(unsigned int flags, unsigned int mask_in_handler)
{
    struct guest_regs r;

    probe_mask_addr = (uint32_t)(uintptr_t)&vcpu0()->evtchn_upcall_mask;
    load_probe(flags);
    events_mask_set(0);
    probe_mask = 0xff;
    TEST_ASSERT(trap_catch((void (*)(void *))tb_int3_nt, NULL, &r));
    TEST_EQ(probe_mask, mask_in_handler);
    TEST_EQ(r.cs >> 16, 0);
    TEST_CHECK(r.eflags & 0x200, "eflags %#x: IF clear with events unmasked", r.eflags);
    TEST_CHECK(r.eflags & 0x4000, "eflags %#x: the interrupted NT was lost", r.eflags);
    TEST_CHECK(!(probe_eflags & 0x4100), "handler runs with eflags %#x (TF or NT set)",
               probe_eflags);
    events_mask_set(1);
    TEST_EQ(traps_load(), 0);
}

int guest_main(void)
{
    test_exceptions();
    if (events_usable) {
        test_mask_on_delivery(TRAP_DPL(3), 0);
        test_mask_on_delivery(TRAP_DPL(3) | TRAP_MASK_EVENTS, 1);
    } else {
        test_note("no event callbacks: the event-mask checks are left out");
    }
    test_finish();
}
