/* Unit tests of the slab heap (mm/heap.c) over a host page source that tracks every page. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "mm/heap.h"

#define NR_CLASSES  8
#define HEADER_SIZE 64          /* mm/heap.c: objects start this far into their slab page */
#define LARGE_MAX   HEAP_LARGE_MAX
#define POISON      0xA5

/* ---- the page source: aligned_alloc'd, zeroed, every block remembered ---- */

struct page_block {
    void *p;
    size_t n;
};
static struct page_block blocks[4096];
static size_t pages_live;
static bool pages_fail;

void *heap_pages_alloc(size_t n)
{
    void *p;
    if (pages_fail || n == 0) {
        return NULL;
    }
    p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
    assert_non_null(p);
    memset(p, 0, n * PAGE_SIZE);
    for (unsigned int i = 0; i < ARRAY_SIZE(blocks); i++) {
        if (!blocks[i].p) {
            blocks[i] = (struct page_block){ p, n };
            pages_live += n;
            return p;
        }
    }
    fail_msg("test page source: too many blocks");
    return NULL;
}

void heap_pages_free(void *p, size_t n)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(blocks); i++) {
        if (blocks[i].p == p) {
            if (blocks[i].n != n) {
                fail_msg("heap_pages_free(%p, %zu): it was allocated with %zu pages", p, n,
                         blocks[i].n);
            }
            free(p);
            blocks[i].p = NULL;
            pages_live -= n;
            return;
        }
    }
    fail_msg("heap_pages_free(%p): not from heap_pages_alloc, or freed twice", p);
}

/* ---- helpers ---- */

static struct heap_stats stats(void)
{
    struct heap_stats st;
    heap_stats(&st);
    return st;
}

/* Every page the heap holds is accounted for in its statistics. */
static void check_pages(void)
{
    struct heap_stats st = stats();
    assert_int_equal(pages_live, st.slab_pages + st.large_pages);
}

static size_t class_size(size_t size)
{
    size_t c = 16;
    while (c < size) {
        c *= 2;
    }
    return c;
}

static unsigned int capacity(size_t csize)
{
    return (unsigned int)((PAGE_SIZE - HEADER_SIZE) / csize);
}

static bool all_bytes(const void *p, int c, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != (unsigned char)c) {
            return false;
        }
    }
    return true;
}

/* A page-aligned page the heap never handed out. */
static unsigned char *foreign_page;

static int setup(void **state)
{
    pages_fail = false;
    stub_panic_count = 0;
    foreign_page = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
    assert_non_null(foreign_page);
    memset(foreign_page, 0, 2 * PAGE_SIZE);
    return 0;
}

static int teardown(void **state)
{
    free(foreign_page);
    foreign_page = NULL;
    pages_fail = false;
    return 0;
}

/* Allocates objects of one size until the heap takes a new slab page; returns them in v. */
static unsigned int fill_until_new_slab(size_t size, void **v, unsigned int max)
{
    size_t before = stats().slab_pages;
    unsigned int n = 0;
    while (stats().slab_pages == before) {
        assert_true(n < max);
        v[n] = kmalloc(size);
        assert_non_null(v[n]);
        n++;
    }
    return n;
}

/* ---- tests ---- */

static void every_size_class(void **state)
{
    static const size_t sizes[] = { 1,   8,   15,  16,  17,  31,   32,   33,   48,   64,
                                    65,  100, 127, 128, 129, 255,  256,  257,  500,  512,
                                    513, 1000, 1024, 1025, 2000, 2047, 2048 };
    for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
        size_t before = stats().bytes_in_use;
        unsigned char *p = kmalloc(sizes[i]);
        assert_non_null(p);
        if ((uintptr_t)p % 16 || (uintptr_t)p % PAGE_SIZE == 0) {
            fail_msg("kmalloc(%zu) = %p: not 16-byte aligned, or page aligned", sizes[i], p);
        }
        assert_true(all_bytes(p, 0, sizes[i]));
        assert_int_equal(stats().bytes_in_use, before + class_size(sizes[i]));
        memset(p, 0xCC, sizes[i]);
        assert_int_equal(heap_free_checked(p), HEAP_FREED);
        assert_int_equal(stats().bytes_in_use, before);
    }
    check_pages();
}

