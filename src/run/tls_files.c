/* Reading and checking the TLS files of a branch or a customer (see tls_files.h). */
#include "tls_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/read_file.h"

typedef struct {
    bank_tls tls; /* first: what callers hold */
    char *text[3];
    char name[3][BANK_TLS_PATH_MAX];
} loaded_tls;

void bank_tls_free(bank_tls *t)
{
    loaded_tls *l = (loaded_tls *)t;
    if (!l) return;
    for (int i = 0; i < 3; i++) free(l->text[i]);
    free(l);
}

/* The certificate is the one its user needs. 0, or -1 with err. */
static int expect_identity(const bank_identity *got, int64_t want_branch, const char *cert,
                           char *err, size_t errlen)
{
    if (want_branch == BANK_TLS_CUSTOMER) {
        if (got->role == BANK_CALLER_CUSTOMER) return 0;
        snprintf(err, errlen, "%s names \"%s\", but a customer's certificate must name customer-...",
                 cert, got->name);
        return -1;
    }
    if (got->role == BANK_CALLER_BRANCH && got->branch == want_branch) return 0;
    snprintf(err, errlen, "%s names \"%s\", but branch %lld's certificate must name branch-%lld", cert,
             got->name, (long long)want_branch, (long long)want_branch);
    return -1;
}

bank_tls *bank_tls_load(const char *ca, const char *cert, const char *key, int64_t want_branch,
                        char *err, size_t errlen)
{
    loaded_tls *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    const char *paths[3] = {ca, cert, key};
    for (int i = 0; i < 3; i++) {
        size_t len;
        snprintf(l->name[i], sizeof l->name[i], "%s", paths[i]);
        if (bank_read_file(paths[i], &l->text[i], &len, err, errlen) != 0) {
            bank_tls_free(&l->tls);
            return NULL;
        }
    }
    l->tls = (bank_tls){l->text[0], l->text[1], l->text[2], l->name[0], l->name[1], l->name[2]};
    bank_identity own;
    if (bank_tls_check(&l->tls, &own, err, errlen) != 0 ||
        expect_identity(&own, want_branch, cert, err, errlen) != 0) {
        bank_tls_free(&l->tls);
        return NULL;
    }
    return &l->tls;
}

void bank_tls_dir_paths(const char *dir, int64_t want_branch, char *ca, char *cert, char *key)
{
    char name[32];
    if (want_branch == BANK_TLS_CUSTOMER) snprintf(name, sizeof name, "customer");
    else snprintf(name, sizeof name, "branch-%lld", (long long)want_branch);
    snprintf(ca, BANK_TLS_PATH_MAX, "%s/ca.crt", dir);
    snprintf(cert, BANK_TLS_PATH_MAX, "%s/%s.crt", dir, name);
    snprintf(key, BANK_TLS_PATH_MAX, "%s/%s.key", dir, name);
}

bank_tls *bank_tls_load_dir(const char *dir, int64_t want_branch, char *err, size_t errlen)
{
    char ca[BANK_TLS_PATH_MAX], cert[BANK_TLS_PATH_MAX], key[BANK_TLS_PATH_MAX];
    bank_tls_dir_paths(dir, want_branch, ca, cert, key);
    return bank_tls_load(ca, cert, key, want_branch, err, errlen);
}
