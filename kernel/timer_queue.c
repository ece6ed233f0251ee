/* The ordered timer queue: a singly linked list kept sorted by deadline. */
#include "kernel/timer_queue.h"

/*
 * A list rather than a heap: a queue holds a few timers per vCPU of its CPU (bounded by
 * MAX_VCPUS per domain, none allocated on demand) plus the CPU's own, so a walk is short,
 * and a list keeps equal deadlines in arming order without extra bookkeeping.
 */
bool tq_insert(struct timer_queue *q, struct timer *t)
{
    struct timer **link = &q->head;

    while (*link && (*link)->deadline <= t->deadline) {
        link = &(*link)->next;
    }
    t->next = *link;
    *link = t;
    t->queued = true;
    return link == &q->head;
}

bool tq_remove(struct timer_queue *q, struct timer *t)
{
    struct timer **link = &q->head;

    if (!t->queued) {
        return false;
    }
    while (*link && *link != t) {
        link = &(*link)->next;
    }
    if (!*link) {
        return false;
    }
    *link = t->next;
    t->next = NULL;
    t->queued = false;
    return true;
}

struct timer *tq_pop_expired(struct timer_queue *q, uint64_t now)
{
    struct timer *t = q->head;

    if (!t || t->deadline > now) {
        return NULL;
    }
    q->head = t->next;
    t->next = NULL;
    t->queued = false;
    return t;
}
