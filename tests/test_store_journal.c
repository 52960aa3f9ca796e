/* The journal that commits to a branch's store (store/journal.c): its writer thread, answers that
 * wait for the commit holding what they show, writes that arrive together sharing one, pending
 * marks, each peer's acknowledgement, resets, --sync batch's checkpoint, and the journal failed by
 * memory, a thread, or a commit the store refuses. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/history.h"
#include "core/write_log.h"
#include "oom_wrap.h"
#include "store/journal.h"
#include "store/store.h"
#include "store_fixture.h"

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    int answered, failed;
    char why[512]; /* the last failure's */
} waiter;

static void answered(void *arg, int ok, const char *why)
{
    waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->answered++;
    w->failed += !ok;
    if (!ok) snprintf(w->why, sizeof w->why, "%s", why);
    pthread_cond_broadcast(&w->done);
    pthread_mutex_unlock(&w->lock);
}

static void wait_answers(waiter *w, int n)
{
    pthread_mutex_lock(&w->lock);
    while (w->answered < n) pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

/* Branch 1's store (balance 0) in dir, under sync; what it holds read back into *st. */
static bank_store *open_store(const char *dir, bank_sync sync, bank_store_state *st)
{
    char err[600];
    bank_store *s = bank_store_open(dir, 1, 0, sync, st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}

/* Branch 1's store in dir opens again at once (the dir's lock was released), and is closed. */
static void expect_openable_again(const char *dir)
{
    char err[600];
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_expect_not_null(s, "the dir is free again: %s", err);
    bank_store_state_free(&st);
    bank_store_close(s);
}

/* A journal of branch 1 (balance 0) on a new store in a new dir, under sync; its replica in r;
 * on_failure(ctx, why) told of its failure. */
static bank_journal *new_journal_told(char *dir, size_t dirlen, bank_sync sync, bank_replica *r,
                                      void (*on_failure)(void *ctx, const char *why), void *ctx)
{
    char err[600];
    temp_dir(dir, dirlen);
    bank_store_state st;
    bank_store *s = open_store(dir, sync, &st);
    bank_store_state_free(&st);
    bank_replica_init(r, 1, 0);
    bank_journal *j = bank_journal_start(s, r, on_failure, ctx, err, sizeof err);
    cr_assert_not_null(j, "%s", err);
    return j;
}

static bank_journal *new_journal(char *dir, size_t dirlen, bank_sync sync, bank_replica *r)
{
    return new_journal_told(dir, dirlen, sync, r, NULL, NULL);
}

/* The journal stopped and freed, and its replica. */
static void end_journal(bank_journal *j, bank_replica *r)
{
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(r);
}

/* on_failure for a journal: counts the times it is told, into *(int *)ctx. */
static void count_failure(void *ctx, const char *why)
{
    (void)why;
    ++*(int *)ctx;
}

/* A deposit of 1 at r, noted and answered once its commit is durable. */
static void commit_one_deposit(bank_journal *j, bank_replica *r)
{
    bank_write w;
    cr_assert_eq(bank_logged_local(r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, r), answered, &one);
    wait_answers(&one, 1);
    cr_assert_eq(one.failed, 0, "the deposit's commit failed");
}

/* Rows of branch.db's log, read by a connection of this test (the journal holds its own). */
static int logged_rows(const char *dir)
{
    char path[200];
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *db;
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* rule: K5; memory that runs out while the journal takes a fold's checkpoint (compaction) fails
 * the journal: the next write is answered failed, saying why, not left undurable in silence; the
 * branch is told once */
Test(journal, a_fold_the_journal_cannot_keep_fails_the_next_write)
{
    char dir[64];
    bank_replica r;
    int told = 0;
    bank_journal *j = new_journal_told(dir, sizeof dir, BANK_SYNC_ALWAYS, &r, count_failure, &told);
    bank_write from_2 = {BANK_WRITE_DEPOSIT, 2, 1, 5};
    cr_assert_eq(bank_logged_apply(&r, &from_2, 0, 0), BANK_OK);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &one);
    wait_answers(&one, 1);
    cr_assert_eq(one.failed, 0);
    cr_assert_eq(bank_replica_fold(&r, 2, 1), BANK_OK);
    arm(0); /* the journal's copy of the checkpoint */
    bank_journal_note(j, &r);
    cr_assert(disarm(), "the fold's note allocated nothing");
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    waiter next = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &next);
    wait_answers(&next, 1);
    cr_expect_eq(next.failed, 1, "a write after the lost checkpoint was answered durable");
    cr_expect_str_eq(next.why, "out of memory");
    waiter mark = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_pending(j, 1, answered, &mark);
    cr_expect(mark.answered == 1 && mark.failed == 1, "a pending mark on a failed journal is refused at once");
    cr_expect_str_eq(mark.why, next.why);
    bank_journal_stop(j);
    cr_expect_eq(told, 1, "the branch is told of the failure once, not %d times", told);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K3; an answer whose commit is already durable (or that needs none) is given at once, on
 * the caller's thread, not held for a next commit that may never come (journal.h) */
Test(journal, an_answer_already_durable_is_given_at_once)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &w);
    cr_expect_eq(w.answered, 1, "nothing to commit yet: answered at once");
    commit_one_deposit(j, &r);
    cr_expect_eq(bank_journal_commits(j), 1);
    bank_journal_then(j, bank_journal_commits(j), answered, &w);
    cr_expect_eq(w.answered, 2, "the ticket of the last durable commit: answered at once");
    bank_journal_then(j, bank_journal_note(j, &r), answered, &w);
    cr_expect_eq(w.answered, 3, "nothing new since: answered at once");
    cr_expect_eq(w.failed, 0, "%s", w.why);
    end_journal(j, &r);
    remove_tree(dir);
}

