/* A branch's store read back and checked: whose it is, SQLite's quick check, and every record
 * against its checksum (see store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "store_private.h"

uint64_t bank_store_log_sum(const bank_logged_write *w)
{
    int64_t v[6] = {w->origin, (int64_t)w->sequence, w->kind == BANK_WRITE_WITHDRAW, w->money,
                    w->customer_id, w->event_id};
    return bank_checksum_fields(v, 6);
}

uint64_t bank_store_checkpoint_sum(const bank_checkpoint *c)
{
    int64_t v[3] = {c->origin, (int64_t)c->through, c->net};
    return bank_checksum_fields(v, 3);
}

uint64_t bank_store_ack_sum(const bank_peer_ack *a)
{
    int64_t v[2] = {a->peer, (int64_t)a->through};
    return bank_checksum_fields(v, 2);
}

uint64_t bank_store_identity_sum(int64_t id, int64_t balance)
{
    int64_t v[3] = {BANK_STORE_FORMAT, id, balance};
    return bank_checksum_fields(v, 3);
}

int bank_store_query_int(sqlite3 *db, const char *sql, int64_t *value, int *found)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    *found = 0;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = 1;
        *value = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

static int is_damage(int rc) { return (rc & 0xff) == SQLITE_CORRUPT; }

static void damaged(bank_store *s, bank_store_state *st, const char *why)
{
    s->damaged = st->damaged = 1;
    const char *header = "*** in database main ***"; /* quick_check's, before its findings */
    if (strncmp(why, header, strlen(header)) == 0) why += strlen(header);
    while (*why == '\n' || *why == ' ') why++;
    snprintf(st->why, sizeof st->why, "%s", why);
    for (char *c = st->why; *c; c++)
        if (*c == '\n') *c = ';'; /* one line */
    bank_store_state_free(st);
    memset(&st->history, 0, sizeof st->history);
}

static bank_status add_ack(bank_store_state *st, const bank_peer_ack *a)
{
    bank_peer_ack *grown = realloc(st->acked, (st->n_acked + 1) * sizeof *grown);
    if (!grown) return BANK_NO_MEMORY;
    (st->acked = grown)[st->n_acked++] = *a;
    return BANK_OK;
}

/* Reads every table into st, checking each row's sum. SQLITE_OK (st->damaged when a row or
 * SQLite says the file is damaged), or another status for an error (I/O, memory). */
int bank_store_load(bank_store *s, bank_store_state *st)
{
    static const char *const sql[3] = {
        "SELECT origin, through, net, sum FROM checkpoint",
        "SELECT origin, seq, withdraw, money, customer, event, sum FROM log",
        "SELECT peer, through, sum FROM acked"};
    for (int t = 0; t < 3 && !st->damaged; t++) {
        sqlite3_stmt *q;
        int rc = sqlite3_prepare_v2(s->db, sql[t], -1, &q, NULL);
        while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            rc = SQLITE_OK;
            int64_t c[7] = {0};
            for (int i = 0; i < sqlite3_column_count(q) && i < 7; i++) c[i] = sqlite3_column_int64(q, i);
            int ok = 1;
            bank_status added = BANK_OK;
            if (t == 0) {
                bank_checkpoint cp = {c[0], (uint64_t)c[1], c[2]};
                ok = bank_store_checkpoint_sum(&cp) == (uint64_t)c[3];
                if (ok) added = bank_checkpoints_merge(&st->history.checkpoints, &cp);
            } else if (t == 1) {
                bank_logged_write w = {c[2] ? BANK_WRITE_WITHDRAW : BANK_WRITE_DEPOSIT, c[0],
                                       (uint64_t)c[1], c[3], c[4], c[5]};
                ok = bank_store_log_sum(&w) == (uint64_t)c[6] && w.sequence > 0 && w.money >= 0;
                if (ok) added = bank_write_log_add(&st->history.tail, &w);
            } else {
                bank_peer_ack a = {c[0], (uint64_t)c[1]};
                ok = bank_store_ack_sum(&a) == (uint64_t)c[2];
                if (ok) added = add_ack(st, &a);
            }
            if (added != BANK_OK) rc = SQLITE_NOMEM;
            else if (!ok) {
                damaged(s, st, "a record's checksum does not match it");
                rc = SQLITE_DONE;
            }
        }
        sqlite3_finalize(q);
        if (is_damage(rc)) damaged(s, st, sqlite3_errstr(rc));
        else if (rc != SQLITE_DONE && rc != SQLITE_OK) return rc;
    }
    if (!st->damaged) bank_history_normalize(&st->history);
    return SQLITE_OK;
}

