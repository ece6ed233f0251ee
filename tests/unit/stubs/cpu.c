/* Host control registers for stubs/arch/x86/asm.h: plain variables; CR3 writes are counted. */
#include "arch/x86/asm.h"
#include "arch/x86/paging.h"

/* As on a CPU with NX (EFER.NXE on); a test clears it to play a CPU without. */
pte_t pte_nx = PTE_NX;

static uint32_t cr[5];
unsigned int stub_cr3_writes;

uint32_t read_cr0(void) { return cr[0]; }
void write_cr0(uint32_t v) { cr[0] = v; }
uint32_t read_cr2(void) { return cr[2]; }
void write_cr2(uint32_t v) { cr[2] = v; }
uint32_t read_cr3(void) { return cr[3]; }
uint32_t read_cr4(void) { return cr[4]; }
void write_cr4(uint32_t v) { cr[4] = v; }

/* On the CPU any CR3 write flushes the non-global TLB entries: that is what is counted. */
void write_cr3(uint32_t v)
{
    cr[3] = v;
    stub_cr3_writes++;
}
