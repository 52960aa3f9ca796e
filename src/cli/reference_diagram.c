#include "reference_diagram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagram/diagram.h"
#include "io/read_file.h"
#include "io/trace_read.h"
#include "run/branches.h"
#include "run/customers.h"

int bank_reference_diagram_svg(const bank_workload *w, bank_schedule schedule, char **svg,
                               char *err, size_t errlen)
{
    *svg = NULL;
    /* in $TMPDIR (else /tmp), and nothing of it left there after */
    const char *tmp = getenv("TMPDIR");
    char dir[4000], trace_path[4096], svg_path[4096];
    snprintf(dir, sizeof dir, "%s/bank-diagram-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a temporary folder for the reference run's diagram in %s: %m",
                 tmp && *tmp ? tmp : "/tmp");
        return -1;
    }
    snprintf(trace_path, sizeof trace_path, "%s/trace.jsonl", dir);
    snprintf(svg_path, sizeof svg_path, "%s/run.svg", dir);
    bank_branches_config bc = bank_branches_run_defaults();
    bc.trace_path = trace_path;
    bank_drive_config dc = {.schedule = schedule, .deadline_ms = BANK_DEFAULT_DEADLINE_MS};
    bank_outcome out;
    int rc = -1;
    if (bank_outcome_init(&out, w) != 0) {
        snprintf(err, errlen, "out of memory");
    } else {
        bank_branches *br = bank_branches_start(w, &bc, err, errlen);
        if (br && bank_drive(w, br, &dc, &out, NULL, err, errlen) == 0) rc = 0;
        if (bank_branches_stop(br, err, errlen) != 0) rc = -1;
        bank_outcome_free(&out);
    }
    bank_trace t = {0};
    size_t len;
    char title[96];
    snprintf(title, sizeof title, "The reference run (%s schedule)", bank_schedule_name(schedule));
    if (rc == 0) rc = bank_trace_load(trace_path, &t, err, errlen);
    if (rc == 0) rc = bank_diagram_draw(&t, title, svg_path, BANK_DIAGRAM_SVG, err, errlen);
    if (rc == 0) rc = bank_read_file(svg_path, svg, &len, err, errlen);
    bank_trace_free(&t);
    unlink(trace_path);
    unlink(svg_path);
    rmdir(dir);
    return rc;
}
