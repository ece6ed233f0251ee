/* Host tool: turns the ASCII glyphs of a GRUB PF2 font into the monitor's fixed-cell C font. */
/*
 * Usage: pf2font FONT.pf2 > font.c
 *
 * A PF2 file is a list of sections, each a 4-byte name and a 4-byte big-endian length, the
 * first being FILE with the body "PFF2".  ASCE and DESC hold the ascent and descent (16-bit),
 * CHIX an index of 9-byte entries (code point, storage flags, absolute file offset) sorted by
 * code point, and DATA, the last section, the glyphs (its length may be 0xFFFFFFFF: "to the
 * end of the file").  A glyph is width, height, x offset, y offset (signed), device width,
 * all 16-bit big-endian, then width * height bits, most significant bit first, rows not
 * padded.  The y offset is where the bitmap's bottom row sits relative to the baseline.
 *
 * The cell is as wide as the widest advance of the glyphs emitted, and as tall as ascent
 * plus descent, grown if a glyph reaches beyond them.  MAXW/MAXH are not used: they cover
 * the whole font (16 for Unifont, whose CJK glyphs are double width).  Exits 1 with a
 * message on stderr for a missing, unreadable or malformed file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST       0x20
#define LAST        0x7E
#define NCHARS      (LAST - FIRST + 1)
#define MAX_CELL_W  32                  /* drivers/font.h promises these bounds */
#define MAX_CELL_H  64
#define MAX_FILE    (64u << 20)
#define CHIX_ENTRY  9
#define GLYPH_HDR   10

struct pf2 {
    uint8_t *buf;
    size_t size;
    char name[64];                      /* printable characters only */
    long ascent, descent;               /* -1 until seen */
    size_t chix_off, chix_len;          /* CHIX body */
    size_t data_off, data_end;          /* DATA body, [data_off, data_end) */
};

struct glyph {
    bool present;
    unsigned int w, h, dwidth;
    int xoff, yoff;
    const uint8_t *bits;                /* w * h packed bits inside pf2.buf */
};

struct cell {
    unsigned int w, h;
    int above;                          /* rows above the baseline */
};

static const char *font_path;

static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "pf2font: %s: ", font_path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static unsigned int be16(const uint8_t *p)
{
    return ((unsigned int)p[0] << 8) | p[1];
}

static int sbe16(const uint8_t *p)
{
    unsigned int v = be16(p);

    return v >= 0x8000 ? (int)v - 0x10000 : (int)v;
}

static void read_file(struct pf2 *f)
{
    FILE *fp = fopen(font_path, "rb");
    size_t cap = 1u << 20;

    if (fp == NULL) {
        die("cannot open: %s", strerror(errno));
    }
    f->buf = malloc(cap);
    f->size = 0;
    for (;;) {
        if (f->buf == NULL) {
            die("out of memory");
        }
        f->size += fread(f->buf + f->size, 1, cap - f->size, fp);
        if (f->size < cap || cap >= MAX_FILE) {
            break;
        }
        cap *= 2;
        f->buf = realloc(f->buf, cap);
    }
    if (ferror(fp)) {
        die("read error: %s", strerror(errno));
    }
    if (f->size == cap && fgetc(fp) != EOF) {
        die("larger than %u MiB: not a font", MAX_FILE >> 20);
    }
    fclose(fp);
}

static long read_u16_section(const uint8_t *body, uint32_t len, const char *what)
{
    if (len != 2) {
        die("%s section has length %u, expected 2", what, len);
    }
    return (long)be16(body);
}

/* Records what one section before DATA says; unknown sections are skipped. */
static void take_section(struct pf2 *f, const uint8_t *name, size_t body, uint32_t len)
{
    const uint8_t *p = f->buf + body;

    if (memcmp(name, "NAME", 4) == 0) {
        size_t i;
        for (i = 0; i < len && i + 1 < sizeof(f->name) && p[i] != 0; i++) {
            f->name[i] = (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '*') ? (char)p[i] : '?';
        }
        f->name[i] = 0;
    } else if (memcmp(name, "ASCE", 4) == 0) {
        f->ascent = read_u16_section(p, len, "ASCE");
    } else if (memcmp(name, "DESC", 4) == 0) {
        f->descent = read_u16_section(p, len, "DESC");
    } else if (memcmp(name, "CHIX", 4) == 0) {
        if (len % CHIX_ENTRY != 0) {
            die("CHIX length %u is not a multiple of %d", len, CHIX_ENTRY);
        }
        f->chix_off = body;
        f->chix_len = len;
    }
}

