/*
 * Test guest: two domains share pages through grant tables and pass data both ways, by
 * mapping and by GNTTABOP_copy.  Run twice, one per domain (ids follow module order):
 *
 *     role=granter peer=<mapper's id>
 *     role=mapper  peer=<granter's id>    (bench=1: time copies, for -icount runs)
 *
 * The granter grants page A writable (ref 1) and page B read-only (ref 2).  The mapper
 * grants page C writable back (ref 5).  The sides take turns through words in A:
 * MARK (the mapper's progress) and ACK (the granter's).
 */
#include "grant_util.h"

TEST_NAME("grant_share");

#define MARK_OFF  2048
#define ACK_OFF   2052
#define MSG_MAP   100
#define MSG_COPY  200
#define WAIT_LONG 2000000UL
#define BENCH_N   1000

static uint8_t a[PAGE_SIZE] PAGE_ALIGNED, b[PAGE_SIZE] PAGE_ALIGNED, c[PAGE_SIZE] PAGE_ALIGNED;
static uint8_t d[PAGE_SIZE] PAGE_ALIGNED;
static uint8_t win1[PAGE_SIZE] PAGE_ALIGNED, win2[PAGE_SIZE] PAGE_ALIGNED;

static void put_str(void *dst, const char *s)
{
    memcpy(dst, s, strlen(s) + 1);
}

static volatile uint32_t *word(void *page, unsigned int off)
{
    return (volatile uint32_t *)((uint8_t *)page + off);
}

static bool is_role(const char *role)
{
    const char *r = strstr((const char *)start_info->cmd_line, "role=");

    return r && strncmp(r + 5, role, strlen(role)) == 0;
}

static void check_queries(void)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    struct gnttab_get_version gv = {.dom = DOMID_SELF};
    struct gnttab_set_version sv = {.version = 1};

    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
    TEST_EQ(q.status, GNTST_okay);
    TEST_EQ(q.nr_frames, 1);
    TEST_EQ(q.max_nr_frames, 64);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
    TEST_EQ(gv.version, 1);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &q, 1), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_transfer, &q, 1), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_unmap_and_replace, &q, 1), -XEN_ENOSYS);
}

/* ---- granter ---- */

#define REF_FAR 1100 /* in the table's third frame */

static grant_entry_v1_t table3[PAGE_SIZE / sizeof(grant_entry_v1_t)] PAGE_ALIGNED;

/* setup_table for n frames; their numbers in out.  Returns the status (or the error). */
static int setup(unsigned int n, xen_pfn_t *out)
{
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = n, .status = 99};
    int rc;

    set_xen_guest_handle(st.frame_list, out);
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    return rc ? rc : st.status;
}

/* The table grows to three frames (never shrinks); ref REF_FAR grants B from the third. */
static void grow_table(domid_t peer)
{
    xen_pfn_t f[3] = {0}, again[1] = {0};
    struct gnttab_query_size q = {.dom = DOMID_SELF};

    TEST_EQ(setup(3, f), 0);
    TEST_EQ(f[0], pte_mfn(*pte_lookup((uintptr_t)gnt_table)));
    TEST_ASSERT(f[1] && f[2] && f[1] != f[0] && f[2] != f[1]);
    TEST_EQ(setup(1, again), 0);
    TEST_EQ(again[0], f[0]);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
    TEST_EQ(q.nr_frames, 3);
    TEST_EQ(map_page((uintptr_t)table3, pte_make(f[2], PTE_KERNEL_RW)), 0);
    table3[REF_FAR - 1024].domid = peer;
    table3[REF_FAR - 1024].frame = (uint32_t)va_to_mfn(b);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    table3[REF_FAR - 1024].flags = GTF_permit_access | GTF_readonly;
}

static void granter(domid_t peer)
{
    for (unsigned int i = 0; i < PAGE_SIZE; i++) {
        b[i] = (uint8_t)(i ^ 0x5a);
    }
    put_str((char *)a, "granter->mapper via map");
    grow_table(peer);
    gnt_grant(1, peer, va_to_mfn(a), false);
    gnt_grant(2, peer, va_to_mfn(b), true);
    if (!TEST_ASSERT(GNT_WAIT(*word(a, MARK_OFF) == 1, WAIT_LONG))) {
        return;
    }
    /* The mapper holds both mappings now: the monitor marked the entries in use. */
    TEST_EQ(gnt_flags(1), GTF_permit_access | GTF_reading | GTF_writing);
    TEST_EQ(gnt_flags(2), GTF_permit_access | GTF_readonly | GTF_reading);
    TEST_ASSERT(strcmp((char *)a + MSG_MAP, "mapper->granter via map") == 0);
    /* Our copy into the page the mapper granted us (its ref 5). */
    put_str((char *)d, "granter->mapper via copy");
    TEST_EQ(gnt_copy(false, DOMID_SELF, (uint32_t)va_to_mfn(d), 0, true, peer, 5, 64, 32), 0);
    *word(a, ACK_OFF) = 1;
    if (!TEST_ASSERT(GNT_WAIT(*word(a, MARK_OFF) == 2, WAIT_LONG))) {
        return;
    }
    TEST_EQ(gnt_flags(1), GTF_permit_access);
    TEST_EQ(gnt_flags(2), GTF_permit_access | GTF_readonly);
    TEST_ASSERT(strcmp((char *)a + MSG_COPY, "mapper->granter via copy") == 0);
    for (unsigned int i = 0; i < PAGE_SIZE; i++) {
        if (b[i] != (uint8_t)(i ^ 0x5a)) {
            TEST_CHECK(false, "read-only page B changed at %u", i);
            break;
        }
    }
    TEST_EQ(table3[REF_FAR - 1024].flags, GTF_permit_access | GTF_readonly);
    gnt_table[1].flags = 0;
    gnt_table[2].flags = 0;
    table3[REF_FAR - 1024].flags = 0;
    TEST_EQ(map_page((uintptr_t)table3, pte_make(va_to_mfn(table3), PTE_KERNEL_RW)), 0);
    test_note("granter: data passed both ways");
}

