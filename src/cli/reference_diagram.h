/* The space-time diagram of a reference run, as SVG text, for bank grade's HTML report. */
#ifndef BANK_CLI_REFERENCE_DIAGRAM_H
#define BANK_CLI_REFERENCE_DIAGRAM_H

#include <stddef.h>

#include "core/schedule.h"
#include "core/workload.h"

/* Runs w under schedule on in-process branches with a trace, draws it, and returns the SVG
 * (malloc'ed, NUL-terminated) in *svg. 0, or -1 with one line in err. */
int bank_reference_diagram_svg(const bank_workload *w, bank_schedule schedule, char **svg,
                               char *err, size_t errlen);

#endif
