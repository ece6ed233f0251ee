/*
 * Hostile test guest: grant-table attacks.  Run as three domains (ids: module order):
 *
 *     role=victim   peer=<attacker> other=<bystander>   grants pages, some to others
 *     role=attacker peer=<victim>   other=<bystander>   attacks the grants and the monitor
 *     a bystander (any test guest) that must finish its own test
 *
 * The attacker maps grants it was not given, maps a read-only grant writable and a page
 * table granted writable, passes bad references, domains, addresses, handles, offsets,
 * lengths, pointers and counts, tries to copy, replace or clear a grant mapping's L1
 * entry with mmu_update and update_va_mapping, takes every handle, and leaves with two
 * mappings live.  The victim revokes one granted page and gives another back to the
 * monitor while both are mapped: the mappings stay valid and the frame is freed only at
 * the unmap.  With mode=orphan the victim leaves first while the attacker maps its page:
 * the page stays the attacker's to read and unmap.  Sides take turns through words of
 * page A (MARK: the attacker's progress, ACK: the victim's).
 */
#include "grant_util.h"
#include "guest/memory.h"

TEST_NAME("hostile_grant");

#define MARK_OFF  2048
#define ACK_OFF   2052
#define WAIT_LONG 2000000UL
#define MONITOR   0xF5800000UL

enum { REF_A = 1, REF_B = 2, REF_OTHER = 3, REF_REVOKE = 4, REF_FREE = 6, REF_TABLE = 7 };

static uint8_t pa[PAGE_SIZE] PAGE_ALIGNED, pb[PAGE_SIZE] PAGE_ALIGNED, pc[PAGE_SIZE] PAGE_ALIGNED;
static uint8_t pd[PAGE_SIZE] PAGE_ALIGNED, pe[PAGE_SIZE] PAGE_ALIGNED;
static uint8_t win[7][PAGE_SIZE] PAGE_ALIGNED;
static domid_t peer, other;

static volatile uint32_t *word(void *page, unsigned int off)
{
    return (volatile uint32_t *)((uint8_t *)page + off);
}

static bool is_role(const char *role)
{
    const char *r = strstr((const char *)start_info->cmd_line, "role=");

    return r && strncmp(r + 5, role, strlen(role)) == 0;
}

static void fill(uint8_t *p, uint8_t seed)
{
    for (unsigned int i = 0; i < PAGE_SIZE; i++) {
        p[i] = (uint8_t)(i * 7 + seed);
    }
}

static bool filled(const volatile uint8_t *p, uint8_t seed, unsigned int from)
{
    for (unsigned int i = from; i < PAGE_SIZE; i++) {
        if (p[i] != (uint8_t)(i * 7 + seed)) {
            return false;
        }
    }
    return true;
}

/* Machine address of the L1 entry that maps va. */
static uint64_t pte_maddr(uintptr_t va)
{
    return va_to_maddr((const void *)(uintptr_t)pte_lookup(va));
}

static unsigned long pt_base_mfn(void)
{
    return va_to_mfn((void *)start_info->pt_base);
}

/* ---------------------------------------------------------------- victim -------- */

static void victim_grants(void)
{
    fill(pa, 1);
    fill(pb, 2);
    fill(pc, 3);
    fill(pd, 4);
    fill(pe, 5);
    *word(pa, MARK_OFF) = 0;
    *word(pa, ACK_OFF) = 0;
    gnt_grant(REF_B, peer, va_to_mfn(pb), true);
    gnt_grant(REF_OTHER, other, va_to_mfn(pc), false);
    gnt_grant(REF_REVOKE, peer, va_to_mfn(pd), false);
    gnt_grant(REF_FREE, peer, va_to_mfn(pe), false);
    gnt_grant(REF_TABLE, peer, pt_base_mfn(), false);
    gnt_grant(REF_A, peer, va_to_mfn(pa), false); /* last: the attacker starts with it */
}

