/* Project 3, client-centric consistency, as pure rules (spec C1-C12): where each event goes, the
 * write ids a customer carries, what a replica still lacks of them, and the answers the session
 * guarantees fix when one customer at a time runs. Pure C: no I/O, no gRPC, no JSON. */
#ifndef BANK_CORE_SESSION_H
#define BANK_CORE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "replica.h"
#include "workload.h"

/* Where Project 3's events go: branch[c][e] indexes w->branches for event e of customer entry c
 * (the event's "branch" or "dest", else the customer's own branch). */
typedef struct {
    size_t n_customers;
    size_t **branch;
} bank_routes;

/* Allocates branch[c] for every entry of w, each event routed to the customer's own branch.
 * 0, or -1 out of memory (nothing left allocated). */
int bank_routes_init(bank_routes *r, const bank_workload *w);
void bank_routes_free(bank_routes *r);

/* A write's name everywhere: the branch that committed it and its number there (P2). */
typedef struct {
    int64_t origin;
    uint64_t sequence; /* 0: no write */
} bank_write_id;

/* The ids of every write one customer has made, in the order it made them (C2). */
typedef struct {
    size_t n, cap;
    bank_write_id *ids;
} bank_write_set;

/* 0, or -1 out of memory (the set unchanged). */
int bank_write_set_add(bank_write_set *s, bank_write_id id);
void bank_write_set_free(bank_write_set *s);
/* The customer's latest write (sequence 0 when it has made none): what its next write must
 * follow at every branch (C5). */
bank_write_id bank_write_set_last(const bank_write_set *s);

/* Whether r has applied the write: its own writes are numbered 1..last_sequence, the others
 * are in its origin logs. A write id with sequence 0 names no write and is always held. */
int bank_replica_holds(const bank_replica *r, bank_write_id id);

/* The index of the first of ids[0..n) that r has not applied, or n when it holds them all:
 * a request carrying them may be served only then (C4). */
size_t bank_write_set_first_missing(const bank_replica *r, const bank_write_id *ids, size_t n);

/* The answers when the entries run one after another in input order and every write has
 * reached every branch before the next entry starts (C10); also, for one customer alone, the
 * only answers the guarantees allow whatever the delays (C9). out from bank_outcome_init;
 * finals (n_branches) optional. 0, or -1 when a balance would leave int64. */
int bank_session_expected(const bank_workload *w, const bank_routes *routes, bank_outcome *out,
                          int64_t *finals);

#endif
