/* The peers file of a multi-host deployment: one "ID HOST:PORT" line per branch; blank lines
 * and lines starting with '#' are ignored. */
#ifndef BANK_IO_PEERS_FILE_H
#define BANK_IO_PEERS_FILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char target[256];
} bank_peer_entry;

/* 0 and a malloc'ed array in *out (*n entries), or -1 with "<source>:<line>:<col>: ..." in err,
 * *out NULL and *n 0. */
int bank_peers_parse(const char *text, size_t len, const char *source, bank_peer_entry **out,
                     size_t *n, char *err, size_t errlen);
int bank_peers_load(const char *path, bank_peer_entry **out, size_t *n, char *err, size_t errlen);

#endif
