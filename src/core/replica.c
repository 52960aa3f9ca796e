#include "replica.h"

#include <stdlib.h>
#include <string.h>

const char *bank_status_text(bank_status s)
{
    switch (s) {
    case BANK_OK: return "ok";
    case BANK_INSUFFICIENT_FUNDS: return "insufficient funds";
    case BANK_BAD_MONEY: return "money must not be negative";
    case BANK_OVERFLOW: return "the balance would overflow int64";
    case BANK_DUPLICATE: return "already applied";
    case BANK_NO_MEMORY: return "out of memory";
    }
    return "unknown status";
}

void bank_replica_init(bank_replica *r, int64_t branch_id, int64_t balance)
{
    memset(r, 0, sizeof *r);
    r->branch_id = branch_id;
    r->balance = balance;
}

void bank_replica_free(bank_replica *r)
{
    for (size_t i = 0; i < r->n_origins; i++) free(r->origins[i].ahead);
    free(r->origins);
    free(r->log.items);
    free(r->checkpoints.items);
    memset(&r->checkpoints, 0, sizeof r->checkpoints);
    r->log.items = NULL;
    r->log.n = r->log.cap = 0;
    r->origins = NULL;
    r->n_origins = r->cap_origins = 0;
}

static bank_status checked_add(int64_t balance, int64_t delta, int64_t *sum)
{
    return __builtin_add_overflow(balance, delta, sum) ? BANK_OVERFLOW : BANK_OK;
}

static bank_status commit_local(bank_replica *r, bank_write_kind kind, int64_t money,
                                int64_t new_balance, bank_write *out)
{
    r->balance = new_balance;
    r->last_sequence++;
    out->kind = kind;
    out->origin = r->branch_id;
    out->sequence = r->last_sequence;
    out->money = money;
    return BANK_OK;
}

bank_status bank_replica_deposit(bank_replica *r, int64_t money, bank_write *out)
{
    int64_t sum;
    if (money < 0) return BANK_BAD_MONEY;
    if (checked_add(r->balance, money, &sum) != BANK_OK) return BANK_OVERFLOW;
    return commit_local(r, BANK_WRITE_DEPOSIT, money, sum, out);
}

bank_status bank_replica_withdraw(bank_replica *r, int64_t money, bank_write *out)
{
    if (money < 0) return BANK_BAD_MONEY;
    if (r->balance < money) return BANK_INSUFFICIENT_FUNDS;
    return commit_local(r, BANK_WRITE_WITHDRAW, money, r->balance - money, out);
}

static const bank_origin_log *find_origin(const bank_replica *r, int64_t origin)
{
    for (size_t i = 0; i < r->n_origins; i++)
        if (r->origins[i].origin == origin) return &r->origins[i];
    return NULL;
}

static bank_origin_log *find_or_add_origin(bank_replica *r, int64_t origin)
{
    bank_origin_log *log = (bank_origin_log *)find_origin(r, origin);
    if (log) return log;
    if (r->n_origins == r->cap_origins) {
        size_t cap = r->cap_origins ? 2 * r->cap_origins : 8;
        bank_origin_log *grown = realloc(r->origins, cap * sizeof *grown);
        if (!grown) return NULL;
        r->origins = grown;
        r->cap_origins = cap;
    }
    log = &r->origins[r->n_origins++];
    memset(log, 0, sizeof *log);
    log->origin = origin;
    return log;
}

static int log_contains(const bank_origin_log *log, uint64_t seq)
{
    if (seq <= log->contiguous) return 1;
    for (size_t i = 0; i < log->n_ahead; i++)
        if (log->ahead[i] == seq) return 1;
    return 0;
}

int bank_replica_has_applied(const bank_replica *r, int64_t origin, uint64_t sequence)
{
    const bank_origin_log *log = find_origin(r, origin);
    return log && log_contains(log, sequence);
}

