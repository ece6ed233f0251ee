/* Turning the boot modules into domains: kernels are built, data modules listed. */
#include "kernel/bootinfo.h"
#include "kernel/domain_build.h"
#include "kernel/domcfg.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/heap.h"
#include "mm/page_alloc.h"

/* A kernel that requires a feature the monitor lacks is refused, naming the bits. */
static bool features_ok(const struct guest_image *img, unsigned int index, const char *name)
{
    uint32_t missing = img->features_required[0] & ~GUEST_FEATURES_SUBMAP0;
    for (unsigned int i = 1; i < XENFEAT_NR_SUBMAPS; i++) {
        if (img->features_required[i]) {
            missing |= 1u << 31;
        }
    }
    if (img->features_unknown) {
        pr_warn("module %u (%s): %u unknown FEATURES name(s) ignored\n", index, name,
                img->features_unknown);
    }
    if (missing) {
        pr_err("module %u (%s): requires Xen features the monitor lacks (submap 0 bits 0x%x); "
               "not started\n", index, name, missing);
        return false;
    }
    return true;
}

/* Builds the kernel in [file, file + size) as the domain cfg describes. */
static bool build_domain(const struct domain_config *c, const void *file, size_t size)
{
    const struct domain_config cfg = *c;
    unsigned int index = cfg.module;
    struct guest_image *img;
    struct domain *d;
    const char *why = NULL;
    bool ok = false;

    img = kmalloc(sizeof(*img));
    if (!img) {
        pr_err("module %u (%s): out of memory; not started\n", index, cfg.name);
        return false;
    }
    if (elfimage_parse(file, size, img, &why)) {
        pr_err("module %u (%s): not a PV kernel: %s; not started\n", index, cfg.name, why);
    } else if (!img->has_hypercall_page) {
        pr_err("module %u (%s): no HYPERCALL_PAGE note; not started\n", index, cfg.name);
    } else if (!features_ok(img, index, cfg.name)) {
        /* reported */
    } else if (!(d = domain_create(&cfg))) {
        pr_err("module %u (%s): cannot create a domain; not started\n", index, cfg.name);
    } else if (domain_build(d, file, size, img, &why)) {
        pr_err("module %u (%s): %s; not started\n", index, cfg.name, why);
        domain_destroy(d);
    } else {
        ok = true;
    }
    kfree(img);
    return ok;
}

/* Reads one kernel module's settings and builds it; false (reported) when it cannot. */
static bool build_from_module(unsigned int index, const void *file, size_t size)
{
    const struct boot_module *mod = &boot_info.modules[index];
    struct domain_config cfg;
    char err[96], ignored[64];
    if (domcfg_parse(mod->cmdline, &cfg, err, sizeof(err), ignored, sizeof(ignored))) {
        pr_err("module %u (%s): %s; not started\n", index, mod->cmdline, err);
        return false;
    }
    if (ignored[0]) {
        pr_warn("module %u (%s): not acted on yet: %s\n", index, cfg.name, ignored);
    }
    cfg.module = index;
    return build_domain(&cfg, file, size);
}

bool boot_domain_rebuild(const struct domain_config *cfg)
{
    const struct boot_module *mod = &boot_info.modules[cfg->module];
    size_t size = (size_t)(mod->end - mod->start);
    const void *file = vmap_machine(mod->start, size);
    bool ok;
    if (!file) {
        pr_err("domain %s: cannot map its module again; not restarted\n", cfg->name);
        return false;
    }
    ok = build_domain(cfg, file, size);
    vunmap_machine(file, size);
    return ok;
}

/* Guest frames of every domain: what is not the monitor's own. */
static uint32_t guest_frames(void)
{
    uint32_t n = 0;
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_by_id(id);
        n += d ? d->tot_pages : 0;
    }
    return n;
}

/*
 * Reports what the domains built at boot cost the monitor itself: the frames that left the
 * free pool but are not guest memory (vCPU and domain structures in heap pages, shared-info
 * pages, shadow PDPTs, mapping tables), whole pages counted, and the heap bytes in use.
 */
static void report_monitor_memory(unsigned int built, uint32_t free_before, size_t heap_before)
{
    struct heap_stats st;
    uint32_t frames;
    size_t heap;
    if (!built) {
        return;
    }
    heap_stats(&st);
    frames = free_before - frames_free() - guest_frames();
    heap = st.bytes_in_use - heap_before;
    pr_info("domains: %u built; the monitor's own memory for them %u KiB, %u KiB per domain "
            "(heap objects %zu bytes per domain)\n", built, frames * 4, frames * 4 / built,
            heap / built);
}

unsigned int boot_domains_create(void)
{
    unsigned int built = 0;
    uint32_t free_before = frames_free();
    struct heap_stats st;
    heap_stats(&st);
    for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
        const struct boot_module *mod = &boot_info.modules[i];
        size_t size = (size_t)(mod->end - mod->start);
        char name[64];
        const uint8_t *file;
        domcfg_basename(mod->cmdline, name, sizeof(name));
        if (!name[0]) {
            snprintf(name, sizeof(name), "module%u", i);
        }
        if (mod->end <= mod->start) {
            pr_err("module %u (%s): empty; ignored\n", i, name);
            continue;
        }
        file = vmap_machine(mod->start, size);
        if (!file) {
            pr_err("module %u (%s): %zu bytes do not fit the mapping window; not used\n", i, name, size);
            continue;
        }
        if (size >= 4 && !memcmp(file, "\177ELF", 4)) {
            built += build_from_module(i, file, size) ? 1 : 0;
        } else if (domcfg_has_keys(mod->cmdline)) {
            pr_err("module %u (%s): has domain settings but is not an ELF image; not started\n", i, name);
        } else {
            pr_info("module %u: data module '%s', %zu bytes\n", i, name, size);
        }
        vunmap_machine(file, size);
    }
    report_monitor_memory(built, free_before, st.bytes_in_use);
    return built;
}
