/* Test guest: in/out emulation, for the initial domain only, under its virtual IOPL. */
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("io_ports");

__asm__(".text\n"
        "io_out80:  movb $0x55, %al\n io_out80_i: outb %al, $0x80\n ret\n"
        "io_in80:   movl $0x12345678, %eax\n io_in80_i: inb $0x80, %al\n movl %eax, io_val\n ret\n"
        "io_outw80: movw $0x80, %dx\n movw $0x1234, %ax\n io_outw80_i: outw %ax, %dx\n ret\n"
        "io_com1:   movw $0x3f8, %dx\n movb $0x41, %al\n io_com1_i: outb %al, %dx\n ret\n"
        "io_pic:    io_pic_i: inb $0x21, %al\n ret\n"
        "io_exit:   movb $0x7f, %al\n io_exit_i: outb %al, $0xf4\n ret\n"
        "io_pci:    movw $0xcfc, %dx\n io_pci_i: inl %dx, %eax\n ret\n");
extern char io_out80[], io_out80_i[], io_in80[], io_in80_i[], io_outw80[], io_outw80_i[],
    io_com1[], io_com1_i[], io_pic[], io_pic_i[], io_exit[], io_exit_i[], io_pci[], io_pci_i[];
uint32_t io_val;

/* Runs fn; true when it ended in a #GP(0) at insn, false when it ran through. */
static bool gp_at(char *fn, char *insn)
{
    struct guest_regs r = {0};
    if (!trap_catch((void (*)(void *))fn, NULL, &r)) {
        return false;
    }
    TEST_CHECK(r.vector == 13 && r.error_code == 0 && r.eip == (uintptr_t)insn,
               "unexpected trap: vector %u error %#x at %#x", r.vector, r.error_code, r.eip);
    return true;
}

static int set_iopl(uint32_t iopl)
{
    struct physdev_set_iopl set = {.iopl = iopl};
    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &set);
}

int guest_main(void)
{
    bool initial = start_info->flags & SIF_INITDOMAIN;

    /* Without an IOPL nobody gets ports. */
    TEST_CHECK(gp_at(io_out80, io_out80_i), "outb to 0x80 with IOPL 0 did not fault");
    TEST_EQ(set_iopl(4), -XEN_EINVAL);
    TEST_EQ(set_iopl(1), 0);

    /* With IOPL 1 the initial domain reaches the ports the monitor leaves alone. */
    TEST_CHECK(gp_at(io_out80, io_out80_i) == !initial, "outb to 0x80 with IOPL 1");
    io_val = 0;
    TEST_CHECK(gp_at(io_in80, io_in80_i) == !initial, "inb from 0x80 with IOPL 1");
    if (initial) {
        TEST_CHECK((io_val & 0xFFFFFF00u) == 0x12345600u, "inb changed more than AL: %#x", io_val);
    }
    TEST_CHECK(gp_at(io_outw80, io_outw80_i) == !initial, "outw to 0x80 with IOPL 1");

    /* The monitor's own devices stay out of reach for everyone. */
    TEST_CHECK(gp_at(io_com1, io_com1_i), "outb to the monitor's COM1 did not fault");
    TEST_CHECK(gp_at(io_pic, io_pic_i), "inb from the monitor's PIC did not fault");
    TEST_CHECK(gp_at(io_exit, io_exit_i), "outb to the debug-exit port did not fault");
    TEST_CHECK(gp_at(io_pci, io_pci_i), "inl from PCI configuration space did not fault");

    TEST_EQ(set_iopl(0), 0);
    TEST_CHECK(gp_at(io_out80, io_out80_i), "outb to 0x80 after IOPL 0 again did not fault");
    test_finish();
}