/* SQLite's own look at the file's structure (a cut or torn page shows here). */
int bank_store_quick_check(bank_store *s, bank_store_state *st)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &q, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *verdict = (const char *)sqlite3_column_text(q, 0);
        if (!verdict || strcmp(verdict, "ok") != 0) damaged(s, st, verdict ? verdict : "quick_check failed");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (is_damage(rc)) {
        damaged(s, st, sqlite3_errstr(rc));
        rc = SQLITE_OK;
    }
    return rc;
}

/* Whose store it is: 0 this branch's (or damaged, noted in st), -1 with err another's. */
static int check_identity(bank_store *s, bank_store_state *st, char *err, size_t errlen)
{
    int64_t format = 0, id = 0, balance = 0, sum = 0;
    int f1, f2, f3, f4;
    int rc = bank_store_query_int(s->db, "SELECT value FROM meta WHERE key = 'format'", &format, &f1);
    if (rc == SQLITE_OK) rc = bank_store_query_int(s->db, "SELECT value FROM meta WHERE key = 'branch'", &id, &f2);
    if (rc == SQLITE_OK) rc = bank_store_query_int(s->db, "SELECT value FROM meta WHERE key = 'balance'", &balance, &f3);
    if (rc == SQLITE_OK) rc = bank_store_query_int(s->db, "SELECT value FROM meta WHERE key = 'sum'", &sum, &f4);
    if (is_damage(rc) || (rc == SQLITE_OK && (!f1 || !f2 || !f3 || !f4 ||
                                               (uint64_t)sum != bank_store_identity_sum(id, balance) || format != BANK_STORE_FORMAT))) {
        if (rc == SQLITE_OK && f1 && format != BANK_STORE_FORMAT) {
            snprintf(err, errlen, "%s: store format %lld, this bank reads format %d", s->path,
                     (long long)format, BANK_STORE_FORMAT);
            return -1;
        }
        damaged(s, st, is_damage(rc) ? sqlite3_errstr(rc) : "its identity record is damaged");
        return 0;
    }
    if (rc != SQLITE_OK) return bank_store_fail(s, err, errlen, "cannot read");
    if (id != s->id) {
        snprintf(err, errlen, "%s holds branch %lld's state, not branch %lld's (give each branch its own "
                              "--data-dir)", s->dir, (long long)id, (long long)s->id);
        return -1;
    }
    if (balance != s->balance) {
        snprintf(err, errlen, "%s was made for branch %lld with --balance %lld, not %lld", s->dir,
                 (long long)id, (long long)balance, (long long)s->balance);
        return -1;
    }
    return 0;
}

/* Whose store branch.db is, or that there is none yet (st->fresh) or it is damaged. 0, or -1
 * with err: not a branch store, another branch's, unreadable. had_mark: DIR/pending is there,
 * so a store was made here before. */
int bank_store_identify(bank_store *s, bank_store_state *st, int had_mark, char *err, size_t errlen)
{
    int64_t tables = 0, has_meta = 0;
    int found;
    int rc = bank_store_query_int(s->db, "SELECT count(*) FROM sqlite_master", &tables, &found);
    if (rc == SQLITE_OK)
        rc = bank_store_query_int(s->db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'", &has_meta, &found);
    if ((rc & 0xff) == SQLITE_NOTADB && had_mark) { /* its first page torn */
        damaged(s, st, sqlite3_errstr(rc));
        return 0;
    }
    if ((rc & 0xff) == SQLITE_NOTADB) {
        snprintf(err, errlen, "%s is not a bank branch store (%s)", s->path, sqlite3_errstr(rc));
        return -1;
    }
    if (is_damage(rc)) damaged(s, st, sqlite3_errstr(rc));
    else if (rc != SQLITE_OK) return bank_store_fail(s, err, errlen, "cannot read");
    else if (tables == 0 && had_mark)
        damaged(s, st, "it is empty, but DIR/pending says a store was made here");
    else if (tables == 0) st->fresh = 1;
    else if (!has_meta) {
        snprintf(err, errlen, "%s is not a bank branch store (an SQLite database of something else)", s->path);
        return -1;
    } else {
        return check_identity(s, st, err, errlen);
    }
    return 0;
}

