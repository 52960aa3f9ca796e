/* One branch process of a run: a `bank branch --peers -` child, started from the run's settings,
 * spoken to through its standard input and output, and stopped (see branch_child.h). */
#include "branch_child.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "data_dirs.h"
#include "tls_files.h"

extern char **environ;

int64_t bank_mono_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int bank_child_read_line(bank_child *c, char *line, size_t cap, int64_t deadline)
{
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->buffered);
        if (nl) {
            size_t len = (size_t)(nl - c->buf);
            snprintf(line, cap, "%.*s", (int)len, c->buf);
            memmove(c->buf, nl + 1, c->buffered - len - 1);
            c->buffered -= len + 1;
            return 0;
        }
        int64_t left = deadline - bank_mono_now_ms();
        if (left <= 0 || c->buffered == sizeof c->buf) return -1;
        struct pollfd p = {c->from_child, POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t got = read(c->from_child, c->buf + c->buffered, sizeof c->buf - c->buffered);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        c->buffered += (size_t)got;
    }
}

int bank_child_spawn(bank_child *c, const char *exe, const bank_branch *br, const bank_branches_config *cfg,
                     const char *listen, int recover, char *err, size_t errlen)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        return -1;
    }
    char id[32], balance[32], threads[16], deadline[16], attempts[16], backoff[16], seed[32], dir[4096];
    snprintf(id, sizeof id, "%" PRId64, br->id);
    snprintf(balance, sizeof balance, "%" PRId64, br->balance);
    snprintf(threads, sizeof threads, "%d", cfg->server_threads > 0 ? cfg->server_threads : 1);
    snprintf(deadline, sizeof deadline, "%d", cfg->deadline_ms);
    snprintf(attempts, sizeof attempts, "%d", cfg->propagate_attempts > 0 ? cfg->propagate_attempts : 5);
    snprintf(backoff, sizeof backoff, "%d", cfg->retry_backoff_ms > 0 ? cfg->retry_backoff_ms : 50);
    snprintf(seed, sizeof seed, "%" PRIu64, cfg->fault_seed);
    char *argv[40] = {(char *)exe, "branch", "--id", id, "--balance", balance, "--listen",
                      (char *)listen, "--peers", "-", "--threads", threads, "--deadline-ms",
                      deadline, "--attempts", attempts, "--retry-backoff-ms", backoff};
    int argc = 18;
    if (cfg->trace_path) {
        argv[argc++] = "--trace";
        argv[argc++] = (char *)cfg->trace_path;
    }
    if (cfg->serve_echo) argv[argc++] = "--serve-echo";
    char ca[BANK_TLS_PATH_MAX], cert[BANK_TLS_PATH_MAX], key[BANK_TLS_PATH_MAX];
    if (cfg->tls_dir) {
        bank_tls_dir_paths(cfg->tls_dir, br->id, ca, cert, key);
        const char *tls_args[6] = {"--tls-ca", ca, "--tls-cert", cert, "--tls-key", key};
        for (int i = 0; i < 6; i++) argv[argc++] = (char *)tls_args[i];
    }
    if (cfg->faults) {
        argv[argc++] = "--faults";
        argv[argc++] = (char *)cfg->faults;
        argv[argc++] = "--seed";
        argv[argc++] = seed;
    }
    if (cfg->data_dir) {
        bank_data_dir_of(cfg->data_dir, br->id, dir, sizeof dir);
        argv[argc++] = "--data-dir";
        argv[argc++] = dir;
        argv[argc++] = "--sync";
        argv[argc++] = (char *)bank_sync_name(cfg->sync);
    }
    if (recover) argv[argc++] = "--recover";
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    int rc = posix_spawn(&c->pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start %s branch: %s", exe, strerror(rc));
        close(in[1]);
        close(out[0]);
        c->pid = 0;
        return -1;
    }
    c->id = br->id;
    c->to_child = in[1];
    c->from_child = out[0];
    return 0;
}

int bank_child_reap(bank_child *c, char *err, size_t errlen)
{
    int64_t id = c->id;
    if (c->pid <= 0) return 0;
    if (c->to_child >= 0) close(c->to_child);
    int status = 0;
    int64_t deadline = bank_mono_now_ms() + 10000;
    pid_t r;
    while ((r = waitpid(c->pid, &status, WNOHANG)) == 0 && bank_mono_now_ms() < deadline) {
        struct timespec ts = {0, 5 * 1000000};
        nanosleep(&ts, NULL);
    }
    int rc = 0;
    if (r == 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        snprintf(err, errlen, "branch %lld (pid %d) did not stop within 10 s and was killed",
                 (long long)id, (int)c->pid);
        rc = -1;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "branch %lld (pid %d) ended badly (%s %d)", (long long)id,
                 (int)c->pid, WIFEXITED(status) ? "exit status" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        rc = -1;
    }
    close(c->from_child);
    c->pid = 0;
    return rc;
}

int bank_child_write_all(bank_child *c, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(c->to_child, s, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

void bank_child_kill(bank_child *c)
{
    if (c->pid <= 0) return;
    kill(c->pid, SIGKILL);
    waitpid(c->pid, NULL, 0);
    close(c->to_child);
    close(c->from_child);
    c->pid = 0;
    c->buffered = 0;
}
