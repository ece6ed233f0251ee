/* Parsing a kernel module's xl.cfg-style keys into a domain configuration. */
#include "kernel/domcfg.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define WORD_MAX 256

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* Copies the word at s into w; returns the position after it. */
static const char *take_word(const char *s, char *w)
{
    size_t n = 0;
    for (; *s && *s != ' ' && *s != '\t'; s++) {
        if (n + 1 < WORD_MAX) {
            w[n++] = *s;
        }
    }
    w[n] = '\0';
    return s;
}

/*
 * Multiboot 1 loaders and QEMU put the module's file name first; GRUB's Multiboot 2 passes
 * only what follows it.  A first word with '=' (or "--") is therefore not a file name.
 */
static const char *after_file_name(const char *line, char *w)
{
    const char *s = skip_blanks(line);
    const char *next = take_word(s, w);
    if (strchr(w, '=') || !strcmp(w, "--")) {
        w[0] = '\0';
        return s;
    }
    return next;
}

void domcfg_basename(const char *line, char *out, size_t size)
{
    char w[WORD_MAX];
    const char *base;
    after_file_name(line, w);
    base = w;
    for (const char *p = w; *p; p++) {
        if (*p == '/') {
            base = p + 1;
        }
    }
    strlcpy(out, base, size);
}

bool domcfg_has_keys(const char *line)
{
    char w[WORD_MAX];
    const char *s = after_file_name(line, w);
    for (s = skip_blanks(s); *s; s = skip_blanks(s)) {
        s = take_word(s, w);
        if (!strcmp(w, "--")) {
            return false;
        }
        if (strchr(w, '=')) {
            return true;
        }
    }
    return false;
}

static bool name_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= DOMAIN_NAME_MAX) {
        return false;
    }
    for (; *v; v++) {
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
              *v == '-' || *v == '_' || *v == '.')) {
            return false;
        }
    }
    return true;
}

static int parse_number(const char *v, uint64_t lo, uint64_t hi, uint32_t *out)
{
    uint64_t n;
    if (parse_u64(v, NULL, 0, &n) || n < lo || n > hi) {
        return -EINVAL;
    }
    *out = (uint32_t)n;
    return 0;
}

/* Applies key=value; -EINVAL for a bad value, -ENOENT for an unknown key, 1 = not yet used. */
static int apply_key(struct domain_config *cfg, const char *key, const char *v)
{
    uint32_t n;
    if (!strcmp(key, "name")) {
        if (!name_ok(v)) {
            return -EINVAL;
        }
        strlcpy(cfg->name, v, sizeof(cfg->name));
        return 0;
    }
    if (!strcmp(key, "memory")) {
        return parse_number(v, 1, 16384, &cfg->memory_mib);
    }
    if (!strcmp(key, "maxmem")) {
        return parse_number(v, 1, 16384, &cfg->max_memory_mib);
    }
    if (!strcmp(key, "vcpus")) {
        return parse_number(v, 1, MAX_VCPUS, &cfg->vcpus);
    }
    if (!strcmp(key, "privileged")) {
        if (parse_number(v, 0, 1, &n)) {
            return -EINVAL;
        }
        cfg->privileged = n;
        return 0;
    }
    if (!strcmp(key, "on_crash")) {
        static const char *const acts[] = { "destroy", "restart", "preserve" };
        for (unsigned int i = 0; i < ARRAY_SIZE(acts); i++) {
            if (!strcmp(v, acts[i])) {
                cfg->on_crash = (enum crash_action)i;
                return 0;
            }
        }
        return -EINVAL;
    }
    if (!strcmp(key, "weight")) {
        return parse_number(v, CREDIT_WEIGHT_MIN, CREDIT_WEIGHT_MAX, &cfg->weight);
    }
    if (!strcmp(key, "cap")) {
        /* Checked against vcpus= once the whole line is read. */
        return parse_number(v, 0, 100 * MAX_VCPUS, &cfg->cap);
    }
    if (!strcmp(key, "disk") || !strcmp(key, "vif")) {
        return *v ? 1 : -EINVAL;
    }
    return -ENOENT;
}

static void append(char *dst, size_t size, const char *word)
{
    size_t n = strlen(dst);
    if (n && n + 1 < size) {
        dst[n++] = ' ';
        dst[n] = '\0';
    }
    strlcpy(dst + n, word, size - n);
}

int domcfg_parse(const char *line, struct domain_config *cfg, char *err, size_t err_size,
                 char *ignored, size_t ignored_size)
{
    char w[WORD_MAX];
    const char *s = after_file_name(line, w);
    memset(cfg, 0, sizeof(*cfg));
    domcfg_basename(line, cfg->name, sizeof(cfg->name));
    if (!name_ok(cfg->name)) {
        strlcpy(cfg->name, "domain", sizeof(cfg->name));
    }
    cfg->memory_mib = DOMCFG_DEFAULT_MEMORY_MIB;
    cfg->vcpus = 1;
    cfg->weight = CREDIT_WEIGHT_DEFAULT;
    ignored[0] = '\0';
    for (s = skip_blanks(s); *s; s = skip_blanks(s)) {
        char *eq;
        int rc;
        s = take_word(s, w);
        if (!strcmp(w, "--")) {
            strlcpy(cfg->guest_cmdline, skip_blanks(s), sizeof(cfg->guest_cmdline));
            break;
        }
        eq = strchr(w, '=');
        if (!eq) {
            snprintf(err, err_size, "'%s' is not a key=value setting", w);
            return -EINVAL;
        }
        *eq = '\0';
        rc = apply_key(cfg, w, eq + 1);
        if (rc == -ENOENT) {
            snprintf(err, err_size, "unknown key '%s'", w);
            return -EINVAL;
        }
        if (rc < 0) {
            snprintf(err, err_size, "bad value '%s' for %s", eq + 1, w);
            return -EINVAL;
        }
        if (rc == 1) {
            append(ignored, ignored_size, w);
        }
    }
    if (!cfg->max_memory_mib) {
        cfg->max_memory_mib = cfg->memory_mib;
    }
    if (cfg->max_memory_mib < cfg->memory_mib) {
        snprintf(err, err_size, "maxmem=%u is below memory=%u", cfg->max_memory_mib, cfg->memory_mib);
        return -EINVAL;
    }
    if (cfg->cap > 100 * cfg->vcpus) {
        snprintf(err, err_size, "cap=%u is above 100 per vCPU (vcpus=%u)", cfg->cap, cfg->vcpus);
        return -EINVAL;
    }
    return 0;
}
