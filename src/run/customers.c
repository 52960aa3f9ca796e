#include "customers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/client.h"

typedef struct {
    const bank_workload *w;
    const bank_drive_config *cfg;
    const bank_branches *b;
    bank_channel **channels; /* one per branch, shared by every thread */
    bank_lamport *clocks;    /* one per customer entry: every customer is a process (spec L1) */
    bank_outcome *out;
    bank_latencies *lat;
    atomic_size_t *answered; /* may be NULL */

    pthread_mutex_t lock;
    pthread_cond_t work_ready, phase_done;
    const bank_step *steps; /* the current phase */
    size_t n_steps, next_step, steps_done;
    unsigned long generation;
    int quit;
    int released; /* live: customers may start */
    int failed;
    char err[512];
} drive;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void record_failure(drive *d, const char *msg)
{
    pthread_mutex_lock(&d->lock);
    if (!d->failed) {
        d->failed = 1;
        snprintf(d->err, sizeof d->err, "%s", msg);
    }
    pthread_mutex_unlock(&d->lock);
}

static void sleep_ms(int ms);

/* A call, asked again while the branch answers UNAVAILABLE "recovering" (bank branch --recover:
 * it refused without doing anything, so even a write is safe to send again), until deadline_ms.
 * With after_crash (bank run --kill), any UNAVAILABLE but "write applied ..." is asked again too:
 * the crash came between two phases, so a call that broke on the dead process's connection
 * never reached a live branch. */
static int call_through_recovery(bank_channel *ch, grpc_completion_queue *cq, bank_op op,
                                 int64_t customer_id, int64_t event_id, int64_t money,
                                 uint64_t clock, int deadline_ms, int after_crash, bank_result *out,
                                 uint64_t *received, char *err, size_t errlen)
{
    uint64_t until = now_ns() + (uint64_t)deadline_ms * 1000000u;
    for (int first = 1;; first = 0) {
        uint64_t now = now_ns();
        int left = first ? deadline_ms : now < until ? (int)((until - now) / 1000000u) : 0;
        int rc = bank_client_call_clocked(ch, cq, op, customer_id, event_id, money, clock,
                                          left > 0 ? left : 1, out, received, err, errlen);
        const char *unavailable = rc != 0 ? strstr(err, "gRPC status 14: ") : NULL;
        int again = unavailable && (strncmp(unavailable + 16, "recovering", 10) == 0 ||
                                    (after_crash && strncmp(unavailable + 16, "write applied", 13) != 0));
        if (!again || left <= 50) return rc;
        sleep_ms(50);
    }
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* bank drive's call: over the configured wire, each one told to call_fn. */
static int wire_event(drive *d, grpc_completion_queue *cq, size_t c, size_t e, char *why, size_t n)
{
    const bank_customer *cu = &d->w->customers[c];
    const bank_event *ev = &cu->events[e];
    bank_wire_error we;
    int64_t sent = wall_us();
    bank_result *r = &d->out->results[c][e];
    int rc = bank_wire_call(d->cfg->wire, d->channels[cu->branch_index], cq, ev->op, cu->id, ev->id,
                            ev->money, d->cfg->deadline_ms, r, &we);
    if (d->cfg->call_fn) d->cfg->call_fn(d->cfg->hook_ctx, c, e, sent, wall_us(), rc == 0 ? r : NULL, &we);
    if (rc != 0)
        snprintf(why, n, "branch %lld at %s: %s: %s", (long long)cu->id,
                 bank_channel_target(d->channels[cu->branch_index]), bank_grpc_status_name(we.status),
                 we.details);
    return rc;
}

/* Runs one event of customer c as that customer would: a call to its own branch. */
static int run_event(drive *d, grpc_completion_queue *cq, size_t c, size_t e)
{
    const bank_customer *cu = &d->w->customers[c];
    const bank_event *ev = &cu->events[e];
    char why[400];
    uint64_t start = now_ns();
    /* a resent call is the same send: it keeps its clock (a student's wire carries none) */
    uint64_t clock = bank_lamport_send(&d->clocks[c]), received = 0;
    int rc = d->cfg->wire ? wire_event(d, cq, c, e, why, sizeof why)
                          : call_through_recovery(d->channels[cu->branch_index], cq, ev->op, cu->id,
                                                  ev->id, ev->money, clock, d->cfg->deadline_ms,
                                                  d->cfg->kill_after > 0, &d->out->results[c][e],
                                                  &received, why, sizeof why);
    if (rc != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "customer %lld, event %lld (%s): %s", (long long)cu->id,
                 (long long)ev->id, bank_op_name(ev->op), why);
        record_failure(d, msg);
        return -1;
    }
    if (d->lat) d->lat->ns[c][e] = now_ns() - start;
    if (d->cfg->stamps) d->cfg->stamps[c][e] = (bank_clock_stamp){clock, received};
    if (d->answered) atomic_fetch_add(d->answered, 1);
    return 0;
}

/* ---- sequential and rounds: a pool of client threads runs the plan phase by phase ---- */

