/* Project 3's held requests: parked until their customer's missing write arrives, or answered at
 * their hold deadline (see parked.h). */
#include "parked.h"

#include <grpc/support/time.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "replies.h"

/* A parked call is answered this long before its own gRPC deadline, so that the customer hears
 * why it waited in vain rather than only that its deadline passed. */
enum { ANSWER_BEFORE_DEADLINE_MS = 100 };

typedef struct entry entry;
struct entry {
    bank_parked *p;
    server_call *c; /* NULL once decided again or answered; its timer then only frees it */
    bank_write_id missing;
    entry *prev, *next;
};

struct bank_parked {
    bank_server *s;
    int hold_ms;
    bank_parked_resume_fn resume;
    entry *head;     /* guarded by the replica's lock */
    atomic_size_t n; /* changed under the lock; read without it by wake's fast path */
};

bank_parked *bank_parked_new(bank_server *s, int hold_ms, bank_parked_resume_fn resume)
{
    bank_parked *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->s = s;
    p->hold_ms = hold_ms > 0 ? hold_ms : 10000;
    p->resume = resume;
    return p;
}

void bank_parked_free(bank_parked *p) { free(p); }

static void unlink_entry(bank_parked *p, entry *e)
{
    if (e->prev) e->prev->next = e->next;
    else p->head = e->next;
    if (e->next) e->next->prev = e->prev;
    e->prev = e->next = NULL;
    e->c = NULL;
    p->n--;
}

/* When c's wait ends: hold_ms after it was first held, and ANSWER_BEFORE_DEADLINE_MS before its
 * own deadline, whichever comes first. */
static long long hold_until(const bank_parked *p, const server_call *c, long long now)
{
    long long until = now + p->hold_ms;
    gpr_timespec deadline = gpr_convert_clock_type(c->deadline, GPR_CLOCK_MONOTONIC);
    if (gpr_time_cmp(deadline, gpr_inf_future(GPR_CLOCK_MONOTONIC)) != 0) {
        gpr_timespec left = gpr_time_sub(deadline, gpr_now(GPR_CLOCK_MONOTONIC));
        long long by_deadline = now + (long long)left.tv_sec * 1000 + left.tv_nsec / 1000000 -
                                ANSWER_BEFORE_DEADLINE_MS;
        if (by_deadline < until) until = by_deadline;
    }
    return until;
}

static void answer_expired(entry *e, server_call *c, int stopping)
{
    char details[400];
    long long waited = bank_mono_ms() - c->hold_since_ms;
    if (stopping)
        snprintf(details, sizeof details, "branch %lld stopped while the request waited for the "
                 "customer's write (%lld, %llu)", (long long)e->p->s->cfg.id, (long long)e->missing.origin,
                 (unsigned long long)e->missing.sequence);
    else
        snprintf(details, sizeof details, "branch %lld has not received the customer's write (%lld, %llu) "
                 "after waiting %lld ms: a session's request waits until its branch holds every write its "
                 "customer made (read-your-writes, monotonic writes)", (long long)e->p->s->cfg.id,
                 (long long)e->missing.origin, (unsigned long long)e->missing.sequence, waited);
    bank_trace_error(c, details);
    bank_reply(c, stopping ? GRPC_STATUS_UNAVAILABLE : GRPC_STATUS_DEADLINE_EXCEEDED, details, NULL);
}

static void expired(void *arg, int cancelled)
{
    entry *e = arg;
    bank_parked *p = e->p;
    pthread_mutex_lock(p->s->cfg.replica_lock);
    server_call *c = e->c;
    if (c) unlink_entry(p, e);
    pthread_mutex_unlock(p->s->cfg.replica_lock);
    if (c) answer_expired(e, c, cancelled);
    free(e);
}

void bank_parked_hold(bank_parked *p, server_call *c, bank_write_id missing)
{
    long long now = bank_mono_ms();
    if (!c->hold_since_ms) {
        c->hold_since_ms = now;
        c->hold_until_ms = hold_until(p, c, now);
    }
    entry *e = calloc(1, sizeof *e);
    pthread_mutex_lock(p->s->cfg.replica_lock);
    int arrived = bank_replica_holds(p->s->cfg.replica, missing);
    if (e && !arrived) {
        *e = (entry){p, c, missing, NULL, p->head};
        if (p->head) p->head->prev = e;
        p->head = e;
        p->n++;
    }
    pthread_mutex_unlock(p->s->cfg.replica_lock);
    if (arrived) {
        free(e);
        p->resume(c);
    } else if (!e) {
        bank_trace_error(c, "out of memory");
        bank_reply(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory", NULL);
    } else {
        long long left = c->hold_until_ms - now;
        bank_timers_after(p->s->cfg.timers, left > 0 ? (int)left : 0, expired, e);
    }
}

void bank_parked_wake(bank_parked *p)
{
    /* Nothing parked (Project 1, and most of the time): no lock taken. A call parked since this
     * read found, under the lock, that the write it lacked had arrived or not: if not, the
     * propagation that brings it comes after and wakes it. */
    if (atomic_load(&p->n) == 0) return;
    pthread_mutex_lock(p->s->cfg.replica_lock);
    size_t parked = atomic_load(&p->n);
    server_call **ready = parked ? malloc(parked * sizeof *ready) : NULL;
    size_t n = 0;
    for (entry *e = p->head, *next; ready && e; e = next) {
        next = e->next;
        if (!bank_replica_holds(p->s->cfg.replica, e->missing)) continue;
        ready[n++] = e->c;
        unlink_entry(p, e); /* its timer frees it */
    }
    pthread_mutex_unlock(p->s->cfg.replica_lock);
    /* out of memory: the parked calls wait for the next propagation, or their deadline */
    for (size_t i = 0; i < n; i++) p->resume(ready[i]);
    free(ready);
}
