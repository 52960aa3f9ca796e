/* Mutual TLS: credentials from PEM texts, identities, who may call what (see tls.h). OpenSSL
 * (which gRPC itself is built on here) reads the certificates, so that a bad file is named at
 * start-up instead of surfacing as a failed handshake on every call. */
#include "tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- identities ---- */

static void identity_of(const char *cn, size_t len, bank_identity *out)
{
    memset(out, 0, sizeof *out);
    out->role = BANK_CALLER_NONE;
    if (!cn) {
        snprintf(out->name, sizeof out->name, "(none)");
        return;
    }
    size_t shown = len < BANK_IDENTITY_NAME_MAX ? len : BANK_IDENTITY_NAME_MAX;
    for (size_t i = 0; i < shown; i++)
        out->name[i] = cn[i] >= 0x20 && cn[i] < 0x7f ? cn[i] : '?';
    if (len > shown) memcpy(out->name + shown, "...", 4);
    if (len > BANK_IDENTITY_NAME_MAX || memchr(cn, '\0', len)) return;
    if (len > 7 && memcmp(cn, "branch-", 7) == 0) {
        const char *d = cn + 7;
        size_t n = len - 7;
        if (n > 10 || (d[0] == '0' && n > 1)) return;
        int64_t v = 0;
        for (size_t i = 0; i < n; i++) {
            if (d[i] < '0' || d[i] > '9') return;
            v = v * 10 + (d[i] - '0');
        }
        if (v > INT32_MAX) return;
        out->role = BANK_CALLER_BRANCH;
        out->branch = v;
    } else if (len > 9 && memcmp(cn, "customer-", 9) == 0) {
        out->role = BANK_CALLER_CUSTOMER;
    }
}

void bank_identity_parse(const char *common_name, bank_identity *out)
{
    identity_of(common_name, common_name ? strlen(common_name) : 0, out);
}

void bank_tls_peer_identity(grpc_call *call, bank_identity *out)
{
    grpc_auth_context *ctx = grpc_call_auth_context(call);
    const grpc_auth_property *p = NULL;
    if (ctx) {
        grpc_auth_property_iterator it =
            grpc_auth_context_find_properties_by_name(ctx, GRPC_X509_CN_PROPERTY_NAME);
        p = grpc_auth_property_iterator_next(&it);
    }
    identity_of(p ? p->value : NULL, p ? p->value_length : 0, out);
    if (ctx) grpc_auth_context_release(ctx);
}

/* ---- who may call what ---- */

int bank_tls_authorize(const char *method, bank_access need, const bank_identity *who,
                       bank_peer_match is_peer, char *details, size_t n)
{
    if (who->role == BANK_CALLER_NONE) {
        snprintf(details, n, "%s refused: the caller's certificate names \"%s\", which is no role "
                             "here (branch-N or customer-...)", method, who->name);
        return GRPC_STATUS_PERMISSION_DENIED;
    }
    if (need == BANK_ACCESS_CUSTOMER) return GRPC_STATUS_OK;
    if (who->role == BANK_CALLER_CUSTOMER) {
        snprintf(details, n, "%s refused: the caller is %s, a customer; only a peer branch may call it",
                 method, who->name);
        return GRPC_STATUS_PERMISSION_DENIED;
    }
    if (is_peer == BANK_PEERS_UNKNOWN) {
        snprintf(details, n, "%s from %s: branch does not know its peers yet", method, who->name);
        return GRPC_STATUS_UNAVAILABLE;
    }
    if (is_peer == BANK_NOT_A_PEER) {
        snprintf(details, n, "%s refused: the caller is %s, which is not a peer of this branch",
                 method, who->name);
        return GRPC_STATUS_PERMISSION_DENIED;
    }
    return GRPC_STATUS_OK;
}

/* ---- credentials ---- */

grpc_server_credentials *bank_tls_server_credentials(const bank_tls *t)
{
    if (!t) return grpc_insecure_server_credentials_create();
    grpc_ssl_pem_key_cert_pair pair = {t->key_pem, t->cert_pem};
    return grpc_ssl_server_credentials_create_ex(
        t->ca_pem, &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, NULL);
}

