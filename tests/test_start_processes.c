/* bank drive --start's processes (start_processes.c) from the library: the template's every
 * {name} as the process sees it, each way a start fails as its one line (a process that ends by
 * itself with its last output, one that never listens, a port already taken, posix_spawn
 * refused, every allocation refused in turn), and after each: no process, file, folder,
 * descriptor or block left. Linked with the allocation wrappers of oom_wrap.h and
 * --wrap=posix_spawn. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oom_wrap.h"
#include "run/start_processes.h"
#include "stand_in.h"

int __real_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
int __wrap_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
static int spawns_before_refusal = -1; /* -1: never refused; n: the n-th spawn from now fails */
int __wrap_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    if (spawns_before_refusal == 0) {
        spawns_before_refusal = -1;
        return EAGAIN;
    }
    if (spawns_before_refusal > 0) spawns_before_refusal--;
    return __real_posix_spawn(pid, path, fa, attr, argv, envp);
}

char *__real_mkdtemp(char *tmpl);
char *__wrap_mkdtemp(char *tmpl);
static int refuse_mkdtemp; /* the next mkdtemp fails */
char *__wrap_mkdtemp(char *tmpl)
{
    if (refuse_mkdtemp) {
        refuse_mkdtemp = 0;
        errno = ENOSPC;
        return NULL;
    }
    return __real_mkdtemp(tmpl);
}

static bank_branch two_branches[] = {{1, 100}, {7, 250}};
static const bank_workload two = {2, two_branches, 0, NULL};

static char scratch[64]; /* a folder of the test's own */

static void setup(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/bank-start-test-XXXXXX");
    cr_assert_not_null(mkdtemp(scratch));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    cr_expect_eq(system(cmd), 0);
}

static int open_descriptors(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) n += fcntl(fd, F_GETFD) != -1;
    return n;
}

