/* Test guest: HYPERVISOR_xen_version — every sub-op guests use, zero-filled buffers, refusals. */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hc_xen_version");

#define MONITOR_VA  0xFF000000UL
#define UNMAPPED_VA 0xF5000000UL

/* True when buf holds a NUL and every byte after the first NUL is zero too. */
static bool zero_filled(const char *buf, size_t size)
{
    size_t n = strnlen(buf, size);

    if (n == size) {
        return false;
    }
    for (size_t i = n; i < size; i++) {
        if (buf[i] != 0) {
            return false;
        }
    }
    return true;
}

static void test_version(void)
{
    int v = HYPERVISOR_xen_version(XENVER_version, NULL);

    TEST_CHECK(v > 0 && (v >> 16) >= 3, "XENVER_version gave %#x", v);
    test_note("monitor reports version %d.%d", v >> 16, v & 0xffff);
}

/* Sub-ops that fill a string buffer: success, and the rest of the buffer zeroed. */
static void test_string(int cmd, const char *name, char *buf, size_t size)
{
    memset(buf, 0xAA, size);
    TEST_CHECK(HYPERVISOR_xen_version(cmd, buf) == 0, "%s failed", name);
    TEST_CHECK(zero_filled(buf, size), "%s: buffer not NUL-terminated and zero-filled", name);
}

static void test_strings(void)
{
    static xen_extraversion_t extra;
    static xen_changeset_info_t changeset;
    static xen_compile_info_t info;

    test_string(XENVER_extraversion, "extraversion", extra, sizeof(extra));
    test_string(XENVER_changeset, "changeset", changeset, sizeof(changeset));
    memset(&info, 0xAA, sizeof(info));
    TEST_EQ(HYPERVISOR_xen_version(XENVER_compile_info, &info), 0);
    TEST_ASSERT(zero_filled(info.compiler, sizeof(info.compiler)));
    TEST_ASSERT(zero_filled(info.compile_by, sizeof(info.compile_by)));
    TEST_ASSERT(zero_filled(info.compile_domain, sizeof(info.compile_domain)));
    TEST_ASSERT(zero_filled(info.compile_date, sizeof(info.compile_date)));
}

static void test_capabilities(void)
{
    static xen_capabilities_info_t caps;

    memset(caps, 0xAA, sizeof(caps));
    TEST_EQ(HYPERVISOR_xen_version(XENVER_capabilities, caps), 0);
    TEST_ASSERT(strnlen(caps, sizeof(caps)) < sizeof(caps));
    TEST_CHECK(strstr(caps, "xen-3.0-x86_32p") != NULL, "capabilities \"%.60s\" lack x86_32p",
               caps);
}

/* Where the monitor's part of the address space begins, and the page size. */
static void test_platform(void)
{
    xen_platform_parameters_t p = {.virt_start = 0};

    TEST_EQ(HYPERVISOR_xen_version(XENVER_platform_parameters, &p), 0);
    TEST_EQ(p.virt_start, HYPERVISOR_VIRT_START);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096);
}

static void test_features(void)
{
    xen_feature_info_t fi = {.submap_idx = 0, .submap = 0xdeadbeef};

    TEST_EQ(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0);
    TEST_EQ(fi.submap_idx, 0);
    TEST_CHECK(!(fi.submap & (1u << XENFEAT_auto_translated_physmap)),
               "a PV guest is told auto_translated_physmap (%#x)", fi.submap);
    TEST_CHECK(!(fi.submap & (1u << XENFEAT_supervisor_mode_kernel)),
               "a ring-1 guest is told supervisor_mode_kernel (%#x)", fi.submap);
    fi = (xen_feature_info_t){.submap_idx = XENFEAT_NR_SUBMAPS, .submap = 0};
    TEST_EQ(HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);
    fi = (xen_feature_info_t){.submap_idx = 0xffffffff, .submap = 0};
    TEST_EQ(HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);
}

static void test_refusals(void)
{
    TEST_EQ(HYPERVISOR_xen_version(XENVER_extraversion, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_extraversion, (void *)UNMAPPED_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_compile_info, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_changeset, (void *)0xFFFFFFC0UL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_capabilities, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_platform_parameters, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(XENVER_get_features, (void *)MONITOR_VA), -XEN_EFAULT);
    /* The read-only M2P is guest memory, but not writable: no output may land there. */
    TEST_EQ(HYPERVISOR_xen_version(XENVER_extraversion, (void *)MACH2PHYS_VIRT_START), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_xen_version(0x7777, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_xen_version(-1, NULL), -XEN_ENOSYS);
}

int guest_main(void)
{
    test_version();
    test_strings();
    test_capabilities();
    test_platform();
    test_features();
    test_refusals();
    test_finish();
}
