/* Mutual TLS on the wire: branches started with certificates from tests/integration/tls_certs.sh
 * answer as plaintext ones do, and refuse every forged propagation (no certificate, a
 * customer's, another CA's, an expired one, a branch naming another's origin) without changing
 * a balance; garbage in a handshake leaves them serving; recovery under TLS converges. Real
 * servers on 127.0.0.1, in this process. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "run/branches.h"
#include "run/customers.h"
#include "run/tls_files.h"
#include "tls_fixture.h"
#include "course_sample.h"

typedef struct {
    char good[300];
    bank_tls *customer;
    bank_branches *b;
} tls_branches;

/* The sample's three branches in this process, each with its own certificate. */
static void start_tls(tls_branches *t, const char *trace_path)
{
    char err[600];
    snprintf(t->good, sizeof t->good, "%s/good", certs_dir());
    t->customer = bank_tls_load_dir(t->good, BANK_TLS_CUSTOMER, err, sizeof err);
    cr_assert_not_null(t->customer, "%s", err);
    bank_branches_config cfg = {.mode = BANK_MODE_EMBEDDED, .server_threads = 1, .deadline_ms = 10000,
                                .trace_path = trace_path, .tls_dir = t->good, .client_tls = t->customer};
    t->b = bank_branches_start(&sample, &cfg, err, sizeof err);
    cr_assert_not_null(t->b, "cannot start TLS branches: %s", err);
}

static void stop_tls(tls_branches *t)
{
    char err[600];
    cr_expect_eq(bank_branches_stop(t->b, err, sizeof err), 0, "%s", err);
    bank_tls_free(t->customer);
}

static void expect_balances(tls_branches *t, int64_t want, const char *after)
{
    int64_t now[3];
    char err[600];
    cr_assert_eq(bank_read_balances(&sample, t->b, 10000, now, err, sizeof err), 0, "%s", err);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(now[i], want, "after %s: branch %d holds %lld, want %lld", after, i + 1,
                     (long long)now[i], (long long)want);
}

/* rule: R1, R7, S8 */
Test(tls_wire, three_tls_branches_answer_the_sample_as_plaintext_ones_do)
{
    static const int64_t want[2][3] = {{400, 570, 500}, {500, 500, 500}};
    static const bank_schedule schedules[2] = {BANK_SCHEDULE_SEQUENTIAL, BANK_SCHEDULE_ROUNDS};
    for (int s = 0; s < 2; s++) {
        tls_branches t;
        start_tls(&t, NULL);
        bank_outcome o;
        cr_assert_eq(bank_outcome_init(&o, &sample), 0);
        bank_drive_config cfg = {.schedule = schedules[s], .deadline_ms = 10000};
        char err[600];
        cr_assert_eq(bank_drive(&sample, t.b, &cfg, &o, NULL, err, sizeof err), 0, "%s", err);
        cr_expect_eq(o.results[0][0].balance, want[s][0]);
        cr_expect(o.results[1][0].success && !o.results[1][0].pending);
        cr_expect_eq(o.results[1][1].balance, want[s][1]);
        cr_expect(o.results[2][0].success && !o.results[2][0].pending);
        cr_expect_eq(o.results[2][1].balance, want[s][2]);
        expect_balances(&t, 500, bank_schedule_name(schedules[s]));
        bank_outcome_free(&o);
        stop_tls(&t);
    }
}

/* One call of method with bytes to target, as the holder of tls (NULL: plaintext) would make it;
 * details gets the status details. */
static grpc_status_code forge(const bank_tls *tls, const char *target, const char *method,
                              const uint8_t *bytes, size_t n, grpc_byte_buffer **reply, char *details,
                              size_t details_len)
{
    bank_channel *ch = bank_channel_open(target, tls);
    grpc_completion_queue *cq = bank_client_cq_create();
    cr_assert_not_null(ch);
    /* a handshake that fails keeps the call waiting for a ready connection until its deadline */
    grpc_status_code st = bank_client_raw_detailed(ch, cq, method, bytes, n, 2000, reply, details, details_len);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    return st;
}

