/* The --consistent search's view of a workload and its answers: one chain of events per customer
 * entry, each event a list of options (how it moves the net, and the nets at which it may run),
 * in the order the search walks them: forward (from the start) or backward (from the end, each
 * event undone). Customer entries whose remaining events and answers are alike are
 * interchangeable: every position of every chain gets a class number, equal exactly when the
 * rest of the chain is. Pure C; used only by claim_search.c and consistency.c. */
#ifndef BANK_CORE_CLAIM_INSTANCE_H
#define BANK_CORE_CLAIM_INSTANCE_H

#include <stddef.h>
#include <stdint.h>

#include "consistency.h"
#include "workload.h"

typedef struct {
    int64_t delta;  /* what it does to the net */
    int64_t lo, hi; /* it may run when lo <= net <= hi */
    uint8_t success; /* a write's outcome (1 for a query) */
} cs_option;

/* What may be done with an event's answer. */
enum {
    CS_FREE,  /* no answer to honour (none printed, set aside, or one any execution gives) */
    CS_CLAIM, /* an answer the search honours, or drops at a cost of one */
    CS_KEPT,  /* an answer that must be honoured */
    CS_PICK   /* CS_CLAIM, and dropping it satisfies the "one of these" condition */
};

typedef struct {
    cs_option opt[2], free_opt[2];
    uint8_t n_opt;   /* with the answer; 0: no execution gives it */
    uint8_t n_free;  /* without */
    uint8_t tag;     /* CS_FREE ... CS_PICK */
    uint8_t is_write; /* dropping it may change the net (a withdrawal) */
    uint64_t rank;    /* the answer's place in the file (bank_claim.rank) */
} cs_event;

typedef struct {
    size_t n;
    uint32_t entry;   /* the customer entry */
    int64_t base;     /* its branch's initial balance */
    cs_event *ev;     /* search order */
    uint32_t *cls;    /* n + 1: class of the rest from p (0: nothing left) */
    uint32_t *dcls;   /* n: the same with event p's answer dropped */
    /* bounds of what the rest from p adds to the net (answers honoured; *d*: event p dropped):
     * lowest and highest running sum, and lowest and highest total */
    int64_t *mn, *mx, *tl, *th; /* n + 1 */
    int64_t *dmn, *dmx, *dtl, *dth; /* n */
    int64_t *fmn, *fmx; /* n + 1: the running sums with every answer that may be dropped taken
                           either way (no drop can widen them further) */
    uint32_t *picks;  /* n + 1: CS_PICK answers in the rest from p */
    uint32_t *deps, *wds; /* n + 1: deposits and withdrawals in the rest from p */
} cs_chain;

typedef struct {
    int backward;
    size_t n_chains;
    cs_chain *chains;
    uint32_t n_classes;
    int64_t max_flip;       /* largest change of the final net that dropping one answer makes */
    int64_t step;           /* every write moves this much (0: amounts differ, or none) */
    int64_t net_lo, net_hi; /* every net a legal execution reaches lies in between */
} cs_instance;

/* tags[c][e] says what to do with each printed answer (CS_FREE for one not printed). 0 ok, -1 out
 * of memory (nothing left allocated). */
int cs_instance_build(const bank_workload *w, bank_claim *const *claims, uint8_t *const *tags,
                      int backward, cs_instance *in);
void cs_instance_free(cs_instance *in);

/* The event of entry c's original list that position p of its chain stands for. */
size_t cs_event_index(const cs_instance *in, size_t c, size_t p);

/* Backward: the final nets the search may start from (every answer it may drop taken either
 * way), sorted by how far each is from the one the answers give. 0 ok with *starts (caller
 * frees), 1 more than `cap` of them (backward is not tried), -1 out of memory. */
int cs_start_nets(const cs_instance *in, size_t cap, int64_t **starts, size_t *n_starts);

#endif
