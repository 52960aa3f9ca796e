/* The branches a run talks to: started in this process, started as child `bank branch`
 * processes, or already running elsewhere (a cluster). */
#ifndef BANK_RUN_BRANCHES_H
#define BANK_RUN_BRANCHES_H

#include <stddef.h>

#include "core/workload.h"
#include "store/store.h"
#include "rpc/client.h"
#include "rpc/tls.h"

typedef enum { BANK_MODE_EMBEDDED, BANK_MODE_PROCESSES, BANK_MODE_CLUSTER } bank_mode;

typedef struct {
    bank_mode mode;
    const char *bank_exe;     /* processes: the bank binary to start branches with */
    const char *cluster_file; /* cluster: the peers file listing the running branches */
    int server_threads;       /* embedded: serving all the branches together; processes: each
                                 branch's own; 0 = 1 */
    int deadline_ms;          /* for propagations, and for start-up */
    int serve_echo;           /* embedded and processes: also serve the benchmark's bare echo */
    const char *trace_path;   /* embedded and processes: every branch records the messages it
                                 answers in this file (emptied first), one JSON line each */
    int propagate_attempts;   /* embedded and processes: tries per propagation (0: 5) */
    int retry_backoff_ms;     /* the first retry's wait, doubling after (0: 50) */
    const char *faults;       /* embedded and processes: faults to inject (bank_faults_parse) */
    uint64_t fault_seed;
    const char *data_dir;     /* embedded and processes: every branch keeps its state on disk in
                                 DATA_DIR/branch-ID (made; it must not exist yet) */
    bank_sync sync;
    const char *tls_dir;      /* embedded and processes: mutual TLS, branch N with DIR/branch-N.crt
                                 and .key and DIR/ca.crt (as tools/certs.sh lays them out) */
    const bank_tls *client_tls; /* the certificate this process's clients present to the
                                 branches (kept until bank_branches_stop); NULL: plaintext */
} bank_branches_config;

/* A propagation's deadline, and start-up's, when no --deadline-ms is given. */
#define BANK_DEFAULT_DEADLINE_MS 10000

/* bank run's branches when no option says otherwise: in this process, one server thread, the
 * default deadline, fault seed 1. */
static inline bank_branches_config bank_branches_run_defaults(void)
{
    return (bank_branches_config){.mode = BANK_MODE_EMBEDDED, .server_threads = 1,
                                  .deadline_ms = BANK_DEFAULT_DEADLINE_MS, .fault_seed = 1};
}

typedef struct bank_branches bank_branches;

/* Starts (or locates) one branch per branch of w and tells every branch all the others.
 * NULL with one line in err on failure, with nothing left running. */
bank_branches *bank_branches_start(const bank_workload *w, const bank_branches_config *cfg,
                                   char *err, size_t errlen);

/* Branches already running at targets[i] ("host:port", for w->branches[i]), as a cluster is
 * (stopping them leaves them running), called as client_tls says (NULL: plaintext). NULL when
 * out of memory. */
bank_branches *bank_branches_at(const bank_workload *w, const char *const *targets,
                                const bank_tls *client_tls);

/* "host:port" of the branch at w->branches[i]. */
const char *bank_branches_target(const bank_branches *b, size_t i);

/* A client channel to the branch at w->branches[i], with the run's client certificate when it
 * has one. Close with bank_channel_close. NULL when out of memory. */
bank_channel *bank_branches_channel(const bank_branches *b, size_t i);

/* A channel to each of the first n branches (for n = 0, an empty array), or NULL when out of
 * memory, with none left open. Close with bank_branches_channels_close. */
bank_channel **bank_branches_channels(const bank_branches *b, size_t n);
void bank_branches_channels_close(bank_channel **ch, size_t n);

/* bank run --kill: SIGKILLs the processes of ids[0..n) (all of them first), then starts each
 * again, in that order, on the same address with --recover (and its data dir): each catches up
 * from its disk and its peers while the run goes on. Processes only. 0, or -1 with err. */
int bank_branches_crash_and_recover(bank_branches *b, const bank_workload *w, const int64_t *ids,
                                    size_t n, char *err, size_t errlen);


/* Writes in the logs of the in-process branches, all together (0 for other placements). */
size_t bank_branches_log_length(const bank_branches *b);

/* Stops what this run started (a cluster is left running) and frees b. 0, or -1 with err when
 * a branch process did not end cleanly. */
int bank_branches_stop(bank_branches *b, char *err, size_t errlen);

#endif
