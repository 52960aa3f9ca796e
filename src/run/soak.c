#include "soak.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "branches.h"
#include "converged.h"
#include "core/workload_gen.h"
#include "customers.h"
#include "data_dirs.h"
#include "rss.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mib(uint64_t kib) { return (double)kib / 1024.0; }

typedef struct {
    FILE *f;
    int every_s;
    double t0;
    atomic_size_t answered;
    atomic_size_t repetition, failed; /* repetition: the one under way (or the last) */
    atomic_uint_fast64_t rss_after_kib; /* after the last repetition that ended */
    pthread_mutex_t lock; /* guards stop and f's lines */
    pthread_cond_t wake;
    int stop;
    bank_branches *shared;      /* with a data dir: the branches every repetition uses */
    const bank_workload *first; /* ... started for this workload */
    const char *data_dir;
} soak_state;

/* With a data dir: the branches' logs (writes) and files (KiB), now. */
static void disk_figures(const soak_state *s, uint64_t *log, uint64_t *disk_kib)
{
    *log = s->shared ? bank_branches_log_length(s->shared) : 0;
    *disk_kib = s->shared ? bank_data_dirs_bytes(s->first, s->data_dir) / 1024 : 0;
}

/* Prints one sample every every_s seconds until told to stop. */
static void *sampler(void *arg)
{
    soak_state *s = arg;
    size_t last_ops = 0;
    double last_t = s->t0;
    struct timespec due;
    clock_gettime(CLOCK_MONOTONIC, &due);
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        due.tv_sec += s->every_s;
        while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &due) == 0) {
        }
        if (s->stop) break;
        double t = now_s();
        size_t ops = atomic_load(&s->answered);
        uint64_t after = atomic_load(&s->rss_after_kib);
        char after_text[64] = "none ended yet", disk_text[96] = "";
        if (after) snprintf(after_text, sizeof after_text, "%.1f MB", mib(after));
        uint64_t log, disk;
        disk_figures(s, &log, &disk);
        if (s->shared) snprintf(disk_text, sizeof disk_text, "  log %llu writes  disk %.1f MB",
                                (unsigned long long)log, mib(disk));
        fprintf(s->f, "soak %7.1f s  repetition %zu  %zu ops  %8.0f ops/s  rss %7.1f MB  (after the last "
                      "repetition: %s)  peak %7.1f MB%s  failed repetitions %zu\n",
                t - s->t0, atomic_load(&s->repetition), ops, (double)(ops - last_ops) / (t - last_t),
                mib(bank_rss_now_kib()), after_text, mib(bank_rss_peak_kib()), disk_text,
                atomic_load(&s->failed));
        fflush(s->f);
        last_ops = ops;
        last_t = t;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* One repetition: fresh branches (or the shared ones, from where they are), a newly seeded
 * live workload, the convergence check, stop. */
static int repetition(const bank_soak_config *cfg, soak_state *s, uint64_t seed, char *err,
                      size_t errlen)
{
    bank_gen_config gen = {cfg->branches, cfg->customers, cfg->events, 1000, 100, 40, seed};
    bank_workload w;
    bank_outcome out;
    if (bank_workload_generate(&gen, &w) != 0) {
        snprintf(err, errlen, "cannot generate the workload (out of memory)");
        return -1;
    }
    if (bank_outcome_init(&out, &w) != 0) {
        bank_workload_free(&w);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = cfg->server_threads,
                               .deadline_ms = cfg->deadline_ms};
    bank_drive_config dc = {.schedule = BANK_SCHEDULE_LIVE, .deadline_ms = cfg->deadline_ms};
    bank_branches *br = s->shared;
    int64_t *now = s->shared ? calloc(w.n_branches, sizeof *now) : NULL;
    int rc = 0;
    if (s->shared) { /* they start this workload where the last one left them */
        rc = now ? bank_read_balances(&w, br, cfg->deadline_ms, now, err, errlen) : -1;
        for (size_t i = 0; i < w.n_branches && rc == 0; i++) w.branches[i].balance = now[i];
        free(now);
    } else {
        br = bank_branches_start(&w, &bc, err, errlen);
        rc = br ? 0 : -1;
    }
    if (rc == 0) rc = bank_drive_counted(&w, br, &dc, &out, NULL, &s->answered, err, errlen);
    if (rc == 0) rc = bank_check_converged(&w, br, &out, cfg->deadline_ms, NULL, err, errlen);
    char stop_err[512];
    if (br && !s->shared && bank_branches_stop(br, stop_err, sizeof stop_err) != 0 && rc == 0) {
        snprintf(err, errlen, "stopping the branches: %s", stop_err);
        rc = -1;
    }
    bank_outcome_free(&out);
    bank_workload_free(&w);
    return rc;
}

