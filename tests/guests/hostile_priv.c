/* Hostile test guest: privileged instructions from ring 1 end in #GP or in harmless emulation. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_priv");

/* Each site sets up registers, then runs the instruction at its *_i label, then returns. */
__asm__(".text\n"
        "hp_lgdt:    lgdt hp_desc\n ret\n"
        "hp_lidt:    lidt hp_desc\n ret\n"
        "hp_ltr:     movw $0x28, %ax\n hp_ltr_i: ltr %ax\n ret\n"
        "hp_lldt:    xorl %eax, %eax\n hp_lldt_i: lldt %ax\n ret\n"
        "hp_cr3w:    movl $0xdeadb000, %eax\n hp_cr3w_i: movl %eax, %cr3\n ret\n"
        "hp_cr0w:    movl %cr0, %eax\n andl $0x7fffffff, %eax\n hp_cr0w_i: movl %eax, %cr0\n"
        "            ret\n"
        "hp_wrapic:  movl $0x1b, %ecx\n xorl %eax, %eax\n xorl %edx, %edx\n"
        "hp_wrapic_i: wrmsr\n ret\n"
        "hp_rdbad:   movl $0x12345678, %ecx\n hp_rdbad_i: rdmsr\n ret\n"
        "hp_wrbad:   movl $0x12345678, %ecx\n xorl %eax, %eax\n xorl %edx, %edx\n"
        "hp_wrbad_i: wrmsr\n ret\n"
        "hp_in60:    inb $0x60, %al\n ret\n"
        "hp_in64:    movw $0x64, %dx\n hp_in64_i: inb %dx, %al\n ret\n"
        "hp_out80:   movb $0x55, %al\n hp_out80_i: outb %al, $0x80\n ret\n"
        "hp_outf4:   movb $0x7f, %al\n hp_outf4_i: outb %al, $0xf4\n ret\n"
        "hp_out64:   movb $0xfe, %al\n hp_out64_i: outb %al, $0x64\n ret\n"
        "hp_outcf8:  movl $0x80000000, %eax\n movw $0xcf8, %dx\n hp_outcf8_i: outl %eax, %dx\n"
        "            ret\n"
        "hp_outsb:   leal hp_desc, %esi\n movw $0x80, %dx\n hp_outsb_i: outsb\n ret\n"
        "hp_insb:    leal hp_buf, %edi\n movw $0x60, %dx\n hp_insb_i: insb\n ret\n"
        "hp_cli:     cli\n ret\n"
        "hp_sti:     sti\n ret\n"
        "hp_hlt:     hlt\n ret\n"
        "hp_dr0:     movl $0xff000000, %eax\n hp_dr0_i: movl %eax, %dr0\n ret\n"
        "hp_cr0r:    movl %cr0, %eax\n movl %eax, hp_val\n ret\n"
        "hp_cr3r:    movl %cr3, %eax\n movl %eax, hp_val\n ret\n"
        "hp_cr0same: movl %cr0, %eax\n movl %eax, %cr0\n ret\n"
        "hp_invd:    invd\n ret\n"
        "hp_wbinvd:  wbinvd\n ret\n"
        "hp_sysenter: sysenter\n ret\n"
        "hp_syscall: syscall\n ret\n"
        ".data\n"
        "hp_desc: .word 0\n .long 0\n"
        "hp_buf:  .long 0\n"
        ".text\n");
extern char hp_lgdt[], hp_lidt[], hp_ltr[], hp_ltr_i[], hp_lldt[], hp_lldt_i[], hp_cr3w[],
    hp_cr3w_i[], hp_cr0w[], hp_cr0w_i[], hp_wrapic[], hp_wrapic_i[], hp_rdbad[], hp_rdbad_i[],
    hp_wrbad[], hp_wrbad_i[], hp_in60[], hp_in64[], hp_in64_i[], hp_out80[], hp_out80_i[],
    hp_outf4[], hp_outf4_i[], hp_out64[], hp_out64_i[], hp_outcf8[], hp_outcf8_i[], hp_outsb[],
    hp_outsb_i[], hp_insb[], hp_insb_i[], hp_cli[], hp_sti[], hp_hlt[], hp_dr0[], hp_dr0_i[],
    hp_invd[], hp_wbinvd[], hp_sysenter[], hp_syscall[], hp_cr0r[], hp_cr3r[], hp_cr0same[];
uint32_t hp_val;

/* What an instruction may end in: a #GP(0) at it, a #UD, or nothing (emulated or ignored). */
enum { GP = 1, UD = 2, NONE = 4 };

struct site {
    const char *name;
    char *fn;
    char *insn; /* the faulting EIP a #GP must report; NULL: not checked */
    unsigned int allow;
};

static const char *outcome_name(bool trapped, uint32_t vector)
{
    return !trapped ? "nothing" : vector == 13 ? "#GP" : vector == 6 ? "#UD" : "another trap";
}

static void run_site(const struct site *s)
{
    struct guest_regs r = {0};
    bool trapped = trap_catch((void (*)(void *))s->fn, NULL, &r);
    bool gp = trapped && r.vector == 13, ud = trapped && r.vector == 6;
    bool ok = (gp && (s->allow & GP)) || (ud && (s->allow & UD)) || (!trapped && (s->allow & NONE));

    TEST_CHECK(ok, "%s: %s (vector %u)", s->name, outcome_name(trapped, r.vector),
               trapped ? r.vector : 0);
    if (gp && ok) {
        TEST_CHECK(r.error_code == 0, "%s: #GP error code %#x", s->name, r.error_code);
        TEST_CHECK(!s->insn || r.eip == (uintptr_t)s->insn, "%s: #GP at %#x, expected %p", s->name,
                   r.eip, s->insn);
    }
}

