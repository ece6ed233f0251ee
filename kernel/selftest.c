/*
 * Boot self checks of the memory code on the real machine (the host unit tests cover the
 * logic), and deliberate monitor faults for the tests of the panic path (selftest=).
 */
#include "kernel/selftest.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/heap.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

static char crash[16];

static int parse_selftest(const char *v)
{
    static const char *const kinds[] = { "panic", "ud", "pf", "stack" };
    for (unsigned int i = 0; v && i < ARRAY_SIZE(kinds); i++) {
        if (!strcmp(v, kinds[i])) {
            strlcpy(crash, v, sizeof(crash));
            return 0;
        }
    }
    return -EINVAL;
}
custom_param("selftest", parse_selftest, "panic|ud|pf|stack (deliberate monitor faults)");

/* Writes a pattern through one mapping and reads it back through another. */
static void check_frame(mfn_t m)
{
    uint32_t *a = map_frame(m), *b;
    a[0] = 0xC0FFEE00u ^ mfn_x(m);
    a[1023] = ~mfn_x(m);
    b = map_frame(m);
    if (b == a || b[0] != (0xC0FFEE00u ^ mfn_x(m)) || b[1023] != ~mfn_x(m)) {
        panic("selftest: frame 0x%x does not read back through a second mapping", mfn_x(m));
    }
    unmap_frame(b);
    unmap_frame(a);
}

/* Frames from both zones, so mappings above 4 GiB are exercised when there is RAM there. */
static void check_frames(void)
{
    mfn_t hi = alloc_frames(0, 0), lo = alloc_frames(0, FRAME_BELOW_4G);
    if (mfn_x(hi) == INVALID_MFN_RAW || mfn_x(lo) == INVALID_MFN_RAW ||
        mfn_to_paddr(lo) >= (1ull << 32)) {
        panic("selftest: frame allocation failed");
    }
    check_frame(hi);
    check_frame(lo);
    pr_info("selftest: frames 0x%x%s and 0x%x mapped and checked\n", mfn_x(hi),
            mfn_to_paddr(hi) >= (1ull << 32) ? " (above 4 GiB)" : "", mfn_x(lo));
    free_frames(hi, 0);
    free_frames(lo, 0);
}

static void check_heap(void)
{
    uint32_t before = frames_free();
    void *small[64], *big = kmalloc(3 * PAGE_SIZE);
    if (!big) {
        panic("selftest: kmalloc of 3 pages failed");
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(small); i++) {
        small[i] = kmalloc(8 + i * 24);
        if (!small[i] || ((uintptr_t)small[i] & 15)) {
            panic("selftest: kmalloc(%u) returned %p", 8 + i * 24, small[i]);
        }
        memset(small[i], 0x5A, 8 + i * 24);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(small); i++) {
        kfree(small[i]);
    }
    kfree(big);
    if (heap_free_checked(big) != HEAP_BAD_POINTER || heap_free_checked(small[0]) != HEAP_DOUBLE_FREE) {
        panic("selftest: the heap did not catch a double free");
    }
    pr_info("selftest: heap ok (%u frames held by slabs)\n", before - frames_free());
}

static void deliberate_crash(void)
{
    static volatile unsigned int depth;
    if (!strcmp(crash, "panic")) {
        panic("deliberate panic (selftest=panic)");
    } else if (!strcmp(crash, "ud")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(crash, "pf")) {
        *(volatile uint32_t *)0x1000 = 1;   /* the identity map is gone */
    } else if (!strcmp(crash, "stack")) {
        volatile char pad[512];
        pad[0] = (char)depth++;
        deliberate_crash();
        pad[1] = pad[0];
    }
}

void selftest_run(void)
{
    check_frames();
    check_heap();
    if (crash[0]) {
        pr_info("selftest: deliberate fault '%s'\n", crash);
        deliberate_crash();
        panic("selftest: the deliberate fault '%s' did not fault", crash);
    }
}
