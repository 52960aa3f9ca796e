/* The search behind --consistent: is there a legal execution that honours every answer but at
 * most `bound` of them (the ones it drops)? Depth-first over states, a state being the net and
 * what is left of every chain, with:
 *  - moves that change nothing taken at once (a query that reads what it claims: any execution
 *    can take it now);
 *  - customer entries whose rest is alike taken as one (symmetry: only one of them is tried);
 *  - a table of states already shown to fail with that many drops or fewer;
 *  - a lower bound on the drops still needed (answers no remaining execution can give), which
 *    cuts a branch as soon as it exceeds the bound;
 *  - drops of a chain's first answer made lazily: a "credit" stands for one of the entries whose
 *    first answer is the same but for its value, which entry being settled at the end among
 *    those that never got past it. (Run backward, every entry of the course's input is a write
 *    then a query: once its query is matched, the entries are alike, and a drop costs no
 *    choice among a hundred entries.)
 * Pure C. */
#ifndef BANK_CORE_CLAIM_SEARCH_H
#define BANK_CORE_CLAIM_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "claim_instance.h"
#include "state_table.h"

typedef struct {
    uint32_t entry, event; /* the customer entry and its event (input order) */
    uint8_t success;       /* a write's outcome (1 for a query) */
    int64_t net;           /* the net it read (query) or left (write) */
} cs_step;

typedef struct {
    uint32_t entry, event;
} cs_answer;

typedef struct {
    int found;
    int out_of_budget;
    size_t states;         /* work spent by this call: states, each counted once more for every
                              16 agents left in it (G12) */
    cs_step *steps;        /* found: the execution, start to end */
    size_t n_steps;
    cs_answer *dropped;    /* found: the answers it did not honour */
    size_t n_dropped;
} cs_outcome;

/* Tries each start net in turn (forward: pass the single start 0). tt belongs to this instance
 * and this need_pick; it may be reused across calls with any bound. need_pick: a solution must
 * drop at least one CS_PICK answer. 0 ok (see out), -1 out of memory. */
int cs_search(const cs_instance *in, const int64_t *starts, size_t n_starts, uint32_t bound,
              int need_pick, size_t budget, bank_state_table *tt, cs_outcome *out);
void cs_outcome_free(cs_outcome *o);

#endif
