/*
 * The operator's command language on the serial console: one typed line decoded into a
 * command, with no side effects (kernel/opcon.c carries the commands out).  Host-tested.
 *
 * A line is either a debug key (exactly one character, as Xen's keys: h q r m e t) or a
 * command with its arguments separated by blanks:
 *     list | pause N | unpause N | shutdown N | destroy N | console N | uptime | help
 *     sched-credit [N [weight W] [cap C]]
 */
#ifndef KERNEL_OPCMD_H
#define KERNEL_OPCMD_H

#include "kernel/types.h"

#define OPCMD_LINE_MAX   80     /* longest line the console keeps */
#define OPCMD_DOMID_MAX  0x7FEF /* below Xen's reserved ids (DOMID_FIRST_RESERVED) */
#define OPCMD_WEIGHT_MAX 65535  /* Xen's credit weight range is 1..65535 */
#define OPCMD_CAP_MAX    65535  /* percent of one CPU; the scheduler checks the vCPU bound */

enum opcmd_kind {
    OPCMD_EMPTY, /* a blank line: nothing to do */
    OPCMD_KEY,   /* a debug key: .key */
    OPCMD_LIST,
    OPCMD_PAUSE,        /* .domid */
    OPCMD_UNPAUSE,      /* .domid */
    OPCMD_SHUTDOWN,     /* .domid */
    OPCMD_DESTROY,      /* .domid */
    OPCMD_SCHED_CREDIT, /* [.domid [.weight] [.cap]] */
    OPCMD_CONSOLE,      /* .domid */
    OPCMD_MEM_SET,      /* .domid, .mem_kib */
    OPCMD_UPTIME,
    OPCMD_HELP,
};

struct opcmd {
    enum opcmd_kind kind;
    char key; /* OPCMD_KEY */
    bool has_domid;
    bool has_weight;
    bool has_cap;
    uint16_t domid;
    uint16_t weight;
    uint16_t cap;
    uint64_t mem_kib; /* OPCMD_MEM_SET: the new target */
};

/* Why a line was refused, for the one line the console prints. */
struct opcmd_error {
    const char *reason; /* e.g. "missing domain id", "unknown command" */
    const char *usage;  /* the command's usage line, or the list of all commands */
};

/* One command for help: its name, its usage line and what it does. */
struct opcmd_spec {
    const char *name;
    enum opcmd_kind kind;
    const char *usage;
    const char *help;
};

/* One debug key for help. */
struct opkey_spec {
    char key;
    const char *help;
};

extern const struct opcmd_spec opcmd_specs[];
extern const unsigned int opcmd_nr_specs;
extern const struct opkey_spec opkey_specs[];
extern const unsigned int opkey_nr_specs;

/* The usage line listing every command (for an unknown command). */
extern const char opcmd_usage_all[];

/*
 * Decodes one line (NUL-terminated, at most OPCMD_LINE_MAX characters).  Returns 0 with *c
 * filled, or -EINVAL with *err saying why and which usage line to print (*c is then
 * undefined).  Never reads past the terminating NUL.
 */
int opcmd_parse(const char *line, struct opcmd *c, struct opcmd_error *err);

#endif
