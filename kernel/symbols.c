/* Address-to-name lookup in the link-time symbol table. */
#include "kernel/symbols.h"

struct symtab_entry {
    uint32_t addr;
    uint32_t name_offset;
};

extern const uint32_t symtab_count;
extern const struct symtab_entry symtab_entries[];
extern const char symtab_names[];
extern const char __text_end[];

const char *symbol_lookup(uintptr_t addr, uintptr_t *offset)
{
    uint32_t lo = 0, hi = symtab_count;
    if (!hi || addr < symtab_entries[0].addr || addr >= (uintptr_t)__text_end) {
        return NULL;
    }
    /* Binary search for the last entry at or below addr. */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (symtab_entries[mid].addr <= addr) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    *offset = addr - symtab_entries[lo].addr;
    return &symtab_names[symtab_entries[lo].name_offset];
}
