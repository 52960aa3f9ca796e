/* What a branch has applied, as it tells others: for each origin a checkpoint (every write up to
 * a sequence, folded into one net once every branch has acknowledged them) and the writes after
 * the checkpoints (the tail). The union of several branches' histories, what one of them lacks,
 * a replica rebuilt from a history, and a replica's log folded into its checkpoints. Pure C. */
#ifndef BANK_CORE_HISTORY_H
#define BANK_CORE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "replica.h"
#include "write_log.h"

typedef struct {
    bank_checkpoints checkpoints;
    bank_write_log tail;
} bank_history;

void bank_history_free(bank_history *h);

/* c's checkpoint of origin, or NULL. */
const bank_checkpoint *bank_checkpoint_find(const bank_checkpoints *c, int64_t origin);

/* Keeps, for cp->origin, whichever of c's checkpoint and cp reaches further. BANK_OK, or
 * BANK_NO_MEMORY with c unchanged. */
bank_status bank_checkpoints_merge(bank_checkpoints *c, const bank_checkpoint *cp);

/* Sorts the tail by (origin, sequence), keeps one of each, and drops what a checkpoint covers. */
void bank_history_normalize(bank_history *h);

/* Adds from to into: the furthest checkpoint of each origin, every tail write. BANK_OK, or
 * BANK_NO_MEMORY with into unchanged. _merge also normalizes into; _add leaves that for later
 * (a history read page after page). */
bank_status bank_history_merge(bank_history *into, const bank_history *from);
bank_status bank_history_add(bank_history *into, const bank_history *from);

/* Whether h (normalized) holds (origin, sequence): under its checkpoint or in its tail. */
int bank_history_has(const bank_history *h, int64_t origin, uint64_t sequence);

/* The highest s such that h (normalized) holds every write 1..s of origin. */
uint64_t bank_history_contiguous(const bank_history *h, int64_t origin);

/* Appends to out the tail writes of u that p lacks (both normalized), leaving out those that
 * `peer` originated (a branch never takes a propagation of its own writes). BANK_OK, or
 * BANK_NO_MEMORY with out as it was. */
bank_status bank_history_missing(const bank_history *u, const bank_history *p, int64_t peer,
                                 bank_write_log *out);

/* Rebuilds r (whatever it held) as its branch after applying u (normalized) to initial_balance:
 * the balance moves by every checkpoint's net and every tail write; r's own writes set
 * last_sequence to the highest of them; every other write is recorded as applied; r's
 * checkpoints and log are u's. BANK_OK; or BANK_OVERFLOW / BANK_NO_MEMORY / BANK_BAD_MONEY with r
 * unchanged. */
bank_status bank_replica_restore(bank_replica *r, int64_t initial_balance, const bank_history *u);

/* Copies r's checkpoints and log into out (empty). BANK_OK or BANK_NO_MEMORY (out empty). */
bank_status bank_replica_history(const bank_replica *r, bank_history *out);

/* Every branch has acknowledged origin's writes up to through: they leave r's log for its
 * checkpoint of origin. Only writes r holds are folded: through is cut to r's own last sequence
 * (origin r itself) or to the writes of origin it has applied without a gap. BANK_OK (nothing to
 * do included); BANK_NO_MEMORY, or BANK_OVERFLOW when the checkpoint's net would leave int64,
 * with r unchanged. */
bank_status bank_replica_fold(bank_replica *r, int64_t origin, uint64_t through);

#endif
