/* Hostile test guest: "int n" for all 256 vectors, from ring 1 and from ring 3. */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"
#include "guest/user.h"

TEST_NAME("hostile_int_all");

/*
 * Site n (8 bytes, at k_sites + 8n) is "mov $0x7fff, %eax; int $n; ret" (the two-byte
 * form cd n, also for n = 3, which the assembler would write as int3): for n = 0x82 the
 * int is a hypercall, and 0x7fff a number that does not exist.  The ring-3 sites
 * (u_sites + 8n) are "int $n; jmp .".
 */
__asm__(".text\n"
        ".balign 8\n"
        "k_sites:\n"
        ".set n, 0\n"
        ".rept 256\n"
        "    .balign 8\n"
        "    movl $0x7fff, %eax\n"
        "    .byte 0xcd, n\n"
        "    ret\n"
        "    .set n, n + 1\n"
        ".endr\n"
        ".section .user.text, \"ax\"\n"
        ".balign 8\n"
        "u_sites:\n"
        ".set n, 0\n"
        ".rept 256\n"
        "    .balign 8\n"
        "    .byte 0xcd, n\n"
        "    jmp .\n"
        "    .set n, n + 1\n"
        ".endr\n"
        ".text\n");
extern char k_sites[], u_sites[];
USER_BSS uint8_t u_stack[4096] __attribute__((aligned(4096)));

#define SITE_INT_OFFSET 5 /* where "int $n" sits in a ring-1 site */
#define MAX_REPORTS     16

/*
 * The trap table: #BP and #OF DPL 3 (as their gates), int $0x80 DPL 3, a spread of other
 * vectors DPL 3 or 1, the rest DPL 0; vectors whose exceptions push an error code keep
 * DPL 0 (a software int pushes none, and the stubs would misread the frame).  0x82 has
 * no entry.
 */
static unsigned int dpl_of(unsigned int n)
{
    if (n == 3 || n == 4 || n == 0x80) {
        return 3;
    }
    if (n < 0x20) {
        return (n == 5 || n == 7 || n == 16 || n == 19) ? 1 : 0;
    }
    if (n == 0x82) {
        return 0;
    }
    return n % 7 == 0 ? 3 : n % 3 == 0 ? 1 : 0;
}

static void load_table(void)
{
    for (unsigned int n = 0; n < 256; n++) {
        if (n == 0x82) {
            trap_clear(n);
        } else {
            trap_set(n, TRAP_DPL(dpl_of(n)), NULL);
        }
    }
    if (traps_load() != 0) {
        test_error("set_trap_table refused the table");
    }
}

struct outcome {
    bool trapped;
    uint32_t vector, error_code, eip;
};

/* What "int n" from ring (1 or 3) must give; *site is the site's address. */
static struct outcome expected(unsigned int n, unsigned int ring, uint32_t site)
{
    uint32_t insn = ring == 1 ? site + SITE_INT_OFFSET : site;

    if (ring == 1 && n == 0x82) {
        return (struct outcome){.trapped = false};
    }
    if (n == 3 || n == 4 || dpl_of(n) >= ring) {
        return (struct outcome){true, n, 0, insn + 2};
    }
    return (struct outcome){true, 13, (n << 3) | 2, insn};
}

static long site_result;

static void call_site(void *site)
{
    site_result = ((long (*)(void))site)();
}

static struct outcome run_ring1(uint32_t site)
{
    struct guest_regs r;

    if (!trap_catch(call_site, (void *)(uintptr_t)site, &r)) {
        return (struct outcome){.trapped = false};
    }
    return (struct outcome){true, r.vector, r.error_code, r.eip};
}

static struct outcome run_ring3(uint32_t site)
{
    struct guest_regs r;
    uint32_t top = (uint32_t)(uintptr_t)(u_stack + sizeof(u_stack));

    if (user_run(site, top, 0, &r) != 0) {
        test_error("stack_switch failed");
    }
    return (struct outcome){true, r.vector, r.error_code, r.eip};
}

static bool same(const struct outcome *a, const struct outcome *b)
{
    if (a->trapped != b->trapped) {
        return false;
    }
    return !a->trapped ||
           (a->vector == b->vector && a->error_code == b->error_code && a->eip == b->eip);
}

static unsigned int reports;

static void compare(unsigned int n, unsigned int ring, const struct outcome *got,
                    const struct outcome *want)
{
    bool ok = same(got, want);

    if (ok || reports++ < MAX_REPORTS) {
        TEST_CHECK(ok,
                   "ring %u int $%#x: got %s vector %u error %#x eip %#x, expected %s "
                   "vector %u error %#x eip %#x",
                   ring, n, got->trapped ? "trap" : "no trap", got->vector, got->error_code,
                   got->eip, want->trapped ? "trap" : "no trap", want->vector, want->error_code,
                   want->eip);
    } else {
        test_check(false, __LINE__, "(report suppressed)");
    }
}

static void test_ring(unsigned int ring)
{
    char *sites = ring == 1 ? k_sites : u_sites;
    unsigned int delivered = 0, refused = 0;

    for (unsigned int n = 0; n < 256; n++) {
        uint32_t site = (uint32_t)(uintptr_t)(sites + 8 * n);
        struct outcome want = expected(n, ring, site);
        struct outcome got = ring == 1 ? run_ring1(site) : run_ring3(site);

        compare(n, ring, &got, &want);
        delivered += got.trapped && got.vector == n;
        refused += got.trapped && got.vector == 13 && n != 13;
        if (ring == 1 && n == 0x82) {
            TEST_EQ(site_result, -XEN_ENOSYS);
        }
    }
    test_note("ring %u: %u vectors delivered, %u refused with #GP", ring, delivered, refused);
}

int guest_main(void)
{
    load_table();
    test_ring(1);
    if (user_region_enable() != 0) {
        test_error("update_va_mapping could not make the user pages user-accessible");
    }
    test_ring(3);
    test_finish();
}