static size_t pack_propagation(int64_t origin, uint8_t *buf)
{
    Bank__PropagateRequest p = BANK__PROPAGATE_REQUEST__INIT;
    p.origin_branch = origin;
    p.sequence = 1;
    p.money = 1000;
    return bank__propagate_request__pack(&p, buf);
}

/* A forged deposit of 1000 at branch 1 from someone the handshake must turn away. */
static void expect_handshake_refused(tls_branches *t, const bank_tls *tls, const char *who)
{
    uint8_t buf[64];
    size_t n = pack_propagation(2, buf);
    grpc_byte_buffer *reply = NULL;
    char details[400];
    grpc_status_code st = forge(tls, bank_branches_target(t->b, 0), BANK_PATH_PROPAGATE_DEPOSIT, buf, n,
                                &reply, details, sizeof details);
    cr_expect(st == GRPC_STATUS_UNAVAILABLE || st == GRPC_STATUS_DEADLINE_EXCEEDED,
              "%s: status %d (%s), want the handshake to fail", who, st, details);
    cr_expect_null(reply);
    if (reply) grpc_byte_buffer_destroy(reply);
    expect_balances(t, 400, who);
}

/* method called as tls must be refused PERMISSION_DENIED with details naming it and want. */
static void expect_denied(tls_branches *t, const bank_tls *tls, const char *method, const uint8_t *bytes,
                          size_t n, const char *name, const char *want)
{
    grpc_byte_buffer *reply = NULL;
    char details[400] = "";
    grpc_status_code st = forge(tls, bank_branches_target(t->b, 0), method, bytes, n, &reply, details,
                                sizeof details);
    cr_expect_eq(st, GRPC_STATUS_PERMISSION_DENIED, "%s: status %d (%s)", method, st, details);
    cr_expect(strstr(details, name) && strstr(details, want), "%s: details \"%s\" should name %s and say %s",
              method, details, name, want);
    if (reply) grpc_byte_buffer_destroy(reply);
    expect_balances(t, 400, method);
}

