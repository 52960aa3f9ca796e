/* The completion queue, its threads and the shared client channels (see engine.h). */
#include "engine.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/support/time.h>

typedef struct {
    char *target;
    const bank_tls *tls; /* whose certificate the channel presents; NULL: plaintext */
    grpc_channel *channel;
} engine_channel;

struct bank_engine {
    grpc_completion_queue *cq;
    pthread_t *threads;
    int n_threads;

    pthread_mutex_t channels_lock;
    engine_channel *channels;
    size_t n_channels, cap_channels;
};

static void *serve(void *arg)
{
    bank_engine *e = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(e->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
        if (ev.type != GRPC_OP_COMPLETE) continue;
        bank_engine_tag *t = ev.tag;
        t->on_event(t, ev.success);
    }
    return NULL;
}

/* Debian builds abseil without NDEBUG, so every lock of every gRPC mutex also updates a graph
 * of lock orders to detect deadlocks: about 5% of a branch's time in the profile. Turned off
 * (OnDeadlockCycle::kIgnore, as in abseil's release builds) when the library has the switch. */
static void skip_abseil_deadlock_detection(void)
{
    static const char *const names[] = {
        "_ZN4absl7debian329SetMutexDeadlockDetectionModeENS0_15OnDeadlockCycleE",
        "_ZN4absl29SetMutexDeadlockDetectionModeENS_15OnDeadlockCycleE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *sym = dlsym(RTLD_DEFAULT, names[i]);
        if (sym) {
            void (*set_mode)(int);
            memcpy(&set_mode, &sym, sizeof set_mode);
            set_mode(0);
            return;
        }
    }
}

bank_engine *bank_engine_start(int threads, char *err, size_t errlen)
{
    bank_engine *e = calloc(1, sizeof *e);
    int n = threads > 0 ? threads : 1;
    if (e) e->threads = calloc((size_t)n, sizeof *e->threads);
    if (!e || !e->threads) {
        free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    grpc_init();
    skip_abseil_deadlock_detection();
    pthread_mutex_init(&e->channels_lock, NULL);
    e->cq = grpc_completion_queue_create_for_next(NULL);
    for (; e->n_threads < n; e->n_threads++)
        if (pthread_create(&e->threads[e->n_threads], NULL, serve, e) != 0) break;
    if (e->n_threads == 0) {
        snprintf(err, errlen, "cannot start a thread");
        bank_engine_stop(e);
        return NULL;
    }
    return e;
}

grpc_completion_queue *bank_engine_cq(bank_engine *e) { return e->cq; }

const grpc_channel_args *bank_peer_channel_args(void)
{
    /* Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: it is also the shortest connect timeout, and at
     * 100 ms a loaded machine's handshakes time out and are retried in a storm. */
    static grpc_arg args[] = {
        {GRPC_ARG_INTEGER, GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, {.integer = 100}},
        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, {.integer = 1000}},
    };
    static const grpc_channel_args set = {sizeof args / sizeof args[0], args};
    return &set;
}

grpc_channel *bank_engine_channel(bank_engine *e, const char *target, const bank_tls *tls,
                                  const char *const *paths, size_t n_paths, void **handles)
{
    grpc_channel *ch = NULL;
    pthread_mutex_lock(&e->channels_lock);
    for (size_t i = 0; i < e->n_channels && !ch; i++)
        if (e->channels[i].tls == tls && strcmp(e->channels[i].target, target) == 0)
            ch = e->channels[i].channel;
    if (!ch && e->n_channels == e->cap_channels) {
        size_t cap = e->cap_channels ? 2 * e->cap_channels : 16;
        engine_channel *grown = realloc(e->channels, cap * sizeof *grown);
        if (grown) {
            e->channels = grown;
            e->cap_channels = cap;
        }
    }
    char *copy = ch ? NULL : strdup(target);
    if (!ch && copy && e->n_channels < e->cap_channels) {
        grpc_channel_credentials *creds = bank_tls_channel_credentials(tls);
        ch = grpc_channel_create(target, creds, bank_peer_channel_args());
        grpc_channel_credentials_release(creds);
        e->channels[e->n_channels++] = (engine_channel){copy, tls, ch};
        copy = NULL;
    }
    free(copy);
    if (ch)
        for (size_t i = 0; i < n_paths; i++)
            handles[i] = grpc_channel_register_call(ch, paths[i], NULL, NULL);
    pthread_mutex_unlock(&e->channels_lock);
    return ch;
}

void bank_engine_stop(bank_engine *e)
{
    if (!e) return;
    grpc_completion_queue_shutdown(e->cq);
    for (int i = 0; i < e->n_threads; i++) pthread_join(e->threads[i], NULL);
    grpc_completion_queue_destroy(e->cq);
    for (size_t i = 0; i < e->n_channels; i++) {
        grpc_channel_destroy(e->channels[i].channel);
        free(e->channels[i].target);
    }
    free(e->channels);
    free(e->threads);
    pthread_mutex_destroy(&e->channels_lock);
    free(e);
    grpc_shutdown();
}
