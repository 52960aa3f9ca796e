/* The assignment's input as plain data: branches, and customers with their events.
 * Pure C: no I/O, no JSON. The io layer fills it; everything else reads it. */
#ifndef BANK_CORE_WORKLOAD_H
#define BANK_CORE_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

typedef enum { BANK_OP_QUERY, BANK_OP_DEPOSIT, BANK_OP_WITHDRAW } bank_op;

typedef struct {
    int64_t id;
    bank_op op;
    int64_t money; /* 0 for a query */
} bank_event;

typedef struct {
    int64_t id;          /* also the id of the branch it talks to; may repeat */
    size_t branch_index; /* index into bank_workload.branches */
    size_t n_events;
    bank_event *events;
} bank_customer;

typedef struct {
    int64_t id;
    int64_t balance;
} bank_branch;

typedef struct {
    size_t n_branches;
    bank_branch *branches;
    size_t n_customers;
    bank_customer *customers; /* input order */
} bank_workload;

const char *bank_op_name(bank_op op);
/* Index of the branch with this id, or SIZE_MAX. */
size_t bank_workload_branch_index(const bank_workload *w, int64_t branch_id);
size_t bank_workload_event_count(const bank_workload *w);
void bank_workload_free(bank_workload *w);

/* What a customer was told for one event. For a query, balance is what it read; for a write,
 * the balance at its branch right after (unchanged when the withdrawal failed). */
typedef struct {
    bank_op op;
    int success;
    int64_t balance;
    int pending; /* a write answered PENDING: applied at its branch (success is 1 too), still
                    owed to some branch that will get it when it is back */
} bank_result;

/* results[c][e] for customer entry c (input order) and its event e. */
typedef struct {
    size_t n_customers;
    bank_result **results;
} bank_outcome;

int bank_outcome_init(bank_outcome *o, const bank_workload *w); /* 0 ok, -1 out of memory */
void bank_outcome_free(bank_outcome *o);

#endif
