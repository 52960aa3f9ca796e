/* Mutual TLS between branches and their clients: gRPC credentials from PEM texts, the identity a
 * certificate's common name gives (branch-N, customer-...), which identities may call which
 * methods (spec R3), and the check that a --listen address without TLS stays on this machine
 * (R6). A NULL `const bank_tls *` everywhere means plaintext, as before TLS existed. */
#ifndef BANK_RPC_TLS_H
#define BANK_RPC_TLS_H

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <stddef.h>
#include <stdint.h>

/* One side's TLS material, as PEM texts (NUL-terminated, owned by whoever made the struct and
 * kept for as long as anything built from it lives). The names are for messages only. */
typedef struct {
    const char *ca_pem;   /* the CA every peer's certificate must be signed by */
    const char *cert_pem; /* this side's certificate (then any intermediates) */
    const char *key_pem;  /* its private key */
    const char *ca_name, *cert_name, *key_name;
} bank_tls;

typedef enum { BANK_CALLER_NONE, BANK_CALLER_CUSTOMER, BANK_CALLER_BRANCH } bank_caller_role;

enum { BANK_IDENTITY_NAME_MAX = 64 };

typedef struct {
    bank_caller_role role;
    int64_t branch; /* BANK_CALLER_BRANCH: the N of "branch-N" */
    char name[BANK_IDENTITY_NAME_MAX + 8]; /* the common name for messages: cut, bytes outside
                                              printable ASCII as '?'; "(none)" when absent */
} bank_identity;

/* "branch-N" (N decimal from 0 to 2^31-1, no sign, no leading zero) is branch N; "customer-"
 * followed by at least one character is a customer; anything else (NULL included) has no role. */
void bank_identity_parse(const char *common_name, bank_identity *out);

/* Checks t before it is used: the CA, the certificate and the key read as PEM, the key is the
 * certificate's, and the certificate is signed by the CA and valid now (not expired, not yet
 * valid). *own gets the certificate's identity. 0, or -1 with one line in err naming the file. */
int bank_tls_check(const bank_tls *t, bank_identity *own, char *err, size_t errlen);

/* Server credentials that require a client certificate signed by t's CA; insecure ones when t
 * is NULL. Release with grpc_server_credentials_release. */
grpc_server_credentials *bank_tls_server_credentials(const bank_tls *t);

/* Channel credentials presenting t's certificate and verifying the server's against t's CA and
 * the target's host name; insecure ones when t is NULL. Release after creating the channel. */
grpc_channel_credentials *bank_tls_channel_credentials(const bank_tls *t);

/* The identity of the client of an incoming call, from the common name of the certificate it
 * presented (the auth context's x509_common_name); no role when it presented none. */
void bank_tls_peer_identity(grpc_call *call, bank_identity *out);

/* Who may call a method (R3). */
typedef enum {
    BANK_ACCESS_CUSTOMER, /* Query, Deposit, Withdraw, MsgDelivery, the echo: customers, branches */
    BANK_ACCESS_BRANCH    /* propagations, MsgPropagation, Snapshot: a peer branch only */
} bank_access;

/* Whether the caller's branch is one of this branch's peers. */
typedef enum { BANK_PEERS_UNKNOWN = -1, BANK_NOT_A_PEER = 0, BANK_A_PEER = 1 } bank_peer_match;

/* Decides whether `who` may call `method` (its name, for the message) needing `need`; is_peer
 * says whether who's branch is a peer of this branch (BANK_PEERS_UNKNOWN before the branch
 * knows its peers). 0 (GRPC_STATUS_OK) when allowed; else the status to answer with,
 * PERMISSION_DENIED (or UNAVAILABLE while the peers are unknown: the caller tries again), and
 * one line in details naming the method and the caller. */
int bank_tls_authorize(const char *method, bank_access need, const bank_identity *who,
                       bank_peer_match is_peer, char *details, size_t n);

/* Whether a --listen address (HOST:PORT, [V6]:PORT, unix:PATH) is reachable only from this
 * machine: 127.0.0.0/8, ::1, localhost, or a unix socket. */
int bank_address_is_loopback(const char *address);

#endif