/* Descriptor tables, task register, CR0/CR3 with bad values, MSRs, caches, fast calls. */
static void test_system_instructions(void)
{
    const struct site sites[] = {
        {"lgdt", hp_lgdt, hp_lgdt, GP},
        {"lidt", hp_lidt, hp_lidt, GP},
        {"ltr", hp_ltr, hp_ltr_i, GP},
        {"lldt", hp_lldt, hp_lldt_i, GP},
        {"mov to cr3 (garbage)", hp_cr3w, hp_cr3w_i, GP},
        {"mov to cr0 (paging off)", hp_cr0w, hp_cr0w_i, GP},
        {"rdmsr (no such MSR)", hp_rdbad, hp_rdbad_i, GP},
        /* Xen ignores some MSR writes it does not allow; either way nothing may change. */
        {"wrmsr (APIC base = 0)", hp_wrapic, hp_wrapic_i, GP | NONE},
        {"wrmsr (no such MSR)", hp_wrbad, hp_wrbad_i, GP | NONE},
        {"hlt", hp_hlt, hp_hlt, GP | NONE},
        {"invd", hp_invd, hp_invd, GP | NONE},
        {"wbinvd", hp_wbinvd, hp_wbinvd, GP | NONE},
        {"sysenter", hp_sysenter, NULL, GP | UD},
        {"syscall", hp_syscall, NULL, GP | UD},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(sites); i++) {
        run_site(&sites[i]);
    }
}

/*
 * A 64-bit monitor keeps its own memory out of a 32-bit guest's reach, so it may let a
 * breakpoint sit at an address that would be the monitor's on a 32-bit one.
 */
static bool monitor_is_64bit(void)
{
    static xen_capabilities_info_t caps;

    return HYPERVISOR_xen_version(XENVER_capabilities, caps) == 0 && strstr(caps, "x86_64") != NULL;
}

/* Emulated reads: CR0 says protected mode with paging; CR3 names our own L3, folded. */
static void test_control_registers(void)
{
    const struct site cr0 = {"mov from cr0", hp_cr0r, NULL, NONE};
    const struct site cr3 = {"mov from cr3", hp_cr3r, NULL, NONE};
    const struct site same = {"mov to cr0 (the value it holds)", hp_cr0same, NULL, NONE};
    const struct site dr0 = {"mov to dr0 (monitor address)", hp_dr0, hp_dr0_i,
                             monitor_is_64bit() ? GP | NONE : GP};
    unsigned long l3_mfn = va_to_mfn((const void *)start_info->pt_base);
    int rc;

    hp_val = 0;
    run_site(&cr0);
    TEST_CHECK((hp_val & 0x80000001) == 0x80000001, "cr0 reads %#x", hp_val);
    hp_val = 0;
    run_site(&cr3);
    TEST_EQ(hp_val, xen_pfn_to_cr3(l3_mfn));
    run_site(&same);
    run_site(&dr0);
    rc = HYPERVISOR_set_debugreg(0, 0xFF000000UL);
    TEST_CHECK(rc == -XEN_EPERM || (rc == 0 && monitor_is_64bit()),
               "set_debugreg(0, monitor address) gave %d", rc);
    HYPERVISOR_set_debugreg(0, 0);
}

static uint32_t eflags_now(void)
{
    uint32_t f;

    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

/* Ports and interrupt flag with the given virtual IOPL: #GP at 0, ignored at 1. */
static void test_io(unsigned int iopl)
{
    unsigned int expect = iopl ? NONE | GP : GP;
    const struct site sites[] = {
        {"cli", hp_cli, hp_cli, iopl ? NONE : GP},
        {"sti", hp_sti, hp_sti, iopl ? NONE : GP},
        {"in $0x60", hp_in60, hp_in60, expect},
        {"in 0x64", hp_in64, hp_in64_i, expect},
        {"out 0x80", hp_out80, hp_out80_i, expect},
        {"out 0xf4 (QEMU's exit device)", hp_outf4, hp_outf4_i, expect},
        {"out 0x64 = 0xfe (keyboard controller reset)", hp_out64, hp_out64_i, expect},
        {"out 0xcf8 (PCI configuration)", hp_outcf8, hp_outcf8_i, expect},
        {"outsb 0x80", hp_outsb, hp_outsb_i, expect},
        {"insb 0x60", hp_insb, hp_insb_i, expect},
    };
    struct physdev_set_iopl set = {.iopl = iopl};

    TEST_EQ(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &set), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(sites); i++) {
        run_site(&sites[i]);
        TEST_CHECK(eflags_now() & 0x200, "after %s, interrupts are really off", sites[i].name);
    }
}

/* popf cannot raise IOPL or clear IF in ring 1. */
static void test_popf(void)
{
    uint32_t before = eflags_now(), after;

    __asm__ volatile("pushfl\n"
                     "orl $0x3000, (%%esp)\n"
                     "andl $~0x200, (%%esp)\n"
                     "popfl\n"
                     "pushfl\n"
                     "popl %0"
                     : "=r"(after));
    TEST_EQ(after & 0x3000, before & 0x3000);
    TEST_CHECK(after & 0x200, "popf cleared IF: eflags %#x", after);
}

int guest_main(void)
{
    struct physdev_set_iopl bad = {.iopl = 4};

    test_system_instructions();
    test_control_registers();
    test_popf();
    TEST_EQ(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &bad), -XEN_EINVAL);
    if (start_info->flags & SIF_PRIVILEGED) {
        test_note("privileged domain: its port accesses are real, so they are left out");
    } else {
        test_io(0);
        test_io(1);
        test_io(0);
    }
    test_finish();
}