static char *slurp(const char *path)
{
    static char text[8192];
    text[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return text;
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

/* Whether a process group or process still exists. */
static int alive_pid(pid_t pid) { return kill(pid, 0) == 0; }

/* bank_start_processes, its signals blocked first in this thread (as bank drive does; stopping
 * unblocks them again, and the watcher is told to end with SIGUSR2). */
static bank_started *start(const bank_workload *w, const char *cmd, const char *input, char (*targets)[256],
                           int deadline_ms, char *err, size_t errlen)
{
    bank_start_block_signals();
    return bank_start_processes(w, cmd, input, targets, deadline_ms, err, errlen);
}

/* A listener on {host}:{port} that records what it was given, then waits to be stopped. */
static void listener_command(char *cmd, size_t n)
{
    snprintf(cmd, n,
             "echo 'id={id} balance={balance} port={port} host={host} input={input} pid='$$ >> %s/seen; "
             "grep -E '^Sig(Blk|Ign)' /proc/self/status >> %s/signals-{id}; "
             "cat {peers} >> %s/peers-{id}; echo {peers} > %s/peers-path; "
             "exec python3 -c 'import socket,sys,time\n"
             "s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(); time.sleep(60)' {host} {port}",
             scratch, scratch, scratch, scratch);
}

Test(start_processes, every_name_of_the_template_put_in_and_all_gone_after_stop, .init = setup, .fini = teardown)
{
    char cmd[1024], err[512] = "", targets[2][256] = {"", ""};
    listener_command(cmd, sizeof cmd);
    int fds = open_descriptors();
    signal(SIGPIPE, SIG_IGN); /* as bank does */
    signal(SIGHUP, SIG_IGN);
    bank_started *s = start(&two, cmd, "/some/input.json", targets, 20000, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    int p1, p7;
    cr_assert_eq(sscanf(targets[0], "127.0.0.1:%d", &p1), 1, "%s", targets[0]);
    cr_assert_eq(sscanf(targets[1], "127.0.0.1:%d", &p7), 1, "%s", targets[1]);
    cr_expect_neq(p1, p7);

    /* started with no signal blocked, and SIGPIPE, SIGHUP, SIGINT, SIGTERM not ignored, though
     * this process ignores two of them and blocks the others */
    char path[160], want[512];
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/signals-%d", scratch, k ? 7 : 1);
        char *sig = slurp(path);
        unsigned long long blk = 1, ign = 1;
        cr_expect_eq(sscanf(sig, "SigBlk: %llx SigIgn: %llx", &blk, &ign), 2, "%s", sig);
        cr_expect_eq(blk, 0, "%s", sig);
        unsigned long long stop = 1ull << (SIGPIPE - 1) | 1ull << (SIGHUP - 1) | 1ull << (SIGINT - 1) |
                                  1ull << (SIGTERM - 1);
        cr_expect_eq(ign & stop, 0, "%s", sig);
    }
    snprintf(path, sizeof path, "%s/seen", scratch);
    char *seen = slurp(path);
    /* in either order: the two start together */
    snprintf(want, sizeof want, "(^|\n)id=1 balance=100 port=%d host=127\\.0\\.0\\.1 input=/some/input\\.json pid=[0-9]+\n",
             p1);
    cr_expect(text_matches(seen, want), "the processes saw:\n%s", seen);
    snprintf(want, sizeof want, "(^|\n)id=7 balance=250 port=%d host=127\\.0\\.0\\.1 input=/some/input\\.json pid=[0-9]+\n",
             p7);
    cr_expect(text_matches(seen, want), "the processes saw:\n%s", seen);
    cr_expect(text_matches(seen, "^[^\n]*\n[^\n]*\n$"), "two lines:\n%s", seen);
    int pid1 = 0, pid7 = 0;
    char *at = strstr(seen, "pid=");
    if (at) pid1 = atoi(at + 4), at = strstr(at + 4, "pid=");
    if (at) pid7 = atoi(at + 4);
    cr_assert(pid1 > 0 && pid7 > 0);

    snprintf(path, sizeof path, "%s/peers-7", scratch);
    snprintf(want, sizeof want, "1 127.0.0.1:%d\n7 127.0.0.1:%d\n", p1, p7);
    cr_expect_str_eq(slurp(path), want);
    char peers[256];
    snprintf(path, sizeof path, "%s/peers-path", scratch);
    snprintf(peers, sizeof peers, "%s", slurp(path));
    peers[strcspn(peers, "\n")] = '\0';
    cr_expect(text_matches(peers, "^/tmp/bank-drive-[A-Za-z0-9]{6}/peers.txt$"), "%s", peers);
    char folder[256];
    snprintf(folder, sizeof folder, "%.*s", (int)(strrchr(peers, '/') - peers), peers);

    bank_stop_processes(s);
    cr_expect(!alive_pid(pid1) && !alive_pid(pid7), "a branch process outlived the stop");
    struct stat st;
    cr_expect_neq(stat(folder, &st), 0, "%s is still there", folder);
    cr_expect_eq(open_descriptors(), fds, "a descriptor left open");
    cr_expect_eq(alive, 0, "%ld blocks not freed", (long)alive);
}

/* A process that ignores SIGTERM (here a listener started with it ignored) is killed once the
 * grace of 3 s is over: the stop returns then, not when the process would have ended (60 s),
 * and nothing of it is left */
Test(start_processes, a_process_that_ignores_sigterm_is_killed_after_the_grace, .init = setup, .fini = teardown,
     .timeout = 30)
{
    char cmd[1024], err[512] = "", targets[2][256] = {"", ""};
    snprintf(cmd, sizeof cmd,
             "trap '' TERM; echo $$ >> %s/pids; "
             "exec python3 -c 'import socket,sys,time\n"
             "s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(); time.sleep(60)' {host} {port}",
             scratch);
    bank_started *s = start(&two, cmd, "in", targets, 20000, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    char path[160];
    snprintf(path, sizeof path, "%s/pids", scratch);
    char *pids = slurp(path);
    int pid1 = 0, pid7 = 0;
    cr_assert_eq(sscanf(pids, "%d %d", &pid1, &pid7), 2, "%s", pids);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bank_stop_processes(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect(took < 20, "the stop took %.1f s", took);
    cr_expect(!alive_pid(pid1) && !alive_pid(pid7), "a process that ignores SIGTERM outlived the stop");
}

/* A process that ends before it listens: its status and its last four non-empty lines. */
Test(start_processes, a_process_that_ends_by_itself_is_named_with_its_last_lines, .init = setup, .fini = teardown)
{
    char err[1024] = "", targets[2][256] = {"", ""};
    const char *cmd = "echo one; echo; echo two; echo three; echo four {id}; echo five; exit 3";
    bank_started *s = start(&two, cmd, "in", targets, 20000, err, sizeof err);
    cr_expect_null(s);
    cr_expect(text_matches(err, "^branch 1's process \\(pid [0-9]+\\) ended by itself \\(exit status 3\\); its last "
                           "output: two \\| three \\| four 1 \\| five$"),
              "%s", err);
    cr_expect_eq(alive, 0);

    const char *killed = "kill -9 $$";
    s = start(&two, killed, "in", targets, 20000, err, sizeof err);
    cr_expect_null(s);
    cr_expect(text_matches(err, "^branch 1's process \\(pid [0-9]+\\) ended by itself \\(signal 9\\)$"), "%s", err);
    cr_expect_eq(alive, 0);
}

/* A process that never listens: the deadline, and the process stopped. */
Test(start_processes, a_process_that_never_listens_fails_at_the_deadline_and_is_stopped, .init = setup, .fini = teardown)
{
    char cmd[256], err[512] = "", targets[2][256] = {"", ""};
    snprintf(cmd, sizeof cmd, "echo $$ > %s/pid-{id}; exec sleep 30", scratch);
    bank_started *s = start(&two, cmd, "in", targets, 300, err, sizeof err);
    cr_expect_null(s);
    char path[160];
    snprintf(path, sizeof path, "%s/pid-1", scratch);
    int pid = atoi(slurp(path));
    char want[512];
    snprintf(want, sizeof want,
             "branch 1's process (pid %d) did not accept connections on %s within 300 ms (--deadline-ms)", pid,
             targets[0]);
    cr_expect_str_eq(err, want);
    cr_expect(pid > 0 && !alive_pid(pid), "pid %d still runs", pid);
    snprintf(path, sizeof path, "%s/pid-7", scratch);
    pid = atoi(slurp(path));
    cr_expect(pid > 0 && !alive_pid(pid), "branch 7's pid %d still runs", pid);
}

/* A port given that something already listens on. */
Test(start_processes, a_given_port_already_taken_is_refused_before_anything_starts, .init = setup, .fini = teardown)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
    cr_assert_eq(listen(fd, 1), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    char cmd[256], err[512] = "", targets[2][256] = {"", ""};
    snprintf(targets[1], sizeof targets[1], "127.0.0.1:%d", ntohs(sa.sin_port));
    snprintf(cmd, sizeof cmd, "touch %s/started-{id}", scratch);
    int in = open("/dev/null", O_RDONLY); /* standard input open, whatever the test had */
    dup2(in, STDIN_FILENO);
    if (in != STDIN_FILENO) close(in);
    bank_started *s = start(&two, cmd, "in", targets, 20000, err, sizeof err);
    cr_expect_neq(fcntl(STDIN_FILENO, F_GETFD), -1, "standard input closed (a given port's slot held no descriptor)");
    cr_expect_null(s);
    char want[512];
    snprintf(want, sizeof want,
             "branch 7: cannot listen on %s: Address already in use (something already listens there; stop it "
             "or choose other ports)",
             targets[1]);
    cr_expect_str_eq(err, want);
    char path[160];
    snprintf(path, sizeof path, "%s/started-1", scratch);
    cr_expect_neq(access(path, F_OK), 0, "a process started");
    close(fd);
    cr_expect_eq(alive, 0);
}

/* posix_spawn refused for the second branch: why, and the first one stopped. */
Test(start_processes, a_spawn_refused_names_its_branch_and_stops_the_others, .init = setup, .fini = teardown)
{
    char cmd[1024], err[512] = "", targets[2][256] = {"", ""};
    listener_command(cmd, sizeof cmd);
    int fds = open_descriptors();
    spawns_before_refusal = 1;
    bank_started *s = start(&two, cmd, "in", targets, 20000, err, sizeof err);
    spawns_before_refusal = -1;
    cr_expect_null(s);
    cr_expect_str_eq(err, "cannot start branch 7: Resource temporarily unavailable");
    cr_expect_eq(open_descriptors(), fds, "a descriptor left open");
    cr_expect_eq(alive, 0);
}

static void setup_quiet(void)
{
    setup();
    cr_redirect_stderr();
}

/* Every allocation refused in turn: "out of memory", nothing left, and nothing said (no process
 * needed SIGKILL: a slot never started is not waited for); then a start that succeeds. */
Test(start_processes, every_allocation_refused_in_turn, .init = setup_quiet, .fini = teardown)
{
    char cmd[1024];
    listener_command(cmd, sizeof cmd);
    int done = 0;
    for (long k = 0; k < 50 && !done; k++) {
        char err[512] = "", targets[2][256] = {"", ""};
        arm(k);
        bank_started *s = start(&two, cmd, "in", targets, 20000, err, sizeof err);
        int hit = disarm();
        if (hit) {
            cr_expect_null(s, "allocation %ld refused, yet it started", k);
            cr_expect_str_eq(err, "out of memory", "allocation %ld", k);
        } else {
            cr_expect_not_null(s, "%s", err);
            done = 1;
        }
        bank_stop_processes(s);
        cr_expect_eq(alive, 0, "allocation %ld refused: %ld blocks left", k, (long)alive);
    }
    cr_expect(done);
    fflush(stderr);
    cr_expect_stderr_eq_str("");
}

/* A command exactly as long as the first buffer the template is filled in (its length plus 8
 * times the values' lengths): filled to that buffer's last byte and run (it names no program). */
Test(start_processes, a_template_filled_to_its_first_buffers_last_byte, .init = setup, .fini = teardown)
{
    static bank_branch one_branch[] = {{1, 100}};
    const bank_workload one = {1, one_branch, 0, NULL};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd); /* free again: --start checks it is */
    char targets[1][256], port[16];
    snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
    snprintf(targets[0], sizeof targets[0], "127.0.0.1:%s", port);
    /* the values: id, balance, port, host, the peers file (/tmp/bank-drive-XXXXXX/peers.txt), input */
    size_t others = 1 + 3 + strlen(port) + 9 + 32;
    /* nine {input}: 9 I = 63 + 8 (I + others), the buffer's size less its last byte */
    size_t input_len = 63 + 8 * others;
    char input[1024], cmd[128] = "";
    memset(input, 'a', input_len);
    input[input_len] = '\0';
    for (int i = 0; i < 9; i++) strcat(cmd, "{input}");
    char err[1024] = "";
    bank_started *s = start(&one, cmd, input, targets, 20000, err, sizeof err);
    cr_expect_null(s);
    cr_expect(text_matches(err, "^branch 1's process \\(pid [0-9]+\\) ended by itself \\(exit status 127\\)"), "%s", err);
    cr_expect_eq(alive, 0);
}

/* No descriptor left for a port to be picked with: said, and nothing left behind. */
Test(start_processes, no_descriptor_left_to_pick_a_port_with, .init = setup, .fini = teardown)
{
    struct rlimit old, tight;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    int top = -1;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) != -1) top = fd;
    tight = (struct rlimit){(rlim_t)top + 1, old.rlim_max}; /* every descriptor below it in use */
    char err[512] = "", targets[2][256] = {"", ""};
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &tight), 0);
    int fillers[4096], n = 0;
    for (int fd; (fd = open("/dev/null", O_RDONLY)) >= 0;) fillers[n++] = fd;
    bank_started *s = start(&two, "true", "in", targets, 20000, err, sizeof err);
    for (int i = 0; i < n; i++) close(fillers[i]);
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
    cr_expect_null(s);
    cr_expect_str_eq(err, "cannot find a free port: Too many open files");
    cr_expect_eq(alive, 0);
}

