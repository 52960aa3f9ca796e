/* The gRPC layer's long-lived parts out of memory, and what each keeps when it stops: an engine
 * (and its channel per target), a branch's sender, a branch itself (also one refused its port),
 * project 3's parked calls and the timers they wait on, a customer's calls to every branch at
 * once; and a sender stopped with writes still queued. Each is made to fail at every allocation
 * (oom_sweep.h): refused with one line, nothing kept, or made whole. The blocks alive are
 * counted here (oom_wrap.h), as a Criterion worker's LeakSanitizer report fails no test. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oom_sweep.h"
#include "oom_wrap.h"
#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/parked.h"
#include "rpc/sender.h"
#include "rpc/timers.h"
#include "rpc/wire.h"

/* ---- an engine, and project 3's parked calls ---- */

static int engine_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    (void)arg;
    bank_engine *e = bank_engine_start(3, err, errlen);
    *ok = 1;
    if (!e) return -1;
    bank_engine_stop(e);
    return 0;
}

/* The engine (its threads and their queue), refused for memory: NULL, one line, nothing kept. */
Test(rpc_parts_oom, an_engine_starts_or_is_refused_at_every_allocation)
{
    oom_counts k = oom_sweep("bank_engine_start", engine_attempt, NULL, -1, "out of memory", "");
    cr_expect_eq(k.failed, 2, "the engine and its threads' array");
}

static void count_fired(void *arg, int cancelled) { *(int *)arg += 1 + cancelled; }

static int resumed;
static void count_resumed(server_call *c) { resumed += c->customer_id == 77; }

/* rule: C4; a call parked for a write its branch already holds (it arrived after the call was
 * decided) is decided again at once, and one parked for a write still missing is decided again
 * when a propagation brings it: nothing of its parking is left allocated either way */
Test(rpc_parts_oom, a_parked_call_is_decided_again_once_its_write_is_held)
{
    bank_replica r;
    bank_replica_init(&r, 1, 100);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    bank_timers *timers = bank_timers_start();
    cr_assert_not_null(timers);
    bank_server s;
    memset(&s, 0, sizeof s);
    s.cfg.id = 1;
    s.cfg.replica = &r;
    s.cfg.replica_lock = &lock;
    s.cfg.timers = timers;
    bank_parked *p = bank_parked_new(&s, 60000, count_resumed);
    cr_assert_not_null(p);
    server_call c;
    memset(&c, 0, sizeof c);
    c.srv = &s;
    c.customer_id = 77;
    c.deadline = gpr_inf_future(GPR_CLOCK_REALTIME);
    bank_write w;
    cr_assert_eq(bank_replica_deposit(&r, 10, &w), BANK_OK);

    long base = alive;
    resumed = 0;
    bank_parked_hold(p, &c, (bank_write_id){1, 1}); /* held already */
    cr_expect_eq(resumed, 1, "decided again at once");
    cr_expect_eq(alive, base, "nothing kept for a call not parked");

    bank_parked_hold(p, &c, (bank_write_id){2, 1}); /* branch 2's first write: not yet */
    long parking = alive - base; /* the entry and its timer */
    cr_expect_eq(resumed, 1, "parked");
    cr_expect_geq(c.hold_until_ms, c.hold_since_ms + 60000, "held 60 s: its own deadline is none");
    bank_parked_wake(p);
    cr_expect_eq(resumed, 1, "woken by nothing new");
    bank_write from2 = {BANK_WRITE_DEPOSIT, 2, 1, 5};
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_replica_apply(&r, &from2), BANK_OK);
    pthread_mutex_unlock(&lock);
    base = alive - parking; /* the replica's log holds the write now */
    bank_parked_wake(p);
    cr_expect_eq(resumed, 2, "decided again once its write arrived");
    arm(1L << 40); /* counts allocations, fails none */
    bank_parked_wake(p);
    long made = allocations;
    disarm();
    cr_expect_eq(made, 0, "nothing parked any more: a wake takes nothing (its fast path)");
    cr_expect_eq(resumed, 2);
    bank_timers_stop(timers); /* the parked entry's timer, cancelled, frees it */
    cr_expect_eq(alive, base, "nothing of the parking kept");
    int fired = 0;
    bank_timers_after(timers, 10, count_fired, &fired); /* stopped: at once, cancelled */
    cr_expect_eq(fired, 2, "run at once, cancelled");
    cr_expect_eq(alive, base, "nothing kept for work that came after the stop");
    bank_timers_free(timers);
    bank_parked_free(p);
    bank_replica_free(&r);
}

