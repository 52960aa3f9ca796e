/* Answering an incoming call: the status and message sent back in either wire form (an injected
 * fault may hold an answer back), and the trace record of what was answered. */
#ifndef BANK_RPC_REPLIES_H
#define BANK_RPC_REPLIES_H

#include <protobuf-c/protobuf-c.h>

#include "branch_logic.h"
#include "sender.h"
#include "server_call.h"

/* Answers c with status, optional details and optional message; c is freed once the
 * answer is sent. An injected fault may hold the answer back for a while. */
void bank_reply(server_call *c, grpc_status_code status, const char *details,
                const ProtobufCMessage *msg);
/* ...with c->reply already set (raw bytes), or none. */
void bank_reply_raw(server_call *c, grpc_status_code status, const char *details);
void bank_reply_customer(server_call *c, int success, int64_t balance);
void bank_reply_course(server_call *c, const char *interface, const char *result, int64_t balance);
/* Project 3: a session's write, answered once applied here (C3), with the id it was given. */
void bank_reply_session_write(server_call *c, int64_t balance, bank_write_id id);
/* The sender settled c's write: answered success, pending or an error (P10, P11). */
void bank_reply_write_settled(void *call, bank_delivery outcome, const char *failure);

/* The trace, when there is one. */
int64_t bank_now_us(void);
void bank_trace_reply(server_call *c, const char *reply, int64_t balance);
void bank_trace_error(server_call *c, const char *details);
void bank_trace_batch(server_call *c, const bank_answer *batch);

#endif
