/* Reads a whole file into memory. */
#ifndef BANK_IO_READ_FILE_H
#define BANK_IO_READ_FILE_H

#include <stddef.h>

/* 0 and a malloc'ed, NUL-terminated buffer in *data (length *len without the NUL), or -1 with
 * "<path>: cannot open: <reason>" (or cannot read, or "<path>: out of memory", errno then
 * ENOMEM) in err, *data and *len untouched. "-" reads standard input. */
int bank_read_file(const char *path, char **data, size_t *len, char *err, size_t errlen);

/* The same, refusing a file of more than max bytes (a student's file is untrusted: a runaway
 * loop writes gigabytes): -1 with "<path>: larger than MAX bytes (--max-bytes); not read", without
 * reading more than max + 1 bytes of it. */
int bank_read_file_max(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen);

#endif
