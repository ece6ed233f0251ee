/*
 * Slab heap.  Each slab is one page: a header, then objects of one size class.  A bitmap in
 * the header records which objects are in use, so a double free is caught.  Allocations
 * above the largest class take whole pages; they are page aligned, which is how kfree()
 * tells them apart (slab objects never are).  Large allocations carry their page count in
 * a table indexed by address, kept here.  Caller-side locking: heap_lock.
 */
#include "mm/heap.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

#define SLAB_MAGIC   0x51AB51ABu
#define NR_CLASSES   8          /* 16, 32, ... 2048 */
#define MIN_SHIFT    4
#define HEADER_SIZE  64
#define MAX_OBJECTS  ((PAGE_SIZE - HEADER_SIZE) / 16)
#define LARGE_MAX    HEAP_LARGE_MAX

struct slab {
    uint32_t magic;
    uint16_t size;              /* object size */
    uint16_t nr_free;
    struct slab *next;          /* next slab of this class with free objects */
    uint32_t in_use[(MAX_OBJECTS + 31) / 32];
};
static_assert(sizeof(struct slab) <= HEADER_SIZE, "slab header too large");

struct large {
    void *p;
    size_t pages;
};

static struct slab *partial[NR_CLASSES];
static struct large large[LARGE_MAX];
static size_t slab_pages, large_pages, bytes_in_use;
static spinlock_t heap_lock = SPINLOCK_INIT;

static unsigned int class_of(size_t size)
{
    unsigned int c = 0;
    while ((16u << c) < size) {
        c++;
    }
    return c;
}

static unsigned int slab_capacity(const struct slab *s)
{
    return (PAGE_SIZE - HEADER_SIZE) / s->size;
}

static void *slab_take(struct slab *s)
{
    unsigned int n = slab_capacity(s);
    for (unsigned int i = 0; i < n; i++) {
        if (!(s->in_use[i / 32] & (1u << (i % 32)))) {
            s->in_use[i / 32] |= 1u << (i % 32);
            s->nr_free--;
            return (char *)s + HEADER_SIZE + i * s->size;
        }
    }
    return NULL;
}

static void *alloc_small(size_t size)
{
    unsigned int c = class_of(size);
    struct slab *s = partial[c];
    void *p;
    if (!s) {
        s = heap_pages_alloc(1);
        if (!s) {
            return NULL;
        }
        s->magic = SLAB_MAGIC;
        s->size = (uint16_t)(16u << c);
        s->nr_free = (uint16_t)slab_capacity(s);
        s->next = NULL;
        partial[c] = s;
        slab_pages++;
    }
    p = slab_take(s);
    if (!s->nr_free) {
        partial[c] = s->next;
        s->next = NULL;
    }
    bytes_in_use += s->size;
    return p;
}

static void *alloc_large(size_t size)
{
    size_t pages = ALIGN_UP(size, (size_t)PAGE_SIZE) / PAGE_SIZE;
    for (unsigned int i = 0; i < LARGE_MAX; i++) {
        if (!large[i].p) {
            void *p = heap_pages_alloc(pages);
            if (p) {
                large[i] = (struct large){ p, pages };
                large_pages += pages;
                bytes_in_use += pages * PAGE_SIZE;
            }
            return p;
        }
    }
    return NULL;
}

void *kmalloc(size_t size)
{
    uint32_t flags;
    void *p;
    if (size == 0 || size > (64u << 20)) {
        return NULL;
    }
    flags = spin_lock_irqsave(&heap_lock);
    p = size <= (16u << (NR_CLASSES - 1)) ? alloc_small(size) : alloc_large(size);
    spin_unlock_irqrestore(&heap_lock, flags);
    if (p) {
        memset(p, 0, size);
    }
    return p;
}

static enum heap_free_result free_small(void *p)
{
    struct slab *s = (struct slab *)ALIGN_DOWN((uintptr_t)p, (uintptr_t)PAGE_SIZE);
    uintptr_t off = (uintptr_t)p - (uintptr_t)s;
    unsigned int i, c;
    if (s->magic != SLAB_MAGIC || off < HEADER_SIZE || (off - HEADER_SIZE) % s->size) {
        return HEAP_BAD_POINTER;
    }
    i = (unsigned int)((off - HEADER_SIZE) / s->size);
    if (i >= slab_capacity(s)) {
        return HEAP_BAD_POINTER;
    }
    if (!(s->in_use[i / 32] & (1u << (i % 32)))) {
        return HEAP_DOUBLE_FREE;
    }
    s->in_use[i / 32] &= ~(1u << (i % 32));
    memset(p, 0xA5, s->size);
    bytes_in_use -= s->size;
    if (s->nr_free++ == 0) {
        c = class_of(s->size);
        s->next = partial[c];
        partial[c] = s;
    }
    return HEAP_FREED;
}

static enum heap_free_result free_large(void *p)
{
    for (unsigned int i = 0; i < LARGE_MAX; i++) {
        if (large[i].p == p) {
            heap_pages_free(p, large[i].pages);
            large_pages -= large[i].pages;
            bytes_in_use -= large[i].pages * PAGE_SIZE;
            large[i].p = NULL;
            return HEAP_FREED;
        }
    }
    return HEAP_BAD_POINTER;
}

enum heap_free_result heap_free_checked(void *p)
{
    uint32_t flags;
    enum heap_free_result r;
    if (!p) {
        return HEAP_FREED;
    }
    flags = spin_lock_irqsave(&heap_lock);
    r = IS_ALIGNED((uintptr_t)p, (uintptr_t)PAGE_SIZE) ? free_large(p) : free_small(p);
    spin_unlock_irqrestore(&heap_lock, flags);
    return r;
}

void kfree(void *p)
{
    enum heap_free_result r = heap_free_checked(p);
    if (r == HEAP_DOUBLE_FREE) {
        panic("heap: double free of %p", p);
    }
    if (r == HEAP_BAD_POINTER) {
        panic("heap: kfree of %p, which kmalloc did not return", p);
    }
}

void heap_stats(struct heap_stats *st)
{
    uint32_t flags = spin_lock_irqsave(&heap_lock);
    *st = (struct heap_stats){ slab_pages, large_pages, bytes_in_use };
    spin_unlock_irqrestore(&heap_lock, flags);
}
