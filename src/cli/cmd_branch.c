/* bank branch: one branch as its own process, for --processes runs and multi-host clusters. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "io/peers_file.h"
#include "rpc/branch_server.h"
#include "run/tls_files.h"
#include "run/trace_file.h"

static const char branch_usage[] =
    "usage: bank branch --id N --balance B --peers FILE|- [OPTIONS]\n"
    "\n"
    "Runs one branch: a gRPC server that serves bank.Branch (Query, Deposit, Withdraw,\n"
    "Propagate_Deposit, Propagate_Withdraw) and the course's Branch (MsgDelivery,\n"
    "MsgPropagation), and propagates every write it takes to all the other branches.\n"
    "It prints \"listening HOST:PORT\" and, once it knows its peers, \"ready\" on standard output.\n"
    "\n"
    "  --id N              this branch's id\n"
    "  --balance B         its initial balance\n"
    "  --listen HOST:PORT  where to listen (default 127.0.0.1:0: loopback, a port the OS picks);\n"
    "                      another address exposes the branch beyond this machine, and needs\n"
    "                      TLS (below) or --insecure\n"
    "  --peers FILE        every branch as \"ID HOST:PORT\" lines (its own line is skipped);\n"
    "                      the branch then runs until SIGINT or SIGTERM\n"
    "  --peers -           read those lines from standard input up to a line \"end\" (after\n"
    "                      printing the address), and stop when standard input closes, or on\n"
    "                      SIGINT or SIGTERM: this is how `bank run --processes` drives branches\n"
    "  --threads N         server threads (default 2)\n"
    "  --deadline-ms MS    deadline of each propagation (default 10000)\n"
    "  --attempts N        tries of a propagation a peer does not acknowledge (default 5)\n"
    "  --retry-backoff-ms MS  wait before the second try, doubling after, at most 2000 (default 50)\n"
    "  --faults SPEC       inject faults into this branch's traffic (see bank run --help)\n"
    "  --seed N            the faults' seed (default 1)\n"
    "  --serve-echo        also answer the benchmark's bare echo (bank bench --processes)\n"
    "  --trace FILE        append a JSON line to FILE for every message this branch answers\n"
    "                      (what `bank run --processes --trace` uses)\n"
    "  --recover           restart after a crash (same --id, --listen, --balance and peers): before\n"
    "                      serving, read every peer's log of writes (each peer must answer within\n"
    "                      --deadline-ms), rebuild the balance from --balance and their union, and\n"
    "                      owe every peer the writes it lacks (under TLS only its own); until\n"
    "                      then every request is answered UNAVAILABLE \"recovering\". \"ready\"\n"
    "                      is printed after.\n"
    "\n"
    "mutual TLS (make the files with tools/certs.sh DIR N):\n"
    "  --tls-ca FILE       the CA (PEM) every caller's and every peer's certificate must be signed by\n"
    "  --tls-cert FILE     this branch's certificate (PEM); its common name must be branch-ID\n"
    "  --tls-key FILE      its private key (PEM, not encrypted)\n"
    "                      With them the branch serves TLS only and requires a client certificate\n"
    "                      from the CA: propagations, MsgPropagation and Snapshot only from\n"
    "                      branch-N of the peers file (a propagation only of N's own writes),\n"
    "                      customer methods from customer-... and branches; anything else is\n"
    "                      refused PERMISSION_DENIED. It presents the same certificate to its peers.\n"
    "  --insecure          serve plaintext on an address beyond loopback anyway (a warning is\n"
    "                      printed: anyone who reaches it may call every method)\n"
    "  --data-dir DIR      keep the branch's state on disk in DIR (made when missing): its write\n"
    "                      log, checkpoints and what each peer acknowledged, in an SQLite database;\n"
    "                      nothing is answered before what it shows is written there. Started\n"
    "                      again with the same DIR (after a crash, a power loss, or all branches\n"
    "                      at once), the branch reads DIR back, then recovers as --recover does,\n"
    "                      serving Snapshot from DIR meanwhile; it refuses to start when a write\n"
    "                      of its own it answered is neither in DIR nor at any peer, and (one\n"
    "                      line, DIR untouched) when DIR is another branch's or not usable.\n"
    "  --sync MODE         with --data-dir: always (default) every commit reaches the disk before\n"
    "                      its answer; batch: it reaches the OS before its answer and the disk\n"
    "                      within 100 ms; none: it reaches the OS before its answer. Every mode\n"
    "                      survives a crash of the process; only always survives a power loss.\n"
    "  -h, --help          this text\n"
    "exit status: 0 stopped cleanly, 1 failed (its disk failed included), 2 bad usage (a TLS file\n"
    "that is unusable or not this branch's included).\n";

typedef struct {
    int64_t id, balance;
    const char *listen;
    const char *peers;
    const char *trace;
    int threads, deadline_ms, attempts, backoff_ms, serve_echo;
    int recover;
    const char *faults_spec;
    bank_faults faults;
    bank_tls_options tls;
    int use_tls, insecure;
    const char *data_dir;
    bank_sync sync;
    int sync_seen;
} branch_options;

static int parse_options(int argc, char **argv, branch_options *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:0";
    o->threads = 2;
    o->faults.seed = 1;
    o->deadline_ms = 10000;
    bank_opt opts[] = {
        BANK_OPT_INT64_("id", 0, &o->id, 0, INT32_MAX),
        BANK_OPT_INT64_("balance", 0, &o->balance, 0, INT64_MAX),
        BANK_OPT_STRING_("listen", 0, &o->listen),
        BANK_OPT_STRING_("peers", 0, &o->peers),
        BANK_OPT_THREADS(&o->threads),
        BANK_OPT_DEADLINE(&o->deadline_ms),
        BANK_OPT_STRING_("trace", 0, &o->trace),
        BANK_OPT_ATTEMPTS(&o->attempts),
        BANK_OPT_BACKOFF(&o->backoff_ms),
        BANK_OPT_FAULTS(&o->faults_spec, &o->faults.seed),
        BANK_OPT_FLAG_("serve-echo", 0, &o->serve_echo),
        BANK_OPT_FLAG_("recover", 0, &o->recover),
        BANK_OPT_TLS(&o->tls),
        BANK_OPT_FLAG_("insecure", 0, &o->insecure),
        BANK_OPT_DATA_DIR(&o->data_dir),
        BANK_OPT_SYNC(&o->sync),
    };
    opts[0].required = opts[1].required = opts[3].required = 1;
    opts[sizeof opts / sizeof opts[0] - 1].seen = &o->sync_seen;
    int first;
    int rc = bank_parse_options("branch", branch_usage, opts, sizeof opts / sizeof opts[0], argc, argv,
                                &first);
    if (rc != 0) return rc;
    if (first != argc) return bank_usage_error("branch", "unexpected argument \"%s\"", argv[first]);
    if ((o->use_tls = bank_tls_options_given("branch", &o->tls)) < 0) return BANK_EXIT_USAGE;
    if (o->use_tls && o->insecure)
        return bank_usage_error("branch", "--insecure and --tls-ca/--tls-cert/--tls-key exclude each other");
    if (!o->use_tls && !o->insecure && !bank_address_is_loopback(o->listen)) /* spec R6 */
        return bank_usage_error("branch", "--listen %s is not a loopback address: give --tls-ca, "
                                          "--tls-cert and --tls-key (tools/certs.sh makes them), or "
                                          "--insecure to serve it plaintext", o->listen);
    if (o->sync_seen && !o->data_dir) return bank_usage_error("branch", "--sync goes with --data-dir");
    uint64_t seed = o->faults.seed;
    char err[200];
    if (bank_faults_parse(o->faults_spec, &o->faults, err, sizeof err) != 0) /* checked already */
        return bank_usage_error("branch", "%s", err);
    o->faults.seed = seed;
    return 0;
}

