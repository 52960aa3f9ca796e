/* TLS material from files: the PEM files --tls-ca, --tls-cert and --tls-key name, or one
 * identity's files in a directory laid out as tools/certs.sh writes it (ca.crt, branch-N.crt and
 * .key, customer.crt and .key), read and checked before anything starts. */
#ifndef BANK_RUN_TLS_FILES_H
#define BANK_RUN_TLS_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/tls.h"

/* For want_branch: the certificate must be a customer's. */
enum { BANK_TLS_CUSTOMER = -1 };

/* Reads the three files and checks them (bank_tls_check); the certificate must name branch
 * want_branch (branch-N), or a customer (customer-...) for BANK_TLS_CUSTOMER. A new bank_tls
 * (free with bank_tls_free), or NULL with one line in err naming the file. */
bank_tls *bank_tls_load(const char *ca, const char *cert, const char *key, int64_t want_branch,
                        char *err, size_t errlen);

/* The same from dir: dir/ca.crt and dir/branch-N.crt, .key (or dir/customer.crt, .key). */
bank_tls *bank_tls_load_dir(const char *dir, int64_t want_branch, char *err, size_t errlen);

/* The paths bank_tls_load_dir reads, each of size BANK_TLS_PATH_MAX. */
enum { BANK_TLS_PATH_MAX = 4096 };
void bank_tls_dir_paths(const char *dir, int64_t want_branch, char *ca, char *cert, char *key);

void bank_tls_free(bank_tls *t);

#endif
