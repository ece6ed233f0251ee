/*
 * Domains and their virtual CPUs.  A domain owns machine frames (page_info.owner), a
 * shared-info page and up to MAX_VCPUS vCPUs; the architecture's part of a vCPU (saved
 * registers, virtual IDT, kernel stack, callbacks) is struct arch_vcpu.
 *
 * Locking: domains_lock protects the domain table; d->lock a domain's lifecycle state;
 * d->mm_lock its frames' types and counts.  Order: domains_lock, d->lock, the grant lock
 * (kernel/grant_table.h), d->mm_lock.
 */
#ifndef KERNEL_DOMAIN_H
#define KERNEL_DOMAIN_H

#include "arch/x86/vcpu.h"
#include "kernel/event.h"
#include "kernel/sched_credit.h"
#include "kernel/spinlock.h"
#include "kernel/vtime.h"
#include "kernel/xen.h"
#include <xen/features.h>
#include <xen/sched.h>

/* The Xen features (submap 0) every guest gets: xen_version reports them, the builder checks them. */
#define GUEST_FEATURES_SUBMAP0 ((1u << XENFEAT_writable_descriptor_tables) | \
                                (1u << XENFEAT_pae_pgdir_above_4gb))

#define MAX_DOMAINS        128     /* ids 1..127; id 0 is the monitor's */
#define MAX_VCPUS          XEN_LEGACY_MAX_VCPUS
#define DOMAIN_NAME_MAX    32
#define GUEST_CMDLINE_MAX  MAX_GUEST_CMDLINE

enum domain_state {
    DOMAIN_RUNNING,      /* may run (unless paused) */
    DOMAIN_SHUTDOWN,     /* shut down (by itself or crashed), waiting to be destroyed */
    DOMAIN_PRESERVED,    /* crashed with on_crash=preserve: kept for inspection */
};

enum crash_action { ON_CRASH_DESTROY, ON_CRASH_RESTART, ON_CRASH_PRESERVE };

struct domain_config {
    char name[DOMAIN_NAME_MAX];
    uint32_t memory_mib;
    uint32_t max_memory_mib;
    uint32_t vcpus;
    uint32_t weight, cap;       /* credit scheduler: share and percent-of-a-CPU limit (0 = none) */
    enum crash_action on_crash;
    bool privileged;
    char guest_cmdline[GUEST_CMDLINE_MAX];
    unsigned int module;        /* boot module holding the kernel */
    unsigned int restarts;      /* how often it was built again after a reboot or crash */
};

struct vcpu {
    struct domain *domain;
    unsigned int id;
    bool up;                    /* initialised and not taken down */
    bool initialised;           /* has a context: at build (vCPU 0) or VCPUOP_initialise */
    bool blocked;               /* SCHEDOP_block: waits for an event */
    bool running;               /* on a CPU now */
    uint64_t poll_deadline;     /* SCHEDOP_poll: system time it wakes at; 0 = none */
    /* Scheduler state (kernel/sched.c, under its lock; runstate also read by vcpu_op). */
    struct credit_vcpu sched;   /* run queue ring link, yield flag, pick order */
    uint64_t run_start;         /* system time its CPU time was last accounted up to */
    struct vcpu_runstate_info runstate;
    uint32_t runstate_area;     /* guest VA the record is copied to at each switch; 0 = none */
    bool runstate_stale;        /* entered from the idle loop: the area is copied at its next exit */
    vcpu_info_t *vcpu_info;     /* in the shared info page */
    struct evtchn_vcpu evtchn;  /* VIRQ bindings, SCHEDOP_poll ports (kernel/event.h) */
    /*
     * update_va_mapping's last walk (kernel/hc_mm.c): the L1 under L2 index va >> 21 of
     * base (mfn + 1), valid while the domain's pt_generation is gen.  Under mm_lock.
     */
    struct {
        uint32_t gen, base, index, l1_mfn;
    } va_walk;
    struct vcpu_timers timers;  /* its guest timers (kernel/vtime.h) */
    struct arch_vcpu arch;
};

struct domain {
    uint16_t id;
    char name[DOMAIN_NAME_MAX];
    struct domain_config cfg;

    spinlock_t lock;            /* state, pause_count, shutdown fields */
    enum domain_state state;
    unsigned int pause_count;
    unsigned int shutdown_reason;   /* SHUTDOWN_* */
    bool crashed;

    spinlock_t mm_lock;         /* page types and counts of this domain's frames */
    uint32_t pt_generation;     /* +1 on every change of an L2 or L3 entry in use */
    uint32_t tot_pages, max_pages;
    uint32_t frames_free_at_build;  /* monitor free frames before the build (leak check) */

    shared_info_t *shared_info;
    mfn_t shared_info_mfn;
    unsigned long vm_assist;

    unsigned int nr_vcpus;
    struct vcpu *vcpu[MAX_VCPUS];

    struct credit_acct credit;      /* weight, cap, credit, CPU time used (kernel/sched.c) */

    struct evtchn_domain evtchn;    /* event-channel ports (kernel/event.h) */
};

/* Creates an empty domain with the next free id; NULL when the table is full. */
struct domain *domain_create(const struct domain_config *cfg);

/* Frees everything of a domain; reports (and returns) frames that could not be freed. */
uint32_t domain_destroy(struct domain *d);

/*
 * Destroys a domain that shut down and, for a reboot or a crash with on_crash=restart,
 * builds it again from its module.  Returns true when a new domain took its place.
 */
bool domain_reap(struct domain *d);

struct domain *domain_by_id(uint16_t id);
unsigned int domain_count(void);

/* The domain shuts itself down (SCHEDOP_shutdown): never returns to it. */
void domain_shutdown(struct domain *d, unsigned int reason);

/* A fault the domain cannot take: dump, then act on on_crash. */
void domain_crash(struct domain *d, const char *why);

void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);

/* The vCPU running on this CPU, or NULL in the idle loop. */
struct vcpu *current_vcpu(void);

/* Called when every domain has gone; decides whether the monitor stops. */
void domains_all_gone(void);

#endif
