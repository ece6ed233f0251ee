/*
 * The monitor's command line, Xen style: space-separated `name`, `name=value`, `no-name`.
 * Options are declared next to the code that uses them; an unknown or malformed option is
 * reported by name.  Pure logic: unit-tested on the host.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "kernel/types.h"

enum param_type {
    PARAM_BOOL,     /* bool: name, name=1/0/yes/no/on/off/true/false, no-name */
    PARAM_UINT,     /* unsigned int: decimal or 0x hex */
    PARAM_STRING,   /* char[size] */
    PARAM_CUSTOM,   /* parse(value); value is NULL when there is no '=' */
};

struct param {
    const char *name;
    enum param_type type;
    void *var;
    size_t size;                      /* PARAM_STRING: buffer size */
    int (*parse)(const char *value);  /* PARAM_CUSTOM: 0, or -EINVAL to reject */
    const char *help;                 /* accepted values, printed with an error */
};

#define PARAM_DEFINE(n, t, v, s, p, h)                                                     \
    static const struct param __param_##v __section("params") __used __aligned(4) = {    \
        n, t, &v, s, p, h                                                                  \
    }
#define boolean_param(name, var)   PARAM_DEFINE(name, PARAM_BOOL, var, 0, NULL, "0|1")
#define integer_param(name, var)   PARAM_DEFINE(name, PARAM_UINT, var, 0, NULL, "a number")
#define string_param(name, var)    PARAM_DEFINE(name, PARAM_STRING, var, sizeof(var), NULL, "a string")
#define custom_param(name, fn, h)                                                          \
    static const struct param __param_##fn __section("params") __used __aligned(4) = {   \
        name, PARAM_CUSTOM, NULL, 0, fn, h                                                 \
    }

/*
 * Applies every option of cmdline.  With skip_image_name, a first word that is not an
 * option (Multiboot 1 loaders put the image's path there) is skipped.  Each bad option is
 * reported with pr_err naming it; returns how many were bad.
 */
unsigned int cmdline_parse(const char *cmdline, bool skip_image_name);

#endif
