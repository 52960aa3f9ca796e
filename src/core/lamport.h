/* Lamport logical clocks, Project 2 (spec L1-L7): the tick rules every process follows, the
 * events the course logs and which of them an input requires, the happens-before relation
 * between them, and the checks a set of clocked events must pass. Pure C: no I/O, no locking
 * (a branch ticks its clock under the lock that guards its replica). */
#ifndef BANK_CORE_LAMPORT_H
#define BANK_CORE_LAMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/* One process's clock. A message whose clock is 0 carries none (L3). */
typedef struct {
    uint64_t now;   /* the clock of this process's latest event; 0 before any */
    size_t fan_out; /* a branch: the peers a write it commits is sent to, one send each (L2) */
} bank_lamport;

/* L2: a send: now + 1, the event's clock (the clock never wraps: it stays at UINT64_MAX). */
uint64_t bank_lamport_send(bank_lamport *c);
/* L2: the receive of a message sent at `message`: max(now, message) + 1, the event's clock.
 * A message without a clock (0) is no event (L1): 0, and c stays as it was. */
uint64_t bank_lamport_receive(bank_lamport *c, uint64_t message);
/* L2: a committed write sent to c->fan_out peers, right after its receive: one send each, the
 * peers in ascending id. The first send's clock (the k-th peer, from 0, is sent at first + k),
 * or 0 when there is no peer. */
uint64_t bank_lamport_fan_out(bank_lamport *c);

/* The events Project 2 logs (L1). */
typedef enum {
    BANK_CLOCK_CUSTOMER_SENT, /* at the customer: "event_sent from customer C" */
    BANK_CLOCK_CUSTOMER_RECV, /* at its branch: "event_recv from customer C" */
    BANK_CLOCK_BRANCH_SENT,   /* at the origin, one per peer: "event_sent to branch P" */
    BANK_CLOCK_BRANCH_RECV    /* at each peer: "event_recv from branch O" */
} bank_clock_kind;

typedef struct {
    bank_clock_kind kind;
    size_t entry, event; /* the request: its customer entry (input order), its index there */
    int64_t process;     /* where it happened: the customer's id (CUSTOMER_SENT) or a branch's */
    int64_t peer;        /* the other end: the customer's branch (CUSTOMER_SENT), the customer
                            (CUSTOMER_RECV), the peer sent to, the origin received from */
    uint64_t clock;
} bank_clock_event;

typedef struct {
    size_t n, cap;
    bank_clock_event *items;
} bank_clock_log;

int bank_clock_log_add(bank_clock_log *l, const bank_clock_event *e); /* 0, or -1 out of memory */
void bank_clock_log_free(bank_clock_log *l);

/* What a customer learns of one request: the clock it was sent at, and the clock its branch
 * received it at (the reply says it, L3). */
typedef struct {
    uint64_t sent, received;
} bank_clock_stamp;

/* L4: the events the input requires, clocks 0, in canonical order: entry by entry, request by
 * request, the customer's send, its branch's receive, then, for a write that propagates
 * (propagates[k] != 0, k counting every entry's events in input order), a send to each other
 * branch and that branch's receive, the peers in ascending id. 0, or -1 out of memory (out
 * empty). */
int bank_clock_required(const bank_workload *w, const unsigned char *propagates, bank_clock_log *out);

/* The indices of w->branches in ascending id: the order of a fan-out's sends (L2). NULL when out
 * of memory; the caller frees it. */
size_t *bank_branches_by_id(const bank_workload *w);

/* ---- checking a set of clocked events (L10, L11) ---- */

typedef struct {
    uint64_t clock;
    size_t process; /* events with the same number happened at one process */
    int receive;    /* a receive: with --strict its clock must follow its message (L2) */
} bank_clock_point;

/* `from` happened before `to`: a message (from is its send), or one process's order. */
typedef struct {
    size_t from, to;
    int message;
} bank_clock_edge;

typedef enum {
    BANK_CLOCK_NOT_AFTER_SEND,     /* a receive whose clock is not above its send's */
    BANK_CLOCK_NOT_AFTER_PREVIOUS, /* not above an event its process had before it */
    BANK_CLOCK_SAME_AS_OTHER,      /* two events of one process at one clock */
    BANK_CLOCK_NOT_TICK            /* --strict: not what L2 gives from its process's previous
                                      event (and its message) */
} bank_clock_fault;

typedef struct {
    size_t event;    /* the event judged */
    size_t other;    /* the event it is compared with; SIZE_MAX: none (a process's first) */
    bank_clock_fault fault;
    uint64_t expected; /* NOT_TICK: what L2 gives */
} bank_clock_problem;

/* L11: the happens-before edges between the events ev[0..n) (any subset of what an input
 * requires, e.g. what a student logged): a message from each send to its receive, and each
 * process's order: a customer's requests in order, a branch's receive of a request before its
 * sends of it, and a request's events at its branch before that branch receives the entry's next
 * request. Fills points[0..n). 0, or -1 out of memory. */
int bank_clock_edges(const bank_workload *w, const bank_clock_event *ev, size_t n,
                     bank_clock_point *points, bank_clock_edge **edges, size_t *n_edges);

/* L11, L12: every problem of the clocks: an edge whose `to` is not above its `from`, two events
 * of a process at one clock, and (strict) every clock that is not what L2 gives, the process's
 * events taken in clock order. Sorted by event; each event's order faults before NOT_TICK.
 * 0, or -1 out of memory. */
int bank_clock_check(const bank_clock_point *p, size_t n, const bank_clock_edge *edges,
                     size_t n_edges, int strict, bank_clock_problem **out, size_t *n_out);

#endif
