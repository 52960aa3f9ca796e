/* One branch's replica of the shared balance: the state machine every branch runs.
 * Pure C, no locking and no I/O: the rpc layer serialises calls on one replica. */
#ifndef BANK_CORE_REPLICA_H
#define BANK_CORE_REPLICA_H

#include <stddef.h>
#include <stdint.h>

#include "lamport.h"

typedef enum {
    BANK_OK = 0,
    BANK_INSUFFICIENT_FUNDS, /* withdraw: local balance < money; nothing changed */
    BANK_BAD_MONEY,          /* money < 0; nothing changed */
    BANK_OVERFLOW,           /* the balance would leave int64; nothing changed */
    BANK_DUPLICATE,          /* a propagation already applied; acknowledged, not applied again */
    BANK_NO_MEMORY
} bank_status;

const char *bank_status_text(bank_status s);

typedef enum { BANK_WRITE_DEPOSIT, BANK_WRITE_WITHDRAW } bank_write_kind;

/* A write committed at its origin, as it travels to the other branches.
 * (origin, sequence) names it uniquely so a peer can recognise a duplicate. */
typedef struct {
    bank_write_kind kind;
    int64_t origin;
    uint64_t sequence; /* 1, 2, 3, ... per origin; 0: unsequenced (the course's wire form),
                          applied without duplicate detection */
    int64_t money;
} bank_write;

/* Propagations applied from one origin: every sequence <= contiguous, plus the few above it
 * that arrived early (propagations from one origin may overtake each other). */
typedef struct {
    int64_t origin;
    uint64_t contiguous;
    size_t n_ahead, cap_ahead;
    uint64_t *ahead; /* sorted, all > contiguous + 1 */
} bank_origin_log;

/* Every sequenced write this replica has applied, its own included, in the order applied
 * (core/write_log.h): what a recovering branch rebuilds itself from. The logged operations
 * append to it; the bare ones below leave it alone. */
typedef struct bank_logged_write bank_logged_write;
typedef struct {
    size_t n, cap;
    bank_logged_write *items;
} bank_write_log;

/* Writes every branch has acknowledged, folded out of the log (core/history.h): for each origin,
 * every write with sequence <= through, and their net. */
typedef struct {
    int64_t origin;
    uint64_t through;
    int64_t net;
} bank_checkpoint;

typedef struct {
    size_t n, cap;
    bank_checkpoint *items;
} bank_checkpoints;

typedef struct {
    int64_t branch_id;
    int64_t balance;
    uint64_t last_sequence; /* of writes this branch originated */
    size_t n_origins, cap_origins;
    bank_origin_log *origins;
    bank_write_log log;            /* the writes applied since the checkpoints */
    bank_checkpoints checkpoints;  /* the writes folded out of log */
    uint64_t log_base;             /* entries folded out of log so far: log.items[i] is the log's
                                      entry log_base + i, a position that never moves back */
    uint64_t folds;                /* counts folds, so an observer can tell checkpoints changed */
    bank_lamport clock;            /* Project 2 (spec L2): ticked by the requests that carry a clock */
} bank_replica;

void bank_replica_init(bank_replica *r, int64_t branch_id, int64_t balance);
void bank_replica_free(bank_replica *r);

/* A customer's write at this branch. On BANK_OK the write is applied here and *out describes
 * the propagation every other branch must apply. On any other status nothing changed. */
bank_status bank_replica_deposit(bank_replica *r, int64_t money, bank_write *out);
bank_status bank_replica_withdraw(bank_replica *r, int64_t money, bank_write *out);

/* A write committed at another branch. Applied without a balance check: it is already
 * committed at its origin, and checking here would make replicas diverge. Returns
 * BANK_DUPLICATE (and changes nothing) for a write already applied. */
bank_status bank_replica_apply(bank_replica *r, const bank_write *w);

/* Whether (origin, sequence) has been applied here. */
int bank_replica_has_applied(const bank_replica *r, int64_t origin, uint64_t sequence);

/* A set of sequence numbers kept as a bank_origin_log (contiguous plus the few ahead): adds seq
 * (BANK_OK, or BANK_NO_MEMORY with the set unchanged), and frees what it holds. */
bank_status bank_origin_log_add(bank_origin_log *log, uint64_t seq);
void bank_origin_log_free(bank_origin_log *log);
/* ... and adds every sequence up to through (cannot fail: the set only shrinks). */
void bank_origin_log_mark_through(bank_origin_log *log, uint64_t through);

/* How far r has applied origin's writes without a gap (its own: last_sequence). */
uint64_t bank_replica_contiguous(const bank_replica *r, int64_t origin);

/* Records every write of origin up to through as applied, without applying it (a checkpoint
 * taken over by a rebuilt replica; its own origin: last_sequence). BANK_OK or BANK_NO_MEMORY
 * (nothing changed). */
bank_status bank_replica_mark_through(bank_replica *r, int64_t origin, uint64_t through);

#endif
