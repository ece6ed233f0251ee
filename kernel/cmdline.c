/* Command-line parsing: finds each word's option in the params section and applies it. */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/printk.h"

extern const struct param __start_params[], __stop_params[];

#define WORD_MAX 256

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static const struct param *find_param(const char *name, size_t len)
{
    for (const struct param *p = __start_params; p < __stop_params; p++) {
        if (strlen(p->name) == len && !strncmp(p->name, name, len)) {
            return p;
        }
    }
    return NULL;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    if (!v) {
        *out = true;
        return 0;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
            *out = !strcmp(v, yes[i]);
            return 0;
        }
    }
    return -EINVAL;
}

static int apply(const struct param *p, const char *value, bool negated)
{
    uint64_t n;
    bool b;
    int rc;
    if (negated && p->type != PARAM_BOOL) {
        return -EINVAL;
    }
    switch (p->type) {
    case PARAM_BOOL:
        if (negated && value) {
            return -EINVAL;
        }
        rc = parse_bool(value, &b);
        if (!rc) {
            *(bool *)p->var = negated ? false : b;
        }
        return rc;
    case PARAM_UINT:
        if (!value || parse_u64(value, NULL, 0, &n) || n > UINT32_MAX) {
            return -EINVAL;
        }
        *(unsigned int *)p->var = (unsigned int)n;
        return 0;
    case PARAM_STRING:
        if (!value || strlen(value) >= p->size) {
            return -EINVAL;
        }
        strlcpy(p->var, value, p->size);
        return 0;
    case PARAM_CUSTOM:
        return p->parse(value);
    }
    return -EINVAL;
}

/* Splits one word into name and value and applies it; returns false when it is bad. */
static bool parse_word(char *word, bool report)
{
    char *eq = strchr(word, '=');
    size_t name_len = eq ? (size_t)(eq - word) : strlen(word);
    const char *value = eq ? eq + 1 : NULL;
    const struct param *p = find_param(word, name_len);
    bool negated = false;
    if (!p && name_len > 3 && !strncmp(word, "no-", 3)) {
        p = find_param(word + 3, name_len - 3);
        negated = p != NULL;
    }
    if (!p) {
        if (report) {
            pr_err("cmdline: unknown option '%.*s'\n", (int)name_len, word);
        }
        return false;
    }
    if (apply(p, value, negated)) {
        if (report) {
            pr_err("cmdline: bad value in '%s' (%s expects %s)\n", word, p->name, p->help);
        }
        return false;
    }
    return true;
}

/* Copies the next word (quotes group spaces and are dropped) into buf; returns its end. */
static const char *next_word(const char *s, char *buf, bool *too_long)
{
    size_t n = 0;
    bool quoted = false;
    *too_long = false;
    for (; *s && (quoted || !is_blank(*s)); s++) {
        if (*s == '"') {
            quoted = !quoted;
            continue;
        }
        if (n + 1 < WORD_MAX) {
            buf[n++] = *s;
        } else {
            *too_long = true;
        }
    }
    buf[n] = '\0';
    return s;
}

unsigned int cmdline_parse(const char *cmdline, bool skip_image_name)
{
    char word[WORD_MAX];
    unsigned int errors = 0;
    bool first = true, too_long;
    const char *s = cmdline;
    while (*s) {
        if (is_blank(*s)) {
            s++;
            continue;
        }
        s = next_word(s, word, &too_long);
        if (too_long) {
            pr_err("cmdline: option '%.32s...' is longer than %d characters\n", word, WORD_MAX - 1);
            errors++;
        } else if (first && skip_image_name && !strchr(word, '=')) {
            /* An option, or the loader's copy of the image path, which is not one. */
            parse_word(word, false);
        } else if (!parse_word(word, true)) {
            errors++;
        }
        first = false;
    }
    return errors;
}
