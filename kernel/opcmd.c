/* The operator's command parser: a typed line into a struct opcmd (see opcmd.h). */
#include "kernel/opcmd.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define MAX_WORDS 8

const struct opcmd_spec opcmd_specs[] = {
    {"list", OPCMD_LIST, "list", "the domains: id, name, state, memory, vCPUs"},
    {"pause", OPCMD_PAUSE, "pause N", "stop running domain N until unpause"},
    {"unpause", OPCMD_UNPAUSE, "unpause N", "let domain N run again after pause"},
    {"shutdown", OPCMD_SHUTDOWN, "shutdown N", "shut domain N down (poweroff), then destroy it"},
    {"destroy", OPCMD_DESTROY, "destroy N", "end domain N at once, whatever its state"},
    {"sched-credit", OPCMD_SCHED_CREDIT, "sched-credit [N [weight W] [cap C]]",
     "show or set credit-scheduler weight (1-65535) and cap (percent, 0 = none)"},
    {"mem-set", OPCMD_MEM_SET, "mem-set N SIZE",
     "ask domain N's balloon for SIZE of memory (MiB, or with a K/M/G suffix)"},
    {"console", OPCMD_CONSOLE, "console N", "send serial input to domain N"},
    {"uptime", OPCMD_UPTIME, "uptime", "time since the monitor started"},
    {"help", OPCMD_HELP, "help", "this list"},
};
const unsigned int opcmd_nr_specs = ARRAY_SIZE(opcmd_specs);

const struct opkey_spec opkey_specs[] = {
    {'h', "help: debug keys and commands"},  {'q', "domains and their vCPUs"},
    {'r', "run queues and credits"},         {'m', "memory: frames and heap"},
    {'e', "event channels of every domain"}, {'t', "timers"},
};
const unsigned int opkey_nr_specs = ARRAY_SIZE(opkey_specs);

const char opcmd_usage_all[] =
    "commands: list, pause N, unpause N, shutdown N, destroy N, sched-credit [N [weight W] "
    "[cap C]], mem-set N SIZE, console N, uptime, help; keys: h q r m e t";