/* ---- mapper ---- */

static void bench(domid_t peer, unsigned long dmfn)
{
    uint64_t t0, t4k, t0b, tmem;

    t0 = __builtin_ia32_rdtsc();
    for (unsigned int i = 0; i < BENCH_N; i++) {
        gnt_copy(true, peer, 2, 0, false, DOMID_SELF, (uint32_t)dmfn, 0, PAGE_SIZE);
    }
    t4k = (__builtin_ia32_rdtsc() - t0) / BENCH_N;
    t0 = __builtin_ia32_rdtsc();
    for (unsigned int i = 0; i < BENCH_N; i++) {
        gnt_copy(true, peer, 2, 0, false, DOMID_SELF, (uint32_t)dmfn, 0, 0);
    }
    t0b = (__builtin_ia32_rdtsc() - t0) / BENCH_N;
    t0 = __builtin_ia32_rdtsc();
    for (unsigned int i = 0; i < BENCH_N; i++) {
        memcpy(d, b + (i & 1), PAGE_SIZE - 1);
        __asm__ volatile("" ::: "memory");
    }
    tmem = (__builtin_ia32_rdtsc() - t0) / BENCH_N;
    test_note("mapper: copy of 4096 bytes %lu cycles, of 0 bytes %lu cycles, guest memcpy "
              "of 4095 bytes %lu cycles",
              (unsigned long)t4k, (unsigned long)t0b, (unsigned long)tmem);
}

static void mapper(domid_t peer)
{
    grant_handle_t h1 = 0, h2 = 0, h3;
    unsigned long dmfn = va_to_mfn(d);

    put_str((char *)c, "untouched");
    gnt_grant(5, peer, va_to_mfn(c), false);
    TEST_EQ(unmap_page((uintptr_t)win1), 0);
    TEST_EQ(unmap_page((uintptr_t)win2), 0);
    /* The granter may not have granted yet: its entries say so. */
    if (!TEST_ASSERT(
            GNT_WAIT(gnt_map(peer, 1, GNTMAP_host_map, (uintptr_t)win1, &h1) == 0, WAIT_LONG))) {
        return;
    }
    TEST_ASSERT(strcmp((char *)win1, "granter->mapper via map") == 0);
    TEST_EQ(gnt_map(peer, 2, GNTMAP_host_map | GNTMAP_readonly, (uintptr_t)win2, &h2), 0);
    TEST_EQ(win2[7], 7 ^ 0x5a);
    TEST_EQ(gnt_map(peer, 2, GNTMAP_host_map, (uintptr_t)win2, &h3), GNTST_permission_denied);
    TEST_EQ(gnt_copy(true, peer, 2, 16, false, DOMID_SELF, (uint32_t)dmfn, 0, 32), 0);
    TEST_EQ(d[5], (16 + 5) ^ 0x5a);
    put_str((char *)win1 + MSG_MAP, "mapper->granter via map");
    *word(win1, MARK_OFF) = 1;
    if (!TEST_ASSERT(GNT_WAIT(*word(win1, ACK_OFF) == 1, WAIT_LONG))) {
        return;
    }
    TEST_ASSERT(strcmp((char *)c + 64, "granter->mapper via copy") == 0);
    TEST_EQ(gnt_copy(true, peer, 1100, 100, false, DOMID_SELF, (uint32_t)dmfn, 0, 8), 0);
    TEST_EQ(d[3], (100 + 3) ^ 0x5a); /* through the granter's third table frame */
    if (gnt_arg("bench", 0)) {
        bench(peer, dmfn);
    }
    TEST_EQ(gnt_unmap(h1, (uintptr_t)win1), 0);
    TEST_EQ(gnt_unmap(h2, (uintptr_t)win2), 0);
    TEST_EQ(gnt_unmap(h1, 0), GNTST_bad_handle);
    TEST_ASSERT(!(*pte_lookup((uintptr_t)win1) & _PAGE_PRESENT));
    put_str((char *)d, "mapper->granter via copy");
    TEST_EQ(gnt_copy(false, DOMID_SELF, (uint32_t)dmfn, 0, true, peer, 1, MSG_COPY, 32), 0);
    *word(d, 0) = 2;
    TEST_EQ(gnt_copy(false, DOMID_SELF, (uint32_t)dmfn, 0, true, peer, 1, MARK_OFF, 4), 0);
    TEST_EQ(map_page((uintptr_t)win1, pte_make(va_to_mfn(win1), PTE_KERNEL_RW)), 0);
    TEST_EQ(map_page((uintptr_t)win2, pte_make(va_to_mfn(win2), PTE_KERNEL_RW)), 0);
    test_note("mapper: data passed both ways");
}

int guest_main(void)
{
    domid_t peer = (domid_t)gnt_arg("peer", 0);

    if (!TEST_EQ(gnt_init(), 0)) {
        test_finish();
    }
    check_queries();
    if (is_role("granter")) {
        granter(peer);
    } else {
        mapper(peer);
    }
    gnt_table[5].flags = 0;
    TEST_EQ(gnt_fini(), 0);
    test_finish();
}
