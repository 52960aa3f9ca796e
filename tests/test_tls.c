/* The pieces of mutual TLS that need no server: identities from common names, who may call
 * what, the loopback test of --listen, and the checks of certificate files (made by
 * tests/integration/tls_certs.sh for this run). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "rpc/tls.h"
#include "run/tls_files.h"
#include "tls_fixture.h"

/* rule: R2 */
Test(tls, identities_from_common_names)
{
    static const struct {
        const char *cn;
        bank_caller_role role;
        int64_t branch;
    } cases[] = {
        {"branch-1", BANK_CALLER_BRANCH, 1},        {"branch-0", BANK_CALLER_BRANCH, 0},
        {"branch-2147483647", BANK_CALLER_BRANCH, 2147483647},
        {"branch-2147483648", BANK_CALLER_NONE, 0}, {"branch-01", BANK_CALLER_NONE, 0},
        {"branch-", BANK_CALLER_NONE, 0},           {"branch-+1", BANK_CALLER_NONE, 0},
        {"branch-1x", BANK_CALLER_NONE, 0},         {"branch- 1", BANK_CALLER_NONE, 0},
        {"Branch-1", BANK_CALLER_NONE, 0},          {"branch-99999999999", BANK_CALLER_NONE, 0},
        {"customer-cli", BANK_CALLER_CUSTOMER, 0},  {"customer-7", BANK_CALLER_CUSTOMER, 0},
        {"customer-", BANK_CALLER_NONE, 0},         {"customer", BANK_CALLER_NONE, 0},
        {"mallory", BANK_CALLER_NONE, 0},           {"", BANK_CALLER_NONE, 0},
        {NULL, BANK_CALLER_NONE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bank_identity id;
        bank_identity_parse(cases[i].cn, &id);
        cr_expect_eq(id.role, cases[i].role, "\"%s\": role %d, want %d", cases[i].cn ? cases[i].cn : "(null)",
                     id.role, cases[i].role);
        if (cases[i].role == BANK_CALLER_BRANCH) cr_expect_eq(id.branch, cases[i].branch, "%s", cases[i].cn);
    }
    bank_identity id;
    bank_identity_parse(NULL, &id);
    cr_expect_str_eq(id.name, "(none)");
    bank_identity_parse("bad\x01name\xff", &id);
    cr_expect_str_eq(id.name, "bad?name?", "names are shown printable");
    char longer[200];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "branch-", 7);
    bank_identity_parse(longer, &id);
    cr_expect_eq(id.role, BANK_CALLER_NONE);
    cr_expect(strlen(id.name) < sizeof id.name && strstr(id.name, "...") != NULL, "a long name is cut: %s", id.name);
    memcpy(longer, "customer-", 9); /* a name too long to be shown whole is no one's, a customer's too */
    bank_identity_parse(longer, &id);
    cr_expect_eq(id.role, BANK_CALLER_NONE, "a customer name longer than %d characters", BANK_IDENTITY_NAME_MAX);

    /* every name shown as it is when printable, and its role's number only for a branch */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!cases[i].cn) continue;
        bank_identity_parse(cases[i].cn, &id);
        cr_expect_str_eq(id.name, cases[i].cn);
        cr_expect_eq(id.branch, cases[i].branch, "\"%s\": branch %lld", cases[i].cn, (long long)id.branch);
    }
    /* the printable range's ends: a space and '~' shown, a control byte and DEL not */
    bank_identity_parse("a\x1f\x20\x7e\x7f" "b", &id);
    cr_expect_str_eq(id.name, "a? ~?b");
    /* a name of exactly BANK_IDENTITY_NAME_MAX characters is shown whole and keeps its role; one
     * more is cut to that many and "...", and is no one's */
    char name[BANK_IDENTITY_NAME_MAX + 2], shown[BANK_IDENTITY_NAME_MAX + 4];
    memset(name, 'c', sizeof name - 1);
    memcpy(name, "customer-", 9);
    name[BANK_IDENTITY_NAME_MAX] = '\0';
    bank_identity_parse(name, &id);
    cr_expect_str_eq(id.name, name);
    cr_expect_eq(id.role, BANK_CALLER_CUSTOMER, "a customer name of %d characters", BANK_IDENTITY_NAME_MAX);
    name[BANK_IDENTITY_NAME_MAX] = 'c';
    name[BANK_IDENTITY_NAME_MAX + 1] = '\0';
    bank_identity_parse(name, &id);
    snprintf(shown, sizeof shown, "%.*s...", BANK_IDENTITY_NAME_MAX, name);
    cr_expect_str_eq(id.name, shown);
    cr_expect_eq(id.role, BANK_CALLER_NONE);
}