/* SIGTERM while the processes run: every one stopped, said why on standard error, and this
 * process ends with 128 + the signal (in a child of the test, which it ends). */
Test(start_processes, a_signal_stops_every_process_and_ends_with_its_status, .init = setup, .fini = teardown)
{
    char cmd[1024];
    listener_command(cmd, sizeof cmd);
    int out[2];
    cr_assert_eq(pipe(out), 0);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        char err[512] = "", targets[2][256] = {"", ""};
        bank_started *s = start(&two, cmd, "in", targets, 20000, err, sizeof err);
        if (!s) {
            fprintf(stderr, "did not start: %s\n", err);
            _exit(1);
        }
        kill(getpid(), SIGTERM); /* to the process: its watcher takes it */
        sleep(30);
        _exit(2);
    }
    close(out[1]);
    char said[1024];
    size_t n = 0;
    for (ssize_t k; n < sizeof said - 1 && (k = read(out[0], said + n, sizeof said - 1 - n)) > 0;) n += (size_t)k;
    said[n] = '\0';
    close(out[0]);
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM, "status %#x: %s", status, said);
    cr_expect_str_eq(said, "\nbank drive: Terminated: stopping the 2 branch processes it started\n");
    char path[160];
    snprintf(path, sizeof path, "%s/seen", scratch);
    char *seen = slurp(path);
    int pids = 0;
    for (char *at = seen; (at = strstr(at, "pid=")) != NULL; at += 4, pids++)
        cr_expect(!alive_pid(atoi(at + 4)), "a branch process outlived the signal: %s", seen);
    cr_expect_eq(pids, 2, "%s", seen);
}

/* No temporary folder: said, and a folder named like its template left alone. */
Test(start_processes, no_temporary_folder, .init = setup, .fini = teardown)
{
    char err[512] = "", targets[2][256] = {"", ""};
    int made = mkdir("/tmp/bank-drive-XXXXXX", 0700) == 0;
    refuse_mkdtemp = 1;
    bank_started *s = start(&two, "true", "in", targets, 20000, err, sizeof err);
    refuse_mkdtemp = 0;
    cr_expect_null(s);
    cr_expect_str_eq(err, "cannot make a temporary folder: No space left on device");
    struct stat st;
    cr_expect_eq(stat("/tmp/bank-drive-XXXXXX", &st), 0, "the template's name removed");
    if (made) rmdir("/tmp/bank-drive-XXXXXX");
    cr_expect_eq(alive, 0);
}
