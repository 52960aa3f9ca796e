/* The completion queue, its threads and the client channels that gRPC servers and their
 * outgoing calls share. One engine per `bank branch` process; one for all the branches a run
 * starts in one process, so that a write's fan-out to every peer is handled by a couple of
 * threads on one queue instead of waking one thread per branch. */
#ifndef BANK_RPC_ENGINE_H
#define BANK_RPC_ENGINE_H

#include <grpc/grpc.h>
#include <stddef.h>

#include "tls.h"

/* Every tag given to the engine's queue starts with this; on_event runs on an engine thread
 * when the tag's operation completes (ok: it succeeded). */
typedef struct bank_engine_tag bank_engine_tag;
struct bank_engine_tag {
    void (*on_event)(bank_engine_tag *tag, int ok);
};

typedef struct bank_engine bank_engine;

/* Starts `threads` threads (0: 1) serving a new completion queue. NULL with err on failure. */
bank_engine *bank_engine_start(int threads, char *err, size_t errlen);

grpc_completion_queue *bank_engine_cq(bank_engine *e);

/* One channel per target and TLS identity for the whole engine, created on first use and kept
 * until bank_engine_stop: 100 plaintext branches in one process keep 100 channels, not 9,900.
 * Under TLS (tls not NULL; it must outlive the engine) every branch presents its own
 * certificate, so each has its own channels. Also gives the channel's registered-call handles
 * of paths[0..n_paths). NULL when out of memory. */
grpc_channel *bank_engine_channel(bank_engine *e, const char *target, const bank_tls *tls,
                                  const char *const *paths, size_t n_paths, void **handles);

/* Channel arguments for branch-to-branch channels: try to reconnect 100 ms after a failure, the
 * wait growing to at most 1 s (gRPC's own default grows to 120 s), so writes reach a restarted
 * peer soon. */
const grpc_channel_args *bank_peer_channel_args(void);

/* Call when everything that used the engine has stopped and every tag has been handled: shuts
 * the queue down, joins the threads, destroys the channels and frees e. */
void bank_engine_stop(bank_engine *e);

#endif
