/* Starting branch processes from a command template, and making sure none outlives bank drive. */
#include "start_processes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { GRACE_MS = 3000 };

typedef struct {
    int64_t id;
    pid_t pid;      /* also its process group; 0 when it never started */
    int reaped;     /* it ended, with status: */
    int status;
    char log[96];
} proc;

struct bank_started {
    size_t n;
    proc *procs;
    char dir[64];
    char peers[96];
    pthread_mutex_t lock;
    pthread_t watcher;
    int watching;
    int stopped;
};

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) sigaddset(set, stop_signals[i]);
    sigaddset(set, SIGUSR2); /* how the watcher is told to end */
}

void bank_start_block_signals(void)
{
    sigset_t set;
    stop_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- addresses ---- */

static int split_target(const char *target, char *host, size_t hn, int *port)
{
    const char *colon = strrchr(target, ':');
    if (!colon || colon == target || (size_t)(colon - target) >= hn) return -1;
    snprintf(host, hn, "%.*s", (int)(colon - target), target);
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535) return -1;
    *port = (int)p;
    return 0;
}

static int resolve(const char *host, int port, struct sockaddr_storage *sa, socklen_t *len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    if (getaddrinfo(host, service, &hints, &res) != 0) return -1;
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Free ports on 127.0.0.1 for the targets left empty, all held open together so they differ. */
static int pick_ports(char (*targets)[256], size_t n, char *err, size_t errlen)
{
    int *fds = calloc(n ? n : 1, sizeof *fds);
    if (!fds) return snprintf(err, errlen, "out of memory"), -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        fds[i] = -1;
        if (targets[i][0] || rc != 0) continue;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof sa;
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sa, len) != 0 ||
            getsockname(fds[i], (struct sockaddr *)&sa, &len) != 0) {
            snprintf(err, errlen, "cannot find a free port: %s", strerror(errno));
            rc = -1;
        } else {
            snprintf(targets[i], 256, "127.0.0.1:%d", ntohs(sa.sin_port));
        }
    }
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
    free(fds);
    return rc;
}

/* A port given for --start must be free here: a server that shares it (SO_REUSEPORT) would
 * split the customers' connections with whatever already listens there. */
static int check_free(const char *target, int64_t id, char *err, size_t errlen)
{
    char host[200];
    int port;
    struct sockaddr_storage sa;
    socklen_t len;
    if (split_target(target, host, sizeof host, &port) != 0 || resolve(host, port, &sa, &len) != 0) {
        snprintf(err, errlen, "branch %" PRId64 ": \"%s\" is not a HOST:PORT of this machine", id, target);
        return -1;
    }
    int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = fd >= 0 && bind(fd, (struct sockaddr *)&sa, len) == 0 ? 0 : -1;
    if (rc != 0)
        snprintf(err, errlen, "branch %" PRId64 ": cannot listen on %s: %s%s", id, target, strerror(errno),
                 errno == EADDRINUSE ? " (something already listens there; stop it or choose other ports)"
                 : errno == EADDRNOTAVAIL ? " (--start runs the branches on this machine)" : "");
    if (fd >= 0) close(fd);
    return rc;
}

static int accepts(const char *target)
{
    char host[200];
    int port;
    struct sockaddr_storage sa;
    socklen_t len;
    if (split_target(target, host, sizeof host, &port) != 0 || resolve(host, port, &sa, &len) != 0) return 0;
    int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return 0;
    int ok = connect(fd, (struct sockaddr *)&sa, len) == 0;
    if (!ok && errno == EINPROGRESS) {
        struct pollfd p = {fd, POLLOUT, 0};
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        ok = poll(&p, 1, 200) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0;
    }
    close(fd);
    return ok;
}

/* ---- processes ---- */

/* The template with every {name} put in. NULL when out of memory. */
static char *fill(const char *tmpl, const char *const names[], const char *const values[], size_t n)
{
    size_t cap = strlen(tmpl) + 1, len = 0;
    for (size_t i = 0; i < n; i++) cap += strlen(values[i]) * 8;
    char *out = malloc(cap + 1);
    for (const char *p = tmpl; out && *p;) {
        size_t i = 0;
        for (; i < n; i++)
            if (strncmp(p, names[i], strlen(names[i])) == 0) break;
        const char *piece = i < n ? values[i] : p;
        size_t k = i < n ? strlen(values[i]) : 1;
        if (len + k >= cap) {
            char *grown = realloc(out, (cap = cap * 2 + k) + 1);
            if (!grown) return free(out), NULL;
            out = grown;
        }
        memcpy(out + len, piece, k);
        len += k;
        p += i < n ? strlen(names[i]) : 1;
    }
    if (out) out[len] = '\0';
    return out;
}

