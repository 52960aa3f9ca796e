/* Which of its own writes a wrong Project 3 answer missed (see session_check.h): the fewest
 * writes whose absence explains the answer, found by a small dynamic program over their sums. */
#include "session_check.h"

#include <stdlib.h>

#define STATES_CAP 4096u /* distinct sums of missed writes tried */

typedef struct {
    int64_t sum;     /* of the missed writes' deltas */
    size_t count;    /* how many */
    size_t write;    /* the last one added (an index into the writes) */
    size_t parent;   /* the state it was added to; SIZE_MAX for the empty set */
} state;

static int reachable(const int64_t *others, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (others[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && others[lo] == x;
}

int bank_session_missed(const bank_workload *w, const bank_routes *routes, bank_claim *const *claims,
                        size_t c, size_t e, int64_t target, const int64_t *others, size_t n_others,
                        size_t *missed, size_t *n_missed)
{
    const bank_customer *cu = &w->customers[c];
    int64_t *delta = malloc((e ? e : 1) * sizeof *delta);
    size_t *event = malloc((e ? e : 1) * sizeof *event);
    state *st = malloc(STATES_CAP * sizeof *st);
    if (!delta || !event || !st) {
        free(delta), free(event), free(st);
        return -1;
    }
    /* the writes, latest first, so that a later one is named first among sets as small */
    size_t n = 0;
    int64_t own = 0;
    for (size_t k = 0; k < e; k++) {
        const bank_event *ev = &cu->events[k];
        const bank_claim *cl = &claims[c][k];
        int64_t at = w->branches[routes->branch[c][k]].balance;
        int succeeded = ev->op == BANK_OP_DEPOSIT    ? !cl->printed || cl->success
                        : ev->op == BANK_OP_QUERY    ? 0
                        : cl->printed                ? cl->success
                                                     : (__int128)at + own >= ev->money;
        if (!succeeded) continue;
        delta[n] = ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
        event[n++] = k;
        own += delta[n - 1];
    }
    for (size_t i = 0; i < n / 2; i++) { /* latest first */
        int64_t d = delta[i];
        size_t k = event[i];
        delta[i] = delta[n - 1 - i], event[i] = event[n - 1 - i];
        delta[n - 1 - i] = d, event[n - 1 - i] = k;
    }
    size_t n_st = 1, best = SIZE_MAX;
    st[0] = (state){0, 0, SIZE_MAX, SIZE_MAX};
    for (size_t i = 0; i < n; i++) {
        size_t before = n_st;
        for (size_t s = 0; s < before; s++) {
            int64_t sum = st[s].sum + delta[i];
            size_t found = 0;
            while (found < n_st && st[found].sum != sum) found++;
            if (found < n_st && st[found].count <= st[s].count + 1) continue;
            if (found == n_st) {
                if (n_st == STATES_CAP) continue;
                n_st++;
            }
            st[found] = (state){sum, st[s].count + 1, i, s};
        }
    }
    /* the state with the fewest writes whose absence leaves target reachable */
    for (size_t s = 0; s < n_st; s++)
        if (reachable(others, n_others, target - (own - st[s].sum)) &&
            (best == SIZE_MAX || st[s].count < st[best].count))
            best = s;
    *n_missed = 0;
    for (size_t s = best; s != SIZE_MAX && st[s].parent != SIZE_MAX; s = st[s].parent)
        missed[(*n_missed)++] = event[st[s].write];
    free(delta), free(event), free(st);
    return best != SIZE_MAX;
}
