/*
 * A boot module's command line as a domain description, xl.cfg style:
 *   <path> name=alpha memory=16 vcpus=1 weight=256 cap=0 on_crash=destroy privileged=0 -- <guest's own line>
 * Pure logic: unit-tested on the host.
 */
#ifndef KERNEL_DOMCFG_H
#define KERNEL_DOMCFG_H

#include "kernel/domain.h"

#define DOMCFG_DEFAULT_MEMORY_MIB 16

/*
 * Fills cfg from line.  Returns 0, or -EINVAL with a message naming the bad key in err.
 * Keys the monitor does not act on yet (disk, vif) are accepted and listed in
 * ignored (space-separated) so the caller can say so.
 */
int domcfg_parse(const char *line, struct domain_config *cfg, char *err, size_t err_size,
                 char *ignored, size_t ignored_size);

/* The module's file name without its folders (the first word of its line), "" if none. */
void domcfg_basename(const char *line, char *out, size_t size);

/* True when the line carries domain keys (key=value words before any "--"). */
bool domcfg_has_keys(const char *line);

#endif
