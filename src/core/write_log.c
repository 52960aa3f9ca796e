#include "write_log.h"

#include <stdlib.h>
#include <string.h>

/* Room for one more entry, so that appending after a write cannot fail. */
static bank_status reserve_one(bank_write_log *log)
{
    if (log->n < log->cap) return BANK_OK;
    size_t cap = log->cap ? 2 * log->cap : 16;
    bank_logged_write *grown = realloc(log->items, cap * sizeof *grown);
    if (!grown) return BANK_NO_MEMORY;
    log->items = grown;
    log->cap = cap;
    return BANK_OK;
}

bank_status bank_write_log_add(bank_write_log *log, const bank_logged_write *w)
{
    if (reserve_one(log) != BANK_OK) return BANK_NO_MEMORY;
    log->items[log->n++] = *w;
    return BANK_OK;
}

void bank_write_log_free(bank_write_log *log)
{
    free(log->items);
    memset(log, 0, sizeof *log);
}

bank_status bank_logged_local(bank_replica *r, bank_write_kind kind, int64_t money,
                              int64_t customer_id, int64_t event_id, bank_write *out)
{
    if (reserve_one(&r->log) != BANK_OK) return BANK_NO_MEMORY;
    bank_status s = kind == BANK_WRITE_DEPOSIT ? bank_replica_deposit(r, money, out)
                                               : bank_replica_withdraw(r, money, out);
    if (s == BANK_OK)
        r->log.items[r->log.n++] =
            (bank_logged_write){kind, out->origin, out->sequence, money, customer_id, event_id};
    return s;
}

bank_status bank_logged_apply(bank_replica *r, const bank_write *w, int64_t customer_id,
                              int64_t event_id)
{
    if (w->sequence != 0 && !bank_replica_has_applied(r, w->origin, w->sequence) &&
        reserve_one(&r->log) != BANK_OK)
        return BANK_NO_MEMORY;
    bank_status s = bank_replica_apply(r, w);
    if (s == BANK_OK && w->sequence != 0)
        r->log.items[r->log.n++] =
            (bank_logged_write){w->kind, w->origin, w->sequence, w->money, customer_id, event_id};
    return s;
}

static int compare(const bank_logged_write *a, const bank_logged_write *b)
{
    if (a->origin != b->origin) return a->origin < b->origin ? -1 : 1;
    if (a->sequence != b->sequence) return a->sequence < b->sequence ? -1 : 1;
    return 0;
}

static int compare_void(const void *a, const void *b) { return compare(a, b); }

size_t bank_logged_sort_unique(bank_logged_write *items, size_t n)
{
    if (n == 0) return 0;
    qsort(items, n, sizeof *items, compare_void);
    size_t kept = 1;
    for (size_t i = 1; i < n; i++)
        if (compare(&items[i], &items[kept - 1]) != 0) items[kept++] = items[i];
    return kept;
}
