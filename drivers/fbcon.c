/* Text console on a linear RGB framebuffer: the console font drawn cell by cell. */
#include "drivers/fbcon.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "drivers/font.h"
#include "drivers/vga.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/heap.h"

/* Enough for 16 MiB of 2-byte pixels in 8x16 cells; a smaller font leaves a bottom margin. */
#define FBCON_MAX_CELLS 65536u
#define FB_WINDOW      (FB_END - FB_START)
#define FG_LEVEL       0xAAu            /* light grey, the colour of VGA attribute 7 */

/*
 * The console remembers what every cell shows, and scrolls by redrawing only the cells whose
 * character changes instead of by memmove of the pixel rows: loads from a write-combining or
 * uncached framebuffer are uncached bus reads, and a memmove would read the whole screen
 * back (3 MiB at 1024x768x32) for every line.  Stores stream through write combining.
 * Written only under the printk lock (see struct screen).
 */
static struct {
    struct screen scr;
    uint8_t *base;                      /* the mapped framebuffer */
    uint32_t pitch;                     /* bytes from one pixel row to the next */
    unsigned int bytespp;               /* 2, 3 or 4 */
    uint32_t fg;                        /* light grey in the pixel format; black is 0 in all */
    uint8_t *text;                      /* what each cell shows, row by row (heap) */
} fbcon;

/* Draws one pixel row of a glyph: w pixels from bits (most significant bit first) at p. */
static void draw_row(uint8_t *p, const uint8_t *bits, unsigned int w)
{
    for (unsigned int x = 0; x < w; x++, p += fbcon.bytespp) {
        uint32_t v = (bits[x / 8] & (0x80u >> (x % 8))) != 0 ? fbcon.fg : 0;
        if (fbcon.bytespp == 4) {
            *(uint32_t *)p = v;
        } else if (fbcon.bytespp == 2) {
            *(uint16_t *)p = (uint16_t)v;
        } else {
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(v >> 8);
            p[2] = (uint8_t)(v >> 16);
        }
    }
}

/* The put method: draws ch in a cell unless the cell already shows it. */
static void fbcon_put(struct screen *s, unsigned int col, unsigned int row, unsigned char ch)
{
    const struct font_desc *f = &console_font;
    const uint8_t *bits = font_glyph(f, ch);
    uint8_t *p;

    if (fbcon.text[row * s->cols + col] == ch) {
        return;
    }
    fbcon.text[row * s->cols + col] = ch;
    p = fbcon.base + row * f->height * fbcon.pitch + col * f->width * fbcon.bytespp;
    for (unsigned int y = 0; y < f->height; y++, p += fbcon.pitch, bits += f->bytes_per_row) {
        draw_row(p, bits, f->width);
    }
}

/* The scroll method: row r takes the text of row r + 1; the last row becomes blank. */
static void fbcon_scroll(struct screen *s)
{
    for (unsigned int r = 0; r < s->rows; r++) {
        for (unsigned int c = 0; c < s->cols; c++) {
            fbcon_put(s, c, r, r + 1 < s->rows ? fbcon.text[(r + 1) * s->cols + c] : ' ');
        }
    }
}

static bool field_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
    return size >= 1 && size <= 8 && pos + size <= bpp;
}

/* Why fb cannot be used, or NULL when it can. */
static const char *fbcon_refusal(const struct boot_framebuffer *fb)
{
    uint64_t row_bytes = (uint64_t)fb->width * ((fb->bpp + 7u) / 8);

    if (fb->type != 1) {
        return "not direct RGB colour";
    }
    if (fb->bpp != 15 && fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32) {
        return "unsupported depth";
    }
    if (fb->width == 0 || fb->height == 0 || fb->pitch == 0) {
        return "zero width, height or pitch";
    }
    if (fb->width < console_font.width || fb->height < console_font.height) {
        return "smaller than one text cell";
    }
    if (fb->pitch < row_bytes) {
        return "pitch shorter than a row of pixels";
    }
    if ((uint64_t)fb->pitch * fb->height > FB_WINDOW) {
        return "pitch * height exceeds the 16 MiB framebuffer window";
    }
    if (!field_ok(fb->red_pos, fb->red_size, fb->bpp) ||
        !field_ok(fb->green_pos, fb->green_size, fb->bpp) ||
        !field_ok(fb->blue_pos, fb->blue_size, fb->bpp)) {
        return "colour fields outside the pixel";
    }
    return NULL;
}

/* Level (0..255) of one colour channel, placed in its field. */
static uint32_t channel(unsigned int level, uint8_t pos, uint8_t size)
{
    return (uint32_t)(level >> (8 - size)) << pos;
}

bool fbcon_init(const struct boot_framebuffer *fb)
{
    const char *why = fbcon_refusal(fb);
    size_t len = (size_t)fb->pitch * fb->height;   /* fits: checked against FB_WINDOW */
    struct screen *s = &fbcon.scr;
    unsigned int cols = MIN(fb->width / console_font.width, FBCON_MAX_CELLS);

    if (why == NULL) {
        fbcon.base = fb_remap(fb->addr, len);
        why = fbcon.base == NULL ? "it cannot be mapped into the framebuffer window" : NULL;
    }
    if (why == NULL) {
        fbcon.text = kmalloc(FBCON_MAX_CELLS);
        why = fbcon.text == NULL ? "no memory for its text record" : NULL;
    }
    if (why != NULL) {
        pr_warn("console: framebuffer %ux%ux%u refused: %s\n", fb->width, fb->height, fb->bpp,
                why);
        return false;
    }
    fbcon.pitch = fb->pitch;
    fbcon.bytespp = (fb->bpp + 7u) / 8;
    fbcon.fg = channel(FG_LEVEL, fb->red_pos, fb->red_size) |
               channel(FG_LEVEL, fb->green_pos, fb->green_size) |
               channel(FG_LEVEL, fb->blue_pos, fb->blue_size);
    *s = (struct screen){
        .con = { .name = "vga", .write = screen_write },
        .cols = cols,
        .rows = MIN(fb->height / console_font.height, FBCON_MAX_CELLS / cols),
        .put = fbcon_put,
        .scroll = fbcon_scroll,
    };
    /* A blank cell is all black, so clearing the screen matches text[] full of spaces. */
    memset(fbcon.base, 0, len);
    memset(fbcon.text, ' ', FBCON_MAX_CELLS);
    pr_info("console: framebuffer %ux%ux%u, %ux%u text cells\n", fb->width, fb->height,
            fb->bpp, s->cols, s->rows);
    console_register(&s->con);
    return true;
}