/* rule: K5; a reset writes the replica whole: a checkpoint noted before it and not yet committed
 * is not written after it over the further one the reset wrote */
Test(journal, a_reset_drops_the_checkpoints_it_wrote_further)
{
    char dir[64], err[600];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    bank_write from_2[] = {{BANK_WRITE_DEPOSIT, 2, 1, 5}, {BANK_WRITE_DEPOSIT, 2, 2, 7}};
    for (int i = 0; i < 2; i++) cr_assert_eq(bank_logged_apply(&r, &from_2[i], 0, 0), BANK_OK);
    waiter both = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &both);
    wait_answers(&both, 1);
    cr_assert_eq(both.failed, 0, "%s", both.why);
    cr_assert_eq(bank_replica_fold(&r, 2, 1), BANK_OK);
    bank_journal_note(j, &r); /* a checkpoint alone: kept for the next commit */
    cr_assert_eq(bank_replica_fold(&r, 2, 2), BANK_OK);
    cr_assert_eq(bank_journal_reset(j, &r, err, sizeof err), 0, "%s", err);
    end_journal(j, &r);
    bank_store_state st;
    bank_store *s = open_store(dir, BANK_SYNC_ALWAYS, &st);
    cr_assert_eq(st.history.checkpoints.n, 1);
    const bank_checkpoint *c = &st.history.checkpoints.items[0];
    cr_expect(c->origin == 2 && c->through == 2 && c->net == 12, "checkpoint (%lld, %llu, %lld) read back",
              (long long)c->origin, (unsigned long long)c->through, (long long)c->net);
    cr_expect_eq(st.history.tail.n, 0);
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K3; a pending mark is on the disk before it is answered, and the store keeps the highest
 * marked; once the journal stops, a mark is refused at once, saying so */
Test(journal, a_pending_mark_is_durable_before_it_is_answered)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_pending(j, 5, answered, &w);
    bank_journal_pending(j, 3, answered, &w);
    wait_answers(&w, 2);
    cr_expect_eq(w.failed, 0, "%s", w.why);
    bank_journal_stop(j);
    waiter late = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_pending(j, 9, answered, &late);
    cr_expect(late.answered == 1 && late.failed == 1, "a mark after the stop is refused at once");
    cr_expect_str_eq(late.why, "this branch is stopping");
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = open_store(dir, BANK_SYNC_ALWAYS, &st);
    cr_expect_eq(st.answered_pending, 5, "the highest mark, not the last");
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* A journal that cannot start (out of memory) closes the store it was given: nothing is left
 * allocated, and the dir's lock is released for the next open. */