/* Many objects of each class, across several slabs: aligned, disjoint, each keeps its data. */
static void objects_do_not_overlap(void **state)
{
    enum { N = 600 };
    static unsigned char *v[N];
    for (unsigned int c = 0; c < NR_CLASSES; c++) {
        size_t size = (size_t)16 << c;
        for (unsigned int i = 0; i < N; i++) {
            v[i] = kmalloc(size);
            assert_non_null(v[i]);
            assert_int_equal((uintptr_t)v[i] % 16, 0);
            memset(v[i], (int)(i & 0xFF), size);
        }
        for (unsigned int i = 0; i < N; i++) {
            if (!all_bytes(v[i], (int)(i & 0xFF), size)) {
                fail_msg("class %zu: object %u at %p was overwritten by another", size, i, v[i]);
            }
        }
        for (unsigned int i = 0; i < N; i++) {
            assert_int_equal(heap_free_checked(v[i]), HEAP_FREED);
        }
        check_pages();
    }
}

/* One new slab page per `capacity` objects, once the partial slabs are used up. */
static void slab_pages_hold_their_capacity(void **state)
{
    static void *v[2048];
    for (unsigned int c = 0; c < NR_CLASSES; c++) {
        size_t size = (size_t)16 << c, pages;
        unsigned int n = fill_until_new_slab(size, v, 1024), cap = capacity(size);
        pages = stats().slab_pages;
        for (unsigned int i = 1; i < cap; i++) {
            v[n++] = kmalloc(size);
        }
        assert_int_equal(stats().slab_pages, pages);   /* the new slab took them all */
        v[n++] = kmalloc(size);
        assert_int_equal(stats().slab_pages, pages + 1);
        while (n) {
            assert_int_equal(heap_free_checked(v[--n]), HEAP_FREED);
        }
    }
    check_pages();
}

static void large_allocations_page_aligned_and_released(void **state)
{
    static const size_t sizes[] = { 2049, 3000, 4096, 4097, 8192, 10000, 1 << 20, (1 << 20) + 1 };
    struct heap_stats st0 = stats();
    size_t live0 = pages_live;
    for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
        size_t pages = (sizes[i] + PAGE_SIZE - 1) / PAGE_SIZE;
        unsigned char *p = kmalloc(sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
        assert_true(all_bytes(p, 0, sizes[i]));
        memset(p, 0xCC, sizes[i]);
        assert_int_equal(stats().large_pages, st0.large_pages + pages);
        assert_int_equal(stats().bytes_in_use, st0.bytes_in_use + pages * PAGE_SIZE);
        assert_int_equal(pages_live, live0 + pages);
        assert_int_equal(heap_free_checked(p), HEAP_FREED);
        assert_int_equal(pages_live, live0);
        check_pages();
    }
    assert_int_equal(stats().large_pages, st0.large_pages);
    assert_int_equal(stats().bytes_in_use, st0.bytes_in_use);
}

static void reuse_after_free(void **state)
{
    unsigned char *p, *q, *r;
    size_t pages;
    p = kmalloc(64);
    q = kmalloc(64);
    memset(p, 0xEE, 64);
    pages = stats().slab_pages;
    assert_int_equal(heap_free_checked(p), HEAP_FREED);
    r = kmalloc(64);
    assert_ptr_equal(r, p);                     /* the free slot is taken again */
    assert_true(all_bytes(r, 0, 64));           /* zeroed again after the poison */
    assert_int_equal(stats().slab_pages, pages);
    kfree(r);
    kfree(q);
    /* A large block's pages go back to the page source and can come again. */
    p = kmalloc(3 * PAGE_SIZE);
    kfree(p);
    q = kmalloc(3 * PAGE_SIZE);
    assert_non_null(q);
    assert_true(all_bytes(q, 0, 3 * PAGE_SIZE));
    kfree(q);
    check_pages();
}

