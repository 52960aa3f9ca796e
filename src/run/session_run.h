/* Project 3's customers (spec C2, C10): every entry a session that carries its write set to the
 * branch each event names, over gRPC; and the probes that wait until every branch holds every
 * write made so far. */
#ifndef BANK_RUN_SESSION_RUN_H
#define BANK_RUN_SESSION_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "branches.h"
#include "core/schedule.h"
#include "core/session.h"
#include "core/workload.h"

typedef struct {
    bank_schedule schedule; /* sequential: entries one after another, every write everywhere
                               before the next starts; live: every entry at once */
    int deadline_ms;        /* per call, and for every probe */
} bank_session_config;

/* Runs w's entries against b, filling out (from bank_outcome_init) and *all (every write id
 * answered success, to free with bank_write_set_free). 0, or -1 with one line in err after the
 * first call that failed (sequential: nothing after it runs; live: that entry stops). */
int bank_session_drive(const bank_workload *w, const bank_routes *routes, const bank_branches *b,
                       const bank_session_config *cfg, bank_outcome *out, bank_write_set *all,
                       char *err, size_t errlen);

/* Waits until every branch holds every write of *all (a session query carrying them, at each
 * branch), and reads each branch's balance then into finals (n_branches; may be NULL). 0, or -1
 * with err. */
int bank_session_settle(const bank_workload *w, const bank_branches *b, const bank_write_set *all,
                        int deadline_ms, int64_t *finals, char *err, size_t errlen);

#endif