/* The attacker maps D and E; we revoke D's entry and give E's frame back meanwhile. */
static void victim_revoke_and_free(void)
{
    xen_pfn_t e = va_to_mfn(pe);
    long before = xenmem_current_reservation(DOMID_SELF);

    TEST_EQ(unmap_page((uintptr_t)pe), 0);
    gnt_table[REF_REVOKE].flags = 0;
    TEST_EQ(xenmem_decrease(&e, 1, 0), 1);
    /* Still mapped by the attacker: the frame stays, and stays counted. */
    TEST_EQ(xenmem_current_reservation(DOMID_SELF), before);
    *word(pa, ACK_OFF) = 1;
    if (!TEST_ASSERT(GNT_WAIT(*word(pa, MARK_OFF) == 2, WAIT_LONG))) {
        return;
    }
    TEST_EQ(xenmem_current_reservation(DOMID_SELF), before - 1);
    TEST_EQ(gnt_flags(REF_FREE), GTF_permit_access);
    TEST_EQ(gnt_flags(REF_OTHER), GTF_permit_access);
    TEST_EQ(gnt_flags(REF_TABLE), GTF_permit_access);
}

static void victim(void)
{
    victim_grants();
    if (!TEST_ASSERT(GNT_WAIT(*word(pa, MARK_OFF) == 1, WAIT_LONG))) {
        return;
    }
    TEST_EQ(gnt_flags(REF_REVOKE), GTF_permit_access | GTF_reading | GTF_writing);
    if (gnt_arg("orphan", 0)) {
        test_note("victim: leaving while the attacker maps page A");
        return;
    }
    victim_revoke_and_free();
    /* The attacker leaves with A and B mapped: its destruction must release them. */
    TEST_ASSERT(GNT_WAIT_SLEEP(!(gnt_flags(REF_A) & (GTF_reading | GTF_writing)) &&
                               !(gnt_flags(REF_B) & GTF_reading)));
    TEST_ASSERT(filled(pb, 2, 0));
    test_note("victim: every mapping released");
}

/* ---------------------------------------------------------------- attacker ------ */

#define MAP(ref, flags, addr) gnt_map(peer, (ref), (flags), (addr), &h)

static void attack_refs(void)
{
    grant_handle_t h;
    uint32_t host = GNTMAP_host_map;

    TEST_EQ(MAP(REF_OTHER, host | GNTMAP_readonly, (uintptr_t)win[2]), GNTST_permission_denied);
    TEST_EQ(MAP(REF_B, host, (uintptr_t)win[2]), GNTST_permission_denied);
    TEST_EQ(MAP(REF_TABLE, host, (uintptr_t)win[2]), GNTST_general_error);
    TEST_EQ(MAP(0, host, (uintptr_t)win[2]), GNTST_permission_denied); /* never granted */
    TEST_EQ(MAP(512, host, (uintptr_t)win[2]), GNTST_bad_gntref);
    TEST_EQ(MAP(0xFFFFFFFFu, host, (uintptr_t)win[2]), GNTST_bad_gntref);
    TEST_EQ(gnt_map(77, REF_A, host, (uintptr_t)win[2], &h), GNTST_bad_domain);
    TEST_EQ(gnt_map(DOMID_SELF, REF_A, host, (uintptr_t)win[2], &h), GNTST_permission_denied);
    TEST_EQ(gnt_map(other, REF_A, host, (uintptr_t)win[2], &h), GNTST_bad_gntref);
    /* Where the mapping would go. */
    TEST_EQ(MAP(REF_A, host, MONITOR), GNTST_bad_virt_addr);
    TEST_EQ(MAP(REF_A, host, 0xFFFFF000UL), GNTST_bad_virt_addr);
    TEST_EQ(MAP(REF_A, host, 0x100000000ULL + (uintptr_t)win[2]), GNTST_bad_virt_addr);
    TEST_EQ(MAP(REF_A, host, 0x10000000UL), GNTST_bad_virt_addr);  /* no L1 there */
    TEST_EQ(MAP(REF_A, host, (uintptr_t)pb), GNTST_general_error); /* a page is mapped there */
    TEST_EQ(MAP(REF_A, host | GNTMAP_contains_pte, va_to_maddr(pb)), GNTST_bad_virt_addr);
    TEST_EQ(MAP(REF_A, host | GNTMAP_contains_pte, pte_maddr((uintptr_t)win[2]) + 1),
            GNTST_bad_virt_addr);
    TEST_EQ(MAP(REF_A, 0, (uintptr_t)win[2]), GNTST_general_error);
    TEST_EQ(MAP(REF_A, host | (1u << 9), (uintptr_t)win[2]), GNTST_general_error);
    /* None of that left anything behind in the victim's entries. */
    TEST_EQ(gnt_copy(true, peer, REF_B, 0, false, DOMID_SELF, (uint32_t)va_to_mfn(pc), 0, 16), 0);
}