static void freed_objects_are_poisoned(void **state)
{
    unsigned char *p = kmalloc(100);   /* a 128-byte object */
    memset(p, 0x11, 100);
    assert_int_equal(heap_free_checked(p), HEAP_FREED);
    assert_true(all_bytes(p, POISON, 128));
}

static void double_free_detected(void **state)
{
    void *p = kmalloc(32), *q = kmalloc(32);
    size_t bytes;
    assert_int_equal(heap_free_checked(p), HEAP_FREED);
    bytes = stats().bytes_in_use;
    assert_int_equal(heap_free_checked(p), HEAP_DOUBLE_FREE);
    assert_int_equal(stats().bytes_in_use, bytes);
    expect_assert_failure(kfree(p));
    assert_int_equal(stub_panic_count, 1);
    assert_non_null(strstr(stub_panic_msg, "double free"));
    /* The neighbour is untouched and frees normally. */
    assert_int_equal(heap_free_checked(q), HEAP_FREED);
    check_pages();
}

static void double_free_of_large_detected(void **state)
{
    void *p = kmalloc(5000);
    assert_int_equal(heap_free_checked(p), HEAP_FREED);
    /* The pages are gone: the pointer is no longer the heap's at all. */
    assert_int_equal(heap_free_checked(p), HEAP_BAD_POINTER);
    expect_assert_failure(kfree(p));
    assert_int_equal(stub_panic_count, 1);
    check_pages();
}

static void pointer_into_object_refused(void **state)
{
    unsigned char *p = kmalloc(64), *big = kmalloc(2048);
    size_t bytes = stats().bytes_in_use;
    assert_int_equal(heap_free_checked(p + 8), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(p + 16), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(p + 63), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(p - 1), HEAP_BAD_POINTER);
    /* Past the last object of a slab (a 2048-byte slab holds one). */
    assert_int_equal(heap_free_checked(big + 2048), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(big + 1024), HEAP_BAD_POINTER);
    /* The slab header. */
    assert_int_equal(heap_free_checked(big - HEADER_SIZE + 16), HEAP_BAD_POINTER);
    assert_int_equal(stats().bytes_in_use, bytes);
    expect_assert_failure(kfree(p + 8));
    assert_non_null(strstr(stub_panic_msg, "did not return"));
    assert_int_equal(heap_free_checked(p), HEAP_FREED);
    assert_int_equal(heap_free_checked(big), HEAP_FREED);
}

static void pointer_never_returned_refused(void **state)
{
    assert_int_equal(heap_free_checked(foreign_page + HEADER_SIZE), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(foreign_page + 100), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(foreign_page + PAGE_SIZE + 16), HEAP_BAD_POINTER);
    expect_assert_failure(kfree(foreign_page + 128));
    check_pages();
}

static void page_aligned_pointer_not_large_refused(void **state)
{
    unsigned char *big = kmalloc(3 * PAGE_SIZE), *small = kmalloc(16);
    size_t large = stats().large_pages;
    assert_int_equal(heap_free_checked(foreign_page), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(foreign_page + PAGE_SIZE), HEAP_BAD_POINTER);
    assert_int_equal(heap_free_checked(big + PAGE_SIZE), HEAP_BAD_POINTER);   /* its 2nd page */
    assert_int_equal(heap_free_checked(big + 64), HEAP_BAD_POINTER);
    /* The slab page that holds small. */
    assert_int_equal(heap_free_checked((void *)((uintptr_t)small & ~(uintptr_t)(PAGE_SIZE - 1))),
                     HEAP_BAD_POINTER);
    assert_int_equal(stats().large_pages, large);
    expect_assert_failure(kfree(foreign_page));
    assert_int_equal(heap_free_checked(big), HEAP_FREED);
    assert_int_equal(heap_free_checked(small), HEAP_FREED);
    check_pages();
}

static void null_and_odd_sizes(void **state)
{
    struct heap_stats st = stats();
    size_t live = pages_live;
    assert_int_equal(heap_free_checked(NULL), HEAP_FREED);
    kfree(NULL);
    assert_null(kmalloc(0));
    assert_null(kmalloc((64u << 20) + 1));
    assert_null(kmalloc(SIZE_MAX));
    assert_null(kmalloc(SIZE_MAX - PAGE_SIZE + 2));
    assert_int_equal(stats().bytes_in_use, st.bytes_in_use);
    assert_int_equal(pages_live, live);
    assert_int_equal(stub_panic_count, 0);
}

