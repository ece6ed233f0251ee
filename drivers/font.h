/* The screen console's fixed-cell bitmap font, generated from a GRUB PF2 font at build time. */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include "kernel/types.h"

#define FONT_FIRST    0x20   /* first byte with its own glyph (space) */
#define FONT_LAST     0x7E   /* last byte with its own glyph ('~') */
#define FONT_GLYPHS   (FONT_LAST - FONT_FIRST + 2)   /* ... plus the fallback box */

/*
 * Every glyph is height rows of bytes_per_row bytes, 1 bit per pixel, most significant bit
 * leftmost, already placed in its cell (baseline and side bearings applied).  Glyph i
 * (0 <= i < FONT_GLYPHS) starts at bits[i * height * bytes_per_row]; the last one is the box
 * drawn for every byte outside [FONT_FIRST, FONT_LAST].
 */
struct font_desc {
    unsigned int width, height;         /* cell in pixels: width <= 32, height <= 64 */
    unsigned int bytes_per_row;         /* (width + 7) / 8 */
    const uint8_t *bits;
};

/* Defined by the generated build/gen/font.c (tests/tools/pf2font). */
extern const struct font_desc console_font;

/* The first row of the glyph that draws byte c (the fallback box when it has none). */
static inline const uint8_t *font_glyph(const struct font_desc *f, unsigned char c)
{
    unsigned int i = FONT_GLYPHS - 1;

    if (c >= FONT_FIRST && c <= FONT_LAST) {
        i = c - FONT_FIRST;
    }
    return f->bits + i * f->height * f->bytes_per_row;
}

#endif