/* ---- a customer's calls ---- */

/* Two channels to an address nothing listens on, the same request to both at once (a drive's
 * query of every branch), then a bare echo to both: UNAVAILABLE from each, said with the
 * target (or, once the channel waits to connect again, DEADLINE_EXCEEDED); refused for memory:
 * -1 (the caller says so), nothing kept. */
static int client_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grpc_completion_queue *cq = arg;
    bank_channel *ch[2] = {bank_channel_open("127.0.0.1:1", NULL), bank_channel_open("127.0.0.1:1", NULL)};
    int rc = 0;
    *ok = 1;
    if (!ch[0] || !ch[1]) {
        snprintf(err, errlen, "out of memory (a channel)");
        rc = -1;
    }
    if (rc == 0) {
        grpc_slice s = grpc_slice_from_static_string("x");
        grpc_byte_buffer *request = grpc_raw_byte_buffer_create(&s, 1);
        bank_client_answer answers[2];
        memset(answers, 0, sizeof answers);
        if (bank_client_unary_all(ch, 2, cq, BANK_PATH_QUERY, request, 5000, 1, answers) != 0) {
            snprintf(err, errlen, "out of memory (the calls)");
            rc = -1;
        } else {
            for (int i = 0; i < 2; i++)
                *ok &= answers[i].status == GRPC_STATUS_UNAVAILABLE && !answers[i].reply && answers[i].details[0];
        }
        grpc_byte_buffer_destroy(request);
    }
    if (rc == 0) {
        char why[300] = "";
        /* UNAVAILABLE, or past its deadline while its channel waits to connect again */
        if (bank_client_echo_all(ch, 2, cq, "x", 1, 300, why, sizeof why) == 0) *ok = 0;
        else if (strcmp(why, "out of memory") == 0) rc = -1;
        else *ok &= strncmp(why, "127.0.0.1:1: gRPC status 14: ", 29) == 0 ||
                    strncmp(why, "127.0.0.1:1: gRPC status 4: ", 28) == 0;
        if (rc != 0) snprintf(err, errlen, "%s", why);
    }
    bank_channel_close(ch[0]);
    bank_channel_close(ch[1]);
    return rc;
}

/* The sweep of an attempt given a client's completion queue, gRPC started around it. */
static oom_counts sweep_with_a_queue(const char *what, oom_attempt attempt)
{
    grpc_init();
    grpc_completion_queue *cq = bank_client_cq_create();
    oom_counts k = oom_sweep(what, attempt, cq, -1, "out of memory", "");
    bank_client_cq_destroy(cq);
    grpc_shutdown();
    return k;
}

Test(rpc_parts_oom, a_customers_calls_are_made_or_refused_at_every_allocation)
{
    oom_counts k = sweep_with_a_queue("bank_client_unary_all, bank_client_echo_all", client_attempt);
    cr_expect_geq(k.failed, 2 + 3 + 4, "two channels, the calls' three arrays, the echoes' four");
}

/* A probe (bank drive's query of every branch at once, bank_wire_query_all) of two addresses
 * nothing listens on: both failed, each with its status, no balance written; refused for
 * memory: -1, nothing kept (the answers' array either, when the calls after it are refused). */