/* Records seq; keeps `ahead` sorted and folds it into `contiguous` as gaps close.
 * Reserves room before any change so a failure leaves the log as it was. */
static bank_status log_record(bank_origin_log *log, uint64_t seq)
{
    if (seq != log->contiguous + 1 && log->n_ahead == log->cap_ahead) {
        size_t cap = log->cap_ahead ? 2 * log->cap_ahead : 4;
        uint64_t *grown = realloc(log->ahead, cap * sizeof *grown);
        if (!grown) return BANK_NO_MEMORY;
        log->ahead = grown;
        log->cap_ahead = cap;
    }
    if (seq == log->contiguous + 1) {
        log->contiguous = seq;
    } else {
        size_t at = log->n_ahead;
        while (at > 0 && log->ahead[at - 1] > seq) {
            log->ahead[at] = log->ahead[at - 1];
            at--;
        }
        log->ahead[at] = seq;
        log->n_ahead++;
    }
    size_t folded = 0;
    while (folded < log->n_ahead && log->ahead[folded] == log->contiguous + 1)
        log->contiguous = log->ahead[folded++];
    if (folded) {
        memmove(log->ahead, log->ahead + folded, (log->n_ahead - folded) * sizeof *log->ahead);
        log->n_ahead -= folded;
    }
    return BANK_OK;
}

bank_status bank_replica_apply(bank_replica *r, const bank_write *w)
{
    if (w->money < 0) return BANK_BAD_MONEY;
    /* A duplicate is acknowledged whatever the balance is now: checking the sum first would
     * answer a resent large write with an overflow, and its origin would think it lost. */
    if (w->sequence != 0 && bank_replica_has_applied(r, w->origin, w->sequence)) return BANK_DUPLICATE;
    int64_t next;
    int64_t delta = w->kind == BANK_WRITE_DEPOSIT ? w->money : -w->money;
    if (checked_add(r->balance, delta, &next) != BANK_OK) return BANK_OVERFLOW;
    if (w->sequence != 0) {
        bank_origin_log *log = find_or_add_origin(r, w->origin);
        if (!log) return BANK_NO_MEMORY;
        bank_status s = log_record(log, w->sequence);
        if (s != BANK_OK) return s;
    }
    r->balance = next;
    return BANK_OK;
}

bank_status bank_origin_log_add(bank_origin_log *log, uint64_t seq)
{
    return log_contains(log, seq) ? BANK_OK : log_record(log, seq);
}

void bank_origin_log_free(bank_origin_log *log)
{
    free(log->ahead);
    memset(log, 0, sizeof *log);
}

uint64_t bank_replica_contiguous(const bank_replica *r, int64_t origin)
{
    if (origin == r->branch_id) return r->last_sequence;
    const bank_origin_log *log = find_origin(r, origin);
    return log ? log->contiguous : 0;
}

bank_status bank_replica_mark_through(bank_replica *r, int64_t origin, uint64_t through)
{
    if (origin == r->branch_id) {
        if (through > r->last_sequence) r->last_sequence = through;
        return BANK_OK;
    }
    bank_origin_log *log = find_or_add_origin(r, origin);
    if (!log) return BANK_NO_MEMORY;
    bank_origin_log_mark_through(log, through);
    return BANK_OK;
}

void bank_origin_log_mark_through(bank_origin_log *log, uint64_t through)
{
    if (through <= log->contiguous) return;
    log->contiguous = through;
    size_t kept = 0;
    for (size_t i = 0; i < log->n_ahead; i++)
        if (log->ahead[i] > through) log->ahead[kept++] = log->ahead[i];
    log->n_ahead = kept;
    size_t folded = 0;
    while (folded < log->n_ahead && log->ahead[folded] == log->contiguous + 1)
        log->contiguous = log->ahead[folded++];
    if (folded) {
        memmove(log->ahead, log->ahead + folded, (log->n_ahead - folded) * sizeof *log->ahead);
        log->n_ahead -= folded;
    }
}