/* rule: R1, R3, R4 */
Test(tls_wire, forged_propagations_are_refused_and_change_nothing)
{
    char trace[] = "/tmp/bank-tls-trace-XXXXXX";
    int fd = mkstemp(trace);
    cr_assert_geq(fd, 0);
    close(fd);
    tls_branches t;
    start_tls(&t, trace);
    uint8_t buf[256];
    size_t n;
    raw_tls customer, other_ca, expired, branch2, branch9, mallory;
    raw_tls_load(&customer, "good/ca.crt", "good/customer.crt", "good/customer.key");
    raw_tls_load(&other_ca, "good/ca.crt", "other/branch-2.crt", "other/branch-2.key");
    raw_tls_load(&expired, "good/ca.crt", "expired/branch-2.crt", "expired/branch-2.key");
    raw_tls_load(&branch2, "good/ca.crt", "good/branch-2.crt", "good/branch-2.key");
    raw_tls_load(&branch9, "good/ca.crt", "good/branch-9.crt", "good/branch-9.key");
    raw_tls_load(&mallory, "good/ca.crt", "good/mallory.crt", "good/mallory.key");

    expect_handshake_refused(&t, NULL, "a plaintext client");
    expect_handshake_refused(&t, &other_ca.tls, "branch-2 of another CA");
    expect_handshake_refused(&t, &expired.tls, "an expired branch-2");

    /* a customer's certificate: no branch method at all, whatever the bytes */
    n = pack_propagation(2, buf);
    expect_denied(&t, &customer.tls, BANK_PATH_PROPAGATE_DEPOSIT, buf, n, "Propagate_Deposit", "customer-cli");
    expect_denied(&t, &customer.tls, BANK_PATH_PROPAGATE_WITHDRAW, buf, n, "Propagate_Withdraw", "customer-cli");
    Bank__PropagateRequest w = BANK__PROPAGATE_REQUEST__INIT, *ws[1] = {&w};
    w.origin_branch = 3;
    w.sequence = 1;
    w.money = 1000;
    Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
    batch.n_writes = 1;
    batch.writes = ws;
    size_t batch_len = bank__propagate_batch__pack(&batch, buf);
    expect_denied(&t, &customer.tls, BANK_PATH_PROPAGATE_BATCH, buf, batch_len, "Propagate_Batch", "customer-cli");
    MsgRequest m = MSG_REQUEST__INIT;
    m.id = 1;
    m.interface = "deposit";
    m.money = 1000;
    n = msg_request__pack(&m, buf);
    expect_denied(&t, &customer.tls, BANK_PATH_MSG_PROPAGATION, buf, n, "MsgPropagation", "customer-cli");
    expect_denied(&t, &customer.tls, BANK_PATH_SNAPSHOT, (const uint8_t *)"", 0, "Snapshot", "customer-cli");
    expect_denied(&t, &mallory.tls, BANK_PATH_QUERY, (const uint8_t *)"", 0, "Query", "mallory");
    n = pack_propagation(9, buf);
    expect_denied(&t, &branch9.tls, BANK_PATH_PROPAGATE_DEPOSIT, buf, n, "branch-9", "not a peer");

    /* branch 2 is a peer, but may not write in branch 3's name */
    n = pack_propagation(3, buf);
    expect_denied(&t, &branch2.tls, BANK_PATH_PROPAGATE_DEPOSIT, buf, n, "branch-2", "origin is branch 3");
    batch_len = bank__propagate_batch__pack(&batch, buf);
    grpc_byte_buffer *reply = NULL;
    char details[400];
    cr_expect_eq(forge(&branch2.tls, bank_branches_target(t.b, 0), BANK_PATH_PROPAGATE_BATCH, buf, batch_len,
                       &reply, details, sizeof details),
                 GRPC_STATUS_OK, "%s", details);
    Bank__PropagateBatchReply *r =
        (Bank__PropagateBatchReply *)bank_codec_unpack(&bank__propagate_batch_reply__descriptor, reply);
    if (reply) grpc_byte_buffer_destroy(reply);
    cr_assert(r && r->n_replies == 1);
    cr_expect_eq(r->replies[0]->error_status, GRPC_STATUS_PERMISSION_DENIED, "the write of origin 3 in the batch");
    cr_expect_not(r->replies[0]->applied);
    bank__propagate_batch_reply__free_unpacked(r, NULL);
    expect_balances(&t, 400, "a batch from branch 2 naming origin 3");

    /* the course's MsgPropagation carries no origin: a peer branch may send it */
    m.money = 0;
    n = msg_request__pack(&m, buf);
    cr_expect_eq(forge(&branch2.tls, bank_branches_target(t.b, 0), BANK_PATH_MSG_PROPAGATION, buf, n, &reply,
                       details, sizeof details),
                 GRPC_STATUS_OK, "%s", details);
    if (reply) grpc_byte_buffer_destroy(reply);

    stop_tls(&t);
    raw_tls *all[] = {&customer, &other_ca, &expired, &branch2, &branch9, &mallory};
    for (size_t i = 0; i < 6; i++) raw_tls_free(all[i]);

    /* every refusal after the handshake is in the trace */
    char *text, err[600];
    size_t len;
    cr_assert_eq(bank_read_file(trace, &text, &len, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(text, "error: Propagate_Batch refused: the caller is customer-cli"), "%s", text);
    cr_expect(strstr(text, "error: Propagate_Deposit refused: the caller is branch-2, and the write's origin "
                           "is branch 3"), "%s", text);
    free(text);
    unlink(trace);
}

/* ---- garbage where a TLS handshake belongs ---- */

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Connects to port, sends bytes, and waits (at most 2 s) for the branch to close or answer. */
static void send_raw(int port, const uint8_t *bytes, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval two_s = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_s, sizeof two_s);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    if (n && send(fd, bytes, n, MSG_NOSIGNAL) < 0) { /* the branch may have closed already */
    }
    shutdown(fd, SHUT_WR);
    uint8_t sink[512];
    while (recv(fd, sink, sizeof sink, 0) > 0) {
    }
    close(fd);
}

