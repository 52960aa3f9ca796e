/* The log of writes a replica has applied.
 *
 * Every branch logs each sequenced write it applies (its customers' writes and the propagations
 * it takes). A branch that crashed starts again from its initial balance and the union of its
 * peers' histories, their checkpoints and logs (core/history.h). Pure C, no I/O. */
#ifndef BANK_CORE_WRITE_LOG_H
#define BANK_CORE_WRITE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "replica.h"

struct bank_logged_write {
    bank_write_kind kind;
    int64_t origin;
    uint64_t sequence; /* 1, 2, ...: (origin, sequence) names the write */
    int64_t money;
    int64_t customer_id, event_id; /* who asked for it, for the record */
};

/* A customer's write at r, logged: as bank_replica_deposit/withdraw, and on BANK_OK the write is
 * also in r->log. Any other status changes nothing (BANK_NO_MEMORY included). */
bank_status bank_logged_local(bank_replica *r, bank_write_kind kind, int64_t money,
                              int64_t customer_id, int64_t event_id, bank_write *out);

/* A propagated write, logged: as bank_replica_apply, and on BANK_OK a sequenced write is also in
 * r->log (an unsequenced one cannot be named, so it is not logged). */
bank_status bank_logged_apply(bank_replica *r, const bank_write *w, int64_t customer_id,
                              int64_t event_id);

/* Appends w to log. BANK_OK or BANK_NO_MEMORY (log unchanged). */
bank_status bank_write_log_add(bank_write_log *log, const bank_logged_write *w);
void bank_write_log_free(bank_write_log *log);

/* Sorts items by (origin, sequence) and keeps one of each: returns how many are left. */
size_t bank_logged_sort_unique(bank_logged_write *items, size_t n);

#endif
