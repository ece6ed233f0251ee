/* Boot-time frame allocation from the machine memory map. */
#include "mm/bootmem.h"
#include "kernel/panic.h"
#include "kernel/printk.h"


static struct memmap free_map;
static uint64_t allocated;

void bootmem_init(const struct memmap *machine_map)
{
    free_map = *machine_map;
}

void bootmem_reserve(paddr_t start, paddr_t end)
{
    start = ALIGN_DOWN(start, (paddr_t)PAGE_SIZE);
    end = ALIGN_UP(end, (paddr_t)PAGE_SIZE);
    if (memmap_set(&free_map, start, end, MEM_RESERVED)) {
        panic("bootmem: memory map too fragmented to reserve %llx-%llx", start, end);
    }
}

paddr_t bootmem_alloc(unsigned int n)
{
    uint64_t size = (uint64_t)n * PAGE_SIZE;
    for (unsigned int i = free_map.nr; i-- > 0;) {
        const struct mem_range *r = &free_map.r[i];
        uint64_t end = MIN(r->end, 1ull << 32);
        if (r->type != MEM_RAM || end <= r->start || end - r->start < size) {
            continue;
        }
        bootmem_reserve(end - size, end);
        allocated += size;
        return end - size;
    }
    panic("bootmem: no room for %u frames below 4 GiB", n);
}

const struct memmap *bootmem_free_map(void)
{
    return &free_map;
}

uint64_t bootmem_allocated(void)
{
    return allocated;
}
