/* Project 3's customers as sessions over gRPC, and the probes that wait for every write to be
 * everywhere (see session_run.h). */
#include "session_run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/session_client.h"

/* A probe carries this many write ids at most: a few hundred KB, far below gRPC's 4 MB. */
enum { PROBE_IDS = 32768 };

typedef struct {
    const bank_workload *w;
    const bank_routes *routes;
    const bank_session_config *cfg;
    bank_channel **channels; /* one per branch, shared by every thread */
    bank_outcome *out;
    pthread_mutex_t lock; /* guards all, failed, err */
    bank_write_set *all;
    int failed;
    char err[600];
} drive;

static void record_failure(drive *d, const char *msg)
{
    pthread_mutex_lock(&d->lock);
    if (!d->failed) snprintf(d->err, sizeof d->err, "%s", msg);
    d->failed = 1;
    pthread_mutex_unlock(&d->lock);
}

/* Entry c's events in order, in one session. 0, or -1 after recording why. */
static int run_entry(drive *d, grpc_completion_queue *cq, size_t c)
{
    const bank_customer *cu = &d->w->customers[c];
    bank_write_set own = {0, 0, NULL};
    int rc = 0;
    for (size_t e = 0; e < cu->n_events && rc == 0; e++) {
        const bank_event *ev = &cu->events[e];
        size_t b = d->routes->branch[c][e];
        bank_write_id written;
        char why[400], msg[600];
        rc = bank_session_call(d->channels[b], cq, ev->op, cu->id, ev->id, ev->money, &own,
                               d->cfg->deadline_ms, &d->out->results[c][e], &written, why, sizeof why);
        if (rc == 0 && written.sequence) {
            pthread_mutex_lock(&d->lock);
            rc = bank_write_set_add(&own, written) | bank_write_set_add(d->all, written);
            pthread_mutex_unlock(&d->lock);
            if (rc != 0) snprintf(why, sizeof why, "out of memory");
        }
        if (rc != 0) {
            snprintf(msg, sizeof msg, "customer %lld, event %lld (%s at branch %lld): %s", (long long)cu->id,
                     (long long)ev->id, bank_op_name(ev->op), (long long)d->w->branches[b].id, why);
            record_failure(d, msg);
        }
    }
    bank_write_set_free(&own);
    return rc;
}

/* Every branch holds every write of all: a session query carrying them (PROBE_IDS at a time)
 * waits at each branch until it does; the last answer's balance is the branch's then. */
static int probe(bank_channel *const *channels, const bank_workload *w, grpc_completion_queue *cq,
                 const bank_write_set *all, int deadline_ms, int64_t *finals, char *err, size_t errlen)
{
    for (size_t b = 0; b < w->n_branches; b++) {
        size_t from = 0;
        do {
            bank_write_set part = {0, 0, all->ids + from};
            part.n = all->n - from < PROBE_IDS ? all->n - from : PROBE_IDS;
            bank_result r;
            bank_write_id none;
            char why[400];
            if (bank_session_call(channels[b], cq, BANK_OP_QUERY, 0, 0, 0, &part, deadline_ms, &r, &none,
                                  why, sizeof why) != 0) {
                snprintf(err, errlen, "waiting until branch %lld holds every write made so far: %s",
                         (long long)w->branches[b].id, why);
                return -1;
            }
            if (finals) finals[b] = r.balance;
            from += part.n;
        } while (from < all->n);
    }
    return 0;
}

typedef struct {
    drive *d;
    size_t customer;
} live_entry;

static void *live_worker(void *arg)
{
    live_entry *le = arg;
    grpc_completion_queue *cq = bank_client_cq_create();
    run_entry(le->d, cq, le->customer);
    bank_client_cq_destroy(cq);
    return NULL;
}

static void run_live(drive *d)
{
    size_t n = d->w->n_customers;
    pthread_t *threads = calloc(n ? n : 1, sizeof *threads);
    live_entry *les = calloc(n ? n : 1, sizeof *les);
    size_t started = 0;
    for (; threads && les && started < n; started++) {
        les[started] = (live_entry){d, started};
        if (pthread_create(&threads[started], NULL, live_worker, &les[started]) != 0) break;
    }
    if (started < n) record_failure(d, "cannot start a thread for every customer");
    for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    free(les);
}

int bank_session_drive(const bank_workload *w, const bank_routes *routes, const bank_branches *b,
                       const bank_session_config *cfg, bank_outcome *out, bank_write_set *all,
                       char *err, size_t errlen)
{
    memset(all, 0, sizeof *all);
    bank_channel **channels = bank_branches_channels(b, w->n_branches);
    drive d = {w, routes, cfg, channels, out, PTHREAD_MUTEX_INITIALIZER, all, 0, ""};
    if (!d.channels) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (cfg->schedule == BANK_SCHEDULE_LIVE) {
        run_live(&d);
    } else {
        grpc_completion_queue *cq = bank_client_cq_create();
        char why[600];
        for (size_t c = 0; c < w->n_customers && !d.failed; c++)
            if (run_entry(&d, cq, c) == 0 &&
                probe(d.channels, w, cq, all, cfg->deadline_ms, NULL, why, sizeof why) != 0)
                record_failure(&d, why);
        bank_client_cq_destroy(cq);
    }
    bank_branches_channels_close(d.channels, w->n_branches);
    pthread_mutex_destroy(&d.lock);
    if (d.failed) snprintf(err, errlen, "%s", d.err);
    return d.failed ? -1 : 0;
}

int bank_session_settle(const bank_workload *w, const bank_branches *b, const bank_write_set *all,
                        int deadline_ms, int64_t *finals, char *err, size_t errlen)
{
    bank_channel **channels = bank_branches_channels(b, w->n_branches);
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = channels ? probe(channels, w, cq, all, deadline_ms, finals, err, errlen) : -1;
    if (!channels) snprintf(err, errlen, "out of memory");
    bank_client_cq_destroy(cq);
    bank_branches_channels_close(channels, w->n_branches);
    return rc;
}
