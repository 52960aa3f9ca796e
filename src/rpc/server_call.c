/* The life of one incoming call: counted while the engine owes the server an event for it, so
 * that the server is freed only once none is left, and freed once answered. */
#include <stdlib.h>

#include "server_call.h"

void bank_server_track(bank_server *s)
{
    pthread_mutex_lock(&s->drain_lock);
    s->outstanding++;
    pthread_mutex_unlock(&s->drain_lock);
}

/* The server may be freed once it has shut down and every tag of it is handled; the lock is held
 * while signalling so the stopping thread cannot free it under this one. */
void bank_server_untrack(bank_server *s)
{
    pthread_mutex_lock(&s->drain_lock);
    if (--s->outstanding == 0 && s->shutdown_seen) pthread_cond_signal(&s->drained);
    pthread_mutex_unlock(&s->drain_lock);
}

void bank_server_call_free(server_call *c)
{
    grpc_metadata_array_destroy(&c->request_md);
    if (c->method == M_UNKNOWN) grpc_call_details_destroy(&c->details);
    if (c->payload) grpc_byte_buffer_destroy(c->payload);
    if (c->reply) grpc_byte_buffer_destroy(c->reply);
    if (c->call) grpc_call_unref(c->call);
    free(c);
}

void bank_server_on_replied(bank_engine_tag *tag, int ok)
{
    (void)ok;
    server_call *c = (server_call *)tag;
    bank_server *s = c->srv;
    bank_server_call_free(c);
    bank_server_untrack(s);
}