int bank_soak_run(const bank_soak_config *cfg, FILE *f, bank_soak_result *r)
{
    memset(r, 0, sizeof *r);
    soak_state s = {.f = f, .every_s = cfg->every_s, .t0 = now_s()};
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s.wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s.lock, NULL);
    bank_workload first;
    bank_gen_config gen = {cfg->branches, cfg->customers, cfg->events, 1000, 100, 40, cfg->seed};
    char err[1024] = "";
    if (cfg->data_dir) { /* one set of branches, their state on disk, for every repetition */
        bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = cfg->server_threads,
                                   .deadline_ms = cfg->deadline_ms, .data_dir = cfg->data_dir, .sync = cfg->sync};
        if (bank_workload_generate(&gen, &first) != 0) snprintf(err, sizeof err, "out of memory");
        else if (!(s.shared = bank_branches_start(&first, &bc, err, sizeof err))) bank_workload_free(&first);
        s.first = &first;
        s.data_dir = cfg->data_dir;
    }
    pthread_t tid;
    int sampling = pthread_create(&tid, NULL, sampler, &s) == 0;
    fprintf(f, "soak: %zu branches, %zu customers x %zu events, live, for %.0f s; a sample every %d s%s%s%s\n",
            cfg->branches, cfg->customers, cfg->events, cfg->seconds, cfg->every_s,
            sampling ? "" : " (cannot start the sampler: no samples)",
            cfg->data_dir ? "; one set of branches with their state in " : "", cfg->data_dir ? cfg->data_dir : "");
    fflush(f);
    int can_run = !cfg->data_dir || s.shared;
    if (!can_run) {
        fprintf(f, "soak: the branches did not start: %s\n", err);
        atomic_fetch_add(&s.failed, 1);
    }
    uint64_t *after = NULL; /* the RSS after each repetition */
    size_t n_after = 0, cap_after = 0;
    while (can_run) {
        size_t rep = atomic_fetch_add(&s.repetition, 1) + 1;
        size_t before = atomic_load(&s.answered);
        double t = now_s();
        int rc = repetition(cfg, &s, cfg->seed + rep, err, sizeof err);
        uint64_t rss = bank_rss_now_kib(), log, disk;
        disk_figures(&s, &log, &disk);
        if (rep == 1) r->rss_first_kib = rss, r->log_first = log, r->disk_first = disk;
        r->rss_last_kib = rss;
        r->log_last = log;
        r->disk_last = disk;
        if (rss > r->rss_max_after_kib) r->rss_max_after_kib = rss;
        if (log > r->log_max) r->log_max = log;
        if (disk > r->disk_max) r->disk_max = disk;
        if (n_after == cap_after) {
            size_t cap = cap_after ? 2 * cap_after : 64;
            uint64_t *grown = realloc(after, 3 * cap * sizeof *grown);
            if (grown) {
                after = grown;
                cap_after = cap;
            }
        }
        if (n_after < cap_after) {
            after[3 * n_after] = rss;
            after[3 * n_after + 1] = log;
            after[3 * n_after++ + 2] = disk;
        }
        atomic_store(&s.rss_after_kib, rss);
        if (rc != 0) { /* under the lock: one whole line between the sampler's */
            pthread_mutex_lock(&s.lock);
            atomic_fetch_add(&s.failed, 1);
            fprintf(f, "soak: repetition %zu FAILED after %.1f s (%zu ops answered): %s\n", rep,
                    now_s() - t, atomic_load(&s.answered) - before, err);
            fflush(f);
            pthread_mutex_unlock(&s.lock);
        }
        if (now_s() - s.t0 >= cfg->seconds) break;
    }
    pthread_mutex_lock(&s.lock);
    s.stop = 1;
    pthread_cond_signal(&s.wake);
    pthread_mutex_unlock(&s.lock);
    if (sampling) pthread_join(tid, NULL);
    if (s.shared) { /* after the sampler, which reads their figures */
        char stop_err[512];
        if (bank_branches_stop(s.shared, stop_err, sizeof stop_err) != 0) {
            fprintf(f, "soak: stopping the branches: %s\n", stop_err);
            atomic_fetch_add(&s.failed, 1);
        }
        bank_workload_free(&first);
    }
    pthread_cond_destroy(&s.wake);
    pthread_mutex_destroy(&s.lock);
    r->seconds = now_s() - s.t0;
    r->repetitions = atomic_load(&s.repetition);
    r->failed = atomic_load(&s.failed);
    r->operations = atomic_load(&s.answered);
    r->rss_peak_kib = bank_rss_peak_kib();
    for (size_t i = 0; i < (n_after + 1) / 2; i++) {
        if (after[3 * i] > r->rss_settled_kib) r->rss_settled_kib = after[3 * i];
        if (after[3 * i + 1] > r->log_settled) r->log_settled = after[3 * i + 1];
        if (after[3 * i + 2] > r->disk_settled) r->disk_settled = after[3 * i + 2];
    }
    free(after);
    return r->failed ? -1 : 0;
}

