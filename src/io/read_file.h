/* Reads a whole file into memory. */
#ifndef BANK_IO_READ_FILE_H
#define BANK_IO_READ_FILE_H

#include <stddef.h>

/* 0 and a malloc'ed, NUL-terminated buffer in *data (length *len without the NUL), or -1 with
 * "<path>: cannot open: <reason>" (or cannot read) in err. "-" reads standard input. */
int bank_read_file(const char *path, char **data, size_t *len, char *err, size_t errlen);

#endif
