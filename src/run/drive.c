/* Acting out an input's customers against running branches, with a replica probe after every
 * answered write (sequential and rounds) and at the end, and progress while it lasts. */
#include "drive.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "customers.h"

static const char *const phase_names[] = {"probing every branch before the run", "running the customers",
                                          "probing every branch at the end", "judging the answers"};

typedef struct {
    const bank_workload *w;
    const bank_system_config *cfg;
    bank_system_run *run;
    pthread_mutex_t lock;  /* the calls table, written from the customers' threads */
    int64_t net;           /* of the writes answered success or pending, phase by phase */
    atomic_size_t answered;
    atomic_int phase;
    /* progress */
    pthread_t progress_thread;
    int progress_started;
    pthread_mutex_t progress_lock;
    pthread_cond_t progress_stop;
    int stopping;
} system_drive;

static void on_call(void *ctx, size_t c, size_t e, int64_t sent_us, int64_t answered_us,
                    const bank_result *answer, const bank_wire_error *err)
{
    system_drive *s = ctx;
    pthread_mutex_lock(&s->lock);
    bank_system_call *call = &s->run->calls[c][e];
    call->called = 1;
    call->answered = answer != NULL;
    call->sent_us = sent_us;
    call->answered_us = answered_us;
    if (!answer) {
        call->error = *err;
        if (!s->run->stopped) {
            s->run->stopped = 1;
            s->run->stop_customer = c;
            s->run->stop_event = e;
            s->run->stop_error = *err;
        }
    } else {
        s->run->n_answered++;
    }
    pthread_mutex_unlock(&s->lock);
}

/* The net of the writes of these steps answered success or pending. */
static int64_t net_of(const system_drive *s, const bank_step *steps, size_t n, int *wrote, int *pending,
                      size_t *last)
{
    int64_t net = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = steps[i].customer, e = steps[i].event;
        const bank_event *ev = &s->w->customers[c].events[e];
        const bank_result *r = &s->run->out.results[c][e];
        if (ev->op == BANK_OP_QUERY || !s->run->calls[c][e].answered) continue;
        *wrote = 1;
        *last = i;
        *pending |= r->pending;
        if (r->success) net += ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
    }
    return net;
}

/* After a phase: when it held an answered write, every branch must hold what the reference does. */
static int after_phase(void *ctx, const bank_step *steps, size_t n, char *err, size_t errlen)
{
    system_drive *s = ctx;
    int wrote = 0, pending = 0;
    size_t last = 0;
    s->net += net_of(s, steps, n, &wrote, &pending, &last);
    if (!wrote) return 0;
    int probed = bank_probe(s->run->prober, BANK_PROBE_AFTER_WRITE, steps[last].customer,
                            steps[last].event, s->net, pending ? s->cfg->deadline_ms : 0);
    if (probed == 0) return 0;
    /* a failed call is in the log, which names the branch */
    snprintf(err, errlen, "%s", probed == -2 ? "out of memory" : "a probe failed");
    return -1;
}

/* ---- progress ---- */

static void *progress_main(void *arg)
{
    system_drive *s = arg;
    struct timespec start;
    clock_gettime(CLOCK_REALTIME, &start);
    int tty = isatty(STDERR_FILENO), every = tty ? 1 : 5, printed = 0; /* a log: at 1 s, then every 5 */
    pthread_mutex_lock(&s->progress_lock);
    for (int tick = 1; !s->stopping; tick++) {
        struct timespec until = {start.tv_sec + tick, start.tv_nsec};
        while (!s->stopping && pthread_cond_timedwait(&s->progress_stop, &s->progress_lock, &until) == 0) {
        }
        if (s->stopping || (tick > 1 && tick % every != 0)) continue;
        fprintf(stderr, "%sbank drive: %zu/%zu events answered, %zu probes; %s (%d s)%s",
                tty ? "\r" : "", atomic_load(&s->answered), s->run->n_events,
                bank_prober_log(s->run->prober)->n_probes, phase_names[atomic_load(&s->phase)], tick,
                tty ? "   " : "\n");
        printed = 1;
    }
    pthread_mutex_unlock(&s->progress_lock);
    if (printed && tty) fputc('\n', stderr);
    return NULL;
}

static void progress_start(system_drive *s)
{
    pthread_mutex_init(&s->progress_lock, NULL);
    pthread_cond_init(&s->progress_stop, NULL);
    s->progress_started = s->cfg->progress && pthread_create(&s->progress_thread, NULL, progress_main, s) == 0;
}