Test(journal, a_journal_that_cannot_start_closes_its_store)
{
    char dir[64], err[600] = "";
    temp_dir(dir, sizeof dir);
    long base = alive;
    bank_store_state st;
    bank_store *s = open_store(dir, BANK_SYNC_ALWAYS, &st);
    bank_store_state_free(&st);
    bank_replica r;
    bank_replica_init(&r, 1, 0);
    arm(0);
    bank_journal *j = bank_journal_start(s, &r, NULL, NULL, err, sizeof err);
    cr_assert(disarm());
    cr_expect_null(j);
    cr_expect_str_eq(err, "out of memory");
    cr_expect_eq(alive, base, "the store is freed: %ld block(s) left", alive - base);
    expect_openable_again(dir);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* pthread_create as this test's objects and bank_store call it (linked with
 * --wrap=pthread_create): refused once, as a process out of threads is (EAGAIN), when
 * refuse_thread is set. */
static int refuse_thread;
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    if (refuse_thread) {
        refuse_thread = 0;
        return EAGAIN;
    }
    return __real_pthread_create(t, a, fn, arg);
}

/* rule: K3; a journal whose thread cannot start says so, in one line, and closes its store: the
 * directory can be opened again at once */
Test(journal, a_journal_whose_thread_cannot_start_says_so_and_closes_its_store)
{
    char dir[64], err[600] = "";
    temp_dir(dir, sizeof dir);
    long base = alive;
    bank_store_state st;
    bank_store *s = open_store(dir, BANK_SYNC_ALWAYS, &st);
    bank_store_state_free(&st);
    bank_replica r;
    bank_replica_init(&r, 1, 0);
    refuse_thread = 1;
    bank_journal *j = bank_journal_start(s, &r, NULL, NULL, err, sizeof err);
    cr_expect_eq(refuse_thread, 0, "the journal asked for its thread");
    refuse_thread = 0;
    cr_expect_null(j);
    cr_expect_str_eq(err, "cannot start the journal's thread");
    cr_expect_eq(alive, base, "the journal and its store are freed: %ld block(s) left", alive - base);
    expect_openable_again(dir);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K1; a commit the store refuses (another program holds the write lock) fails the journal:
 * the write is answered failed, saying why, and the branch is told once, not again at the stop */
Test(journal, a_commit_the_store_refuses_fails_the_journal_once)
{
    char dir[64], path[200];
    bank_replica r;
    int told = 0;
    bank_journal *j = new_journal_told(dir, sizeof dir, BANK_SYNC_ALWAYS, &r, count_failure, &told);
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &one);
    wait_answers(&one, 1);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    cr_expect_eq(one.failed, 1, "a write the store refused was answered durable");
    cr_expect(strstr(one.why, "database is locked") != NULL, "%s", one.why);
    bank_journal_stop(j);
    cr_expect_eq(told, 1, "the branch is told of the failure once, not %d times", told);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* An answer that holds the journal's writer (answers run on it) until let go. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered, go;
} gate;

