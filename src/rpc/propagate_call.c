/* One Propagate_Batch call to a peer (see propagate_call.h). */
#include "propagate_call.h"

#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "engine.h"

struct bank_propagate_call {
    bank_engine_tag tag; /* first: the engine hands this back */
    size_t n;
    bank_propagate_done_fn done;
    void *ctx;
    grpc_call *call;
    grpc_metadata_array initial_md, trailing_md;
    grpc_byte_buffer *send, *recv;
    grpc_status_code status;
    grpc_slice details;
    bank_write_answer *answers; /* n, taken at the start so that the end needs no memory */
};

static grpc_byte_buffer *pack(const bank_batch_header *header, const bank_outgoing_write *writes,
                               size_t n)
{
    Bank__PropagateRequest *reqs = calloc(n, sizeof *reqs);
    Bank__PropagateRequest **ptrs = calloc(n, sizeof *ptrs);
    Bank__WriteId *afters = calloc(n, sizeof *afters);
    grpc_byte_buffer *bb = NULL;
    if (reqs && ptrs && afters) {
        for (size_t i = 0; i < n; i++) {
            const bank_logged_write *w = &writes[i].w;
            bank__propagate_request__init(&reqs[i]);
            reqs[i].origin_branch = w->origin;
            reqs[i].sequence = w->sequence;
            reqs[i].money = w->money;
            reqs[i].customer_id = w->customer_id;
            reqs[i].event_id = w->event_id;
            reqs[i].withdraw = w->kind == BANK_WRITE_WITHDRAW;
            reqs[i].clock = writes[i].clock;
            if (writes[i].after.sequence) {
                bank__write_id__init(&afters[i]);
                afters[i].origin_branch = writes[i].after.origin;
                afters[i].sequence = writes[i].after.sequence;
                reqs[i].after = &afters[i];
            }
            ptrs[i] = &reqs[i];
        }
        Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
        batch.n_writes = n;
        batch.writes = ptrs;
        batch.from_branch = header->from;
        batch.acknowledged_through = header->acknowledged_through;
        bb = bank_codec_pack(&batch.base);
    }
    free(reqs);
    free(ptrs);
    free(afters);
    return bb;
}

static void free_call(bank_propagate_call *c)
{
    grpc_metadata_array_destroy(&c->initial_md);
    grpc_metadata_array_destroy(&c->trailing_md);
    if (c->send) grpc_byte_buffer_destroy(c->send);
    if (c->recv) grpc_byte_buffer_destroy(c->recv);
    grpc_slice_unref(c->details);
    if (c->call) grpc_call_unref(c->call);
    free(c->answers);
    free(c);
}

static void answer_all(bank_propagate_call *c, grpc_status_code status, const char *why)
{
    for (size_t i = 0; i < c->n; i++) c->answers[i] = (bank_write_answer){status, why};
    c->done(c->ctx, c->answers, c->n);
}

static void on_done(bank_engine_tag *tag, int ok)
{
    (void)ok; /* a client's batch always completes; its status says how */
    bank_propagate_call *c = (bank_propagate_call *)tag;
    if (c->status != GRPC_STATUS_OK) {
        char *why = grpc_slice_to_c_string(c->details);
        answer_all(c, c->status, why);
        gpr_free(why);
        free_call(c);
        return;
    }
    Bank__PropagateBatchReply *reply = (Bank__PropagateBatchReply *)bank_codec_unpack(
        &bank__propagate_batch_reply__descriptor, c->recv);
    if (!reply || reply->n_replies != c->n) {
        answer_all(c, GRPC_STATUS_INTERNAL, "malformed PropagateBatchReply");
    } else {
        for (size_t i = 0; i < c->n; i++)
            c->answers[i] = (bank_write_answer){(grpc_status_code)reply->replies[i]->error_status,
                                                reply->replies[i]->error};
        c->done(c->ctx, c->answers, c->n);
    }
    if (reply) protobuf_c_message_free_unpacked(&reply->base, NULL);
    free_call(c);
}

bank_propagate_call *bank_propagate_call_start(grpc_channel *ch, void *batch_handle,
                                               grpc_completion_queue *cq, int deadline_ms,
                                               const bank_batch_header *header,
                                               const bank_outgoing_write *writes, size_t n,
                                               bank_propagate_done_fn done, void *ctx)
{
    bank_propagate_call *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->tag.on_event = on_done;
    c->n = n;
    c->done = done;
    c->ctx = ctx;
    c->details = grpc_empty_slice();
    grpc_metadata_array_init(&c->initial_md);
    grpc_metadata_array_init(&c->trailing_md);
    if (!(c->answers = calloc(n ? n : 1, sizeof *c->answers)) || !(c->send = pack(header, writes, n))) {
        free_call(c);
        return NULL;
    }
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                         gpr_time_from_millis(deadline_ms, GPR_TIMESPAN));
    c->call = grpc_channel_create_registered_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, batch_handle,
                                                  deadline, NULL);
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = c->send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &c->initial_md;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &c->recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &c->trailing_md;
    ops[5].data.recv_status_on_client.status = &c->status;
    ops[5].data.recv_status_on_client.status_details = &c->details;
    if (grpc_call_start_batch(c->call, ops, 6, &c->tag, NULL) != GRPC_CALL_OK) {
        free_call(c);
        return NULL;
    }
    return c;
}

void bank_propagate_call_cancel(bank_propagate_call *c) { grpc_call_cancel(c->call, NULL); }