/* The grant mapping's L1 entry: neither copied, replaced nor cleared by the guest. */
static void attack_entry(void)
{
    pte_t g = *pte_lookup((uintptr_t)win[0]);
    mmu_update_t u = {.ptr = pte_maddr(((uintptr_t)win[0])), .val = 0};
    mmu_update_t c = {.ptr = pte_maddr(((uintptr_t)win[3])), .val = g};

    TEST_ASSERT(g & _PAGE_PRESENT);
    TEST_EQ(HYPERVISOR_update_va_mapping((uintptr_t)win[3], g, UVMF_INVLPG), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_va_mapping((uintptr_t)win[3], g & ~_PAGE_RW, UVMF_INVLPG),
            -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_mmu_update(&c, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_va_mapping((uintptr_t)win[0], 0, UVMF_INVLPG), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_va_mapping((uintptr_t)win[0], pte_make(va_to_mfn(pc), PTE_KERNEL_RW),
                                         UVMF_INVLPG),
            -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(*pte_lookup((uintptr_t)win[0]), g);
    TEST_ASSERT(!(*pte_lookup((uintptr_t)win[3]) & _PAGE_PRESENT));
}

/* A page holding a copy of the grant entry does not validate as an L1. */
static void attack_forged_l1(void)
{
    static pte_t forged[PAGE_SIZE / sizeof(pte_t)] PAGE_ALIGNED;
    struct mmuext_op pin = {.cmd = MMUEXT_PIN_L1_TABLE};
    unsigned int done = 9;

    forged[0] = *pte_lookup((uintptr_t)win[0]);
    pin.arg1.mfn = va_to_mfn(forged);
    TEST_EQ(unmap_page((uintptr_t)forged), 0); /* no writable mapping left */
    TEST_EQ(HYPERVISOR_mmuext_op(&pin, 1, &done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(done, 0);
    TEST_EQ(map_page((uintptr_t)forged, pte_make(pin.arg1.mfn, PTE_KERNEL_RW)), 0);
    TEST_EQ(forged[0], *pte_lookup((uintptr_t)win[0]));
}

/* GNTMAP_contains_pte: the entry named by its machine address. */
static void attack_contains_pte(void)
{
    grant_handle_t h;
    uint64_t ma = pte_maddr(((uintptr_t)win[3]));

    TEST_EQ(MAP(REF_A, GNTMAP_host_map | GNTMAP_readonly | GNTMAP_contains_pte, ma), 0);
    TEST_EQ(win[3][5], (uint8_t)(5 * 7 + 1));
    TEST_EQ(gnt_unmap(h, ma + 8), GNTST_general_error); /* not this mapping's address */
    TEST_EQ(gnt_unmap(h, ma), 0);
    TEST_ASSERT(!(*pte_lookup((uintptr_t)win[3]) & _PAGE_PRESENT));
}

/* Device mappings need no address: take every handle, then give them all back. */
static void attack_handles(void)
{
    static grant_handle_t hs[300];
    unsigned int n = 0;
    int rc;

    while (n < 300 && (rc = gnt_map(peer, REF_B, GNTMAP_device_map | GNTMAP_readonly, 0, &hs[n])) ==
                          GNTST_okay) {
        n++;
    }
    TEST_EQ(rc, GNTST_no_device_space);
    TEST_ASSERT(n > 200 && n < 256); /* 256 handles, a few already in use */
    TEST_EQ(gnt_unmap(hs[0], (uintptr_t)win[2]), GNTST_general_error); /* no host mapping */
    {
        struct gnttab_unmap_grant_ref u = {.dev_bus_addr = 0x1000, .handle = hs[0]};
        TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
        TEST_EQ(u.status, GNTST_bad_dev_addr);
    }
    for (unsigned int i = 0; i < n; i++) {
        if (!TEST_EQ(gnt_unmap(hs[i], 0), 0)) {
            break;
        }
    }
    TEST_EQ(gnt_unmap(hs[0], 0), GNTST_bad_handle);
    TEST_EQ(gnt_unmap(256, 0), GNTST_bad_handle);
    TEST_EQ(gnt_unmap(0xFFFFFFFFu, 0), GNTST_bad_handle);
}

static void attack_copy(void)
{
    uint32_t own = (uint32_t)va_to_mfn(pc);
    uint32_t victims = (uint32_t)pte_mfn(*pte_lookup((uintptr_t)win[0])); /* page A */
    uint32_t si = (uint32_t)(start_info->shared_info >> PAGE_SHIFT);
    struct gnttab_copy bad = {.len = 8, .flags = 4};

    TEST_EQ(gnt_copy(true, peer, REF_B, 4000, false, DOMID_SELF, own, 0, 100), GNTST_bad_copy_arg);
    TEST_EQ(gnt_copy(true, peer, REF_B, 0, false, DOMID_SELF, own, 4090, 7), GNTST_bad_copy_arg);
    TEST_EQ(gnt_copy(true, peer, REF_B, 0xFFFF, false, DOMID_SELF, own, 0, 1), GNTST_bad_copy_arg);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_copy, &bad, 1), 0);
    TEST_EQ(bad.status, GNTST_general_error);
    /* Frames by number: only our own, never a table or the shared-info page. */
    TEST_EQ(gnt_copy(false, DOMID_SELF, victims, 0, false, DOMID_SELF, own, 0, 8), GNTST_bad_page);
    TEST_EQ(gnt_copy(false, peer, victims, 0, false, DOMID_SELF, own, 0, 8),
            GNTST_permission_denied);
    TEST_EQ(gnt_copy(false, DOMID_SELF, own, 0, false, DOMID_SELF, victims, 0, 8), GNTST_bad_page);
    TEST_EQ(gnt_copy(false, DOMID_SELF, own, 0, false, DOMID_SELF, (uint32_t)pt_base_mfn(), 0, 8),
            GNTST_bad_page);
    TEST_EQ(gnt_copy(false, DOMID_SELF, own, 0, false, DOMID_SELF, si, 0, 8), GNTST_bad_page);
    TEST_EQ(gnt_copy(false, DOMID_SELF, 0xFFFFFFFFu, 0, false, DOMID_SELF, own, 0, 8),
            GNTST_bad_page);
    /* Grants: not written through read-only or to a page table, not someone else's. */
    TEST_EQ(gnt_copy(false, DOMID_SELF, own, 0, true, peer, REF_B, 0, 8), GNTST_permission_denied);
    TEST_EQ(gnt_copy(false, DOMID_SELF, own, 0, true, peer, REF_TABLE, 0, 8), GNTST_general_error);
    TEST_EQ(gnt_copy(true, peer, REF_OTHER, 0, false, DOMID_SELF, own, 0, 8),
            GNTST_permission_denied);
    TEST_EQ(gnt_copy(true, peer, 100000, 0, false, DOMID_SELF, own, 0, 8), GNTST_bad_gntref);
    /* Reading the page table the victim granted is its choice. */
    TEST_EQ(gnt_copy(true, peer, REF_TABLE, 0, false, DOMID_SELF, own, 0, 8), 0);
}

static void attack_batches(void)
{
    struct gnttab_map_grant_ref m[3] = {
        {.host_addr = (uintptr_t)win[4], .flags = GNTMAP_host_map, .ref = REF_A, .dom = peer},
        {.host_addr = (uintptr_t)win[5], .flags = GNTMAP_host_map, .ref = REF_B, .dom = peer},
        {.host_addr = (uintptr_t)win[5],
         .flags = GNTMAP_host_map | GNTMAP_readonly,
         .ref = REF_B,
         .dom = peer},
    };
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 65};
    struct gnttab_query_size q = {.dom = peer};

    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, m, 3), 0);
    TEST_EQ(m[0].status, 0);
    TEST_EQ(m[1].status, GNTST_permission_denied);
    TEST_EQ(m[2].status, 0);
    TEST_EQ(win[4][9], (uint8_t)(9 * 7 + 1));
    TEST_EQ(win[5][9], (uint8_t)(9 * 7 + 2));
    /* Left mapped on purpose: the monitor releases them when we are destroyed. */
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_copy, m, 513), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_copy, m, 0x80000000u), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, (void *)MONITOR, 1), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, (void *)(MONITOR - 16), 1),
            -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, NULL, 1), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_copy, (void *)0x10000000, 2), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 2), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
    TEST_EQ(st.status, GNTST_general_error);
    st.nr_frames = 1;
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)MONITOR);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
    TEST_EQ(st.status, GNTST_bad_virt_addr);
    st.dom = peer;
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
    TEST_EQ(st.status, GNTST_permission_denied);
    TEST_EQ(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
    TEST_EQ(q.status, GNTST_permission_denied);
    TEST_EQ(HYPERVISOR_grant_table_op(99, &q, 1), -XEN_ENOSYS);
}

