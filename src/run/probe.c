/* Reads every branch's balance over the run's wire and keeps what bank drive reports of it. */
#include "probe.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bank_prober {
    const bank_workload *w;
    const bank_wire *wire;
    int deadline_ms;
    bank_channel **chs;
    grpc_completion_queue *cq;
    int64_t *now;
    int *ok;
    bank_wire_error *errs;
    bank_probe_log log;
};

static int alloc_point(bank_probe_point *pt, size_t n)
{
    pt->seen = calloc(n ? n : 1, sizeof *pt->seen);
    pt->expected = calloc(n ? n : 1, sizeof *pt->expected);
    return pt->seen && pt->expected ? 0 : -1;
}

bank_prober *bank_prober_open(const bank_workload *w, const bank_branches *b, const bank_wire *wire,
                              int deadline_ms)
{
    bank_prober *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    size_t n = w->n_branches ? w->n_branches : 1;
    p->w = w;
    p->wire = wire;
    p->deadline_ms = deadline_ms;
    p->chs = calloc(n, sizeof *p->chs);
    p->now = calloc(n, sizeof *p->now);
    p->ok = calloc(n, sizeof *p->ok);
    p->errs = calloc(n, sizeof *p->errs);
    int rc = p->chs && p->now && p->ok && p->errs && alloc_point(&p->log.first, n) == 0 &&
                     alloc_point(&p->log.final, n) == 0
                 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < w->n_branches; i++)
        if (!(p->chs[i] = bank_branches_channel(b, i))) rc = -1;
    if (rc == 0 && !(p->cq = bank_client_cq_create())) rc = -1;
    if (rc != 0) {
        bank_prober_close(p);
        return NULL;
    }
    return p;
}

void bank_prober_close(bank_prober *p)
{
    if (!p) return;
    for (size_t i = 0; p->chs && i < p->w->n_branches; i++) bank_channel_close(p->chs[i]);
    if (p->cq) bank_client_cq_destroy(p->cq);
    free(p->chs);
    free(p->now);
    free(p->ok);
    free(p->errs);
    free(p->log.first.seen);
    free(p->log.first.expected);
    free(p->log.final.seen);
    free(p->log.final.expected);
    free(p);
}

const bank_probe_log *bank_prober_log(const bank_prober *p) { return &p->log; }

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void keep(bank_probe_point *pt, const bank_workload *w, bank_probe_when when, size_t customer,
                 size_t event, const int64_t *seen, int64_t net)
{
    pt->when = when;
    pt->customer = customer;
    pt->event = event;
    for (size_t i = 0; i < w->n_branches; i++) {
        pt->seen[i] = seen[i];
        pt->expected[i] = w->branches[i].balance + net;
    }
}

int bank_probe(bank_prober *p, bank_probe_when when, size_t customer, size_t event, int64_t net,
               int settle_ms)
{
    const bank_workload *w = p->w;
    size_t n = w->n_branches;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    p->log.n_probes++;
    for (;;) {
        int failed = bank_wire_query_all(p->wire, p->chs, n, p->cq, p->deadline_ms, p->now, p->ok, p->errs);
        if (failed < 0) return -2; /* no branch's failure: this process's */
        for (size_t i = 0; failed != 0 && i < n; i++) {
            if (p->ok[i]) continue;
            if (!p->log.failed) {
                p->log.failed = 1;
                p->log.failed_branch = i;
                p->log.failed_when = when;
                p->log.failure = p->errs[i];
            }
            return -1;
        }
        size_t off = n;
        for (size_t i = 0; i < n && off == n; i++)
            if (p->now[i] != w->branches[i].balance + net) off = i;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long waited = (t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000;
        if (off == n || waited >= settle_ms) {
            if (off < n && !p->log.diverged) {
                p->log.diverged = 1;
                keep(&p->log.first, w, when, customer, event, p->now, net);
            }
            if (when == BANK_PROBE_FINAL) {
                p->log.final_taken = 1;
                keep(&p->log.final, w, when, customer, event, p->now, net);
            }
            return 0;
        }
        sleep_ms(50);
    }
}
