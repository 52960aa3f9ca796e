/* Project 3's customer call, in a session with its write set (see session_client.h). */
#include "session_client.h"

#include <stdio.h>
#include <stdlib.h>

#include "codec.h"

static grpc_byte_buffer *pack_request(bank_op op, int64_t customer_id, int64_t event_id, int64_t money,
                                      const bank_write_set *set)
{
    Bank__WriteId *ids = calloc(set->n ? set->n : 1, sizeof *ids);
    Bank__WriteId **ptrs = calloc(set->n ? set->n : 1, sizeof *ptrs);
    grpc_byte_buffer *bb = NULL;
    if (ids && ptrs) {
        for (size_t i = 0; i < set->n; i++) {
            bank__write_id__init(&ids[i]);
            ids[i].origin_branch = set->ids[i].origin;
            ids[i].sequence = set->ids[i].sequence;
            ptrs[i] = &ids[i];
        }
        Bank__CustomerRequest req = BANK__CUSTOMER_REQUEST__INIT;
        req.customer_id = customer_id;
        req.event_id = event_id;
        req.money = op == BANK_OP_QUERY ? 0 : money;
        req.session = 1;
        req.n_write_set = set->n;
        req.write_set = ptrs;
        bb = bank_codec_pack(&req.base);
    }
    free(ids);
    free(ptrs);
    return bb;
}

int bank_session_call(bank_channel *ch, grpc_completion_queue *cq, bank_op op, int64_t customer_id,
                      int64_t event_id, int64_t money, const bank_write_set *set, int deadline_ms,
                      bank_result *out, bank_write_id *written, char *err, size_t errlen)
{
    static const char *const path[] = {BANK_PATH_QUERY, BANK_PATH_DEPOSIT, BANK_PATH_WITHDRAW};
    *written = (bank_write_id){0, 0};
    grpc_byte_buffer *request = pack_request(op, customer_id, event_id, money, set);
    if (!request) {
        snprintf(err, errlen, "%s: out of memory", bank_channel_target(ch));
        return -1;
    }
    grpc_byte_buffer *reply = NULL;
    char details[256];
    grpc_status_code st = bank_client_unary(ch, cq, path[op], request, deadline_ms, 0, &reply,
                                            details, sizeof details);
    grpc_byte_buffer_destroy(request);
    Bank__CustomerReply *r = NULL;
    if (st == GRPC_STATUS_OK && reply)
        r = (Bank__CustomerReply *)bank_codec_unpack(&bank__customer_reply__descriptor, reply);
    if (reply) grpc_byte_buffer_destroy(reply);
    if (st != GRPC_STATUS_OK) {
        snprintf(err, errlen, "%s: gRPC status %d: %s", bank_channel_target(ch), (int)st,
                 *details ? details : "no reply");
        return -1;
    }
    if (!r || (r->result != BANK__RESULT__SUCCESS && r->result != BANK__RESULT__FAIL) ||
        (op != BANK_OP_QUERY && r->result == BANK__RESULT__SUCCESS && (!r->write || !r->write->sequence))) {
        snprintf(err, errlen, "%s: malformed CustomerReply for a session's %s", bank_channel_target(ch),
                 bank_op_name(op));
        if (r) protobuf_c_message_free_unpacked(&r->base, NULL);
        return -1;
    }
    *out = (bank_result){op, r->result == BANK__RESULT__SUCCESS, r->balance, 0};
    if (op != BANK_OP_QUERY && out->success) *written = (bank_write_id){r->write->origin_branch, r->write->sequence};
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return 0;
}