/* Reads "ID HOST:PORT" lines from fd up to a line "end". */
static int read_peers_from(int fd, bank_peer_entry **entries, size_t *n, char *err, size_t errlen)
{
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    for (;;) {
        if (!text) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        char *end = len >= 4 ? strstr(text, "end\n") : NULL;
        if (end && (end == text || end[-1] == '\n')) {
            int rc = bank_peers_parse(text, (size_t)(end - text), "standard input", entries, n, err, errlen);
            free(text);
            return rc;
        }
        if (cap - len < 2) {
            char *grown = realloc(text, cap *= 2);
            if (!grown) free(text);
            text = grown;
            continue;
        }
        ssize_t got = read(fd, text + len, cap - len - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            snprintf(err, errlen, "standard input ended before the line \"end\" of the peer list");
            free(text);
            return -1;
        }
        len += (size_t)got;
        text[len] = '\0';
    }
}

/* Blocks until SIGINT/SIGTERM, or (watch_stdin) until standard input closes. */
static void wait_for_stop(int sfd, int watch_stdin)
{
    struct pollfd fds[2] = {{sfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    char buf[256];
    for (;;) {
        int r = poll(fds, watch_stdin ? 2 : 1, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 || (fds[0].revents & POLLIN)) return;
        if (watch_stdin && fds[1].revents) {
            ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
            if (got <= 0 && !(got < 0 && errno == EINTR)) return;
        }
    }
}

/* The disk failed: stop as SIGTERM would (the signalfd sees a signal sent to the process). */
static void disk_failed(void *ctx)
{
    (void)ctx;
    kill(getpid(), SIGTERM);
}

/* --recover, or a data dir that held state: catch up from the peers before saying "ready". */
static int recover(bank_branch_server *s, const branch_options *o, const bank_peer *peers, size_t n,
                   char *err, size_t errlen)
{
    size_t owed = 0;
    if (bank_branch_server_recover(s, peers, n, o->deadline_ms, &owed, err, errlen) != 0) return -1;
    fprintf(stderr, "bank branch %lld: recovered: balance %lld, %zu writes owed to peers\n",
            (long long)o->id, (long long)bank_branch_server_balance(s), owed);
    return 0;
}

int bank_cmd_branch(int argc, char **argv)
{
    branch_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;

    char err[1024];
    int from_stdin = strcmp(o.peers, "-") == 0;
    bank_peer_entry *entries = NULL;
    size_t n = 0;
    if (!from_stdin && bank_peers_load(o.peers, &entries, &n, err, sizeof err) != 0) {
        fprintf(stderr, "bank branch: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    /* A file grown past a size limit is an error the store reports, not a reason to die. */
    signal(SIGXFSZ, SIG_IGN);
    bank_tls *tls = NULL;
    if (o.use_tls && !(tls = bank_tls_load(o.tls.ca, o.tls.cert, o.tls.key, o.id, err, sizeof err))) {
        fprintf(stderr, "bank branch: %s\n", err);
        free(entries);
        return BANK_EXIT_USAGE;
    }
    if (o.insecure)
        fprintf(stderr, "bank branch %lld: warning: --insecure: serving plaintext on %s; anyone who "
                        "reaches it may call every method, propagations and Snapshot included\n",
                (long long)o.id, o.listen);
    /* Signals are taken through a signalfd, so block them before any gRPC thread exists. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    int sfd = signalfd(-1, &stop_signals, SFD_CLOEXEC);

    bank_trace_file *trace = NULL;
    if (o.trace && !(trace = bank_trace_file_open(o.trace, 0, err, sizeof err))) {
        fprintf(stderr, "bank branch: %s\n", err);
        bank_tls_free(tls);
        free(entries);
        return BANK_EXIT_FAILED;
    }
    bank_branch_config cfg = {.id = o.id,
                              .balance = o.balance,
                              .listen = o.listen,
                              .threads = o.threads,
                              .propagate_deadline_ms = o.deadline_ms,
                              .serve_echo = o.serve_echo,
                              .trace = trace ? bank_trace_file_write : NULL,
                              .trace_ctx = trace,
                              .propagate_attempts = o.attempts,
                              .retry_backoff_ms = o.backoff_ms,
                              .faults = &o.faults,
                              .recover = o.recover,
                              .data_dir = o.data_dir,
                              .sync = o.sync,
                              .on_failure = disk_failed,
                              .tls = tls};
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "bank branch: %s\n", err);
        bank_trace_file_close(trace, err, sizeof err);
        bank_tls_free(tls);
        free(entries);
        return BANK_EXIT_FAILED;
    }
    if (*bank_branch_server_disk_notice(s))
        fprintf(stderr, "bank branch %lld: %s\n", (long long)o.id, bank_branch_server_disk_notice(s));
    const char *colon = strrchr(o.listen, ':');
    int host_len = colon ? (int)(colon - o.listen) : (int)strlen(o.listen);
    printf("listening %.*s:%d\n", host_len, o.listen, bank_branch_server_port(s));
    fflush(stdout);

    rc = 0;
    if (from_stdin && read_peers_from(STDIN_FILENO, &entries, &n, err, sizeof err) != 0) rc = -1;
    bank_peer *peers = rc == 0 ? calloc(n ? n : 1, sizeof *peers) : NULL;
    if (rc == 0 && !peers) {
        snprintf(err, sizeof err, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) peers[i] = (bank_peer){entries[i].id, entries[i].target};
    if (rc == 0) rc = bank_branch_server_set_peers(s, peers, n, err, sizeof err);
    if (rc == 0 && bank_branch_server_must_recover(s)) rc = recover(s, &o, peers, n, err, sizeof err);
    if (rc == 0) {
        printf("ready\n");
        fflush(stdout);
        wait_for_stop(sfd, from_stdin);
    } else {
        fprintf(stderr, "bank branch %lld: %s\n", (long long)o.id, err);
    }
    if (rc == 0 && bank_branch_server_failure(s)) {
        fprintf(stderr, "bank branch %lld: stopped: %s\n", (long long)o.id, bank_branch_server_failure(s));
        rc = -1;
    }
    bank_branch_server_stop(s);
    if (bank_trace_file_close(trace, err, sizeof err) != 0) {
        fprintf(stderr, "bank branch %lld: %s\n", (long long)o.id, err);
        rc = -1;
    }
    bank_tls_free(tls);
    free(peers);
    free(entries);
    if (sfd >= 0) close(sfd);
    return rc == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
}
