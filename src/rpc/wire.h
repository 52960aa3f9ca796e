/* A customer's operations over one wire form, chosen at run time: the course's MsgDelivery (under
 * any service name), our bank.proto, or a student's own .proto with the roles found for it. */
#ifndef BANK_RPC_WIRE_H
#define BANK_RPC_WIRE_H

#include <grpc/grpc.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "core/workload.h"
#include "wire_roles.h"

typedef struct bank_wire bank_wire;

/* /SERVICE/MsgDelivery of MsgRequest {id = the event id, interface, money} (service "Branch"
 * when NULL). NULL when out of memory. */
bank_wire *bank_wire_course(const char *service);
/* bank.Branch/Query, Deposit, Withdraw of CustomerRequest. */
bank_wire *bank_wire_bank(void);
/* A student's proto: takes *schema (emptied); roles must have been found in it. */
bank_wire *bank_wire_proto(bank_proto_schema *schema, const bank_wire_roles *roles);
void bank_wire_free(bank_wire *w);

/* "course (/Branch/MsgDelivery)", "bank (/bank.Branch/...)", "student.proto (/Bank/Query, ...)" */
const char *bank_wire_describe(const bank_wire *w);

/* Can this event be sent over w (its money and ids fit the fields)? 0, or -1 with err. */
int bank_wire_check(const bank_wire *w, bank_op op, int64_t customer_id, int64_t event_id,
                    int64_t money, char *err, size_t errlen);

/* What went wrong with a call: its gRPC status (GRPC_STATUS_OK when the call went through but
 * the reply could not be read) and why. */
typedef struct {
    grpc_status_code status;
    char details[320];
} bank_wire_error;

/* "OK", "UNAVAILABLE", "DEADLINE_EXCEEDED", ... */
const char *bank_grpc_status_name(grpc_status_code s);

/* One operation, failing fast when the branch is not listening. 0 and *out, or -1 and *e. */
int bank_wire_call(const bank_wire *w, bank_channel *ch, grpc_completion_queue *cq, bank_op op,
                   int64_t customer_id, int64_t event_id, int64_t money, int deadline_ms,
                   bank_result *out, bank_wire_error *e);

/* A query to every chs[0..n) at once, customer and event id 0 (a probe): balances[i], or
 * ok[i] = 0 and errs[i]. Returns how many failed, or -1 out of memory. */
int bank_wire_query_all(const bank_wire *w, bank_channel *const *chs, size_t n,
                        grpc_completion_queue *cq, int deadline_ms, int64_t *balances, int *ok,
                        bank_wire_error *errs);

#endif
