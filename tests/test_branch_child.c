/* A branch process that cannot be started (bank run --processes): what its spawn leaves behind. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "run/branch_child.h"

/* The highest descriptor open now. */
static int highest_open(void)
{
    int top = -1;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) != -1) top = fd;
    return top;
}

/* A spawn whose second pipe the descriptor limit refuses says why and leaves no descriptor of
 * its first pipe open (a run that goes on after it would lose two per failed branch). */
Test(branch_child, a_spawn_refused_its_second_pipe_closes_the_first)
{
    /* every descriptor below the limit in use but the last two: the first pipe takes them */
    int fillers[4096], n_fillers = 0, top = highest_open();
    for (int fd;;) {
        cr_assert_geq(fd = open("/dev/null", O_RDONLY), 0);
        if (fd > top) {
            close(fd);
            break;
        }
        fillers[n_fillers++] = fd;
    }
    struct rlimit old, tight;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    tight = (struct rlimit){(rlim_t)top + 3, old.rlim_max};
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &tight), 0);

    bank_child c;
    memset(&c, 0, sizeof c);
    bank_branch br = {0};
    bank_branches_config cfg = {0};
    char err[256] = "";
    int rc = bank_child_spawn(&c, "/bin/false", &br, &cfg, "127.0.0.1:0", 0, err, sizeof err);
    int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY);

    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
    cr_expect_eq(rc, -1);
    cr_expect_str_eq(err, "pipe: Too many open files");
    cr_expect(a == top + 1 && b == top + 2, "the first pipe's two descriptors are free again (got %d and %d)", a, b);
    close(a);
    close(b);
    for (int i = 0; i < n_fillers; i++) close(fillers[i]);
}
