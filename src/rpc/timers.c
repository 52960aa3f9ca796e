/* Work due later, run by one thread (see timers.h). */
#include "timers.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef struct timed_work timed_work;
struct timed_work {
    long long due_ms;
    bank_timer_fn fn;
    void *arg;
    timed_work *next;
};

struct bank_timers {
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t changed;
    timed_work *due; /* sorted by due_ms */
    int stopped;
    pthread_t thread;
};

long long bank_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *run_due(void *arg)
{
    bank_timers *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stopped) {
        if (!t->due) {
            pthread_cond_wait(&t->changed, &t->lock);
            continue;
        }
        long long due = t->due->due_ms;
        if (due > bank_mono_ms()) {
            struct timespec until = {(time_t)(due / 1000), (long)(due % 1000) * 1000000};
            pthread_cond_timedwait(&t->changed, &t->lock, &until);
            continue;
        }
        timed_work *w = t->due;
        t->due = w->next;
        pthread_mutex_unlock(&t->lock);
        w->fn(w->arg, 0);
        free(w);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

bank_timers *bank_timers_start(void)
{
    bank_timers *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    pthread_mutex_init(&t->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->changed, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&t->thread, NULL, run_due, t) != 0) {
        pthread_cond_destroy(&t->changed);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
    }
    return t;
}

void bank_timers_after(bank_timers *t, int delay_ms, bank_timer_fn fn, void *arg)
{
    timed_work *w = malloc(sizeof *w);
    pthread_mutex_lock(&t->lock);
    if (!w || t->stopped) {
        pthread_mutex_unlock(&t->lock);
        free(w);
        fn(arg, 1);
        return;
    }
    *w = (timed_work){bank_mono_ms() + delay_ms, fn, arg, NULL};
    timed_work **at = &t->due;
    while (*at && (*at)->due_ms <= w->due_ms) at = &(*at)->next;
    w->next = *at;
    *at = w;
    pthread_cond_signal(&t->changed);
    pthread_mutex_unlock(&t->lock);
}

void bank_timers_stop(bank_timers *t)
{
    pthread_mutex_lock(&t->lock);
    int was_stopped = t->stopped;
    t->stopped = 1;
    pthread_cond_signal(&t->changed);
    pthread_mutex_unlock(&t->lock);
    if (!was_stopped) pthread_join(t->thread, NULL);
    for (;;) { /* what is left may add more, which then runs at once */
        pthread_mutex_lock(&t->lock);
        timed_work *w = t->due;
        if (w) t->due = w->next;
        pthread_mutex_unlock(&t->lock);
        if (!w) break;
        w->fn(w->arg, 1);
        free(w);
    }
}

void bank_timers_free(bank_timers *t)
{
    if (!t) return;
    bank_timers_stop(t);
    pthread_cond_destroy(&t->changed);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
