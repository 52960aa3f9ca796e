/* The data dirs of the branches a run starts (--data-dir DIR): DIR/branch-ID each, made fresh
 * (a run starts from the input's balances), and removed after a benchmark. */
#ifndef BANK_RUN_DATA_DIRS_H
#define BANK_RUN_DATA_DIRS_H

#include <stddef.h>
#include <stdint.h>

#include "core/workload.h"

/* DATA_DIR/branch-ID. */
void bank_data_dir_of(const char *data_dir, int64_t id, char *out, size_t cap);

/* Makes DATA_DIR when missing; -1 with err when it cannot, or holds a dir of one of w's
 * branches already. */
int bank_data_dirs_fresh(const bank_workload *w, const char *data_dir, char *err, size_t errlen);

/* Removes every branch's dir (the files a store makes in it, then the dir); what cannot be
 * removed is left. */
void bank_data_dirs_remove(const bank_workload *w, const char *data_dir);

/* Bytes of the files in every branch's dir. */
uint64_t bank_data_dirs_bytes(const bank_workload *w, const char *data_dir);

#endif