static void hold_writer(void *arg, int ok, const char *why)
{
    (void)ok, (void)why;
    gate *g = arg;
    pthread_mutex_lock(&g->lock);
    g->entered = 1;
    pthread_cond_broadcast(&g->cond);
    while (!g->go) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

/* Until the writer is held in hold_writer. */
static void gate_wait_held(gate *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->entered) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_let_go(gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->go = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

/* rule: K3; a pending mark that rides with a commit the store refuses is answered failed, like the
 * write: the mark is not set when its commit failed. The writer is held in an answer while the
 * write and the mark are queued, so that the two go into one commit. */
Test(journal, a_mark_with_a_refused_commit_is_answered_failed)
{
    char dir[64], path[200];
    bank_replica r;
    int told = 0;
    bank_journal *j = new_journal_told(dir, sizeof dir, BANK_SYNC_ALWAYS, &r, count_failure, &told);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_journal_then(j, bank_journal_note(j, &r), hold_writer, &g);
    gate_wait_held(&g);

    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    waiter both = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_journal_then(j, bank_journal_note(j, &r), answered, &both);
    bank_journal_pending(j, 2, answered, &both);
    gate_let_go(&g);
    wait_answers(&both, 2);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    cr_expect_eq(both.failed, 2, "%d of the write and its mark answered durable", 2 - both.failed);
    cr_expect(strstr(both.why, "database is locked") != NULL, "%s", both.why);
    bank_journal_stop(j);
    cr_expect_eq(told, 1);
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = open_store(dir, BANK_SYNC_ALWAYS, &st);
    cr_expect_eq(st.answered_pending, 0, "the refused commit's mark is not on the disk");
    cr_expect_eq(st.history.tail.n, 1, "the first write only");
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K5; a reset writes the replica whole: writes noted before it and not yet committed are
 * not written after it (one the reset folded under a checkpoint would come back as a log row) */
Test(journal, a_reset_drops_the_writes_it_wrote)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_journal_then(j, bank_journal_note(j, &r), hold_writer, &g);
    gate_wait_held(&g);
    bank_write from_2 = {BANK_WRITE_DEPOSIT, 2, 1, 5};
    cr_assert_eq(bank_logged_apply(&r, &from_2, 0, 0), BANK_OK);
    bank_journal_note(j, &r); /* the writer is held: the write waits in the journal */
    cr_assert_eq(bank_replica_fold(&r, 2, 1), BANK_OK);
    char err[600];
    cr_assert_eq(bank_journal_reset(j, &r, err, sizeof err), 0, "%s", err);
    gate_let_go(&g);
    end_journal(j, &r);
    cr_expect_eq(logged_rows(dir), 1, "the log holds branch 1's write only, (2, 1) is under its checkpoint");
    remove_tree(dir);
}

typedef struct {
    bank_journal *j;
    bank_replica *r;
    pthread_mutex_t *lock;
    waiter *w;
    int writes;
} customer;

/* Deposits one at a time, each waiting for its commit, as a customer of the branch would. */
static void *deposit_loop(void *arg)
{
    customer *c = arg;
    for (int i = 0; i < c->writes; i++) {
        bank_write w;
        pthread_mutex_lock(c->lock);
        cr_assert_eq(bank_logged_local(c->r, BANK_WRITE_DEPOSIT, 1, 0, i, &w), BANK_OK);
        uint64_t ticket = bank_journal_note(c->j, c->r);
        pthread_mutex_unlock(c->lock);
        cr_assert_gt(ticket, 0, "a new write waits for its commit");
        waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
        bank_journal_then(c->j, ticket, answered, &one);
        wait_answers(&one, 1);
        cr_assert_eq(one.failed, 0);
        answered(c->w, 1, "");
    }
    return NULL;
}

/* rule: K1, K2 */
Test(journal, an_answer_waits_for_its_commit_and_writes_together_share_one)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    cr_expect_eq(bank_journal_note(j, &r), 0, "nothing new: nothing to wait for");

    waiter all = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    enum { CUSTOMERS = 8, EACH = 40 };
    customer c = {j, &r, &lock, &all, EACH};
    pthread_t t[CUSTOMERS];
    for (int i = 0; i < CUSTOMERS; i++) pthread_create(&t[i], NULL, deposit_loop, &c);
    for (int i = 0; i < CUSTOMERS; i++) pthread_join(t[i], NULL);
    cr_expect_eq(all.answered, CUSTOMERS * EACH);
    cr_expect_eq(logged_rows(dir), CUSTOMERS * EACH, "every answered write is in the file");
    uint64_t commits = bank_journal_commits(j);
    cr_expect_lt(commits, CUSTOMERS * EACH, "writes that arrive together share a commit (%llu commits)",
                 (unsigned long long)commits);
    printf("journal: %d writes of %d customers at once in %llu commits (%.1f writes a sync)\n",
           CUSTOMERS * EACH, CUSTOMERS, (unsigned long long)commits, (double)(CUSTOMERS * EACH) / (double)commits);

    /* a read of a write still being committed waits for that commit */
    bank_write w;
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    uint64_t write_ticket = bank_journal_note(j, &r);
    uint64_t read_ticket = bank_journal_note(j, &r);
    pthread_mutex_unlock(&lock);
    cr_expect_eq(read_ticket, write_ticket);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, read_ticket, answered, &one);
    wait_answers(&one, 1);
    cr_expect_eq(logged_rows(dir), CUSTOMERS * EACH + 1);

    /* stopped: what was noted is committed; a later answer is refused, never given unsaved */
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    uint64_t last = bank_journal_note(j, &r);
    pthread_mutex_unlock(&lock);
    waiter before_stop = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, last, answered, &before_stop);
    bank_journal_stop(j);
    wait_answers(&before_stop, 1);
    cr_expect_eq(before_stop.failed, 0);
    cr_expect_eq(logged_rows(dir), CUSTOMERS * EACH + 2);
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    uint64_t after = bank_journal_note(j, &r);
    pthread_mutex_unlock(&lock);
    waiter refused_one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, after, answered, &refused_one);
    cr_expect_eq(refused_one.answered, 1);
    cr_expect_eq(refused_one.failed, 1);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K5; what each peer has acknowledged rides with the next commit: every peer's furthest
 * acknowledgement read back, a new peer's first one included, a lagging one changing nothing */