/* rule: R1 */
Test(tls_wire, garbage_in_the_handshake_leaves_the_branch_serving)
{
    const char *env = getenv("BANK_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : 1, s = seed ? seed : 1;
    tls_branches t;
    start_tls(&t, NULL);
    char target[64];
    snprintf(target, sizeof target, "%s", bank_branches_target(t.b, 0));
    int port = atoi(strrchr(target, ':') + 1);
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    for (int round = 0; round < 40; round++) {
        uint8_t bytes[4096];
        size_t n = 1 + next_random(&s) % 2048;
        for (size_t i = 0; i < n; i++) bytes[i] = (uint8_t)next_random(&s);
        switch (round % 4) {
        case 0: break; /* noise */
        case 1:        /* a TLS handshake record with a random body and length */
            memcpy(bytes, "\x16\x03\x01", 3);
            break;
        case 2: /* plaintext HTTP/2, then noise */
            memcpy(bytes, preface, sizeof preface - 1);
            if (n < sizeof preface) n = sizeof preface;
            break;
        case 3: /* a ClientHello that promises 16 KB and stops */
            memcpy(bytes, "\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03", 11);
            if (n < 11) n = 11;
            break;
        }
        send_raw(port, bytes, n);
    }
    send_raw(port, NULL, 0); /* connect and close at once */
    bank_channel *ch = bank_branches_channel(t.b, 0);
    grpc_completion_queue *cq = bank_client_cq_create();
    bank_result r;
    char err[600];
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_DEPOSIT, 1, 1, 10, 10000, &r, err, sizeof err), 0,
                 "seed %llu (BANK_SEED=%llu reruns it): %s", (unsigned long long)seed,
                 (unsigned long long)seed, err);
    cr_expect(r.success && !r.pending, "seed %llu: the deposit reached every peer", (unsigned long long)seed);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    expect_balances(&t, 410, "garbage handshakes and a deposit");
    stop_tls(&t);
}

/* ---- recovery under TLS ---- */

static bank_branch_server *start_branch(int64_t id, const char *listen, int recover, const bank_tls *tls)
{
    /* 2 quick tries: a peer that is down refuses the connection and is given up on at once; the
     * deadline only bounds a live peer, whose first TLS handshake under a sanitizer, beside
     * other tests, has taken more than 300 ms */
    bank_branch_config cfg = {.id = id, .balance = 100, .listen = listen, .threads = 1,
                              .propagate_deadline_ms = 3000, .propagate_attempts = 2,
                              .retry_backoff_ms = 10, .recover = recover, .tls = tls};
    char err[600];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    /* Back on its old port: between its stop and now another test's socket may have been given
     * that port for a moment. Wait for it (up to 10 s) rather than fail on the coincidence. */
    for (int tries = 0; !s && strcmp(listen, "127.0.0.1:0") != 0 && tries < 40; tries++) {
        struct timespec pause = {0, 250 * 1000000L};
        nanosleep(&pause, NULL);
        s = bank_branch_server_start(&cfg, err, sizeof err);
    }
    cr_assert_not_null(s, "%s", err);
    return s;
}

static void set_peers(bank_branch_server *s, const bank_peer *peers, size_t n)
{
    char err[600];
    cr_assert_eq(bank_branch_server_set_peers(s, peers, n, err, sizeof err), 0, "%s", err);
}

