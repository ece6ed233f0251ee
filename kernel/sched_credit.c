/* Credit accounting and the run-queue pick (pure logic; see kernel/sched_credit.h). */
#include "kernel/sched_credit.h"
#include "kernel/errno.h"

void credit_acct_init(struct credit_acct *a, unsigned int nr_vcpus)
{
    *a = (struct credit_acct){ .weight = CREDIT_WEIGHT_DEFAULT, .nr_vcpus = nr_vcpus };
}

/* One period's worth of the cap, in ns. */
static int64_t cap_per_period(const struct credit_acct *a)
{
    return (int64_t)(CREDIT_PERIOD_NS * a->cap / 100);
}

int credit_set(struct credit_acct *a, int weight, int cap)
{
    if (weight >= 0 && (weight < CREDIT_WEIGHT_MIN || weight > CREDIT_WEIGHT_MAX)) {
        return -EINVAL;
    }
    if (cap >= 0 && (unsigned int)cap > 100 * a->nr_vcpus) {
        return -EINVAL;
    }
    if (weight >= 0) {
        a->weight = (unsigned int)weight;
    }
    if (cap >= 0 && (unsigned int)cap != a->cap) {
        a->cap = (unsigned int)cap;
        a->cap_budget = cap_per_period(a);
    }
    return 0;
}

void credit_burn(struct credit_acct *a, uint64_t ns)
{
    a->credit -= (int64_t)ns;
    if (a->cap) {
        a->cap_budget -= (int64_t)ns;
    }
    a->cpu_ns += ns;
    a->ran = true;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Whether a counts in this distribution: it wants the CPU and has room for credit. */
static bool takes_credit(const struct credit_acct *a, bool active, int64_t bound)
{
    return (active || a->ran) && a->credit < bound;
}

/*
 * Shares pool among the accounts that take credit, by weight, no account beyond bound:
 * what one cannot hold goes to the others, again by weight (a mostly sleeping domain with
 * a large weight would otherwise soak up each period's credit and leave the rest at the
 * lower bound, where their weights no longer tell them apart).
 */
static void share_pool(struct credit_acct *const accts[], const bool active[], unsigned int n,
                       uint64_t pool, int64_t bound)
{
    bool again = true;
    for (unsigned int i = 0; i < n; i++) {
        accts[i]->full = !takes_credit(accts[i], active[i], bound);
    }
    while (again && pool) {
        uint64_t total_weight = 0;
        again = false;
        for (unsigned int i = 0; i < n; i++) {
            total_weight += accts[i]->full ? 0 : accts[i]->weight;
        }
        if (!total_weight) {
            return;
        }
        /* First those whose share would overflow: they are filled, and the rest shared anew. */
        for (unsigned int i = 0; i < n; i++) {
            struct credit_acct *a = accts[i];
            uint64_t room = (uint64_t)(bound - a->credit);
            if (!a->full && pool * a->weight / total_weight >= room) {
                a->credit = bound;
                a->full = true;
                pool -= room;
                again = true;
            }
        }
        if (!again) {
            for (unsigned int i = 0; i < n; i++) {
                if (!accts[i]->full) {
                    accts[i]->credit += (int64_t)(pool * accts[i]->weight / total_weight);
                }
            }
        }
    }
}

void credit_distribute(struct credit_acct *const accts[], const bool active[], unsigned int n,
                       uint64_t elapsed_ns, unsigned int nr_cpus)
{
    int64_t bound = (int64_t)(CREDIT_CLAMP_PERIODS * CREDIT_PERIOD_NS);
    share_pool(accts, active, n, elapsed_ns * nr_cpus, bound);
    for (unsigned int i = 0; i < n; i++) {
        struct credit_acct *a = accts[i];
        /* An idle domain's old credit is kept but not added to: it cannot hoard. */
        a->credit = clamp64(a->credit, -(int64_t)CREDIT_DEBT_MAX_NS, bound);
        if (a->cap) {
            int64_t refill = (int64_t)(elapsed_ns * a->cap / 100);
            /* Debt carries over; a surplus never grows beyond one refill (no bursts). */
            a->cap_budget = clamp64(a->cap_budget + refill,
                                    -(int64_t)CREDIT_DEBT_MAX_NS * a->nr_vcpus, refill);
        }
        a->ran = false;
    }
}

enum credit_prio credit_prio(const struct credit_acct *a)
{
    if (a->cap && a->cap_budget <= 0) {
        return CREDIT_PARKED;
    }
    return a->credit > 0 ? CREDIT_UNDER : CREDIT_OVER;
}

/*
 * Ranks two candidates: better priority first; then the one with more credit left, the
 * one most owed (taking turns by ring order alone let a heavy domain's credit pile up
 * against the clamp while lighter ones had their turns); then the one that waited longer,
 * so that vCPUs of one domain, which share its credit, take turns.
 */
static bool better(const struct credit_vcpu *v, enum credit_prio p, const struct credit_vcpu *best,
                   enum credit_prio best_prio)
{
    if (p != best_prio || !best) {
        return p < best_prio;
    }
    if (v->acct->credit != best->acct->credit) {
        return v->acct->credit > best->acct->credit;
    }
    return v->last_pick < best->last_pick;
}

/* The best eligible vCPU, yielded ones only when want_yielded; NULL if none. */
static struct credit_vcpu *best_of(struct credit_vcpu *head, bool want_yielded)
{
    struct credit_vcpu *v = head, *best = NULL;
    enum credit_prio best_prio = CREDIT_PARKED;
    do {
        if (v->eligible && v->yielded == want_yielded) {
            enum credit_prio p = credit_prio(v->acct);
            if (p != CREDIT_PARKED && better(v, p, best, best_prio)) {
                best = v;
                best_prio = p;
            }
        }
        v = v->next;
    } while (v != head);
    return best;
}

struct credit_vcpu *credit_pick(struct credit_vcpu *head)
{
    struct credit_vcpu *found, *v;
    uint64_t newest = 0;
    if (!head) {
        return NULL;
    }
    found = best_of(head, false);
    if (!found) {
        found = best_of(head, true);
    }
    /* A yield lasts for one pick: the yielded vCPUs were passed over or are picked now. */
    v = head;
    do {
        newest = v->last_pick > newest ? v->last_pick : newest;
        if (v->eligible) {
            v->yielded = false;
        }
        v = v->next;
    } while (v != head);
    if (found) {
        found->last_pick = newest + 1;
    }
    return found;
}

void runstate_init(struct vcpu_runstate_info *rs, int state, uint64_t now)
{
    *rs = (struct vcpu_runstate_info){ .state = state, .state_entry_time = now };
}

void runstate_change(struct vcpu_runstate_info *rs, int state, uint64_t now)
{
    if (now > rs->state_entry_time) {
        rs->time[rs->state] += now - rs->state_entry_time;
        rs->state_entry_time = now;
    }
    rs->state = state;
}

void runstate_snapshot(const struct vcpu_runstate_info *rs, uint64_t now,
                       struct vcpu_runstate_info *out)
{
    *out = *rs;
    if (now > rs->state_entry_time) {
        out->time[rs->state] += now - rs->state_entry_time;
    }
}
