/* Could some legal execution have produced these answers, and if not, which answers are wrong?
 * A legal execution runs every event of every customer entry once, each entry's own events in its
 * order, one at a time, on one shared balance (each branch reads its initial balance plus every
 * write applied so far). The answers claim, per event, a query's balance and a write's success or
 * failure. When no execution gives them all, the judge finds a smallest set of answers whose
 * removal leaves the rest consistent, the earliest such set in the student's file, and an
 * execution that gives the rest (the witness). spec/semantics.md G10-G12 and G15-G19. Pure C. */
#ifndef BANK_CORE_CONSISTENCY_H
#define BANK_CORE_CONSISTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

typedef struct {
    int printed;     /* the answer is known; otherwise anything goes (a missing reply) */
    int success;     /* a write: what was claimed */
    int64_t balance; /* a query: what was claimed */
    uint64_t rank;   /* where the answer stands in the student's file (smaller: earlier); ties
                        among smallest sets go to the earliest answers (G17) */
} bank_claim;

/* A yes-or-no question's answer, for the checks that only ask whether every claim fits
 * (session_check.h, Project 3). */
typedef enum { BANK_CONSISTENT, BANK_INCONSISTENT, BANK_UNDECIDED } bank_consistency;

typedef enum {
    BANK_CLAIM_OK,          /* part of the consistent rest (or not printed) */
    BANK_CLAIM_WRONG_ALONE, /* no execution gives it, whatever the other answers (G11) */
    BANK_CLAIM_WRONG,       /* in the set of answers set aside so that the rest is consistent */
    BANK_CLAIM_UNDECIDED    /* the budget ran out before it was judged (G12) */
} bank_claim_status;

typedef struct {
    size_t customer, event; /* entry (input order) and its event */
    int success;            /* a write's outcome */
    int64_t balance;        /* a query: what it reads; a write: its branch's balance right after */
} bank_witness_step;

typedef struct {
    size_t n_customers;
    bank_claim_status **status; /* [c][e] */
    size_t n_alone, n_wrong, n_undecided;
    int smallest;           /* no smaller set of answers leaves a consistent rest (G16) */
    int earliest;           /* and no set of that size comes earlier in the file (G17) */
    size_t lower_bound;     /* answers that are wrong in every case: proven so far */
    bank_witness_step *witness; /* an execution that gives every answer left (NULL if none found) */
    size_t n_witness;
    size_t states;          /* states the searches expanded, all together */
    int backward;           /* the search that decided walked from the end */
} bank_consistency_result;

/* claims[c][e] for customer entry c and its event e. budget bounds the states expanded, all
 * searches together (0: the default, 1,000,000). 0 ok, -1 out of memory. */
int bank_consistency_judge(const bank_workload *w, bank_claim *const *claims, size_t budget,
                           bank_consistency_result *out);
void bank_consistency_result_free(bank_consistency_result *r);

#endif
