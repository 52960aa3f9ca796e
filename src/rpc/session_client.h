/* Project 3's customer call: a bank-form request in a session, carrying the customer's write set
 * (spec C2); a write's answer brings back the id its branch gave it. Blocking, like client.h. */
#ifndef BANK_RPC_SESSION_CLIENT_H
#define BANK_RPC_SESSION_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "core/session.h"

/* Sends op in a session carrying set, and waits (a branch not up yet is waited for until
 * deadline_ms). 0 with *out and, for a write answered success, *written (else sequence 0); or -1
 * with one line in err: "TARGET: gRPC status N: details". */
int bank_session_call(bank_channel *ch, grpc_completion_queue *cq, bank_op op, int64_t customer_id,
                      int64_t event_id, int64_t money, const bank_write_set *set, int deadline_ms,
                      bank_result *out, bank_write_id *written, char *err, size_t errlen);

#endif
