/* Fuzz target: the assignment's input.json reader. An accepted input must be a well-formed
 * workload; a rejected one must come with a "fuzz.json:..." message and leave nothing behind
 * (the leak checker of the replay build sees to that). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bank_workload w;
    char err[512] = "";
    if (bank_input_parse((const char *)data, size, "fuzz.json", &w, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.json", 9) != 0) abort(); /* every error names the input */
        if (w.n_customers != 0 || w.n_branches != 0 || w.branches || w.customers) abort();
        return 0;
    }
    if (w.n_branches == 0 || w.n_branches > BANK_MAX_BRANCHES) abort();
    if (bank_workload_event_count(&w) > BANK_MAX_EVENTS) abort();
    for (size_t c = 0; c < w.n_customers; c++) {
        const bank_customer *cu = &w.customers[c];
        if (cu->branch_index >= w.n_branches || w.branches[cu->branch_index].id != cu->id) abort();
        for (size_t e = 0; e < cu->n_events; e++)
            if (cu->events[e].money < 0) abort();
    }
    bank_workload_free(&w);
    return 0;
}