/* The words of a line, copied so that each ends in a NUL. */
struct words {
    unsigned int n;
    char *w[MAX_WORDS];
    char buf[OPCMD_LINE_MAX + 1];
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits line into words; NULL, or why it cannot (too long, too many words). */
static const char *split(const char *line, struct words *ws)
{
    size_t len = strnlen(line, OPCMD_LINE_MAX + 1);
    char *p = ws->buf;
    if (len > OPCMD_LINE_MAX) {
        return "line too long";
    }
    memcpy(ws->buf, line, len);
    ws->buf[len] = '\0';
    ws->n = 0;
    for (;;) {
        while (is_blank(*p)) {
            *p++ = '\0';
        }
        if (!*p) {
            return NULL;
        }
        if (ws->n == MAX_WORDS) {
            return "too many words";
        }
        ws->w[ws->n++] = p;
        while (*p && !is_blank(*p)) {
            p++;
        }
    }
}

static int fail(struct opcmd_error *err, const char *reason, const char *usage)
{
    err->reason = reason;
    err->usage = usage;
    return -EINVAL;
}

/* A decimal number in [lo, hi]; no sign, no hex, no suffix. */
static bool number(const char *s, uint64_t lo, uint64_t hi, uint16_t *out)
{
    uint64_t v;
    if (parse_u64(s, NULL, 10, &v) || v < lo || v > hi) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

/* "weight W" and "cap C" after the domain, each at most once, in either order. */
static int parse_credit_opts(const struct words *ws, struct opcmd *c, struct opcmd_error *err,
                             const char *usage)
{
    for (unsigned int i = 2; i < ws->n; i += 2) {
        bool weight = !strcmp(ws->w[i], "weight");
        if (!weight && strcmp(ws->w[i], "cap")) {
            return fail(err, "expected 'weight' or 'cap'", usage);
        }
        if (i + 1 == ws->n) {
            return fail(err, weight ? "missing weight" : "missing cap", usage);
        }
        if (weight ? c->has_weight : c->has_cap) {
            return fail(err, weight ? "weight given twice" : "cap given twice", usage);
        }
        if (weight && !number(ws->w[i + 1], 1, OPCMD_WEIGHT_MAX, &c->weight)) {
            return fail(err, "weight must be 1-65535", usage);
        }
        if (!weight && !number(ws->w[i + 1], 0, OPCMD_CAP_MAX, &c->cap)) {
            return fail(err, "cap must be 0-65535", usage);
        }
        c->has_weight |= weight;
        c->has_cap |= !weight;
    }
    return 0;
}

/* mem-set's SIZE: MiB by default, K/M/G suffixes; a whole number of KiB, at least 1 MiB. */
static int parse_mem_size(const struct words *ws, struct opcmd *c, struct opcmd_error *err,
                          const char *usage)
{
    uint64_t bytes;
    if (ws->n < 3) {
        return fail(err, "missing size", usage);
    }
    if (ws->n > 3) {
        return fail(err, "too many arguments", usage);
    }
    if (parse_size(ws->w[2], NULL, 1ull << 20, &bytes) || bytes % 1024 || bytes < (1ull << 20) ||
        bytes > (1ull << 44)) {
        return fail(err, "size must be 1M or more, in whole KiB", usage);
    }
    c->mem_kib = bytes / 1024;
    return 0;
}

/* The arguments of a known command, by its kind. */
static int parse_args(const struct opcmd_spec *s, const struct words *ws, struct opcmd *c,
                      struct opcmd_error *err)
{
    bool takes_domid = s->kind != OPCMD_LIST && s->kind != OPCMD_UPTIME && s->kind != OPCMD_HELP;
    bool domid_optional = s->kind == OPCMD_SCHED_CREDIT;
    if (!takes_domid) {
        return ws->n == 1 ? 0 : fail(err, "takes no arguments", s->usage);
    }
    if (ws->n == 1) {
        return domid_optional ? 0 : fail(err, "missing domain id", s->usage);
    }
    if (!number(ws->w[1], 0, OPCMD_DOMID_MAX, &c->domid)) {
        return fail(err, "bad domain id (a decimal number)", s->usage);
    }
    c->has_domid = true;
    if (s->kind == OPCMD_SCHED_CREDIT) {
        return parse_credit_opts(ws, c, err, s->usage);
    }
    if (s->kind == OPCMD_MEM_SET) {
        return parse_mem_size(ws, c, err, s->usage);
    }
    return ws->n == 2 ? 0 : fail(err, "too many arguments", s->usage);
}

static int parse_key(char k, struct opcmd *c, struct opcmd_error *err)
{
    for (unsigned int i = 0; i < opkey_nr_specs; i++) {
        if (opkey_specs[i].key == k) {
            c->kind = OPCMD_KEY;
            c->key = k;
            return 0;
        }
    }
    return fail(err, "unknown debug key", opcmd_usage_all);
}

int opcmd_parse(const char *line, struct opcmd *c, struct opcmd_error *err)
{
    struct words ws;
    const char *bad;
    memset(c, 0, sizeof(*c));
    bad = split(line, &ws);
    if (bad) {
        return fail(err, bad, opcmd_usage_all);
    }
    if (ws.n == 0) {
        c->kind = OPCMD_EMPTY;
        return 0;
    }
    if (ws.n == 1 && ws.w[0][1] == '\0') {
        return parse_key(ws.w[0][0], c, err);
    }
    for (unsigned int i = 0; i < opcmd_nr_specs; i++) {
        if (!strcmp(ws.w[0], opcmd_specs[i].name)) {
            c->kind = opcmd_specs[i].kind;
            return parse_args(&opcmd_specs[i], &ws, c, err);
        }
    }
    return fail(err, "unknown command", opcmd_usage_all);
}