static void largest_size_allowed(void **state)
{
    void *p = kmalloc(64u << 20);
    assert_non_null(p);
    assert_int_equal(stats().large_pages, (64u << 20) / PAGE_SIZE);
    kfree(p);
    assert_int_equal(stats().large_pages, 0);
    check_pages();
}

static void out_of_pages_returns_null(void **state)
{
    static void *v[1024];
    struct heap_stats st;
    unsigned int n = fill_until_new_slab(512, v, 1024);
    for (unsigned int i = 1; i < capacity(512); i++) {
        v[n++] = kmalloc(512);   /* fills the new slab */
    }
    st = stats();
    pages_fail = true;
    assert_null(kmalloc(512));
    assert_null(kmalloc(300));
    assert_null(kmalloc(8192));
    assert_int_equal(stats().bytes_in_use, st.bytes_in_use);
    assert_int_equal(stats().slab_pages, st.slab_pages);
    assert_int_equal(stats().large_pages, st.large_pages);
    /* A free slot is still usable without new pages. */
    assert_int_equal(heap_free_checked(v[--n]), HEAP_FREED);
    v[n] = kmalloc(512);
    assert_non_null(v[n++]);
    pages_fail = false;
    while (n) {
        kfree(v[--n]);
    }
    check_pages();
}

static void large_table_full_returns_null(void **state)
{
    static void *v[LARGE_MAX];
    size_t live = pages_live;
    for (unsigned int i = 0; i < LARGE_MAX; i++) {
        v[i] = kmalloc(PAGE_SIZE + 1);
        assert_non_null(v[i]);
    }
    assert_null(kmalloc(PAGE_SIZE + 1));
    assert_int_equal(pages_live, live + 2 * LARGE_MAX);   /* nothing leaked by the refusal */
    kfree(v[17]);
    v[17] = kmalloc(3 * PAGE_SIZE);
    assert_non_null(v[17]);
    for (unsigned int i = 0; i < LARGE_MAX; i++) {
        kfree(v[i]);
    }
    assert_int_equal(pages_live, live);
    assert_int_equal(stats().large_pages, 0);
    check_pages();
}

static void stats_add_up(void **state)
{
    struct heap_stats st0 = stats(), st;
    void *a = kmalloc(10), *b = kmalloc(100), *c = kmalloc(1500), *d = kmalloc(5000);
    st = stats();
    assert_int_equal(st.bytes_in_use, st0.bytes_in_use + 16 + 128 + 2048 + 2 * PAGE_SIZE);
    assert_int_equal(st.large_pages, st0.large_pages + 2);
    assert_true(st.slab_pages >= st0.slab_pages);
    kfree(a);
    kfree(b);
    kfree(c);
    kfree(d);
    st = stats();
    assert_int_equal(st.bytes_in_use, st0.bytes_in_use);
    assert_int_equal(st.large_pages, st0.large_pages);
    check_pages();
}

/* Runs last: after every test freed what it took, nothing is in use and no large page held. */
static void everything_released(void **state)
{
    struct heap_stats st = stats();
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.large_pages, 0);
    assert_int_equal(pages_live, st.slab_pages);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_size_class, setup, teardown),
        cmocka_unit_test_setup_teardown(objects_do_not_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(slab_pages_hold_their_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(large_allocations_page_aligned_and_released, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reuse_after_free, setup, teardown),
        cmocka_unit_test_setup_teardown(freed_objects_are_poisoned, setup, teardown),
        cmocka_unit_test_setup_teardown(double_free_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(double_free_of_large_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(pointer_into_object_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(pointer_never_returned_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(page_aligned_pointer_not_large_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(null_and_odd_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(largest_size_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_pages_returns_null, setup, teardown),
        cmocka_unit_test_setup_teardown(large_table_full_returns_null, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_add_up, setup, teardown),
        cmocka_unit_test_setup_teardown(everything_released, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
