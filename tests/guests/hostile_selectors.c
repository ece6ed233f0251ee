/* Hostile test guest: monitor code selectors for handlers, and the shared-info page as a GDT. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/runtime.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_selectors");

__asm__(".text\n hs_int81: int $0x81\n ret\n");
extern char hs_int81[];

static void handler(void)
{
}

/*
 * A gate or callback through the monitor's code selector would run guest code in ring 0:
 * every way of naming one must be refused, and the table must stay as it was.
 */
static void test_handler_selectors(void)
{
    static const uint16_t bad[] = {0xe008, 0xe009, 0xe00a, 0xe00b, 0xe010, 0xe040, 0x0004, 0xfff9};
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        trap_info_t t[3] = {
            {.vector = 0x81, .flags = 3, .cs = FLAT_RING1_CS, .address = (unsigned long)handler},
            {.vector = 0x80, .flags = 3, .cs = bad[i], .address = (unsigned long)handler},
            {0},
        };
        callback_register_t cb = {.type = CALLBACKTYPE_event,
                                  .address = {.cs = bad[i], .eip = (unsigned long)handler}};
        TEST_CHECK(HYPERVISOR_set_trap_table(t) == -XEN_EPERM, "trap table cs %#x accepted", bad[i]);
        TEST_CHECK(HYPERVISOR_set_callbacks(bad[i], (unsigned long)handler, FLAT_RING1_CS,
                                            (unsigned long)handler) == -XEN_EPERM,
                   "set_callbacks cs %#x accepted", bad[i]);
        TEST_CHECK(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == -XEN_EPERM,
                   "callback_op cs %#x accepted", bad[i]);
    }
    /* The refused tables left nothing behind: int $0x81 from ring 1 is still a #GP. */
    struct guest_regs r = {0};
    TEST_CHECK(trap_catch((void (*)(void *))hs_int81, NULL, &r) && r.vector == 13,
               "int $0x81 after refused tables: vector %u", r.vector);
}

/* The shared-info page is written by the monitor: it may never become a descriptor page. */
static void test_shared_info_gdt(void)
{
    unsigned long si_mfn = start_info->shared_info >> 12;
    unsigned long frames[1] = {si_mfn};
    uint64_t flat_data = 0x00cf92000000ffffull;
    TEST_EQ(HYPERVISOR_set_gdt(frames, 512), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_descriptor((uint64_t)si_mfn << 12 | 8, flat_data), -XEN_EINVAL);
}

int guest_main(void)
{
    test_handler_selectors();
    test_shared_info_gdt();
    test_finish();
}
