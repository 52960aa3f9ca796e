/* A blocking customer-side client of a branch, over the gRPC C core. A bank_channel is shared
 * by threads; each thread brings its own completion queue. */
#ifndef BANK_RPC_CLIENT_H
#define BANK_RPC_CLIENT_H

#include <grpc/grpc.h>
#include <stddef.h>
#include <stdint.h>

#include "core/workload.h"
#include "tls.h"

typedef struct bank_channel bank_channel;

/* A channel to target, over mutual TLS with tls's certificate (which must outlive the channel),
 * or plaintext when tls is NULL. NULL when out of memory. */
bank_channel *bank_channel_open(const char *target, const bank_tls *tls);
void bank_channel_close(bank_channel *ch);
const char *bank_channel_target(const bank_channel *ch);

/* One per calling thread. */
grpc_completion_queue *bank_client_cq_create(void);
void bank_client_cq_destroy(grpc_completion_queue *cq);

/* Sends one customer operation (bank wire form) and waits for the answer. The call waits for a
 * branch that is not up yet, until deadline_ms. 0 and *out filled, or -1 with one line in err. */
int bank_client_call(bank_channel *ch, grpc_completion_queue *cq, bank_op op, int64_t customer_id,
                     int64_t event_id, int64_t money, int deadline_ms, bank_result *out, char *err,
                     size_t errlen);
/* The same with a Lamport clock (spec L3): the request carries `clock` (0: none), and *received
 * (when not NULL) gets the branch's clock at its receive of it, from the reply. */
int bank_client_call_clocked(bank_channel *ch, grpc_completion_queue *cq, bank_op op,
                             int64_t customer_id, int64_t event_id, int64_t money, uint64_t clock,
                             int deadline_ms, bank_result *out, uint64_t *received, char *err,
                             size_t errlen);

/* A bare round trip to a server with serve_echo: n bytes there and back. 0 ok, -1 with err. */
int bank_client_echo(bank_channel *ch, grpc_completion_queue *cq, const void *bytes, size_t n,
                     int deadline_ms, char *err, size_t errlen);

/* A bare fan-out: one echo to each of chs[0..n) at once, waiting for all of them; what a
 * write's propagation costs with nothing of the bank in it. 0 ok, -1 with the first error. */
int bank_client_echo_all(bank_channel *const *chs, size_t n, grpc_completion_queue *cq,
                         const void *bytes, size_t len, int deadline_ms, char *err, size_t errlen);

/* Sends n raw bytes to any method path and waits (for tests and tools that speak bytes, not
 * messages). Returns the call's gRPC status; *reply is the answer (caller destroys) or NULL. */
grpc_status_code bank_client_raw(bank_channel *ch, grpc_completion_queue *cq, const char *method,
                                 const void *bytes, size_t n, int deadline_ms,
                                 grpc_byte_buffer **reply);

/* One call of any method path, as a student's branch serves it. fail_fast: a branch that is not
 * listening fails the call at once (UNAVAILABLE) instead of being waited for until the deadline.
 * Returns the call's status; *reply is the answer (caller destroys) or NULL; details gets the
 * status details. */
grpc_status_code bank_client_unary(bank_channel *ch, grpc_completion_queue *cq, const char *method,
                                   grpc_byte_buffer *request, int deadline_ms, int fail_fast,
                                   grpc_byte_buffer **reply, char *details, size_t detailslen);

typedef struct {
    grpc_status_code status;
    grpc_byte_buffer *reply; /* NULL when none came; the caller destroys it */
    char details[256];
} bank_client_answer;

/* The same request to method of every chs[0..n) at once, waiting for all: answers[i]. 0, or -1
 * out of memory (nothing sent). */
int bank_client_unary_all(bank_channel *const *chs, size_t n, grpc_completion_queue *cq,
                          const char *method, grpc_byte_buffer *request, int deadline_ms,
                          int fail_fast, bank_client_answer *answers);

/* bank_client_raw that also gives the status details (cut to fit) in details[0..n). */
grpc_status_code bank_client_raw_detailed(bank_channel *ch, grpc_completion_queue *cq,
                                          const char *method, const void *bytes, size_t n,
                                          int deadline_ms, grpc_byte_buffer **reply, char *details,
                                          size_t details_len);

#endif