/* rule: R3 */
Test(tls, who_may_call_what)
{
    bank_identity branch, customer, nobody;
    bank_identity_parse("branch-2", &branch);
    bank_identity_parse("customer-cli", &customer);
    bank_identity_parse("mallory", &nobody);
    char d[400];
    /* customer methods: customers and branches, whatever the peers */
    cr_expect_eq(bank_tls_authorize("Query", BANK_ACCESS_CUSTOMER, &customer, BANK_NOT_A_PEER, d, sizeof d), 0);
    cr_expect_eq(bank_tls_authorize("Deposit", BANK_ACCESS_CUSTOMER, &branch, BANK_PEERS_UNKNOWN, d, sizeof d), 0);
    /* branch methods: a peer branch only */
    cr_expect_eq(bank_tls_authorize("Propagate_Batch", BANK_ACCESS_BRANCH, &branch, BANK_A_PEER, d, sizeof d), 0);
    cr_expect_eq(bank_tls_authorize("Propagate_Batch", BANK_ACCESS_BRANCH, &customer, BANK_A_PEER, d, sizeof d),
                 GRPC_STATUS_PERMISSION_DENIED);
    cr_expect_str_eq(d, "Propagate_Batch refused: the caller is customer-cli, a customer; only a peer branch "
                        "may call it");
    cr_expect_eq(bank_tls_authorize("Snapshot", BANK_ACCESS_BRANCH, &branch, BANK_NOT_A_PEER, d, sizeof d),
                 GRPC_STATUS_PERMISSION_DENIED);
    cr_expect_str_eq(d, "Snapshot refused: the caller is branch-2, which is not a peer of this branch");
    cr_expect_eq(bank_tls_authorize("Snapshot", BANK_ACCESS_BRANCH, &branch, BANK_PEERS_UNKNOWN, d, sizeof d),
                 GRPC_STATUS_UNAVAILABLE, "the caller may try again once the peers are known");
    cr_expect_str_eq(d, "Snapshot from branch-2: branch does not know its peers yet");
    /* no role: nothing at all */
    cr_expect_eq(bank_tls_authorize("Query", BANK_ACCESS_CUSTOMER, &nobody, BANK_NOT_A_PEER, d, sizeof d),
                 GRPC_STATUS_PERMISSION_DENIED);
    cr_expect(strstr(d, "Query refused") && strstr(d, "\"mallory\""), "%s", d);
}

