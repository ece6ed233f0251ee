/*
 * Unit tests of the grant-entry state logic (kernel/grant_entry.c): which v1 entries may
 * be pinned by whom and how, and how GTF_reading and GTF_writing come and go while the
 * guest's own bits stay.
 */
#include <string.h>

#include "unit.h"
#include "kernel/grant_entry.h"

#define MAPPER 5
#define FRAME  0x1234u

static grant_entry_v1_t entry(uint16_t flags, domid_t domid)
{
    return (grant_entry_v1_t){.flags = flags, .domid = domid, .frame = FRAME};
}

static void pin_writable_marks_reading_and_writing(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access, MAPPER);
    uint32_t frame = 0;
    assert_int_equal(gnt_entry_pin(&e, MAPPER, false, &frame), GNTST_okay);
    assert_int_equal(frame, FRAME);
    assert_int_equal(e.flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(e.domid, MAPPER);
}

static void pin_readonly_marks_reading_only(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access | GTF_readonly, MAPPER);
    uint32_t frame = 0;
    assert_int_equal(gnt_entry_pin(&e, MAPPER, true, &frame), GNTST_okay);
    assert_int_equal(frame, FRAME);
    assert_int_equal(e.flags, GTF_permit_access | GTF_readonly | GTF_reading);
}

static void readonly_grant_refuses_writers(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access | GTF_readonly, MAPPER);
    uint32_t frame = 0;
    assert_int_equal(gnt_entry_pin(&e, MAPPER, false, &frame), GNTST_permission_denied);
    assert_int_equal(e.flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(frame, 0);
}

static void other_domains_refused(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access, MAPPER);
    uint32_t frame = 0;
    assert_int_equal(gnt_entry_pin(&e, MAPPER + 1, true, &frame), GNTST_permission_denied);
    assert_int_equal(gnt_entry_pin(&e, DOMID_SELF, true, &frame), GNTST_permission_denied);
    assert_int_equal(e.flags, GTF_permit_access);
}

static void entries_not_granting_access_refused(void **state)
{
    static const uint16_t refused[] = {
        GTF_invalid,
        GTF_accept_transfer,
        GTF_transitive,
        GTF_invalid | GTF_reading,
        GTF_permit_access | GTF_sub_page,
        GTF_accept_transfer | GTF_transfer_committed,
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        grant_entry_v1_t e = entry(refused[i], MAPPER);
        uint32_t frame = 0;
        assert_int_equal(gnt_entry_pin(&e, MAPPER, true, &frame), GNTST_permission_denied);
        assert_int_equal(e.flags, refused[i]);
    }
}

static void cache_hints_accepted_and_kept(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access | GTF_PWT | GTF_PCD, MAPPER);
    uint32_t frame;
    assert_int_equal(gnt_entry_pin(&e, MAPPER, true, &frame), GNTST_okay);
    assert_int_equal(e.flags, GTF_permit_access | GTF_PWT | GTF_PCD | GTF_reading);
}

static void second_pin_keeps_bits(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access, MAPPER);
    uint32_t frame;
    assert_int_equal(gnt_entry_pin(&e, MAPPER, false, &frame), GNTST_okay);
    assert_int_equal(gnt_entry_pin(&e, MAPPER, true, &frame), GNTST_okay);
    assert_int_equal(e.flags, GTF_permit_access | GTF_reading | GTF_writing);
}

static void unpin_clears_only_what_it_is_told(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access | GTF_reading | GTF_writing, MAPPER);
    gnt_entry_unpin(&e, false, false);
    assert_int_equal(e.flags, GTF_permit_access | GTF_reading | GTF_writing);
    gnt_entry_unpin(&e, true, false);
    assert_int_equal(e.flags, GTF_permit_access | GTF_reading);
    gnt_entry_unpin(&e, true, true);
    assert_int_equal(e.flags, GTF_permit_access);
    assert_int_equal(e.domid, MAPPER);
    assert_int_equal(e.frame, FRAME);
}

/* The guest revoked the entry while it was mapped: unpinning leaves its value alone. */
static void unpin_after_revoke(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access, MAPPER);
    uint32_t frame;
    assert_int_equal(gnt_entry_pin(&e, MAPPER, false, &frame), GNTST_okay);
    e.flags &= (uint16_t)~GTF_permit_access;
    gnt_entry_unpin(&e, true, true);
    assert_int_equal(e.flags, 0);
    assert_int_equal(gnt_entry_pin(&e, MAPPER, true, &frame), GNTST_permission_denied);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_writable_marks_reading_and_writing),
        cmocka_unit_test(pin_readonly_marks_reading_only),
        cmocka_unit_test(readonly_grant_refuses_writers),
        cmocka_unit_test(other_domains_refused),
        cmocka_unit_test(entries_not_granting_access_refused),
        cmocka_unit_test(cache_hints_accepted_and_kept),
        cmocka_unit_test(second_pin_keeps_bits),
        cmocka_unit_test(unpin_clears_only_what_it_is_told),
        cmocka_unit_test(unpin_after_revoke),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