Test(journal, each_peers_acknowledgement_is_kept_with_the_next_commit)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    bank_journal_acked(j, 2, 3);
    bank_journal_acked(j, 3, 1);
    bank_journal_acked(j, 2, 5);
    bank_journal_acked(j, 2, 4);
    commit_one_deposit(j, &r);
    end_journal(j, &r);
    bank_store_state st;
    bank_store *s = open_ok(dir, 1, 0, &st);
    uint64_t through[4] = {0};
    for (size_t i = 0; i < st.n_acked; i++)
        if (st.acked[i].peer >= 2 && st.acked[i].peer <= 3) through[st.acked[i].peer] = st.acked[i].through;
    cr_expect(st.n_acked == 2 && through[2] == 5 && through[3] == 1,
              "%zu peers read back: branch 2 through %llu, branch 3 through %llu", st.n_acked,
              (unsigned long long)through[2], (unsigned long long)through[3]);
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K5; a branch among many peers: every peer's furthest acknowledgement is kept, each peer
 * once, however many there are (the journal's table of them grows as peers first answer, and
 * only then) */
Test(journal, every_peer_of_a_large_bank_has_its_acknowledgement_kept)
{
    enum { PEERS = 48 };
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    for (int round = 0; round < 2; round++)
        for (int64_t p = 2; p < 2 + PEERS; p++) bank_journal_acked(j, p, (uint64_t)(p * 10 + round));
    commit_one_deposit(j, &r);
    end_journal(j, &r);
    bank_store_state st;
    bank_store *s = open_ok(dir, 1, 0, &st);
    cr_expect_eq(st.n_acked, PEERS);
    int seen[2 + PEERS] = {0};
    for (size_t i = 0; i < st.n_acked; i++) {
        int64_t p = st.acked[i].peer;
        cr_assert(p >= 2 && p < 2 + PEERS, "peer %lld read back", (long long)p);
        cr_expect_eq(seen[p]++, 0, "peer %lld read back twice", (long long)p);
        cr_expect_eq(st.acked[i].through, (uint64_t)(p * 10 + 1), "peer %lld through %llu", (long long)p,
                     (unsigned long long)st.acked[i].through);
    }
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --sync batch: an answered write is in branch.db itself (a WAL checkpoint, which syncs) within
 * 100 ms, with no later write to carry it there. Waited for at most 10 s. */
/* rule: K2 */
Test(journal, batch_mode_checkpoints_an_answered_write_on_its_own)
{
    char dir[64], copy_dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_BATCH, &r);
    temp_dir(copy_dir, sizeof copy_dir);
    commit_one_deposit(j, &r);
    double answered_at = seconds_now();
    int rows;
    while ((rows = checkpointed_rows(dir, copy_dir)) != 1 && seconds_now() - answered_at < 10) usleep(10000);
    double waited = seconds_now() - answered_at;
    cr_expect_eq(rows, 1, "the answered write is not in branch.db itself %.1f s after its answer", waited);
    printf("journal: --sync batch put an answered write in branch.db %.0f ms after its answer\n", waited * 1000);
    end_journal(j, &r);
    remove_tree(dir);
    remove_tree(copy_dir);
}
