/* "Fails cleanly at every allocation": a piece of work run again and again, its n-th allocation
 * made to fail (n = 0, 1, 2, ...), until a run no longer reaches the armed failure; then again
 * with every allocation from the n-th on failing (memory that stays short: a retry that would
 * succeed after one failure does not hide it). A run that reaches the failure either reports it
 * (the error status, a message that says so, nothing leaked, the output left as the contract
 * says) or absorbs it (a shrink that may fail) and gives the answer an unarmed run gives; the
 * last run gives that answer too. Needs oom_wrap.h and Criterion. */
#ifndef BANK_TESTS_OOM_SWEEP_H
#define BANK_TESTS_OOM_SWEEP_H

#include <stdio.h>
#include <string.h>

#include "oom_wrap.h"

/* For the attempts: whether n bytes are all zero (an output left empty), and whether two
 * strings (either may be NULL) are the same. */
static inline int oom_zeroed(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

static inline int oom_same_text(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

/* One run of the work: its status (0 or the error one). It frees what it built, after setting
 * *as_promised: on 0, whether the result equals the unarmed run's; on error, whether the output
 * is left as the contract says (empty, or as it was). */
typedef int (*oom_attempt)(void *arg, char *err, size_t errlen, int *as_promised);

typedef struct {
    long failed;   /* allocations whose failure was reported (one failing alone) */
    long absorbed; /* allocations whose failure changed nothing (one failing alone) */
} oom_counts;

/* Sweeps attempt, failing allocations as arm_n arms them; a reported failure must return
 * fail_rc with an err that starts with prefix and contains says. */
static oom_counts oom_sweep_once(const char *what, oom_attempt attempt, void *arg, int fail_rc,
                                 const char *prefix, const char *says, void (*arm_n)(long))
{
    oom_counts k = {0, 0};
    long base = alive;
    for (long n = 0;; n++) {
        char err[512] = "";
        int as_promised = 0;
        arm_n(n);
        int rc = attempt(arg, err, sizeof err, &as_promised);
        int hit = disarm();
        cr_expect_eq(alive, base, "%s: allocation %ld failed: %ld block(s) leaked", what, n, alive - base);
        if (!hit) {
            cr_expect_eq(rc, 0, "%s: unarmed after %ld allocations: %s", what, n, err);
            cr_expect(as_promised, "%s: the result differs from an unarmed run's", what);
            break;
        }
        if (rc == 0) {
            k.absorbed++;
            cr_expect(as_promised, "%s: allocation %ld failed, was not reported, and the result differs", what, n);
            continue;
        }
        k.failed++;
        cr_expect_eq(rc, fail_rc, "%s: allocation %ld failed: rc %d: %s", what, n, rc, err);
        cr_expect(strncmp(err, prefix, strlen(prefix)) == 0 && strstr(err, says),
                  "%s: allocation %ld failed: \"%s\" (want \"%s...%s\")", what, n, err, prefix, says);
        cr_expect(as_promised, "%s: allocation %ld failed: the output is not left as promised", what, n);
    }
    return k;
}

/* Both sweeps; prints and returns the counts of the first (the allocations the work makes on
 * this input). */
static oom_counts oom_sweep(const char *what, oom_attempt attempt, void *arg, int fail_rc,
                            const char *prefix, const char *says)
{
    oom_counts k = oom_sweep_once(what, attempt, arg, fail_rc, prefix, says, arm);
    char from[400];
    snprintf(from, sizeof from, "%s, every allocation from the failing one on", what);
    oom_sweep_once(from, attempt, arg, fail_rc, prefix, says, arm_from);
    fprintf(stderr, "%s: %ld allocation failures reported, %ld absorbed\n", what, k.failed, k.absorbed);
    return k;
}

#endif