int bank_soak_flat(size_t repetitions, uint64_t settled, uint64_t first, uint64_t last, uint64_t allowance)
{
    if (repetitions < 2) return -1;
    uint64_t base = settled ? settled : first;
    uint64_t share = base * BANK_SOAK_FLAT_PERCENT / 100;
    return last <= base + (share > allowance ? share : allowance);
}

int bank_soak_memory_flat(const bank_soak_result *r)
{
    return bank_soak_flat(r->repetitions, r->rss_settled_kib, r->rss_first_kib, r->rss_last_kib,
                          BANK_SOAK_FLAT_MIB * 1024u);
}

void bank_soak_print_summary(FILE *f, const bank_soak_config *cfg, const bank_soak_result *r)
{
    int flat = bank_soak_memory_flat(r);
    fprintf(f, "soak summary: %.1f s, %zu repetitions of %zu branches x %zu customers x %zu events "
               "(live), %zu failed\n",
            r->seconds, r->repetitions, cfg->branches, cfg->customers, cfg->events, r->failed);
    fprintf(f, "  operations answered %zu (%.0f ops/s overall), errors %zu\n", r->operations,
            r->seconds > 0 ? (double)r->operations / r->seconds : 0, r->failed);
    fprintf(f, "  rss after the first repetition %.1f MB, largest after one of the first half %.1f MB, "
               "after the last %.1f MB, largest after one %.1f MB, peak %.1f MB\n",
            mib(r->rss_first_kib), mib(r->rss_settled_kib), mib(r->rss_last_kib),
            mib(r->rss_max_after_kib), mib(r->rss_peak_kib));
    fprintf(f, "  memory %s (flat: after the last repetition at most max(%d%% of it, %d MB) above the "
               "largest after one of the first half)\n",
            flat < 0 ? "undecided: one repetition" : flat ? "stayed flat" : "GREW",
            BANK_SOAK_FLAT_PERCENT, BANK_SOAK_FLAT_MIB);
    if (!cfg->data_dir) return;
    /* the log: flat within the share, or a batch's worth of writes per branch; the disk: as memory */
    int log_flat = bank_soak_flat(r->repetitions, r->log_settled, r->log_first, r->log_last, 64 * cfg->branches);
    int disk_flat = bank_soak_flat(r->repetitions, r->disk_settled, r->disk_first, r->disk_last,
                                   BANK_SOAK_FLAT_MIB * 1024u);
    fprintf(f, "  logs (all branches) after the first repetition %llu writes, largest after one of the first "
               "half %llu, after the last %llu, largest after one %llu: %s\n",
            (unsigned long long)r->log_first, (unsigned long long)r->log_settled,
            (unsigned long long)r->log_last, (unsigned long long)r->log_max,
            log_flat < 0 ? "undecided" : log_flat ? "stayed flat" : "GREW");
    fprintf(f, "  data dirs after the first repetition %.1f MB, largest after one of the first half %.1f MB, "
               "after the last %.1f MB, largest after one %.1f MB: %s\n",
            mib(r->disk_first), mib(r->disk_settled), mib(r->disk_last), mib(r->disk_max),
            disk_flat < 0 ? "undecided" : disk_flat ? "stayed flat" : "GREW");
}
