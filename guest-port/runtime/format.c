/* vsnprintf(): the guest's own printf formatting, for the console and test messages. */
#include <stdarg.h>

#include "guest/console.h"

struct out {
    char *buf;
    size_t size, len;
};

struct spec {
    bool left, zero, plus, space, alt;
    int width, prec; /* prec -1: none */
    int length;      /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0) {
        put(o, c);
    }
}

/* Emits prefix and digits with the spec's width, zero padding and precision. */
static void emit_number(struct out *o, const struct spec *s, const char *prefix, const char *digits,
                        int ndigits)
{
    int plen = (int)strlen(prefix);
    int zeros = s->prec > ndigits ? s->prec - ndigits : 0;
    int fill = s->width - plen - zeros - ndigits;

    if (s->zero && !s->left && s->prec < 0) {
        zeros += fill > 0 ? fill : 0;
        fill = 0;
    }
    if (!s->left) {
        pad(o, ' ', fill);
    }
    while (*prefix) {
        put(o, *prefix++);
    }
    pad(o, '0', zeros);
    for (int i = 0; i < ndigits; i++) {
        put(o, digits[i]);
    }
    if (s->left) {
        pad(o, ' ', fill);
    }
}

static int to_digits(unsigned long long v, unsigned int base, bool upper, char *tmp)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char rev[24];
    int n = 0;

    do {
        rev[n++] = set[v % base];
        v /= base;
    } while (v);
    for (int i = 0; i < n; i++) {
        tmp[i] = rev[n - 1 - i];
    }
    return n;
}

static void format_int(struct out *o, const struct spec *s, char conv, unsigned long long v,
                       bool negative)
{
    char digits[24];
    const char *prefix = "";
    unsigned int base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    int n = (v == 0 && s->prec == 0) ? 0 : to_digits(v, base, conv == 'X', digits);

    if (negative) {
        prefix = "-";
    } else if ((conv == 'd' || conv == 'i') && (s->plus || s->space)) {
        prefix = s->plus ? "+" : " ";
    } else if ((s->alt && v != 0 && base == 16) || conv == 'p') {
        prefix = conv == 'X' ? "0X" : "0x";
    } else if (s->alt && base == 8) {
        prefix = "0";
    }
    emit_number(o, s, prefix, digits, n);
}

static void format_string(struct out *o, const struct spec *s, const char *str)
{
    int n;

    if (!str) {
        str = "(null)";
    }
    n = (int)strnlen(str, s->prec >= 0 ? (size_t)s->prec : (size_t)-1);
    if (!s->left) {
        pad(o, ' ', s->width - n);
    }
    for (int i = 0; i < n; i++) {
        put(o, str[i]);
    }
    if (s->left) {
        pad(o, ' ', s->width - n);
    }
}

/* Parses flags, width, precision and length; returns the conversion character's address. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
    *s = (struct spec){.prec = -1};
    for (;; f++) {
        if (*f == '-') {
            s->left = true;
        } else if (*f == '0') {
            s->zero = true;
        } else if (*f == '+') {
            s->plus = true;
        } else if (*f == ' ') {
            s->space = true;
        } else if (*f == '#') {
            s->alt = true;
        } else {
            break;
        }
    }
    if (*f == '*') {
        s->width = va_arg(*ap, int);
        if (s->width < 0) {
            s->left = true;
            s->width = -s->width;
        }
        f++;
    }
    while (*f >= '0' && *f <= '9') {
        s->width = s->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        s->prec = 0;
        if (*f == '*') {
            s->prec = va_arg(*ap, int);
            f++;
        }
        while (*f >= '0' && *f <= '9') {
            s->prec = s->prec * 10 + (*f++ - '0');
        }
    }
    for (;; f++) {
        if (*f == 'l') {
            s->length++;
        } else if (*f == 'h') {
            s->length--;
        } else if (*f != 'z' && *f != 't') {
            break;
        }
    }
    return f;
}

static unsigned long long arg_unsigned(const struct spec *s, va_list *ap)
{
    if (s->length >= 2) {
        return va_arg(*ap, unsigned long long);
    }
    if (s->length == 1) {
        return va_arg(*ap, unsigned long);
    }
    unsigned int v = va_arg(*ap, unsigned int);
    return s->length == -1 ? (unsigned short)v : s->length <= -2 ? (unsigned char)v : v;
}

static long long arg_signed(const struct spec *s, va_list *ap)
{
    if (s->length >= 2) {
        return va_arg(*ap, long long);
    }
    if (s->length == 1) {
        return va_arg(*ap, long);
    }
    int v = va_arg(*ap, int);
    return s->length == -1 ? (short)v : s->length <= -2 ? (signed char)v : v;
}

static void format_one(struct out *o, const struct spec *s, char conv, va_list *ap)
{
    long long sv;

    switch (conv) {
    case 'd':
    case 'i':
        sv = arg_signed(s, ap);
        format_int(o, s, conv, sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv, sv < 0);
        break;
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        format_int(o, s, conv, arg_unsigned(s, ap), false);
        break;
    case 'p':
        format_int(o, s, conv, (uintptr_t)va_arg(*ap, void *), false);
        break;
    case 'c': {
        char c[2] = {(char)va_arg(*ap, int), 0};
        format_string(o, &(struct spec){.width = s->width, .left = s->left, .prec = 1}, c);
        break;
    }
    case 's':
        format_string(o, s, va_arg(*ap, const char *));
        break;
    case '%':
        put(o, '%');
        break;
    default:
        put(o, '%');
        if (conv) {
            put(o, conv);
        }
        break;
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {.buf = buf, .size = size};
    struct spec s;
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        fmt = parse_spec(fmt + 1, &s, &args);
        format_one(&o, &s, *fmt, &args);
        if (*fmt) {
            fmt++;
        }
    }
    va_end(args);
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
