/* Unit tests of module command lines as domain settings (kernel/domcfg.c). */
#include <string.h>

#include "unit.h"
#include "kernel/domcfg.h"
#include "kernel/errno.h"

static struct domain_config cfg;
static char err[96], ignored[64];

static int parse(const char *line)
{
    memset(err, 0, sizeof(err));
    return domcfg_parse(line, &cfg, err, sizeof(err), ignored, sizeof(ignored));
}

static void defaults_from_file_name(void **state)
{
    (void)state;
    assert_int_equal(parse("/boot/guest.elf"), 0);
    assert_string_equal(cfg.name, "guest.elf");
    assert_int_equal(cfg.memory_mib, DOMCFG_DEFAULT_MEMORY_MIB);
    assert_int_equal(cfg.max_memory_mib, DOMCFG_DEFAULT_MEMORY_MIB);
    assert_int_equal(cfg.vcpus, 1);
    assert_int_equal(cfg.on_crash, ON_CRASH_DESTROY);
    assert_false(cfg.privileged);
    assert_string_equal(cfg.guest_cmdline, "");
}

static void every_key(void **state)
{
    (void)state;
    assert_int_equal(parse("k.elf name=alpha memory=32 maxmem=64 vcpus=4 on_crash=preserve "
                           "privileged=1 -- console=hvc0  root=/dev/xvda"), 0);
    assert_string_equal(cfg.name, "alpha");
    assert_int_equal(cfg.memory_mib, 32);
    assert_int_equal(cfg.max_memory_mib, 64);
    assert_int_equal(cfg.vcpus, 4);
    assert_int_equal(cfg.on_crash, ON_CRASH_PRESERVE);
    assert_true(cfg.privileged);
    assert_string_equal(cfg.guest_cmdline, "console=hvc0  root=/dev/xvda");
}

/* GRUB's Multiboot 2 passes the line without the file name. */
static void no_file_name(void **state)
{
    char base[32];
    (void)state;
    assert_int_equal(parse("name=beta memory=8"), 0);
    assert_string_equal(cfg.name, "beta");
    assert_int_equal(cfg.memory_mib, 8);
    domcfg_basename("name=beta", base, sizeof(base));
    assert_string_equal(base, "");
    assert_int_equal(parse("-- only the guest's"), 0);
    assert_string_equal(cfg.guest_cmdline, "only the guest's");
    assert_true(domcfg_has_keys("name=x"));
    assert_true(domcfg_has_keys("/a/b.bin memory=1"));
    assert_false(domcfg_has_keys("/a/b.bin -- name=x"));
    assert_false(domcfg_has_keys("/a/b.bin"));
}

static void refusals_name_the_key(void **state)
{
    static const struct {
        const char *line, *needle;
    } bad[] = {
        { "k.elf colour=red", "unknown key 'colour'" },
        { "k.elf memory=abc", "bad value 'abc' for memory" },
        { "k.elf memory=0", "bad value '0' for memory" },
        { "k.elf memory=99999", "for memory" },
        { "k.elf vcpus=33", "for vcpus" },
        { "k.elf vcpus=0", "for vcpus" },
        { "k.elf on_crash=explode", "for on_crash" },
        { "k.elf privileged=2", "for privileged" },
        { "k.elf name=a/b", "for name" },
        { "k.elf name=", "for name" },
        { "k.elf name=0123456789012345678901234567890123", "for name" },
        { "k.elf stray", "'stray' is not a key=value setting" },
        { "k.elf memory=64 maxmem=32", "maxmem=32 is below memory=64" },
        { "k.elf weight=", "for weight" },
        { "k.elf weight=0", "for weight" },
        { "k.elf weight=65536", "for weight" },
        { "k.elf cap=3201", "for cap" },
        { "k.elf cap=101", "cap=101 is above 100 per vCPU (vcpus=1)" },
        { "k.elf cap=300 vcpus=2", "cap=300 is above 100 per vCPU (vcpus=2)" },
    };
    (void)state;
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i].line) != -EINVAL || !strstr(err, bad[i].needle)) {
            fail_msg("'%s': got '%s', wanted -EINVAL naming '%s'", bad[i].line, err, bad[i].needle);
        }
    }
}

static void keys_not_acted_on_are_listed(void **state)
{
    (void)state;
    assert_int_equal(parse("k.elf weight=256 cap=50 disk=file:a vif=mac=1"), 0);
    assert_string_equal(ignored, "disk vif");
    assert_int_equal(parse("k.elf memory=4"), 0);
    assert_string_equal(ignored, "");
}

static void weight_and_cap(void **state)
{
    (void)state;
    assert_int_equal(parse("k.elf"), 0);
    assert_int_equal(cfg.weight, 256);
    assert_int_equal(cfg.cap, 0);
    assert_int_equal(parse("k.elf weight=1 cap=25"), 0);
    assert_int_equal(cfg.weight, 1);
    assert_int_equal(cfg.cap, 25);
    /* The cap's bound follows vcpus= wherever it stands on the line. */
    assert_int_equal(parse("k.elf cap=400 weight=65535 vcpus=4"), 0);
    assert_int_equal(cfg.weight, 65535);
    assert_int_equal(cfg.cap, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_from_file_name),
        cmocka_unit_test(every_key),
        cmocka_unit_test(no_file_name),
        cmocka_unit_test(refusals_name_the_key),
        cmocka_unit_test(keys_not_acted_on_are_listed),
        cmocka_unit_test(weight_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