static void parse_sections(struct pf2 *f)
{
    size_t pos = 0;

    if (f->size < 12 || memcmp(f->buf, "FILE", 4) != 0 || be32(f->buf + 4) != 4 ||
        memcmp(f->buf + 8, "PFF2", 4) != 0) {
        die("not a PF2 font (no FILE section saying PFF2)");
    }
    for (;;) {
        const uint8_t *h = f->buf + pos;
        uint32_t len;

        if (f->size - pos < 8) {
            die("truncated at offset %zu, before the DATA section", pos);
        }
        for (int i = 0; i < 4; i++) {
            if (h[i] < 'A' || h[i] > 'Z') {
                die("bad section name at offset %zu", pos);
            }
        }
        len = be32(h + 4);
        if (memcmp(h, "DATA", 4) == 0) {
            f->data_off = pos + 8;
            f->data_end = len == 0xFFFFFFFFu ? f->size : f->data_off + len;
            if (f->data_end > f->size) {
                die("DATA section runs past the end of the file");
            }
            return;
        }
        if (len > f->size - pos - 8) {
            die("section %.4s at offset %zu runs past the end of the file", h, pos);
        }
        take_section(f, h, pos + 8, len);
        pos += 8 + (size_t)len;
    }
}

static void load_glyph(const struct pf2 *f, uint32_t cp, uint8_t flags, uint32_t off,
                       struct glyph *g)
{
    const uint8_t *p = f->buf + off;

    if ((flags & 7) != 0) {
        die("glyph U+%04X: compressed storage (flags 0x%02x) is not supported", cp, flags);
    }
    if (off < f->data_off || off > f->data_end || f->data_end - off < GLYPH_HDR) {
        die("glyph U+%04X: offset %u is outside DATA", cp, off);
    }
    g->w = be16(p);
    g->h = be16(p + 2);
    g->xoff = sbe16(p + 4);
    g->yoff = sbe16(p + 6);
    g->dwidth = be16(p + 8);
    if (g->w > MAX_CELL_W || g->h > MAX_CELL_H) {
        die("glyph U+%04X: %ux%u is larger than a cell may be", cp, g->w, g->h);
    }
    if ((g->w * g->h + 7) / 8 > f->data_end - off - GLYPH_HDR) {
        die("glyph U+%04X: bitmap runs past the end of DATA", cp);
    }
    g->bits = p + GLYPH_HDR;
    g->present = true;
}

/* Walks the whole index (checking its order) and loads the glyphs of [FIRST, LAST]. */
static void load_glyphs(const struct pf2 *f, struct glyph *gl)
{
    const uint8_t *e = f->buf + f->chix_off;
    int found = 0;

    for (size_t i = 0; i < f->chix_len / CHIX_ENTRY; i++, e += CHIX_ENTRY) {
        uint32_t cp = be32(e);

        if (i > 0 && cp <= be32(e - CHIX_ENTRY)) {
            die("CHIX is not sorted at entry %zu (U+%04X)", i, cp);
        }
        if (cp >= FIRST && cp <= LAST) {
            load_glyph(f, cp, e[4], be32(e + 5), &gl[cp - FIRST]);
            found++;
        }
    }
    if (found == 0) {
        die("the font has no glyph in U+%04X..U+%04X", FIRST, LAST);
    }
}

static struct cell choose_cell(const struct pf2 *f, const struct glyph *gl)
{
    long above = f->ascent, below = f->descent, w = 1;

    for (int i = 0; i < NCHARS; i++) {
        const struct glyph *g = &gl[i];
        if (g->present) {
            w = g->xoff + (long)g->w > w ? g->xoff + (long)g->w : w;
            w = (long)g->dwidth > w ? (long)g->dwidth : w;
            above = g->yoff + (long)g->h > above ? g->yoff + (long)g->h : above;
            below = -g->yoff > below ? -g->yoff : below;
        }
    }
    if (w > MAX_CELL_W || above + below > MAX_CELL_H || above + below < 1) {
        die("cell %ldx%ld is outside 1x1..%dx%d", w, above + below, MAX_CELL_W, MAX_CELL_H);
    }
    return (struct cell){ (unsigned int)w, (unsigned int)(above + below), (int)above };
}

