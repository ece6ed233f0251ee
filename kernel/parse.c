/* Freestanding C library subset: number and size parsing. */
#include "kernel/lib.h"
#include "kernel/errno.h"

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    return 99;
}

int parse_u64(const char *s, const char *end, unsigned int base, uint64_t *out)
{
    uint64_t v = 0;
    if (!end) {
        end = s + strlen(s);
    }
    if (base == 0) {
        base = 10;
        if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            s += 2;
        }
    }
    if (s == end) {
        return -EINVAL;
    }
    for (; s < end; s++) {
        unsigned int d = (unsigned int)digit_value(*s);
        if (d >= base) {
            return -EINVAL;
        }
        if (v > (UINT64_MAX - d) / base) {
            return -ERANGE;
        }
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int parse_size(const char *s, const char *end, uint64_t default_unit, uint64_t *out)
{
    uint64_t unit = default_unit, v;
    int rc;
    if (!end) {
        end = s + strlen(s);
    }
    if (end > s) {
        switch (end[-1]) {
        case 'k': case 'K': unit = 1ull << 10; end--; break;
        case 'm': case 'M': unit = 1ull << 20; end--; break;
        case 'g': case 'G': unit = 1ull << 30; end--; break;
        case 'b':
        case 'B':
            /* A hex number may end in the digit b: no suffix then. */
            if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                break;
            }
            unit = 1;
            end--;
            break;
        default: break;
        }
    }
    rc = parse_u64(s, end, 0, &v);
    if (rc) {
        return rc;
    }
    if (v > UINT64_MAX / unit) {
        return -ERANGE;
    }
    *out = v * unit;
    return 0;
}