static int spawn(proc *p, const char *command, char *err, size_t errlen)
{
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    sigset_t none, defaults;
    sigemptyset(&none);
    stop_set(&defaults);
    sigaddset(&defaults, SIGPIPE); /* bank ignores it; an ignored signal would stay so in the child */
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, p->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    int rc = posix_spawn(&p->pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        p->pid = 0;
        snprintf(err, errlen, "cannot start branch %" PRId64 ": %s", p->id, strerror(rc));
        return -1;
    }
    return 0;
}

/* "line | line | line": the last lines the process wrote. */
static void log_tail(const proc *p, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(p->log, "r");
    if (!f) return;
    char lines[4][160] = {{0}};
    size_t count = 0;
    char line[160];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0]) snprintf(lines[count++ % 4], sizeof lines[0], "%s", line);
    }
    fclose(f);
    size_t len = 0;
    for (size_t i = count > 4 ? count - 4 : 0; i < count && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " | " : "", lines[i % 4]);
}

static void describe_end(const proc *p, char *out, size_t n)
{
    char tail[700];
    log_tail(p, tail, sizeof tail);
    snprintf(out, n, "branch %" PRId64 "'s process (pid %d) ended by itself (%s %d)%s%s", p->id, (int)p->pid,
             WIFEXITED(p->status) ? "exit status" : "signal",
             WIFEXITED(p->status) ? WEXITSTATUS(p->status) : WTERMSIG(p->status),
             tail[0] ? "; its last output: " : "", tail);
}

/* Reaps p if it has ended; 1 when it had. */
static int ended(proc *p)
{
    if (p->pid <= 0 || p->reaped) return 1;
    return p->reaped = waitpid(p->pid, &p->status, WNOHANG) == p->pid;
}

/* ---- stopping, at the end or on a signal ---- */