/* Waits up to 15 s for s to hold want and owe nothing. */
static int settles_at(bank_branch_server *s, int64_t want)
{
    for (int i = 0; i < 300; i++) {
        if (bank_branch_server_balance(s) == want && bank_branch_server_owed(s) == 0) return 1;
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
    return 0;
}

static bank_result deposit(const char *target, const bank_tls *customer, int64_t money)
{
    bank_channel *ch = bank_channel_open(target, customer);
    grpc_completion_queue *cq = bank_client_cq_create();
    bank_result r;
    char err[600];
    cr_assert_eq(bank_client_call(ch, cq, BANK_OP_DEPOSIT, 1, 1, money, 5000, &r, err, sizeof err), 0, "%s", err);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    return r;
}

/* Branch 1's write reaches branch 3 but not branch 2 (down); branch 3 crashes and recovers while
 * branch 2 comes back. Plaintext, branch 3 would owe branch 2 that write of branch 1's (B10);
 * under TLS branch 2 would refuse it (R4), so branch 3 owes nothing, and branch 1, which still
 * owes it from its queue (P11), delivers it. */
/* rule: R5, B10, P11 */
Test(tls_wire, a_recovered_branch_owes_only_its_own_writes_and_every_branch_converges)
{
    char good[300], err[600];
    snprintf(good, sizeof good, "%s/good", certs_dir());
    bank_tls *tls[3], *customer = bank_tls_load_dir(good, BANK_TLS_CUSTOMER, err, sizeof err);
    cr_assert_not_null(customer, "%s", err);
    bank_branch_server *s[3];
    char addr[3][64];
    for (int i = 0; i < 3; i++) {
        tls[i] = bank_tls_load_dir(good, i + 1, err, sizeof err);
        cr_assert_not_null(tls[i], "%s", err);
        s[i] = start_branch(i + 1, "127.0.0.1:0", 0, tls[i]);
        snprintf(addr[i], sizeof addr[i], "127.0.0.1:%d", bank_branch_server_port(s[i]));
    }
    bank_peer peers[] = {{1, addr[0]}, {2, addr[1]}, {3, addr[2]}};
    for (int i = 0; i < 3; i++) set_peers(s[i], peers, 3);

    bank_branch_server_stop(s[1]); /* branch 2 is down */
    bank_result r = deposit(addr[0], customer, 7);
    cr_expect(r.success && r.pending, "branch 2 is down: (1, 1) is answered pending");
    cr_expect(settles_at(s[2], 107), "branch 3 acknowledged (1, 1)");
    bank_branch_server_stop(s[2]); /* branch 3 crashes */

    s[1] = start_branch(2, addr[1], 0, tls[1]); /* back, as it was: it had applied nothing */
    set_peers(s[1], peers, 3);
    s[2] = start_branch(3, addr[2], 1, tls[2]);
    set_peers(s[2], peers, 3);
    size_t owed = 7;
    cr_assert_eq(bank_branch_server_recover(s[2], peers, 3, 10000, &owed, err, sizeof err), 0, "%s", err);
    cr_expect_eq(owed, 0, "under TLS a recovered branch owes only its own writes, and it has none");
    cr_expect_eq(bank_branch_server_balance(s[2]), 107);
    for (int i = 0; i < 3; i++)
        cr_expect(settles_at(s[i], 107), "branch %d holds %lld, owes %zu", i + 1,
                  (long long)bank_branch_server_balance(s[i]), bank_branch_server_owed(s[i]));
    r = deposit(addr[2], customer, 1);
    cr_expect(r.success && !r.pending, "the recovered branch's own write reaches every peer: success %d, pending %d",
              r.success, r.pending);
    for (int i = 0; i < 3; i++) cr_expect(settles_at(s[i], 108), "branch %d after (3, 1)", i + 1);
    for (int i = 0; i < 3; i++) bank_branch_server_stop(s[i]);
    for (int i = 0; i < 3; i++) bank_tls_free(tls[i]);
    bank_tls_free(customer);
}

/* A branch whose certificate does not name the address it is dialled at: its callers refuse it,
 * as they would a server that took over that address. */
/* rule: R1 */
Test(tls_wire, a_branch_is_refused_by_its_callers_at_an_address_its_certificate_does_not_name)
{
    raw_tls elsewhere, customer;
    raw_tls_load(&elsewhere, "good/ca.crt", "elsewhere/branch-1.crt", "elsewhere/branch-1.key");
    raw_tls_load(&customer, "good/ca.crt", "good/customer.crt", "good/customer.key");
    bank_branch_server *s = start_branch(1, "127.0.0.1:0", 0, &elsewhere.tls);
    char target[64], details[400] = "";
    snprintf(target, sizeof target, "127.0.0.1:%d", bank_branch_server_port(s));
    grpc_byte_buffer *reply = NULL;
    grpc_status_code st = forge(&customer.tls, target, BANK_PATH_QUERY, (const uint8_t *)"", 0, &reply, details,
                                sizeof details);
    cr_expect(st == GRPC_STATUS_UNAVAILABLE || st == GRPC_STATUS_DEADLINE_EXCEEDED,
              "status %d (%s): the certificate names only elsewhere.example", st, details);
    if (reply) grpc_byte_buffer_destroy(reply);
    bank_branch_server_stop(s);
    raw_tls_free(&elsewhere);
    raw_tls_free(&customer);
}
