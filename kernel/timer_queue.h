/*
 * The monitor's timers and the ordered queue that holds them: the list logic alone, with
 * no locks and no hardware, so that it can be tested on the host.  kernel/timer.h is the
 * interface the rest of the monitor uses.
 */
#ifndef KERNEL_TIMER_QUEUE_H
#define KERNEL_TIMER_QUEUE_H

#include "kernel/types.h"

typedef void (*timer_fn)(void *arg);

/*
 * A timer lives inside the object it serves (a vCPU, a CPU's scheduler state): arming one
 * never allocates.  The fields below fn and arg belong to the queue it is on (its lock).
 */
struct timer {
    timer_fn fn;
    void *arg;
    uint64_t deadline;  /* absolute, in time_now_ns() nanoseconds */
    struct timer *next; /* the next later timer on the same queue */
    bool queued;
    uint8_t cpu;    /* whose queue, while queued */
    uint16_t domid; /* the domain it serves (0: the monitor), for the leak check */
};

/* Timers ordered by deadline, earliest first; equal deadlines in the order they were set. */
struct timer_queue {
    struct timer *head;
};

/* Puts t (not queued) in its place by t->deadline.  Returns true when t became the head. */
bool tq_insert(struct timer_queue *q, struct timer *t);

/* Takes t off q; returns false (and does nothing) when it is not on q. */
bool tq_remove(struct timer_queue *q, struct timer *t);

/* Takes the head off and returns it when its deadline is at or before now; else NULL. */
struct timer *tq_pop_expired(struct timer_queue *q, uint64_t now);

static inline struct timer *tq_first(const struct timer_queue *q)
{
    return q->head;
}

#endif