/* report: say which processes had ended on their own. Returns how many needed SIGKILL. */
static int stop_all(bank_started *s, int report)
{
    pthread_mutex_lock(&s->lock);
    if (s->stopped) {
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    s->stopped = 1;
    for (size_t i = 0; i < s->n; i++) {
        proc *p = &s->procs[i];
        if (p->pid <= 0) continue;
        if (ended(p) && report) {
            char why[1000];
            describe_end(p, why, sizeof why);
            fprintf(stderr, "bank drive: %s\n", why);
        }
        kill(-p->pid, SIGTERM); /* its whole group: the shell and what it started */
    }
    int64_t until = now_ms() + GRACE_MS;
    size_t left;
    do {
        left = 0;
        for (size_t i = 0; i < s->n; i++) left += !ended(&s->procs[i]);
        if (left) sleep_ms(10);
    } while (left && now_ms() < until);
    for (size_t i = 0; i < s->n; i++) {
        proc *p = &s->procs[i];
        if (p->pid <= 0) continue;
        kill(-p->pid, SIGKILL); /* whatever is left of its group */
        if (!p->reaped) waitpid(p->pid, &p->status, 0);
        /* A process the shell started without exec is not ours to wait for: killed, it may still
         * be tearing down (a sanitized one, under load, for a while). Wait until its group is
         * gone (up to 2 s) so that "stopped" means no process is left. */
        for (int64_t gone_by = now_ms() + 2000; kill(-p->pid, 0) == 0 && now_ms() < gone_by;) sleep_ms(5);
        unlink(p->log);
    }
    unlink(s->peers);
    rmdir(s->dir);
    pthread_mutex_unlock(&s->lock);
    return (int)left;
}

static void *watch(void *arg)
{
    bank_started *s = arg;
    sigset_t set;
    stop_set(&set);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    if (sig == SIGUSR2) return NULL;
    fprintf(stderr, "\nbank drive: %s: stopping the %zu branch processes it started\n", strsignal(sig), s->n);
    stop_all(s, 0);
    _exit(128 + sig);
}

/* Stops everything, ends the watcher, frees s. */
static void finish(bank_started *s, int report)
{
    int killed = stop_all(s, report);
    if (killed)
        fprintf(stderr, "bank drive: %d branch process%s did not stop within %d s of SIGTERM and %s killed\n",
                killed, killed == 1 ? "" : "es", GRACE_MS / 1000, killed == 1 ? "was" : "were");
    if (s->watching) {
        pthread_kill(s->watcher, SIGUSR2);
        pthread_join(s->watcher, NULL);
    }
    sigset_t set;
    stop_set(&set);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* Ctrl-C ends bank drive as usual again */
    pthread_mutex_destroy(&s->lock);
    free(s->procs);
    free(s);
}

void bank_stop_processes(bank_started *s)
{
    if (s) finish(s, 1);
}

/* ---- starting ---- */

static int write_peers(bank_started *s, const bank_workload *w, char (*targets)[256], char *err, size_t errlen)
{
    FILE *f = fopen(s->peers, "w");
    for (size_t i = 0; f && i < w->n_branches; i++) fprintf(f, "%" PRId64 " %s\n", w->branches[i].id, targets[i]);
    if (!f || fclose(f) != 0) {
        snprintf(err, errlen, "%s: cannot write the peers file", s->peers);
        return -1;
    }
    return 0;
}

static int start_one(bank_started *s, size_t i, const bank_workload *w, const char *command,
                     const char *input_path, const char *target, char *err, size_t errlen)
{
    proc *p = &s->procs[i];
    p->id = w->branches[i].id;
    snprintf(p->log, sizeof p->log, "%s/branch-%" PRId64 ".log", s->dir, p->id);
    char id[24], balance[24], host[200];
    int port = 0;
    if (split_target(target, host, sizeof host, &port) != 0)
        return snprintf(err, errlen, "branch %" PRId64 ": \"%s\" is not HOST:PORT", p->id, target), -1;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%d", port);
    snprintf(id, sizeof id, "%" PRId64, p->id);
    snprintf(balance, sizeof balance, "%" PRId64, w->branches[i].balance);
    const char *names[] = {"{id}", "{balance}", "{port}", "{host}", "{peers}", "{input}"};
    const char *values[] = {id, balance, port_text, host, s->peers, input_path};
    char *cmd = fill(command, names, values, 6);
    if (!cmd) return snprintf(err, errlen, "out of memory"), -1;
    int rc = spawn(p, cmd, err, errlen);
    free(cmd);
    return rc;
}

bank_started *bank_start_processes(const bank_workload *w, const char *command, const char *input_path,
                                   char (*targets)[256], int deadline_ms, char *err, size_t errlen)
{
    bank_started *s = calloc(1, sizeof *s);
    if (!s || !(s->procs = calloc(w->n_branches ? w->n_branches : 1, sizeof *s->procs))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    snprintf(s->dir, sizeof s->dir, "/tmp/bank-drive-XXXXXX");
    if (!mkdtemp(s->dir)) {
        snprintf(err, errlen, "cannot make a temporary folder: %s", strerror(errno));
        s->dir[0] = '\0';
        finish(s, 0);
        return NULL;
    }
    snprintf(s->peers, sizeof s->peers, "%s/peers.txt", s->dir);
    s->watching = pthread_create(&s->watcher, NULL, watch, s) == 0;
    int rc = pick_ports(targets, w->n_branches, err, errlen);
    for (size_t i = 0; rc == 0 && i < w->n_branches; i++) rc = check_free(targets[i], w->branches[i].id, err, errlen);
    if (rc == 0) rc = write_peers(s, w, targets, err, errlen);
    for (size_t i = 0; rc == 0 && i < w->n_branches; i++) {
        rc = start_one(s, i, w, command, input_path, targets[i], err, errlen);
        s->n = i + 1;
    }
    int64_t until = now_ms() + deadline_ms;
    for (size_t i = 0; rc == 0 && i < w->n_branches; i++) {
        proc *p = &s->procs[i];
        while (rc == 0 && !accepts(targets[i])) {
            if (ended(p)) {
                describe_end(p, err, errlen);
                rc = -1;
            } else if (now_ms() >= until) {
                snprintf(err, errlen, "branch %" PRId64 "'s process (pid %d) did not accept connections on "
                         "%s within %d ms (--deadline-ms)", p->id, (int)p->pid, targets[i], deadline_ms);
                rc = -1;
            } else {
                sleep_ms(20);
            }
        }
    }
    if (rc != 0) {
        finish(s, 0); /* what went wrong is in err */
        return NULL;
    }
    return s;
}
