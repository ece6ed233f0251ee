/*
 * The GDT's reserved page (entries 7168..7679, byte 0xE000): the monitor's selectors, the
 * four flat guest selectors of the ABI, the TSS and LDT slots.  Values from Xen's headers.
 */
#ifndef ARCH_X86_SEGMENTS_H
#define ARCH_X86_SEGMENTS_H

#ifndef __ASSEMBLY__
#include "kernel/types.h"
#endif
#include "kernel/xen.h"

#define GDT_FIRST_RESERVED     FIRST_RESERVED_GDT_ENTRY        /* 7168 */
#define GDT_RESERVED_ENTRIES   512
#define GDT_LIMIT              ((GDT_FIRST_RESERVED + GDT_RESERVED_ENTRIES) * 8 - 1)

#define MONITOR_CS             0xe008
#define MONITOR_DS             0xe010
#define TSS_SEL                0xe040
#define LDT_SEL                0xe048
#define DF_TSS_SEL             0xe050

/* Index inside the reserved page of a selector of it. */
#define RESERVED_SLOT(sel)     (((sel) >> 3) - GDT_FIRST_RESERVED)

#ifndef __ASSEMBLY__
static_assert(FLAT_RING1_CS == 0xe019 && FLAT_RING1_DS == 0xe021, "ABI ring-1 selectors");
static_assert(FLAT_RING3_CS == 0xe02b && FLAT_RING3_DS == 0xe033, "ABI ring-3 selectors");
static_assert(FIRST_RESERVED_GDT_BYTE == 0xE000, "ABI reserved GDT byte");

/*
 * True for a selector a guest may name as the code segment of a handler or callback: the
 * flat guest selectors, or an entry of the guest's own GDT.  Never the monitor's selectors:
 * a gate to one would enter ring 0.
 */
bool guest_code_selector_ok(uint32_t sel);

void gdt_init_early(void);   /* boot CPU, before paging_init(): static reserved page */
void gdt_init_window(void);  /* after the heap exists: the 64 KiB per-CPU GDT window */

/* Stack for ring 3 -> ring 1 transitions through gates (the running guest's kernel stack). */
void tss_set_ring1_stack(uint32_t ss1, uint32_t esp1);

/*
 * Maps the running guest's GDT frames (nr of them, machine frame numbers) into entries
 * below 7168 of this CPU's GDT window; nr = 0 leaves only the zero page there.
 */
void gdt_load_guest_frames(const uint32_t *frames, unsigned int nr);

/*
 * Maps the running guest's LDT frames into this CPU's LDT window and loads LDTR with a
 * descriptor for ents entries; ents = 0 leaves the CPU without an LDT.
 */
void gdt_load_guest_ldt(const uint32_t *frames, unsigned int ents);
#endif

#endif
