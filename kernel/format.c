/* Freestanding C library subset: printf-style formatting. */
#include "kernel/lib.h"

struct outbuf {
    char *buf;
    size_t size, len;
};

static void out_char(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

struct spec {
    int width, precision;
    bool left, zero, is_signed, upper;
    unsigned int base;
};

static void out_number(struct outbuf *o, uint64_t v, bool negative, const struct spec *sp)
{
    const char *digits = sp->upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, pad;
    do {
        tmp[n++] = digits[v % sp->base];
        v /= sp->base;
    } while (v);
    pad = sp->width - n - (negative ? 1 : 0);
    if (negative && sp->zero) {
        out_char(o, '-');
    }
    for (; !sp->left && pad > 0; pad--) {
        out_char(o, sp->zero ? '0' : ' ');
    }
    if (negative && !sp->zero) {
        out_char(o, '-');
    }
    while (n) {
        out_char(o, tmp[--n]);
    }
    for (; pad > 0; pad--) {
        out_char(o, ' ');
    }
}

static void out_string(struct outbuf *o, const char *s, const struct spec *sp)
{
    int len;
    if (!s) {
        s = "(null)";
    }
    len = (int)strnlen(s, sp->precision >= 0 ? (size_t)sp->precision : (size_t)-1);
    for (int pad = sp->width - len; !sp->left && pad > 0; pad--) {
        out_char(o, ' ');
    }
    for (int i = 0; i < len; i++) {
        out_char(o, s[i]);
    }
    for (int pad = sp->width - len; sp->left && pad > 0; pad--) {
        out_char(o, ' ');
    }
}

/* Reads flags, width and precision of one conversion; returns the position after them. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){ .precision = -1, .base = 10 };
    for (;; f++) {
        if (*f == '-') {
            sp->left = true;
        } else if (*f == '0') {
            sp->zero = true;
        } else {
            break;
        }
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        f++;
    }
    while (*f >= '0' && *f <= '9') {
        sp->width = sp->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        sp->precision = 0;
        if (*f == '*') {
            sp->precision = va_arg(*ap, int);
            f++;
        }
        while (*f >= '0' && *f <= '9') {
            sp->precision = sp->precision * 10 + (*f++ - '0');
        }
    }
    if (sp->left) {
        sp->zero = false;
    }
    return f;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct outbuf o = { buf, size, 0 };
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *f = fmt; *f; f++) {
        struct spec sp;
        int lng = 0;
        bool size_arg = false;
        uint64_t v;
        if (*f != '%') {
            out_char(&o, *f);
            continue;
        }
        f = parse_spec(f + 1, &sp, &ap);
        for (; *f == 'l' || *f == 'z' || *f == 'h'; f++) {
            lng += (*f == 'l') ? 1 : 0;
            size_arg |= *f == 'z';
        }
        switch (*f) {
        case 'c':
            out_char(&o, (char)va_arg(ap, int));
            continue;
        case 's':
            out_string(&o, va_arg(ap, const char *), &sp);
            continue;
        case '%':
            out_char(&o, '%');
            continue;
        case 'p':
            sp.base = 16;
            sp.zero = true;
            sp.width = 8;
            out_number(&o, (uintptr_t)va_arg(ap, void *), false, &sp);
            continue;
        case 'd':
        case 'i':
            sp.is_signed = true;
            break;
        case 'u':
            break;
        case 'X':
            sp.upper = true;
            /* fall through */
        case 'x':
            sp.base = 16;
            break;
        case 'o':
            sp.base = 8;
            break;
        case '\0':
            f--;
            continue;
        default:
            out_char(&o, '%');
            out_char(&o, *f);
            continue;
        }
        if (lng >= 2) {
            v = va_arg(ap, uint64_t);
        } else if (lng == 1 || size_arg) {
            v = sp.is_signed ? (uint64_t)(int64_t)va_arg(ap, long) : va_arg(ap, unsigned long);
        } else {
            v = sp.is_signed ? (uint64_t)(int64_t)va_arg(ap, int) : va_arg(ap, unsigned int);
        }
        if (sp.is_signed && (int64_t)v < 0) {
            out_number(&o, -(uint64_t)v, true, &sp);
        } else {
            out_number(&o, v, false, &sp);
        }
    }
    va_end(ap);
    if (size) {
        buf[o.len < size ? o.len : size - 1] = '\0';
    }
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