/* The victim left while we map its pages: they are ours to read and unmap still. */
static void attacker_orphaned(grant_handle_t ha, grant_handle_t hd, grant_handle_t he)
{
    uint32_t own = (uint32_t)va_to_mfn(pc);

    /* An empty copy from its grant tells when the victim's domain has gone. */
    if (!TEST_ASSERT(GNT_WAIT_SLEEP(gnt_copy(true, peer, REF_B, 0, false, DOMID_SELF, own, 0, 0) ==
                                    GNTST_bad_domain))) {
        return;
    }
    TEST_EQ(win[0][5], (uint8_t)(5 * 7 + 1));
    TEST_ASSERT(filled(win[1], 4, 0) && filled(win[6], 5, 0));
    win[0][5] = 0x77;
    TEST_EQ(gnt_unmap(ha, (uintptr_t)win[0]), 0);
    TEST_EQ(gnt_unmap(hd, (uintptr_t)win[1]), 0);
    TEST_EQ(gnt_unmap(he, (uintptr_t)win[6]), 0);
    test_note("attacker: the victim's pages outlived it until unmapped");
}

/* Revoked and given-back pages stay mapped and intact; no new mapping of them. */
static void attacker_after_revoke(grant_handle_t hd, grant_handle_t he)
{
    grant_handle_t h;

    if (!TEST_ASSERT(GNT_WAIT(*word(win[0], ACK_OFF) == 1, WAIT_LONG))) {
        return;
    }
    TEST_ASSERT(filled(win[1], 4, 0));
    TEST_ASSERT(filled(win[6], 5, 0)); /* not freed, not poisoned, not reused */
    win[6][0] = 0x99;
    TEST_EQ(MAP(REF_REVOKE, GNTMAP_device_map, 0), GNTST_permission_denied);
    TEST_EQ(MAP(REF_FREE, GNTMAP_device_map, 0), GNTST_general_error);
    TEST_EQ(gnt_unmap(hd, (uintptr_t)win[1]), 0);
    TEST_EQ(gnt_unmap(he, (uintptr_t)win[6]), 0);
}

