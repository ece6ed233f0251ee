/* Host version of the domain code's page_freed hook (mm/pagetype.h): records each call. */
#include "frames.h"
#include "mm/pagetype.h"

static struct stub_freed freed[STUB_FREED_MAX];
static unsigned int nr_freed;

void page_freed(uint16_t owner, mfn_t mfn)
{
    if (nr_freed < STUB_FREED_MAX) {
        freed[nr_freed] = (struct stub_freed){ owner, mfn_x(mfn) };
    }
    nr_freed++;
}

unsigned int stub_freed_count(void)
{
    return nr_freed;
}

const struct stub_freed *stub_freed_at(unsigned int i)
{
    return i < nr_freed && i < STUB_FREED_MAX ? &freed[i] : NULL;
}

void stub_freed_reset(void)
{
    nr_freed = 0;
}