/* rule: R6 */
Test(tls, loopback_addresses)
{
    static const char *const local[] = {"127.0.0.1:0", "127.1.2.3:50051", "localhost:1", "LocalHost:1",
                                        "[::1]:0", "[::ffff:127.0.0.1]:5", "unix:/tmp/b.sock",
                                        "ipv4:127.0.0.1:9", "ipv6:[::1]:9"};
    static const char *const outside[] = {"0.0.0.0:0", "[::]:0", ":50051", "10.0.0.5:1", "example.org:1",
                                          "128.0.0.1:1", "[::2]:1", "localhost.example:1", "[::1", "", "ipv4:10.0.0.5:1",
                                          "ipv6:[::2]:1"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        cr_expect(bank_address_is_loopback(local[i]), "%s is loopback", local[i]);
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        cr_expect_not(bank_address_is_loopback(outside[i]), "%s is not loopback", outside[i]);
}

/* rule: R6; an abstract unix socket is local, and a host name of any length is read without
 * overflow: 255 characters fit (and are no loopback name), 256 are no host at all */
Test(tls, loopback_addresses_of_every_length)
{
    cr_expect(bank_address_is_loopback("unix-abstract:bank-7"));
    char address[300];
    for (size_t n = 250; n <= 260; n++) {
        memset(address, 'a', n);
        snprintf(address + n, sizeof address - n, ":1");
        cr_expect_not(bank_address_is_loopback(address), "a host of %zu characters", n);
        memcpy(address + n - 9, "localhost", 9);
        cr_expect_not(bank_address_is_loopback(address), "a host of %zu characters ending in localhost", n);
    }
}

static void expect_refused(const char *ca, const char *cert, const char *key, const char *why)
{
    raw_tls t;
    raw_tls_load(&t, ca, cert, key);
    bank_identity own;
    char err[600] = "";
    cr_expect_eq(bank_tls_check(&t.tls, &own, err, sizeof err), -1, "%s accepted", cert);
    cr_expect(strstr(err, why) != NULL, "%s: \"%s\" should say \"%s\"", cert, err, why);
    raw_tls_free(&t);
}

/* rule: R1 */
Test(tls, certificate_files_are_checked_before_use)
{
    raw_tls t;
    raw_tls_load(&t, "good/ca.crt", "good/branch-2.crt", "good/branch-2.key");
    bank_identity own;
    char err[600];
    cr_assert_eq(bank_tls_check(&t.tls, &own, err, sizeof err), 0, "%s", err);
    cr_expect_eq(own.role, BANK_CALLER_BRANCH);
    cr_expect_eq(own.branch, 2);
    raw_tls_free(&t);

    expect_refused("good/ca.crt", "expired/branch-2.crt", "expired/branch-2.key", "certificate has expired");
    expect_refused("good/ca.crt", "other/branch-2.crt", "other/branch-2.key",
                   "not accepted by the CA in");
    expect_refused("good/ca.crt", "good/branch-2.crt", "good/branch-3.key", "is not the key of the certificate");
    expect_refused("good/ca.key", "good/branch-2.crt", "good/branch-2.key", "no PEM certificate");
    expect_refused("good/ca.crt", "good/branch-2.key", "good/branch-2.key", "no PEM certificate");
    expect_refused("good/ca.crt", "good/branch-2.crt", "good/branch-2.crt", "no PEM private key");
}

/* rule: R1, R7 */
Test(tls, a_certificate_must_be_for_its_user)
{
    char err[600], ca[400], cert[400], key[400];
    const char *dir = certs_dir();
    snprintf(ca, sizeof ca, "%s/good/ca.crt", dir);
    snprintf(cert, sizeof cert, "%s/good/branch-2.crt", dir);
    snprintf(key, sizeof key, "%s/good/branch-2.key", dir);
    bank_tls *t = bank_tls_load(ca, cert, key, 2, err, sizeof err);
    cr_expect_not_null(t, "%s", err);
    bank_tls_free(t);
    cr_expect_null(bank_tls_load(ca, cert, key, 3, err, sizeof err));
    cr_expect(strstr(err, "names \"branch-2\", but branch 3's certificate must name branch-3"), "%s", err);
    cr_expect_null(bank_tls_load(ca, cert, key, BANK_TLS_CUSTOMER, err, sizeof err));
    cr_expect(strstr(err, "a customer's certificate must name customer-..."), "%s", err);

    char good[400];
    snprintf(good, sizeof good, "%s/good", dir);
    t = bank_tls_load_dir(good, BANK_TLS_CUSTOMER, err, sizeof err);
    cr_expect_not_null(t, "%s", err);
    bank_tls_free(t);
    cr_expect_null(bank_tls_load_dir(good, 4, err, sizeof err), "there is no branch-4 there");
    cr_expect(strstr(err, "branch-4.crt: cannot open"), "%s", err);
}