static void *plan_worker(void *arg)
{
    drive *d = arg;
    grpc_completion_queue *cq = bank_client_cq_create();
    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (!d->quit && d->next_step == d->n_steps) pthread_cond_wait(&d->work_ready, &d->lock);
        if (d->quit) break;
        const bank_step st = d->steps[d->next_step++];
        pthread_mutex_unlock(&d->lock);
        run_event(d, cq, st.customer, st.event);
        pthread_mutex_lock(&d->lock);
        if (++d->steps_done == d->n_steps) pthread_cond_signal(&d->phase_done);
    }
    pthread_mutex_unlock(&d->lock);
    bank_client_cq_destroy(cq);
    return NULL;
}

typedef struct {
    size_t answered; /* events answered so far */
    int64_t net;     /* of the writes answered success or pending so far */
} after_phase_state;

/* Between two phases: a write answered PENDING is waited for until it has reached every branch,
 * so the next phase still starts after every write is everywhere (S2); and bank run --kill
 * crashes and restarts branches once enough events are answered. */
static void after_phase(drive *d, const bank_step *steps, size_t n, after_phase_state *st)
{
    int pending = 0;
    for (size_t i = 0; i < n; i++) {
        const bank_result *r = &d->out->results[steps[i].customer][steps[i].event];
        int64_t money = d->w->customers[steps[i].customer].events[steps[i].event].money;
        if (r->success && r->op == BANK_OP_DEPOSIT) st->net += money;
        if (r->success && r->op == BANK_OP_WITHDRAW) st->net -= money;
        pending |= r->pending;
    }
    st->answered += n;
    char why[512];
    if (d->cfg->after_phase_fn) {
        if (d->cfg->after_phase_fn(d->cfg->hook_ctx, steps, n, why, sizeof why) != 0) record_failure(d, why);
        return;
    }
    if (pending && bank_wait_converged(d->w, d->b, st->net, d->cfg->deadline_ms, why, sizeof why) != 0) {
        record_failure(d, why);
        return;
    }
    if (d->cfg->kill_fn && d->cfg->kill_after > 0 && st->answered >= d->cfg->kill_after &&
        d->cfg->kill_fn(d->cfg->kill_ctx, st->answered, why, sizeof why) != 0)
        record_failure(d, why);
}

static int drive_plan(drive *d)
{
    bank_plan plan;
    if (bank_plan_build(d->w, d->cfg->schedule, &plan) != 0) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return -1;
    }
    size_t widest = 1;
    for (size_t p = 0; p < plan.n_phases; p++) {
        size_t n = plan.phase_start[p + 1] - plan.phase_start[p];
        if (n > widest) widest = n;
    }
    size_t n_workers = d->cfg->workers > 0 ? (size_t)d->cfg->workers : (widest < 16 ? widest : 16);
    pthread_t *workers = calloc(n_workers, sizeof *workers);
    size_t started = 0;
    while (workers && started < n_workers &&
           pthread_create(&workers[started], NULL, plan_worker, d) == 0)
        started++;
    if (started == 0) {
        free(workers);
        bank_plan_free(&plan);
        snprintf(d->err, sizeof d->err, "%s", workers ? "cannot start client threads" : "out of memory");
        return -1;
    }
    pthread_mutex_lock(&d->lock);
    after_phase_state after = {0, 0};
    for (size_t p = 0; p < plan.n_phases && !d->failed; p++) {
        d->steps = plan.steps + plan.phase_start[p];
        d->n_steps = plan.phase_start[p + 1] - plan.phase_start[p];
        d->next_step = d->steps_done = 0;
        pthread_cond_broadcast(&d->work_ready);
        while (d->steps_done < d->n_steps) pthread_cond_wait(&d->phase_done, &d->lock);
        if (!d->failed) {
            pthread_mutex_unlock(&d->lock);
            after_phase(d, d->steps, d->n_steps, &after);
            pthread_mutex_lock(&d->lock);
        }
    }
    d->quit = 1;
    pthread_cond_broadcast(&d->work_ready);
    pthread_mutex_unlock(&d->lock);
    for (size_t i = 0; i < started; i++) pthread_join(workers[i], NULL);
    free(workers);
    bank_plan_free(&plan);
    return d->failed ? -1 : 0;
}

/* ---- live: one thread per customer, all released at once ---- */

typedef struct {
    drive *d;
    size_t customer;
} live_customer;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void *live_worker(void *arg)
{
    live_customer *lc = arg;
    drive *d = lc->d;
    grpc_completion_queue *cq = bank_client_cq_create();
    pthread_mutex_lock(&d->lock); /* all customers start together */
    while (!d->released) pthread_cond_wait(&d->work_ready, &d->lock);
    pthread_mutex_unlock(&d->lock);
    const bank_customer *cu = &d->w->customers[lc->customer];
    for (size_t e = 0; e < cu->n_events; e++) {
        if (cu->events[e].op == BANK_OP_QUERY && d->cfg->query_delay_ms > 0)
            sleep_ms(d->cfg->query_delay_ms);
        if (run_event(d, cq, lc->customer, e) != 0) break;
    }
    bank_client_cq_destroy(cq);
    return NULL;
}

