/* Multicall batches: page-table updates that go together cost one trip to the monitor. */
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"
#include "kernel.h"

void mc_init(struct mc_batch *b)
{
    b->n = 0;
}

static multicall_entry_t *mc_add(struct mc_batch *b, unsigned long op, const char *what)
{
    multicall_entry_t *e;

    if (b->n == MC_MAX) {
        panic("multicall batch full at %s", what);
    }
    e = &b->calls[b->n];
    *e = (multicall_entry_t){.op = op};
    b->what[b->n++] = what;
    return e;
}

void mc_mmu_update(struct mc_batch *b, mmu_update_t *reqs, unsigned int n, const char *what)
{
    multicall_entry_t *e;

    if (n == 0) {
        return;
    }
    e = mc_add(b, __HYPERVISOR_mmu_update, what);
    e->args[0] = (unsigned long)(uintptr_t)reqs;
    e->args[1] = n;
    e->args[2] = 0; /* no count wanted: any failure stops the kernel */
    e->args[3] = DOMID_SELF;
}

void mc_mmuext(struct mc_batch *b, struct mmuext_op *ops, unsigned int n, const char *what)
{
    multicall_entry_t *e;

    if (n == 0) {
        return;
    }
    e = mc_add(b, __HYPERVISOR_mmuext_op, what);
    e->args[0] = (unsigned long)(uintptr_t)ops;
    e->args[1] = n;
    e->args[2] = 0;
    e->args[3] = DOMID_SELF;
}

/* update_va_mapping with an INVLPG of va on this CPU (a PAE entry takes two arguments). */
void mc_va_mapping(struct mc_batch *b, uintptr_t va, pte_t pte, const char *what)
{
    multicall_entry_t *e = mc_add(b, __HYPERVISOR_update_va_mapping, what);

    e->args[0] = va;
    e->args[1] = (unsigned long)(uint32_t)pte;
    e->args[2] = (unsigned long)(uint32_t)(pte >> 32);
    e->args[3] = UVMF_INVLPG | UVMF_LOCAL;
}

/*
 * The monitor runs every entry even after one failed (as Xen does), so all results are
 * looked at.  A refused page-table update here is a kernel bug or a monitor that breaks
 * the ABI: either way going on would leave the tables in a state nobody knows.
 */
void mc_run(struct mc_batch *b)
{
    int rc;

    if (b->n == 0) {
        return;
    }
    rc = HYPERVISOR_multicall(b->calls, b->n);
    if (rc != 0) {
        panic("multicall (%s, ...) failed: %d (%s)", b->what[0], rc, errname(rc));
    }
    for (unsigned int i = 0; i < b->n; i++) {
        long res = (long)b->calls[i].result;
        if (res != 0) {
            panic("%s failed in a multicall: %ld (%s)", b->what[i], res, errname(res));
        }
    }
    b->n = 0;
}