static int probe_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grpc_completion_queue *cq = arg;
    bank_wire *w = bank_wire_bank();
    bank_channel *ch[2] = {bank_channel_open("127.0.0.1:1", NULL), bank_channel_open("127.0.0.1:1", NULL)};
    int rc = 0;
    *ok = 1;
    if (!w || !ch[0] || !ch[1]) {
        snprintf(err, errlen, "out of memory (the wire or a channel)");
        rc = -1;
    } else {
        int64_t balances[2] = {7, 7};
        int answered[2] = {1, 1};
        bank_wire_error errs[2];
        int failed = bank_wire_query_all(w, ch, 2, cq, 5000, balances, answered, errs);
        if (failed < 0) {
            snprintf(err, errlen, "out of memory (the probe)");
            rc = -1;
        } else {
            *ok = failed == 2;
            for (int i = 0; i < 2; i++)
                *ok &= !answered[i] && balances[i] == 7 &&
                       (errs[i].status == GRPC_STATUS_UNAVAILABLE || errs[i].status == GRPC_STATUS_DEADLINE_EXCEEDED);
        }
    }
    bank_channel_close(ch[0]);
    bank_channel_close(ch[1]);
    bank_wire_free(w);
    return rc;
}

Test(rpc_parts_oom, a_probe_of_every_branch_is_made_or_refused_at_every_allocation)
{
    oom_counts k = sweep_with_a_queue("bank_wire_query_all", probe_attempt);
    cr_expect_geq(k.failed, 3 + 1 + 3, "the wire, two channels, the answers, the calls' three arrays");
}

/* ---- a branch's sender ---- */

/* Branch 1's sender to peers 2 and 3 (and itself, skipped), on an engine of its own: made whole
 * (its peers, and only they) or refused for memory, nothing kept. */
static int sender_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    (void)arg;
    *ok = 1;
    bank_engine *e = bank_engine_start(1, err, errlen);
    if (!e) return -1;
    static const bank_peer peers[] = {{2, "127.0.0.1:2"}, {1, "127.0.0.1:1"}, {3, "127.0.0.1:3"}};
    bank_sender_config cfg = {.self = 1, .engine = e};
    bank_sender *s = bank_sender_start(&cfg, peers, 3, err, errlen);
    if (s) {
        *ok = bank_sender_has_peer(s, 2) == 1 && bank_sender_has_peer(s, 3) == 1 &&
              bank_sender_has_peer(s, 1) == 0 && bank_sender_has_peer(s, 0) == 0 &&
              bank_sender_has_peer(s, 4) == 0 && bank_sender_owed(s) == 0;
        bank_sender_stop(s);
        bank_sender_free(s);
    }
    bank_engine_stop(e);
    return s ? 0 : -1;
}

Test(rpc_parts_oom, a_sender_starts_or_is_refused_at_every_allocation)
{
    oom_counts k = oom_sweep("bank_sender_start", sender_attempt, NULL, -1, "out of memory", "");
    cr_expect_geq(k.failed, 2 + 2 + 2 * 2 + 1, "the engine, the sender and its peers, each peer's channel, the count");
}

/* ---- a branch ---- */

/* A branch on a port of the OS's choosing, with its own engine: started whole, or refused for
 * memory with one line that names it, nothing kept; a request posted fewer times is absorbed. */
static int branch_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    (void)arg;
    bank_branch_config cfg = {.id = 1, .balance = 10, .listen = "127.0.0.1:0", .threads = 1};
    bank_branch_server *b = bank_branch_server_start(&cfg, err, errlen);
    *ok = 1;
    if (!b) return -1;
    *ok = bank_branch_server_port(b) > 0 && bank_branch_server_balance(b) == 10;
    bank_branch_server_stop(b);
    return 0;
}

Test(rpc_parts_oom, a_branch_starts_or_is_refused_at_every_allocation)
{
    oom_counts k = oom_sweep("bank_branch_server_start", branch_attempt, NULL, -1, "branch 1: ", "");
    cr_expect_geq(k.failed, 5, "the branch, its engine and threads, its timers, its server");
}

