/* Building domains from boot modules. */
#ifndef KERNEL_DOMAIN_BUILD_H
#define KERNEL_DOMAIN_BUILD_H

#include "kernel/domain.h"
#include "kernel/elfimage.h"

/*
 * Lays out, loads and pins a PV kernel into the empty domain d (cfg already set), and
 * readies its vCPU 0.  Returns 0, or a negative errno with *why set; the caller then
 * destroys d, which returns everything.
 */
int domain_build(struct domain *d, const void *file, size_t size, const struct guest_image *img,
                 const char **why);

/* Builds a domain for every kernel module; reports and skips bad ones.  Returns how many. */
unsigned int boot_domains_create(void);

/* Builds a domain again from cfg's module (restart); false (reported) when it cannot. */
bool boot_domain_rebuild(const struct domain_config *cfg);

#endif
