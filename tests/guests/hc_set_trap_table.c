/* Test guest: HYPERVISOR_set_trap_table — loading, replacing, clearing, selector fix-up, refusals.
 */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_set_trap_table");

#define MONITOR_VA  0xFF000000UL
#define UNMAPPED_VA 0xF5000000UL

/* #BP entry that records the code selector it runs with, then goes on as runtime stub 3. */
uint16_t probe_cs;
__asm__(".text\n"
        "bp_cs_probe:\n"
        "    movw %cs, probe_cs\n"
        "    jmp trap_stubs + 3 * 16\n");
extern char bp_cs_probe[];

static void do_int3(void *arg)
{
    (void)arg;
    __asm__ volatile("int3");
}

/* True when an int3 now reaches a handler (which the catch turns into a return). */
static bool int3_delivered(void)
{
    struct guest_regs r;

    return trap_catch(do_int3, NULL, &r) && r.vector == 3;
}

static int load(const trap_info_t *table)
{
    return HYPERVISOR_set_trap_table(table);
}

static void test_load_and_replace(void)
{
    static trap_info_t table[257];
    unsigned int n = 0;

    TEST_EQ(traps_load(), 0);
    TEST_ASSERT(int3_delivered());
    /* Every vector at once. */
    for (unsigned int v = 0; v < 256; v++) {
        if (v != 0x82) {
            table[n++] = (trap_info_t){v, 0, FLAT_KERNEL_CS, trap_stub(v)};
        }
    }
    table[3].flags = 3;
    table[n] = (trap_info_t){0};
    TEST_EQ(load(table), 0);
    TEST_ASSERT(int3_delivered());
    TEST_EQ(traps_load(), 0);
}

/* A NULL table clears the whole table (Xen's rule); a later load brings it back. */
static void test_null_clears(void)
{
    TEST_EQ(load(NULL), 0);
    TEST_EQ(traps_load(), 0);
    TEST_ASSERT(int3_delivered());
}

/* A code selector with RPL 0 is taken as RPL 1: the handler runs in ring 1. */
static void test_selector_fixup(void)
{
    trap_info_t table[] = {
        {3, 3, FLAT_KERNEL_CS & ~3, (unsigned long)bp_cs_probe},
        {0},
    };

    probe_cs = 0;
    TEST_EQ(load(table), 0);
    TEST_ASSERT(int3_delivered());
    TEST_EQ(probe_cs, FLAT_KERNEL_CS);
    TEST_EQ(traps_load(), 0);
}

/*
 * A handler address in the monitor's range: Xen accepts it (it checks handler addresses
 * only when it bounces, where the guest then faults); refusing it is also safe.  Only
 * registering is tested here: the table is replaced before anything can bounce to it.
 */
static void test_monitor_handler(void)
{
    trap_info_t table[] = {{0x40, 1, FLAT_KERNEL_CS, MONITOR_VA}, {0}};
    int rc = load(table);

    TEST_CHECK(rc == 0 || rc == -XEN_EINVAL || rc == -XEN_EPERM, "got %d", rc);
    TEST_EQ(traps_load(), 0);
}

static void test_refusals(void)
{
    TEST_EQ(load((const trap_info_t *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(load((const trap_info_t *)UNMAPPED_VA), -XEN_EFAULT);
    TEST_EQ(load((const trap_info_t *)(MACH2PHYS_VIRT_START - 4)), -XEN_EFAULT);
    TEST_EQ(traps_load(), 0);
    TEST_ASSERT(int3_delivered());
}

int guest_main(void)
{
    test_load_and_replace();
    test_null_clears();
    test_selector_fixup();
    test_monitor_handler();
    test_refusals();
    test_finish();
}