static void attacker(void)
{
    grant_handle_t ha = 0, hd = 0, he = 0;
    static const unsigned int empty[] = {0, 1, 3, 4, 5, 6};

    for (unsigned int i = 0; i < ARRAY_SIZE(empty); i++) {
        TEST_EQ(unmap_page((uintptr_t)win[empty[i]]), 0);
    }
    if (!TEST_ASSERT(GNT_WAIT(gnt_map(peer, REF_A, GNTMAP_host_map, (uintptr_t)win[0], &ha) == 0,
                              WAIT_LONG))) {
        return;
    }
    TEST_EQ(gnt_map(peer, REF_REVOKE, GNTMAP_host_map, (uintptr_t)win[1], &hd), 0);
    TEST_EQ(gnt_map(peer, REF_FREE, GNTMAP_host_map, (uintptr_t)win[6], &he), 0);
    attack_refs();
    attack_entry();
    attack_forged_l1();
    attack_contains_pte();
    attack_handles();
    attack_copy();
    *word(win[0], MARK_OFF) = 1;
    if (gnt_arg("orphan", 0)) {
        attacker_orphaned(ha, hd, he);
        return;
    }
    attacker_after_revoke(hd, he);
    attack_batches();
    *word(win[0], MARK_OFF) = 2;
    test_note("attacker: leaving with three grant mappings live");
}

int guest_main(void)
{
    peer = (domid_t)gnt_arg("peer", 0);
    other = (domid_t)gnt_arg("other", 0);
    if (is_role("victim")) {
        if (!TEST_EQ(gnt_init(), 0)) {
            test_finish();
        }
        victim();
        TEST_EQ(gnt_fini(), 0);
    } else {
        attacker();
    }
    test_finish();
}
