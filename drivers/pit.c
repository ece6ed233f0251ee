/* 8254 PIT channel 2, polled through port 0x61: a timing reference for calibration. */
#include "drivers/pit.h"

#include "arch/x86/asm.h"
#include "kernel/printk.h"

#define PIT_CH2             0x42
#define PIT_CMD             0x43
#define PIT_CMD_CH2_ONESHOT 0xB0 /* channel 2, low then high byte, mode 0, binary */
#define PORT_B              0x61
#define PORT_B_GATE2        0x01
#define PORT_B_SPEAKER      0x02
#define PORT_B_CHECKS       0x0C /* parity/channel check enables: kept as found */
#define PORT_B_OUT2         0x20

/*
 * Bounds for a count of at most 55 ms: 2^32 TSC cycles are 0.4 s even at 10 GHz, and 10^8
 * polls of an I/O port take seconds anywhere.  Whichever runs out first ends the wait.
 */
#define PIT_WAIT_TSC    0xFFFFFFFFull
#define PIT_WAIT_POLLS  100000000u
#define PIT_START_TRIES 3

static bool pit_absent;

static void pit_set_absent(const char *why)
{
    pit_absent = true;
    pr_warn("pit: PIT absent (%s)\n", why);
}

static bool pit_out2(void)
{
    return inb(PORT_B) & PORT_B_OUT2;
}

static void pit_program(uint32_t count)
{
    outb(PORT_B, (inb(PORT_B) & PORT_B_CHECKS) | PORT_B_GATE2);
    outb(PIT_CMD, PIT_CMD_CH2_ONESHOT);
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
}

bool pit_oneshot_start(uint32_t us, uint64_t *ns)
{
    uint32_t count;

    if (pit_absent || us == 0 || us > PIT_MAX_US) {
        return false;
    }
    count = (uint32_t)(((uint64_t)us * PIT_HZ + 500000) / 1000000);
    *ns = ((uint64_t)count * 1000000000ull + PIT_HZ / 2) / PIT_HZ;
    /*
     * In mode 0 the output is low from the command until the count runs out.  High right
     * away means nothing is there (the port reads all ones), unless this CPU was held up
     * for the whole count: try again before concluding.
     */
    for (unsigned int i = 0; i < PIT_START_TRIES; i++) {
        pit_program(count);
        if (!pit_out2()) {
            return true;
        }
    }
    pit_set_absent("channel 2 output stuck high");
    return false;
}

bool pit_oneshot_wait(void)
{
    uint64_t start = rdtsc();

    for (uint32_t polls = 0; polls < PIT_WAIT_POLLS; polls++) {
        if (pit_out2()) {
            return true;
        }
        if (rdtsc() - start > PIT_WAIT_TSC) {
            break;
        }
    }
    pit_set_absent("channel 2 never counted down");
    return false;
}
