/* What bank drive says about a run: the answers' verdicts (bank grade's lines), the replica
 * probes, liveness and a closing verdict, as text, as one JSON object, or as an HTML page with
 * the customers' calls drawn as a space-time diagram. */
#ifndef BANK_CLI_DRIVE_REPORT_H
#define BANK_CLI_DRIVE_REPORT_H

#include <stdio.h>

#include "io/output.h"
#include "run/branches.h"
#include "run/drive.h"

typedef struct {
    const char *input;
    const bank_workload *w;
    const bank_branches *b;
    const char *wire;          /* bank_wire_describe */
    bank_schedule schedule;
    int deadline_ms;
    int wrong_only;            /* text: list only the answers that are not ok */
    bank_style style;          /* JSON: the output embedded in this style */
    const bank_system_run *run;
} bank_drive_report;

/* "after customer 2 event 1 (deposit 170)", "before the first event", "at the end" */
void bank_drive_report_point(const bank_drive_report *r, const bank_probe_point *pt, char *buf, size_t n);

/* One line each; when the run could not start (setup_*), only why. */
int bank_drive_report_text(FILE *f, const bank_drive_report *r);
int bank_drive_report_json(FILE *f, const bank_drive_report *r);
/* The HTML page; its diagram is drawn through a temporary SVG file. 0, or -1 with err. */
int bank_drive_report_html(const char *path, const bank_drive_report *r, char *err, size_t errlen);

/* Why the probe before the run failed, for the exit-2 line (setup_unreachable or setup_off). */
void bank_drive_report_setup(const bank_drive_report *r, char *buf, size_t n);

#endif
