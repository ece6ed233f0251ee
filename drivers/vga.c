/* VGA text-mode console, the cursor logic shared by the screens, and the choice of screen. */
#include "drivers/vga.h"
#include "arch/x86/asm.h"
#include "arch/x86/paging.h"
#include "drivers/fbcon.h"
#include "kernel/bootinfo.h"
#include "kernel/printk.h"

#define VGA_TEXT_PA    0xB8000u
#define VGA_COLS       80
#define VGA_ROWS       25
#define VGA_ATTR       0x07u            /* light grey on black */
#define VGA_BOX        0xFEu            /* code page 437 small square: "no glyph" */
#define VGA_CRTC_INDEX 0x3D4
#define VGA_CRTC_DATA  0x3D5
#define TAB_WIDTH      8

static uint16_t *vga_mem;               /* cells: attribute << 8 | code page 437 byte */

static void newline(struct screen *s)
{
    s->col = 0;
    if (s->row + 1 < s->rows) {
        s->row++;
    } else {
        s->scroll(s);
    }
}

/* Printable bytes; UTF-8 continuation bytes are dropped so one character draws one box. */
static void put_char(struct screen *s, unsigned char ch)
{
    if (ch >= 0x80 && ch < 0xC0) {
        return;
    }
    if (s->col >= s->cols) {
        newline(s);
    }
    s->put(s, s->col, s->row, ch);
    s->col++;
}

void screen_write(struct console *c, const char *str, size_t n)
{
    struct screen *s = container_of(c, struct screen, con);

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)str[i];
        if (ch == '\n') {
            newline(s);
        } else if (ch == '\r') {
            s->col = 0;
        } else if (ch == '\t') {
            s->col = MIN(ALIGN_UP(s->col + 1, TAB_WIDTH), s->cols);
        } else if (ch == '\b') {
            s->col -= s->col > 0 ? 1 : 0;
        } else if (ch >= 0x20 && ch != 0x7F) {
            put_char(s, ch);
        }
        /* Other control bytes (escape sequences included) are not drawn. */
    }
    if (s->flush) {
        s->flush(s);
    }
}

static void vga_put(struct screen *s, unsigned int col, unsigned int row, unsigned char ch)
{
    vga_mem[row * s->cols + col] = (uint16_t)(VGA_ATTR << 8 | (ch < 0x80 ? ch : VGA_BOX));
}

/* Reads the text buffer back: 4 KiB of 16-bit loads, cheap even uncached. */
static void vga_scroll(struct screen *s)
{
    unsigned int last = (s->rows - 1) * s->cols;

    for (unsigned int i = 0; i < last; i++) {
        vga_mem[i] = vga_mem[i + s->cols];
    }
    for (unsigned int i = last; i < last + s->cols; i++) {
        vga_mem[i] = VGA_ATTR << 8 | ' ';
    }
}

/* Puts the blinking hardware cursor where the next character will go. */
static void vga_flush(struct screen *s)
{
    unsigned int pos = s->row * s->cols + MIN(s->col, s->cols - 1);

    outb(VGA_CRTC_INDEX, 0x0F);
    outb(VGA_CRTC_DATA, (uint8_t)pos);
    outb(VGA_CRTC_INDEX, 0x0E);
    outb(VGA_CRTC_DATA, (uint8_t)(pos >> 8));
}

static struct screen vga_screen = {
    .con = { .name = "vga", .write = screen_write },
    .cols = VGA_COLS,
    .rows = VGA_ROWS,
    .put = vga_put,
    .scroll = vga_scroll,
    .flush = vga_flush,
};

/* Maps the colour text buffer, clears it and registers it; false if it cannot be mapped. */
static bool vga_init(void)
{
    vga_mem = ioremap(VGA_TEXT_PA, VGA_COLS * VGA_ROWS * sizeof(*vga_mem), true);
    if (vga_mem == NULL) {
        pr_warn("console: VGA text refused: no room in the device mapping window\n");
        return false;
    }
    for (unsigned int i = 0; i < VGA_COLS * VGA_ROWS; i++) {
        vga_mem[i] = VGA_ATTR << 8 | ' ';
    }
    pr_info("console: VGA text %ux%u\n", VGA_COLS, VGA_ROWS);
    console_register(&vga_screen.con);
    return true;
}

void screen_console_init(void)
{
    const struct boot_framebuffer *fb = &boot_info.fb;

    if (!console_selected("vga")) {
        pr_debug("console: vga not selected; the screen is left as the loader drew it\n");
        return;
    }
    if (fb->addr != 0 && fb->type != 2) {
        fbcon_init(fb);                 /* refuses all but direct RGB colour */
    } else if (fb->type == 2 || !boot_info.efi_map) {
        vga_init();                     /* EGA text, or a BIOS machine that said nothing */
    } else {
        pr_info("console: no screen (the UEFI loader handed over no framebuffer)\n");
    }
}
