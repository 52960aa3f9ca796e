/* What a branch does with one request, decided without the network: unpack the bytes of either
 * wire form, apply what they ask to the replica, and say how to answer. The server (and the fuzz
 * harness, which feeds it arbitrary bytes) calls it under the branch's lock. No gRPC here. */
#ifndef BANK_RPC_BRANCH_LOGIC_H
#define BANK_RPC_BRANCH_LOGIC_H

#include <stddef.h>
#include <stdint.h>

#include "core/replica.h"
#include "core/session.h"

typedef enum {
    BANK_REQ_QUERY,
    BANK_REQ_DEPOSIT,
    BANK_REQ_WITHDRAW,
    BANK_REQ_PROPAGATE_DEPOSIT,
    BANK_REQ_PROPAGATE_WITHDRAW,
    BANK_REQ_MSG_DELIVERY,    /* the course's customer form */
    BANK_REQ_MSG_PROPAGATION, /* the course's propagation form */
    BANK_REQ_PROPAGATE_BATCH, /* several propagations, each with `withdraw` saying which */
    BANK_REQ_COUNT
} bank_request_kind;

/* The gRPC status codes an answer can carry (same numbers as grpc_status_code). */
enum {
    BANK_RPC_OK = 0,
    BANK_RPC_INVALID_ARGUMENT = 3,
    BANK_RPC_PERMISSION_DENIED = 7,
    BANK_RPC_RESOURCE_EXHAUSTED = 8,
    BANK_RPC_OUT_OF_RANGE = 11,
    BANK_RPC_UNAVAILABLE = 14
};

typedef enum {
    BANK_ANSWER_ERROR,     /* status and details, no message */
    BANK_ANSWER_CUSTOMER,  /* CustomerReply {success, balance} */
    BANK_ANSWER_PROPAGATE, /* PropagateReply {applied, balance} */
    BANK_ANSWER_COURSE,    /* MsgResponse {interface, success, balance} */
    BANK_ANSWER_FAN_OUT,   /* the write is committed here: propagate it to every peer, then
                              answer success (in the course's form when course_form) */
    BANK_ANSWER_BATCH,     /* PropagateBatchReply in reply[0..reply_len); each write's own
                              answer (PROPAGATE or ERROR) in writes[0..n_writes) */
    BANK_ANSWER_HOLD       /* a session's request (Project 3) this branch cannot serve yet: it
                              lacks `missing`, a write of the customer's; nothing was done */
} bank_answer_kind;

typedef struct bank_answer bank_answer;

struct bank_answer {
    bank_answer_kind kind;
    int status;
    const char *details; /* static text */
    int course_form;
    const char *interface; /* course form: "query", "deposit", "withdraw", or "" when unknown */
    int success;
    int applied;           /* propagation: 1 applied now, 0 a duplicate acknowledged again */
    int64_t balance;
    bank_write write;      /* BANK_ANSWER_FAN_OUT; a propagation: the write it carried */
    int64_t customer_id, event_id;
    /* Project 2 (spec L1-L3): the request's clock (0: none), this branch's clock at its receive
       (0: no event), and, for BANK_ANSWER_FAN_OUT, the clock of the first of its sends */
    uint64_t clock_sent, clock, first_send;
    /* Project 3: the request came in a session (a write is then answered once applied here,
       and propagated to follow `after`, the customer's previous write); HOLD: what it waits for */
    int session;
    bank_write_id after, missing;
    /* what the request said, for the trace */
    int64_t money;
    int from_branch;       /* a propagation: from_id is the branch that sent it */
    int64_t from_id;       /* else the customer's id */
    /* BANK_ANSWER_BATCH; released by bank_answer_release */
    uint8_t *reply;
    size_t reply_len;
    bank_answer *writes;
    size_t n_writes;
};

/* The sender of a request as TLS authenticated it: a branch id, or one of these. */
enum {
    BANK_SENDER_UNAUTHENTICATED = -1, /* plaintext: a propagation of any origin is taken */
    BANK_SENDER_NOT_A_BRANCH = -2     /* TLS, a customer: no propagation is taken */
};

/* Decides the answer to data[0..len) sent as `kind` to the branch holding r. Writes from
 * customers are refused (UNAVAILABLE) until peers_ready. A propagation (each write of a batch)
 * whose origin is not sender_branch is refused PERMISSION_DENIED (spec R4), unless sender_branch
 * is BANK_SENDER_UNAUTHENTICATED. Never fails on bad bytes: they get an INVALID_ARGUMENT answer
 * and leave the replica as it was. */
void bank_branch_decide(bank_replica *r, int peers_ready, int64_t sender_branch,
                        bank_request_kind kind, const uint8_t *data, size_t len, bank_answer *out);

/* Frees what a BANK_ANSWER_BATCH answer holds (nothing for the other kinds). */
void bank_answer_release(bank_answer *a);

#endif
