/* Could some execution that keeps Project 3's session guarantees have given these answers
 * (spec C11)? The question Project 1's consistency check asks (consistency.h: its bank_claim and
 * verdicts are reused), with one shared balance replaced by the session rule: an event sees
 * every write its own customer made before it and, of every other customer, the writes of some
 * prefix of what that customer had done so far (monotonic writes keep each customer's writes in
 * order everywhere). Pure C. */
#ifndef BANK_CORE_SESSION_CHECK_H
#define BANK_CORE_SESSION_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "consistency.h"
#include "session.h"

/* What every entry has done so far in one execution being built: pos[d] events run, and the
 * nets of the prefixes of its writes that succeeded (prefix[d][0] = 0, prefix[d][k] the net of
 * its first k successful writes, k < n_prefix[d]). */
typedef struct {
    const bank_workload *w;
    const bank_routes *routes;
    size_t *pos;
    int64_t **prefix;
    size_t *n_prefix;
} bank_session_view;

/* The session predicate, alone: may event pos[c] of entry c answer `claim` in view v? A query
 * reads its branch's initial balance plus the net of all of c's own successful writes plus, of
 * every other entry d, the net of some prefix of d's (any k < n_prefix[d], chosen anew for each
 * event); a withdrawal may succeed when some such balance covers its money and fail when some
 * does not; a deposit succeeds. An unprinted claim admits anything. 1 yes, 0 no, -1 out of
 * memory (a query's sum over many entries is computed, within a cap). */
int bank_session_admits(const bank_session_view *v, size_t c, const bank_claim *claim);

typedef struct {
    bank_consistency verdict;
    size_t states; /* executions explored (states after a closure) */
    /* BANK_INCONSISTENT: the furthest the search got, per entry the first event it could not
     * run as claimed (n_events when the entry got through). */
    size_t *blocked;
} bank_session_result;

/* claims[c][e]; budget bounds the states (0: 1,000,000), past it BANK_UNDECIDED. Claimed events
 * that the predicate admits are taken as soon as they are admitted (the more the others have
 * done, the more an event admits, so waiting never helps); the search branches only on the
 * outcome of a withdrawal whose answer is not printed. 0, or -1 out of memory. */
int bank_session_check(const bank_workload *w, const bank_routes *routes, bank_claim *const *claims,
                       size_t budget, bank_session_result *out);
void bank_session_result_free(bank_session_result *r);

/* What event e of entry c alone could answer, every other entry having run to its end (its
 * unprinted withdrawals either way): the nets (balance minus the branch's initial balance) it
 * could see, sorted, at most 4096 (then exact is 0). own_nets: the nets of c's own writes before
 * e (one, unless an unprinted withdrawal of c's could go either way with what the others add);
 * others: what the other entries could add. 0, or -1 out of memory. */
typedef struct {
    int exact;
    size_t n_nets;
    int64_t *nets;
    size_t n_own;
    int64_t *own_nets;
    size_t n_others;
    int64_t *others;
} bank_session_alone;

int bank_session_alone_nets(const bank_workload *w, const bank_routes *routes, bank_claim *const *claims,
                            size_t c, size_t e, bank_session_alone *out);
void bank_session_alone_free(bank_session_alone *a);

/* Which of its own writes an answer missed (C12): the fewest of entry c's writes before event e
 * that succeeded (claimed so; one not printed as it would have with the customer alone), whose
 * absence leaves a net from which `target` (the balance claimed minus the branch's initial
 * balance) is reached with something the others could add (others[0..n_others), sorted). Later
 * writes are named first when several sets are as small. 1 with the event indexes in
 * missed[0..*n_missed) (e at most), in event order, 0 when no such set is found (within a cap
 * on the sums tried), -1 out of memory. */
int bank_session_missed(const bank_workload *w, const bank_routes *routes, bank_claim *const *claims,
                        size_t c, size_t e, int64_t target, const int64_t *others, size_t n_others,
                        size_t *missed, size_t *n_missed);

#endif