static int drive_live(drive *d)
{
    size_t n = d->w->n_customers;
    if (n == 0) return 0;
    pthread_t *threads = calloc(n, sizeof *threads);
    live_customer *lcs = calloc(n, sizeof *lcs);
    if (!threads || !lcs) {
        free(threads);
        free(lcs);
        snprintf(d->err, sizeof d->err, "out of memory");
        return -1;
    }
    size_t started = 0;
    for (; started < n; started++) {
        lcs[started] = (live_customer){d, started};
        if (pthread_create(&threads[started], NULL, live_worker, &lcs[started]) != 0) break;
    }
    if (started < n) record_failure(d, "cannot start a thread for every customer");
    pthread_mutex_lock(&d->lock);
    d->released = 1;
    pthread_cond_broadcast(&d->work_ready);
    pthread_mutex_unlock(&d->lock);
    for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    free(lcs);
    return d->failed ? -1 : 0;
}

int bank_drive(const bank_workload *w, const bank_branches *b, const bank_drive_config *cfg,
               bank_outcome *out, bank_latencies *lat, char *err, size_t errlen)
{
    return bank_drive_counted(w, b, cfg, out, lat, NULL, err, errlen);
}

int bank_drive_counted(const bank_workload *w, const bank_branches *b, const bank_drive_config *cfg,
                       bank_outcome *out, bank_latencies *lat, atomic_size_t *answered, char *err,
                       size_t errlen)
{
    drive d;
    memset(&d, 0, sizeof d);
    d.w = w;
    d.cfg = cfg;
    d.b = b;
    d.out = out;
    d.lat = lat;
    d.answered = answered;
    pthread_mutex_init(&d.lock, NULL);
    pthread_cond_init(&d.work_ready, NULL);
    pthread_cond_init(&d.phase_done, NULL);
    d.channels = bank_branches_channels(b, w->n_branches);
    d.clocks = calloc(w->n_customers ? w->n_customers : 1, sizeof *d.clocks);
    int rc;
    if (!d.channels || !d.clocks) {
        snprintf(d.err, sizeof d.err, "out of memory");
        rc = -1;
    } else {
        rc = cfg->schedule == BANK_SCHEDULE_LIVE ? drive_live(&d) : drive_plan(&d);
    }
    bank_branches_channels_close(d.channels, w->n_branches);
    free(d.clocks);
    pthread_cond_destroy(&d.work_ready);
    pthread_cond_destroy(&d.phase_done);
    pthread_mutex_destroy(&d.lock);
    if (rc != 0) snprintf(err, errlen, "%s", d.err);
    return rc;
}

int bank_read_balances(const bank_workload *w, const bank_branches *b, int deadline_ms,
                       int64_t *balances, char *err, size_t errlen)
{
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = 0;
    for (size_t i = 0; i < w->n_branches && rc == 0; i++) {
        bank_channel *ch = bank_branches_channel(b, i);
        bank_result r;
        char why[400];
        /* no clock: the run's own reads are no events (spec L1) */
        rc = ch ? call_through_recovery(ch, cq, BANK_OP_QUERY, 0, 0, 0, 0, deadline_ms, 0, &r, NULL, why,
                                        sizeof why)
                : -1;
        if (rc == 0) balances[i] = r.balance;
        else snprintf(err, errlen, "reading the balance of branch %lld: %s",
                      (long long)w->branches[i].id, ch ? why : "out of memory");
        bank_channel_close(ch);
    }
    bank_client_cq_destroy(cq);
    return rc;
}

size_t bank_outcome_pending(const bank_workload *w, const bank_outcome *out)
{
    size_t n = 0;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) n += out->results[c][e].pending != 0;
    return n;
}

int bank_wait_converged(const bank_workload *w, const bank_branches *b, int64_t net,
                        int deadline_ms, char *err, size_t errlen)
{
    int64_t *now = calloc(w->n_branches ? w->n_branches : 1, sizeof *now);
    if (!now) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t until = now_ns() + (uint64_t)deadline_ms * 1000000u;
    int rc;
    for (;;) {
        rc = bank_read_balances(w, b, deadline_ms, now, err, errlen);
        size_t behind = w->n_branches;
        for (size_t i = 0; i < w->n_branches && rc == 0 && behind == w->n_branches; i++)
            if (now[i] != w->branches[i].balance + net) behind = i;
        if (rc != 0 || behind == w->n_branches) break;
        if (now_ns() >= until) {
            snprintf(err, errlen,
                     "branch %lld holds %lld, expected %lld: the writes owed to it did not reach it "
                     "within %d ms", (long long)w->branches[behind].id, (long long)now[behind],
                     (long long)(w->branches[behind].balance + net), deadline_ms);
            rc = -1;
            break;
        }
        sleep_ms(50);
    }
    free(now);
    return rc;
}
