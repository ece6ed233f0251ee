/* xen_version: the interface version, features and platform parameters. */
#include "arch/x86/layout.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "mm/guest_copy.h"
#include <xen/features.h>
#include <xen/version.h>

/* The interface level the monitor implements: Xen 4.14's, as its headers say. */
#define VERSION_MAJOR 4
#define VERSION_MINOR 14

static long zero_fill(uint32_t buf, size_t n)
{
    static const uint8_t zeros[1024];
    return copy_to_guest(buf, zeros, n) ? -EFAULT : 0;
}

/* Every command but XENVER_version. */
static __attribute__((noinline)) long xen_version_other(struct vcpu *v, const uint32_t a[6])
{
    uint32_t cmd = a[0], arg = a[1];
    switch (cmd) {
    case XENVER_extraversion:
        return zero_fill(arg, sizeof(xen_extraversion_t));
    case XENVER_compile_info:
        return zero_fill(arg, sizeof(xen_compile_info_t));
    case XENVER_changeset:
        return zero_fill(arg, sizeof(xen_changeset_info_t));
    case XENVER_capabilities: {
        xen_capabilities_info_t caps = "xen-3.0-x86_32p";
        return copy_to_guest(arg, caps, sizeof(caps)) ? -EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = { .virt_start = MONITOR_WINDOW_START };
        return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        xen_feature_info_t fi;
        if (copy_from_guest(&fi, arg, sizeof(fi))) {
            return -EFAULT;
        }
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS) {
            return -EINVAL;
        }
        fi.submap = fi.submap_idx == 0 ? GUEST_FEATURES_SUBMAP0 : 0;
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle:
        return zero_fill(arg, sizeof(xen_domain_handle_t));
    case XENVER_commandline:
        /* The monitor's command line is the initial domain's business only. */
        return v->domain->cfg.privileged ? zero_fill(arg, sizeof(xen_commandline_t)) : -EPERM;
    default:
        return -ENOSYS;
    }
}

long do_xen_version(struct vcpu *v, const uint32_t a[6])
{
    /* Apart, without the others' stack frame: guests use it as the cheapest hypercall. */
    if (a[0] == XENVER_version) {
        return (VERSION_MAJOR << 16) | VERSION_MINOR;
    }
    return xen_version_other(v, a);
}