static void progress_stop(system_drive *s)
{
    pthread_mutex_lock(&s->progress_lock);
    s->stopping = 1;
    pthread_cond_signal(&s->progress_stop);
    pthread_mutex_unlock(&s->progress_lock);
    if (s->progress_started) pthread_join(s->progress_thread, NULL);
    pthread_cond_destroy(&s->progress_stop);
    pthread_mutex_destroy(&s->progress_lock);
}

/* ---- the run ---- */

static int alloc_run(const bank_workload *w, bank_system_run *run)
{
    memset(run, 0, sizeof *run);
    if (bank_outcome_init(&run->out, w) != 0) return -1;
    run->calls = calloc(w->n_customers ? w->n_customers : 1, sizeof *run->calls);
    for (size_t c = 0; run->calls && c < w->n_customers; c++)
        if (!(run->calls[c] = calloc(w->customers[c].n_events ? w->customers[c].n_events : 1,
                                     sizeof **run->calls)))
            return -1;
    run->n_events = bank_workload_event_count(w);
    return run->calls ? 0 : -1;
}

static int64_t answered_net(const bank_workload *w, const bank_system_run *run, int *pending)
{
    int64_t net = 0;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_event *ev = &w->customers[c].events[e];
            const bank_result *r = &run->out.results[c][e];
            if (ev->op == BANK_OP_QUERY || !run->calls[c][e].answered) continue;
            *pending |= r->pending;
            if (r->success) net += ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
        }
    return net;
}

int bank_system_drive(const bank_workload *w, const bank_branches *b, const bank_system_config *cfg,
                      bank_system_run *run, char *err, size_t errlen)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (alloc_run(w, run) != 0 || !(run->prober = bank_prober_open(w, b, cfg->wire, cfg->deadline_ms))) {
        snprintf(err, errlen, "out of memory");
        bank_system_run_free(run, w);
        return -1;
    }
    system_drive s = {.w = w, .cfg = cfg, .run = run};
    pthread_mutex_init(&s.lock, NULL);
    progress_start(&s);
    const bank_probe_log *log = bank_prober_log(run->prober);
    int before = bank_probe(run->prober, BANK_PROBE_BEFORE, 0, 0, 0, 0);
    int rc = before == -2 ? -1 : 0;
    if (before == -1) run->setup_unreachable = 1;
    else if (log->diverged) run->setup_off = 1;
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
    } else if (!run->setup_unreachable && !run->setup_off) {
        atomic_store(&s.phase, 1);
        bank_drive_config dc = {.schedule = cfg->schedule, .query_delay_ms = cfg->query_delay_ms,
                                .deadline_ms = cfg->deadline_ms, .wire = cfg->wire,
                                .after_phase_fn = after_phase, .call_fn = on_call, .hook_ctx = &s};
        char why[512];
        /* a failed call or probe stops it; both are in run and the probe log, not errors here */
        if (bank_drive_counted(w, b, &dc, &run->out, NULL, &s.answered, why, sizeof why) != 0 &&
            !run->stopped && !log->failed) {
            snprintf(err, errlen, "%s", why); /* this process's failure: out of memory, no threads */
            rc = -1;
        } else {
            atomic_store(&s.phase, 2);
            int pending = 0;
            int64_t net = answered_net(w, run, &pending);
            if (!log->failed &&
                bank_probe(run->prober, BANK_PROBE_FINAL, 0, 0, net, pending ? cfg->deadline_ms : 0) == -2) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            } else {
                atomic_store(&s.phase, 3);
                rc = bank_system_judge(w, cfg->schedule, cfg->budget, run, err, errlen);
            }
        }
    }
    progress_stop(&s);
    pthread_mutex_destroy(&s.lock);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    run->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc != 0) bank_system_run_free(run, w);
    return rc;
}

void bank_system_run_free(bank_system_run *run, const bank_workload *w)
{
    for (size_t c = 0; run->calls && c < w->n_customers; c++) free(run->calls[c]);
    free(run->calls);
    bank_outcome_free(&run->out);
    bank_prober_close(run->prober);
    bank_grade_report_free(&run->answers);
    memset(run, 0, sizeof *run);
}

int bank_system_behaved(const bank_system_run *run)
{
    const bank_probe_log *log = bank_prober_log(run->prober);
    return !run->setup_unreachable && !run->setup_off && !run->stopped && !log->failed &&
           !log->diverged && run->answers.n_wrong == 0 &&
           run->answers.n_correct + run->answers.n_undecided == run->answers.n_events;
}
