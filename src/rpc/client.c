/* The customers' blocking client of a branch (see client.h). */
#include "client.h"

#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

enum { CALL_QUERY, CALL_DEPOSIT, CALL_WITHDRAW, CALL_ECHO, CALL_COUNT };

struct bank_channel {
    grpc_channel *channel;
    void *handle[CALL_COUNT];
    char target[];
};

bank_channel *bank_channel_open(const char *target, const bank_tls *tls)
{
    static const char *const paths[CALL_COUNT] = {BANK_PATH_QUERY, BANK_PATH_DEPOSIT,
                                                  BANK_PATH_WITHDRAW, BANK_PATH_ECHO};
    bank_channel *ch = calloc(1, sizeof *ch + strlen(target) + 1);
    if (!ch) return NULL;
    grpc_init();
    strcpy(ch->target, target);
    grpc_channel_credentials *creds = bank_tls_channel_credentials(tls);
    ch->channel = grpc_channel_create(target, creds, NULL);
    grpc_channel_credentials_release(creds);
    for (int i = 0; i < CALL_COUNT; i++)
        ch->handle[i] = grpc_channel_register_call(ch->channel, paths[i], NULL, NULL);
    return ch;
}

void bank_channel_close(bank_channel *ch)
{
    if (!ch) return;
    grpc_channel_destroy(ch->channel);
    free(ch);
    grpc_shutdown();
}

const char *bank_channel_target(const bank_channel *ch) { return ch->target; }

grpc_completion_queue *bank_client_cq_create(void)
{
    grpc_init();
    return grpc_completion_queue_create_for_pluck(NULL);
}

void bank_client_cq_destroy(grpc_completion_queue *cq)
{
    if (!cq) return;
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
    grpc_shutdown();
}

static gpr_timespec deadline_in(int ms)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* A unary call started and not yet finished; its address is its tag. */
typedef struct {
    grpc_call *call;
    grpc_metadata_array initial_md, trailing_md;
    grpc_status_code status;
    int started;
} open_call;

/* Starts call (taken) with request; the reply and status details land in *reply and *details.
 * A branch that is not up yet is waited for (until the deadline) unless fail_fast. */
static void start_call(open_call *oc, grpc_call *call, grpc_byte_buffer *request,
                       grpc_byte_buffer **reply, grpc_slice *details, int fail_fast)
{
    oc->call = call;
    grpc_metadata_array_init(&oc->initial_md);
    grpc_metadata_array_init(&oc->trailing_md);
    oc->status = GRPC_STATUS_UNKNOWN;
    *details = grpc_empty_slice();
    *reply = NULL;
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].flags = fail_fast ? 0 : GRPC_INITIAL_METADATA_WAIT_FOR_READY;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = request;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &oc->initial_md;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = reply;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &oc->trailing_md;
    ops[5].data.recv_status_on_client.status = &oc->status;
    ops[5].data.recv_status_on_client.status_details = details;
    oc->started = grpc_call_start_batch(call, ops, 6, oc, NULL) == GRPC_CALL_OK;
    if (!oc->started) *details = grpc_slice_from_static_string("cannot start the call");
}

static void start_unary(open_call *oc, grpc_call *call, grpc_byte_buffer *request,
                        grpc_byte_buffer **reply, grpc_slice *details)
{
    start_call(oc, call, request, reply, details, 0);
}

/* Waits for oc's end. Returns its status (GRPC_STATUS_UNKNOWN with details "cannot start the
 * call" when it never started). */
