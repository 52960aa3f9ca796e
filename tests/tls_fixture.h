/* The certificates a TLS test binary uses: made once per run, before any test, by
 * tests/integration/tls_certs.sh (tools/certs.sh and openssl) into a temporary directory, and
 * removed after the last test. Include in one file of a test binary. */
#ifndef BANK_TESTS_TLS_FIXTURE_H
#define BANK_TESTS_TLS_FIXTURE_H

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "io/read_file.h"
#include "rpc/tls.h"

/* The runner makes them; the workers (Criterion may start them afresh) find them through the
 * environment: a directory, or "openssl-missing". */
#define TLS_FIXTURE_ENV "BANK_TLS_TEST_CERTS"

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    char made[] = "/tmp/bank-tls-test-XXXXXX", cmd[600];
    if (!mkdtemp(made)) return;
    snprintf(cmd, sizeof cmd, "'%s/tests/integration/tls_certs.sh' '%s'", BANK_SOURCE_DIR, made);
    int st = system(cmd);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) setenv(TLS_FIXTURE_ENV, made, 1);
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 77) setenv(TLS_FIXTURE_ENV, "openssl-missing", 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    const char *dir = getenv(TLS_FIXTURE_ENV);
    char cmd[400];
    if (!dir || dir[0] != '/') return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* The directory, or the test is skipped (openssl missing) or fails (making them failed). */
static const char *certs_dir(void)
{
    const char *dir = getenv(TLS_FIXTURE_ENV);
    if (dir && strcmp(dir, "openssl-missing") == 0)
        cr_skip_test("openssl is not installed: no certificates to test with");
    cr_assert(dir && dir[0] == '/', "tests/integration/tls_certs.sh did not make the test certificates");
    return dir;
}

/* TLS material read from files under the fixture, NOT checked (an expired or foreign certificate
 * must reach the wire): ca, cert and key are paths relative to it. */
typedef struct {
    bank_tls tls;
    char *text[3];
    char path[3][400];
} raw_tls;

static void raw_tls_load(raw_tls *t, const char *ca, const char *cert, const char *key)
{
    const char *rel[3] = {ca, cert, key};
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 3; i++) {
        size_t len;
        char err[600];
        snprintf(t->path[i], sizeof t->path[i], "%s/%s", certs_dir(), rel[i]);
        cr_assert_eq(bank_read_file(t->path[i], &t->text[i], &len, err, sizeof err), 0, "%s", err);
    }
    t->tls = (bank_tls){t->text[0], t->text[1], t->text[2], t->path[0], t->path[1], t->path[2]};
}

static void raw_tls_free(raw_tls *t)
{
    for (int i = 0; i < 3; i++) free(t->text[i]);
}

#endif