/* Places glyph g into px (rows of the cell), bottom row yoff rows below the baseline. */
static void render(const struct cell *c, const struct glyph *g, uint8_t px[][MAX_CELL_W])
{
    int top = c->above - (g->yoff + (int)g->h);

    for (unsigned int r = 0; r < g->h; r++) {
        for (unsigned int col = 0; col < g->w; col++) {
            unsigned int bit = r * g->w + col;
            int x = g->xoff + (int)col;
            if (x >= 0 && (g->bits[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                px[top + (int)r][x] = 1;   /* in range by choose_cell(); x < 0 is clipped */
            }
        }
    }
}

/* The fallback: an outlined box one pixel inside the cell (filled when the cell is tiny). */
static void render_box(const struct cell *c, uint8_t px[][MAX_CELL_W])
{
    bool tiny = c->w < 4 || c->h < 6;
    unsigned int x0 = tiny ? 0 : 1, x1 = tiny ? c->w - 1 : c->w - 2;
    unsigned int y0 = tiny ? 0 : 2, y1 = tiny ? c->h - 1 : c->h - 3;

    for (unsigned int y = y0; y <= y1; y++) {
        for (unsigned int x = x0; x <= x1; x++) {
            px[y][x] = tiny || y == y0 || y == y1 || x == x0 || x == x1;
        }
    }
}

static void emit_glyph(const struct cell *c, uint8_t px[][MAX_CELL_W])
{
    unsigned int bpr = (c->w + 7) / 8;

    for (unsigned int y = 0; y < c->h; y++) {
        printf("   ");
        for (unsigned int b = 0; b < bpr; b++) {
            unsigned int v = 0;
            for (unsigned int x = b * 8; x < b * 8 + 8; x++) {
                v = (v << 1) | (x < c->w ? px[y][x] : 0);
            }
            printf(" 0x%02x,", v);
        }
        printf(" /* ");
        for (unsigned int x = 0; x < c->w; x++) {
            putchar(px[y][x] ? '#' : '.');
        }
        printf(" */\n");
    }
}

static void emit(const struct pf2 *f, const struct glyph *gl, const struct cell *c)
{
    static uint8_t px[MAX_CELL_H][MAX_CELL_W];
    unsigned int bpr = (c->w + 7) / 8;

    printf("/* The console font: generated by tests/tools/pf2font from \"%s\"; do not edit. */\n",
           f->name[0] ? f->name : "unnamed");
    printf("#include \"drivers/font.h\"\n\n");
    printf("static_assert(FONT_FIRST == 0x%02x && FONT_LAST == 0x%02x,\n"
           "              \"drivers/font.h and tests/tools/pf2font disagree on the range\");\n\n",
           FIRST, LAST);
    printf("static const uint8_t font_bits[FONT_GLYPHS * %u * %u] = {\n", c->h, bpr);
    for (int i = 0; i <= NCHARS; i++) {
        memset(px, 0, sizeof(px));
        if (i < NCHARS && gl[i].present) {
            printf("    /* 0x%02x '%c' */\n", FIRST + i, FIRST + i);
            render(c, &gl[i], px);
        } else if (i < NCHARS) {
            fprintf(stderr, "pf2font: note: no glyph for U+%04X, drawing a box\n", FIRST + i);
            printf("    /* 0x%02x: no glyph in the font, box */\n", FIRST + i);
            render_box(c, px);
        } else {
            printf("    /* fallback for every other byte: box */\n");
            render_box(c, px);
        }
        emit_glyph(c, px);
    }
    printf("};\n\n");
    printf("const struct font_desc console_font = {\n");
    printf("    .width = %u,\n    .height = %u,\n    .bytes_per_row = %u,\n", c->w, c->h, bpr);
    printf("    .bits = font_bits,\n};\n");
}

int main(int argc, char **argv)
{
    struct pf2 f = { .ascent = -1, .descent = -1 };
    static struct glyph gl[NCHARS];
    struct cell c;

    if (argc != 2) {
        fprintf(stderr, "usage: pf2font FONT.pf2 > font.c\n");
        return 2;
    }
    font_path = argv[1];
    read_file(&f);
    parse_sections(&f);
    if (f.ascent < 0 || f.descent < 0 || f.chix_len == 0) {
        die("missing %s section before DATA",
            f.ascent < 0 ? "ASCE" : f.descent < 0 ? "DESC" : "CHIX");
    }
    load_glyphs(&f, gl);
    c = choose_cell(&f, gl);
    emit(&f, gl, &c);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        die("cannot write the output: %s", strerror(errno));
    }
    return 0;
}