/* rule: S9; a branch refused its port (another holds it) keeps nothing of what it started */
Test(rpc_parts_oom, a_branch_refused_its_port_keeps_nothing)
{
    bank_branch_config cfg = {.id = 1, .listen = "127.0.0.1:0", .threads = 1};
    char err[512];
    bank_branch_server *a = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", bank_branch_server_port(a));
    bank_branch_config again = {.id = 2, .listen = listen, .threads = 1};
    long base = alive;
    cr_expect_null(bank_branch_server_start(&again, err, sizeof err));
    cr_expect_eq(alive, base, "%ld block(s) kept by the branch refused", alive - base);
    char want[200];
    snprintf(want, sizeof want, "branch 2: cannot listen on %s (address in use or not valid)", listen);
    cr_expect_str_eq(err, want);
    bank_branch_server_stop(a);
}

/* An engine keeps one channel per target, its array growing past its first 16: each of 20
 * targets gets its own, asked again the same one, and stopping the engine keeps nothing. */
Test(rpc_parts_oom, an_engine_keeps_a_channel_per_target_past_its_first_sixteen)
{
    char err[200];
    long base = alive;
    bank_engine *e = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    static const char *const paths[1] = {BANK_PATH_PROPAGATE_BATCH};
    grpc_channel *ch[20];
    for (int i = 0; i < 20; i++) {
        char target[32];
        snprintf(target, sizeof target, "127.0.0.1:%d", i + 1);
        void *handle = NULL;
        ch[i] = bank_engine_channel(e, target, NULL, paths, 1, &handle);
        cr_assert_not_null(ch[i], "%s", target);
        cr_expect_not_null(handle, "%s", target);
        for (int k = 0; k < i; k++) cr_expect_neq(ch[k], ch[i], "%s", target);
    }
    void *handle = NULL;
    cr_expect_eq(bank_engine_channel(e, "127.0.0.1:1", NULL, paths, 1, &handle), ch[0], "the first target's, again");
    cr_expect_eq(bank_engine_channel(e, "127.0.0.1:20", NULL, paths, 1, &handle), ch[19], "the last target's, again");
    bank_engine_stop(e);
    cr_expect_eq(alive, base, "%ld block(s) kept", alive - base);
}

/* rule: P11; a sender stopped while writes wait behind a call still in flight (a peer that took
 * the connection and never answers) drops the waiting ones, cancels the call and returns; a
 * write is owed only to a peer, and only until the sender stops */
Test(rpc_parts_oom, a_sender_stopped_with_writes_queued_drops_them)
{
    int mute = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(mute, 0);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof at;
    cr_assert_eq(bind(mute, (struct sockaddr *)&at, sizeof at), 0);
    cr_assert_eq(listen(mute, 4), 0);
    cr_assert_eq(getsockname(mute, (struct sockaddr *)&at, &len), 0);
    char target[32], err[200];
    snprintf(target, sizeof target, "127.0.0.1:%d", ntohs(at.sin_port));
    bank_engine *e = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    bank_timers *timers = bank_timers_start();
    cr_assert_not_null(timers);
    const bank_peer peers[] = {{2, target}};
    bank_sender_config cfg = {.self = 1, .engine = e, .timers = timers, .deadline_ms = 30000};
    bank_sender *s = bank_sender_start(&cfg, peers, 1, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    for (uint64_t seq = 1; seq <= 4; seq++) {
        bank_logged_write w = {BANK_WRITE_DEPOSIT, 1, seq, 10, 7, seq};
        bank_sender_send(s, &w, (bank_write_id){0, 0}); /* the first in flight, the others behind it */
    }
    bank_logged_write fifth = {BANK_WRITE_DEPOSIT, 1, 5, 10, 7, 5};
    cr_expect_eq(bank_sender_owe(s, 9, &fifth), -1, "no branch 9 among the peers");
    cr_expect_eq(bank_sender_owe(s, 2, &fifth), 0);
    cr_expect_eq(bank_sender_owed(s), 5);
    bank_timers_stop(timers);
    bank_sender_stop(s);
    cr_expect_eq(bank_sender_owe(s, 2, &fifth), -1, "nothing is owed once stopped");
    bank_sender_free(s);
    bank_timers_free(timers);
    bank_engine_stop(e);
    close(mute);
}