grpc_channel_credentials *bank_tls_channel_credentials(const bank_tls *t)
{
    if (!t) return grpc_insecure_credentials_create();
    grpc_ssl_pem_key_cert_pair pair = {t->key_pem, t->cert_pem};
    return grpc_ssl_credentials_create(t->ca_pem, &pair, NULL, NULL);
}

/* ---- checking the files ---- */

static STACK_OF(X509) *read_certificates(const char *pem)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x;
    while (certs && bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        if (!sk_X509_push(certs, x)) X509_free(x);
    ERR_clear_error(); /* the end of the text reads as an error */
    BIO_free(bio);
    return certs;
}

/* An encrypted key would otherwise make OpenSSL ask for a passphrase on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

static EVP_PKEY *read_key(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    ERR_clear_error();
    BIO_free(bio);
    return key;
}

/* The subject's common name, UTF-8, into cn (empty when it has none). */
static void common_name(X509 *x, char *cn, size_t n)
{
    cn[0] = '\0';
    X509_NAME *subject = X509_get_subject_name(x);
    int at = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
    unsigned char *utf8 = NULL;
    int len = at >= 0 ? ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at))) : -1;
    if (len >= 0) snprintf(cn, n, "%.*s", len, (const char *)utf8);
    OPENSSL_free(utf8);
}

/* The certificate verified against the CAs, at the current time. NULL, or why not. */
static const char *verify(STACK_OF(X509) *cas, STACK_OF(X509) *chain)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    const char *why = !store || !ctx ? "out of memory" : NULL;
    for (int i = 0; !why && i < sk_X509_num(cas); i++)
        if (!X509_STORE_add_cert(store, sk_X509_value(cas, i))) why = "cannot use the CA";
    if (!why && !X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), chain)) why = "out of memory";
    if (!why && X509_verify_cert(ctx) != 1)
        why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return why;
}

int bank_tls_check(const bank_tls *t, bank_identity *own, char *err, size_t errlen)
{
    STACK_OF(X509) *cas = read_certificates(t->ca_pem);
    STACK_OF(X509) *chain = read_certificates(t->cert_pem);
    EVP_PKEY *key = read_key(t->key_pem);
    int rc = -1;
    const char *why;
    if (!cas || !chain) {
        snprintf(err, errlen, "out of memory");
    } else if (sk_X509_num(cas) == 0) {
        snprintf(err, errlen, "%s: no PEM certificate in it (the CA's, ca.crt)", t->ca_name);
    } else if (sk_X509_num(chain) == 0) {
        snprintf(err, errlen, "%s: no PEM certificate in it", t->cert_name);
    } else if (!key) {
        snprintf(err, errlen, "%s: no PEM private key in it (or an encrypted one, which is not supported)",
                 t->key_name);
    } else if (X509_check_private_key(sk_X509_value(chain, 0), key) != 1) {
        snprintf(err, errlen, "%s is not the key of the certificate in %s", t->key_name, t->cert_name);
    } else if ((why = verify(cas, chain)) != NULL) {
        snprintf(err, errlen, "%s: not accepted by the CA in %s: %s", t->cert_name, t->ca_name, why);
    } else {
        char cn[256];
        common_name(sk_X509_value(chain, 0), cn, sizeof cn);
        bank_identity_parse(cn[0] ? cn : NULL, own);
        rc = 0;
    }
    ERR_clear_error();
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(cas, X509_free);
    return rc;
}

/* ---- the plaintext default's boundary ---- */

int bank_address_is_loopback(const char *address)
{
    if (strncmp(address, "unix:", 5) == 0 || strncmp(address, "unix-abstract:", 14) == 0) return 1;
    if (strncmp(address, "ipv4:", 5) == 0 || strncmp(address, "ipv6:", 5) == 0) address += 5;
    char host[256];
    const char *end;
    if (address[0] == '[') {
        end = strchr(address, ']');
        if (!end) return 0;
        address++;
    } else {
        end = strrchr(address, ':');
        if (!end) end = address + strlen(address);
    }
    size_t len = (size_t)(end - address);
    if (len == 0 || len >= sizeof host) return 0; /* ":PORT" is every interface */
    memcpy(host, address, len);
    host[len] = '\0';
    if (strcasecmp(host, "localhost") == 0) return 1;
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, host, &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    return 0;
}
