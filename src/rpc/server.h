/* A branch's gRPC server: takes every incoming call, checks under TLS that the caller's role may
 * make it (tls.c), has branch_logic.c decide it under the replica's lock, and answers it
 * (replies.c); a customer's write is handed to the sender and answered once the sender has
 * settled it. Event-driven: every call and reply is a tag on the engine's completion queue, so
 * a write's fan-out never blocks a thread, and two branches writing at once never wait for each
 * other's handlers. With a data dir, an answer waits until what it shows is durable
 * (bank_server_config's durable hooks). */
#ifndef BANK_RPC_SERVER_H
#define BANK_RPC_SERVER_H

#include <stddef.h>

#include "sender.h"
#include "server_call.h"

/* Binds and starts serving. NULL and one line in err on failure (a busy port included). */
bank_server *bank_server_start(const bank_server_config *cfg, char *err, size_t errlen);
int bank_server_port(const bank_server *s);

/* Customers' writes are refused (UNAVAILABLE) until the server has a sender for them. */
void bank_server_use_sender(bank_server *s, bank_sender *sender);

/* Caught up after a crash: serve. */
void bank_server_recovered(bank_server *s);
int bank_server_recovering(const bank_server *s);

/* Stops accepting, cancels the calls in progress, and returns once every call has been answered
 * or dropped; the sender must still exist (a write in flight may still be settled). */
void bank_server_shutdown(bank_server *s);

/* After bank_server_shutdown. NULL is fine. */
void bank_server_free(bank_server *s);

#endif