static grpc_status_code finish_unary(open_call *oc, grpc_completion_queue *cq)
{
    if (oc->started) grpc_completion_queue_pluck(cq, oc, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_metadata_array_destroy(&oc->initial_md);
    grpc_metadata_array_destroy(&oc->trailing_md);
    grpc_call_unref(oc->call);
    return oc->status;
}

/* Runs one unary call to its end; *reply gets the answer or NULL. */
static grpc_status_code run_call(grpc_call *call, grpc_completion_queue *cq,
                                 grpc_byte_buffer *request, grpc_byte_buffer **reply,
                                 grpc_slice *details)
{
    open_call oc;
    start_unary(&oc, call, request, reply, details);
    return finish_unary(&oc, cq);
}

/* One call of a method the channel registered; 0 and *reply (caller destroys), or -1 with err. */
static int unary(bank_channel *ch, grpc_completion_queue *cq, int which, grpc_byte_buffer *request,
                 int deadline_ms, grpc_byte_buffer **reply, char *err, size_t errlen)
{
    grpc_call *call = grpc_channel_create_registered_call(ch->channel, NULL, GRPC_PROPAGATE_DEFAULTS,
                                                          cq, ch->handle[which],
                                                          deadline_in(deadline_ms), NULL);
    grpc_slice details;
    grpc_status_code status = run_call(call, cq, request, reply, &details);
    int rc = 0;
    if (status != GRPC_STATUS_OK || !*reply) {
        char *why = grpc_slice_to_c_string(details);
        if (status == GRPC_STATUS_DEADLINE_EXCEEDED)
            snprintf(err, errlen, "%s: no answer within the deadline of %d ms (--deadline-ms)%s",
                     ch->target, deadline_ms,
                     grpc_channel_check_connectivity_state(ch->channel, 0) == GRPC_CHANNEL_READY
                         ? ""
                         : "; it never connected: it is down, or the TLS handshake failed");
        else
            snprintf(err, errlen, "%s: gRPC status %d: %s", ch->target, (int)status,
                     *why ? why : "no reply");
        gpr_free(why);
        if (*reply) grpc_byte_buffer_destroy(*reply);
        *reply = NULL;
        rc = -1;
    }
    grpc_slice_unref(details);
    return rc;
}

static grpc_call *path_call(bank_channel *ch, grpc_completion_queue *cq, const char *method,
                            int deadline_ms)
{
    grpc_slice path = grpc_slice_from_copied_string(method);
    grpc_call *call = grpc_channel_create_call(ch->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, path,
                                               NULL, deadline_in(deadline_ms), NULL);
    grpc_slice_unref(path);
    return call;
}

static void copy_details(grpc_slice details, char *out, size_t n)
{
    char *why = grpc_slice_to_c_string(details);
    snprintf(out, n, "%s", why);
    gpr_free(why);
}

grpc_status_code bank_client_unary(bank_channel *ch, grpc_completion_queue *cq, const char *method,
                                   grpc_byte_buffer *request, int deadline_ms, int fail_fast,
                                   grpc_byte_buffer **reply, char *details, size_t detailslen)
{
    open_call oc;
    grpc_slice d;
    start_call(&oc, path_call(ch, cq, method, deadline_ms), request, reply, &d, fail_fast);
    grpc_status_code status = finish_unary(&oc, cq);
    copy_details(d, details, detailslen);
    grpc_slice_unref(d);
    return status;
}

int bank_client_unary_all(bank_channel *const *chs, size_t n, grpc_completion_queue *cq,
                          const char *method, grpc_byte_buffer *request, int deadline_ms,
                          int fail_fast, bank_client_answer *answers)
{
    open_call *oc = calloc(n ? n : 1, sizeof *oc);
    grpc_slice *details = calloc(n ? n : 1, sizeof *details);
    if (!oc || !details) {
        free(oc);
        free(details);
        return -1;
    }
    /* a call takes the slices of the buffer it sends: each gets its own copy */
    grpc_byte_buffer **copies = calloc(n ? n : 1, sizeof *copies);
    if (!copies) {
        free(oc);
        free(details);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        copies[i] = grpc_byte_buffer_copy(request);
        start_call(&oc[i], path_call(chs[i], cq, method, deadline_ms), copies[i], &answers[i].reply,
                   &details[i], fail_fast);
    }
    for (size_t i = 0; i < n; i++) {
        answers[i].status = finish_unary(&oc[i], cq);
        grpc_byte_buffer_destroy(copies[i]);
        copy_details(details[i], answers[i].details, sizeof answers[i].details);
        grpc_slice_unref(details[i]);
    }
    free(copies);
    free(oc);
    free(details);
    return 0;
}

grpc_status_code bank_client_raw(bank_channel *ch, grpc_completion_queue *cq, const char *method,
                                 const void *bytes, size_t n, int deadline_ms,
                                 grpc_byte_buffer **reply)
{
    return bank_client_raw_detailed(ch, cq, method, bytes, n, deadline_ms, reply, NULL, 0);
}

grpc_status_code bank_client_raw_detailed(bank_channel *ch, grpc_completion_queue *cq,
                                          const char *method, const void *bytes, size_t n,
                                          int deadline_ms, grpc_byte_buffer **reply, char *details_out,
                                          size_t details_len)
{
    grpc_call *call = path_call(ch, cq, method, deadline_ms);
    grpc_slice s = grpc_slice_from_copied_buffer(bytes, n);
    grpc_byte_buffer *request = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    grpc_slice details;
    grpc_status_code status = run_call(call, cq, request, reply, &details);
    if (details_out && details_len) copy_details(details, details_out, details_len);
    grpc_slice_unref(details);
    grpc_byte_buffer_destroy(request);
    return status;
}

int bank_client_call(bank_channel *ch, grpc_completion_queue *cq, bank_op op, int64_t customer_id,
                     int64_t event_id, int64_t money, int deadline_ms, bank_result *out, char *err,
                     size_t errlen)
{
    return bank_client_call_clocked(ch, cq, op, customer_id, event_id, money, 0, deadline_ms, out,
                                    NULL, err, errlen);
}

int bank_client_call_clocked(bank_channel *ch, grpc_completion_queue *cq, bank_op op,
                             int64_t customer_id, int64_t event_id, int64_t money, uint64_t clock,
                             int deadline_ms, bank_result *out, uint64_t *received, char *err,
                             size_t errlen)
{
    Bank__CustomerRequest req = BANK__CUSTOMER_REQUEST__INIT;
    req.customer_id = customer_id;
    req.event_id = event_id;
    req.money = op == BANK_OP_QUERY ? 0 : money;
    req.clock = clock;
    grpc_byte_buffer *request = bank_codec_pack(&req.base);
    grpc_byte_buffer *reply = NULL;
    int which = op == BANK_OP_QUERY ? CALL_QUERY : op == BANK_OP_DEPOSIT ? CALL_DEPOSIT : CALL_WITHDRAW;
    int rc = unary(ch, cq, which, request, deadline_ms, &reply, err, errlen);
    grpc_byte_buffer_destroy(request);
    if (rc != 0) return -1;
    Bank__CustomerReply *r =
        (Bank__CustomerReply *)bank_codec_unpack(&bank__customer_reply__descriptor, reply);
    grpc_byte_buffer_destroy(reply);
    if (!r || (r->result != BANK__RESULT__SUCCESS && r->result != BANK__RESULT__FAIL &&
               r->result != BANK__RESULT__PENDING)) {
        snprintf(err, errlen, "%s: malformed CustomerReply", ch->target);
        if (r) protobuf_c_message_free_unpacked(&r->base, NULL);
        return -1;
    }
    out->op = op;
    out->success = r->result != BANK__RESULT__FAIL; /* PENDING: applied at the branch */
    out->pending = r->result == BANK__RESULT__PENDING;
    out->balance = r->balance;
    if (received) *received = r->clock;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return 0;
}

int bank_client_echo(bank_channel *ch, grpc_completion_queue *cq, const void *bytes, size_t n,
                     int deadline_ms, char *err, size_t errlen)
{
    grpc_slice s = grpc_slice_from_copied_buffer(bytes, n);
    grpc_byte_buffer *request = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    grpc_byte_buffer *reply = NULL;
    int rc = unary(ch, cq, CALL_ECHO, request, deadline_ms, &reply, err, errlen);
    grpc_byte_buffer_destroy(request);
    if (reply) grpc_byte_buffer_destroy(reply);
    return rc;
}

int bank_client_echo_all(bank_channel *const *chs, size_t n, grpc_completion_queue *cq,
                         const void *bytes, size_t len, int deadline_ms, char *err, size_t errlen)
{
    open_call *oc = calloc(n ? n : 1, sizeof *oc);
    grpc_byte_buffer **replies = calloc(n ? n : 1, sizeof *replies);
    grpc_slice *details = calloc(n ? n : 1, sizeof *details);
    grpc_byte_buffer **requests = calloc(n ? n : 1, sizeof *requests);
    if (!oc || !replies || !details || !requests) {
        free(oc);
        free(replies);
        free(details);
        free(requests);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    grpc_slice s = grpc_slice_from_copied_buffer(bytes, len);
    for (size_t i = 0; i < n; i++) {
        requests[i] = grpc_raw_byte_buffer_create(&s, 1); /* a call takes the slices it sends */
        grpc_call *call = grpc_channel_create_registered_call(
            chs[i]->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, chs[i]->handle[CALL_ECHO],
            deadline_in(deadline_ms), NULL);
        start_unary(&oc[i], call, requests[i], &replies[i], &details[i]);
    }
    grpc_slice_unref(s);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        grpc_status_code st = finish_unary(&oc[i], cq);
        if (st != GRPC_STATUS_OK && rc == 0) {
            char *why = grpc_slice_to_c_string(details[i]);
            snprintf(err, errlen, "%s: gRPC status %d: %s", chs[i]->target, (int)st,
                     *why ? why : "no reply");
            gpr_free(why);
            rc = -1;
        }
        if (replies[i]) grpc_byte_buffer_destroy(replies[i]);
        grpc_slice_unref(details[i]);
        grpc_byte_buffer_destroy(requests[i]);
    }
    free(requests);
    free(oc);
    free(replies);
    free(details);
    return rc;
}
