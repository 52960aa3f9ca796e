/* What the rpc tests share (tests/test_rpc*.c): the course's sample workload, its branches
 * started in this process and stopped, one branch server started alone, and a client that sends
 * raw bytes to one branch. */
#ifndef BANK_TESTS_RPC_FIXTURE_H
#define BANK_TESTS_RPC_FIXTURE_H

#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <stddef.h>
#include <stdio.h>

#include "core/workload.h"
#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "run/branches.h"
#include "course_sample.h"

static inline bank_branches *start(const bank_workload *w)
{
    bank_branches_config cfg = {.mode = BANK_MODE_EMBEDDED, .server_threads = 1, .deadline_ms = 10000, .serve_echo = 1};
    char err[512];
    bank_branches *b = bank_branches_start(w, &cfg, err, sizeof err);
    cr_assert_not_null(b, "cannot start branches: %s", err);
    return b;
}

static inline void stop(bank_branches *b)
{
    char err[512];
    cr_assert_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
}

/* One branch server of cfg, started alone (cfg->listen "127.0.0.1:0": a port the OS chooses); its
 * address, "127.0.0.1:PORT", in addr. */
static inline bank_branch_server *start_server(const bank_branch_config *cfg, char *addr, size_t addrlen)
{
    char err[512];
    bank_branch_server *s = bank_branch_server_start(cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    snprintf(addr, addrlen, "127.0.0.1:%d", bank_branch_server_port(s));
    return s;
}

/* A client that sends raw bytes to one branch. */
typedef struct {
    bank_channel *ch;
    grpc_completion_queue *cq;
} raw_client;

static inline raw_client raw_open(const char *target)
{
    raw_client rc = {bank_channel_open(target, NULL), bank_client_cq_create()};
    cr_assert_not_null(rc.ch);
    return rc;
}

static inline void raw_close(raw_client *rc)
{
    bank_client_cq_destroy(rc->cq);
    bank_channel_close(rc->ch);
}

static inline grpc_status_code raw_call(raw_client *rc, const char *method, const void *bytes, size_t n,
                                        grpc_byte_buffer **reply)
{
    return bank_client_raw(rc->ch, rc->cq, method, bytes, n, 5000, reply);
}

/* Sending bytes to method is answered status, with no message back; what names the call. */
static inline void expect_refused(raw_client *rc, const char *method, const void *bytes, size_t n,
                                  grpc_status_code status, const char *what)
{
    grpc_byte_buffer *reply = NULL;
    cr_expect_eq(raw_call(rc, method, bytes, n, &reply), status, "%s", what);
    cr_expect_null(reply, "%s: a message came back", what);
    if (reply) grpc_byte_buffer_destroy(reply);
}

#endif
