/* Project 3's held requests (spec C4): a session's request that arrives before its branch has
 * every write of its customer's is parked, not answered and not blocking any thread. Every
 * propagation the replica applies re-examines the parked calls; one whose missing write has
 * arrived is decided again (and may park again for the next one it lacks). A call still parked
 * at its hold deadline is answered DEADLINE_EXCEEDED, naming the write it waited for. */
#ifndef BANK_RPC_PARKED_H
#define BANK_RPC_PARKED_H

#include "core/session.h"
#include "server_call.h"

typedef struct bank_parked bank_parked;

/* Decides a call again (the server's own handler). */
typedef void (*bank_parked_resume_fn)(server_call *c);

/* For server s (its replica, lock and timers), holding a call at most hold_ms from its first
 * hold and never past its own deadline. NULL when out of memory. */
bank_parked *bank_parked_new(bank_server *s, int hold_ms, bank_parked_resume_fn resume);
/* After the server has shut down (the timers have answered every parked call by then). */
void bank_parked_free(bank_parked *p);

/* Parks c until the replica holds `missing`; when it already does (it arrived since c was
 * decided), c is decided again at once. Call without the replica's lock. */
void bank_parked_hold(bank_parked *p, server_call *c, bank_write_id missing);

/* The replica applied propagations: decide again every parked call whose write is there. Call
 * without the replica's lock. */
void bank_parked_wake(bank_parked *p);

#endif
