/* Out of memory in the gRPC layer's own allocations: bank_propagate_call_start, the call a branch
 * makes per batch of writes to a peer, made to fail at each of its allocations (the call, its
 * answers, the message's parts): NULL, nothing left allocated, and done never called. gRPC's own
 * allocations (a shared library) are not reached by the wrappers (oom_wrap.h). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <stdio.h>

#include "oom_sweep.h"
#include "oom_wrap.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/propagate_call.h"

typedef struct {
    grpc_channel *ch;
    void *handle;
    grpc_completion_queue *cq;
    int done_calls;
    grpc_status_code status;
} call_case;

static void on_answers(void *ctx, const bank_write_answer *answers, size_t n)
{
    call_case *c = ctx;
    c->done_calls++;
    c->status = n ? answers[0].status : GRPC_STATUS_OK;
}

/* One batch of two writes (the second with a write to follow, C5) to a target nothing listens
 * on: started, it ends UNAVAILABLE and is freed; refused for memory, done is never called. */
static int start_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    call_case *c = arg;
    bank_batch_header h = {1, 0};
    bank_outgoing_write w[2] = {{{BANK_WRITE_DEPOSIT, 1, 1, 10, 1, 1}, 0, {0, 0}},
                                {{BANK_WRITE_WITHDRAW, 1, 2, 5, 1, 2}, 3, {2, 1}}};
    c->done_calls = 0;
    bank_propagate_call *call = bank_propagate_call_start(c->ch, c->handle, c->cq, 5000, &h, w, 2, on_answers, c);
    if (!call) {
        snprintf(err, errlen, "out of memory");
        *ok = c->done_calls == 0;
        return -1;
    }
    grpc_event ev = grpc_completion_queue_next(c->cq, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                                                    gpr_time_from_seconds(10, GPR_TIMESPAN)), NULL);
    if (ev.type == GRPC_OP_COMPLETE) ((bank_engine_tag *)ev.tag)->on_event(ev.tag, ev.success);
    *ok = c->done_calls == 1 && c->status == GRPC_STATUS_UNAVAILABLE;
    return 0;
}

Test(rpc_oom, a_propagate_call_fails_cleanly_at_every_allocation)
{
    grpc_init();
    call_case c = {0};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    c.ch = grpc_channel_create("127.0.0.1:1", creds, NULL);
    grpc_channel_credentials_release(creds);
    c.handle = grpc_channel_register_call(c.ch, BANK_PATH_PROPAGATE_BATCH, NULL, NULL);
    c.cq = grpc_completion_queue_create_for_next(NULL);
    oom_counts k = oom_sweep("bank_propagate_call_start", start_attempt, &c, -1, "", "out of memory");
    cr_expect_geq(k.failed, 5, "the call, its answers and the message's three arrays");
    cr_expect_eq(k.absorbed, 0);
    grpc_channel_destroy(c.ch);
    grpc_completion_queue_shutdown(c.cq);
    while (grpc_completion_queue_next(c.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(c.cq);
    grpc_shutdown();
}
