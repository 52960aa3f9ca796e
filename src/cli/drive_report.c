/* bank drive's report of a run, in words, in JSON, and as an HTML page. */
#include "drive_report.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagram/diagram.h"
#include "grade/report.h"
#include "io/read_file.h"
#include "io/trace_read.h"

enum { LIST_EVERY_BRANCH = 12 }; /* more branches than this: only those off the reference */

static const bank_probe_log *probes(const bank_drive_report *r) { return bank_prober_log(r->run->prober); }

static void name_event(const bank_drive_report *r, size_t c, size_t e, char *buf, size_t n)
{
    const bank_customer *cu = &r->w->customers[c];
    const bank_event *ev = &cu->events[e];
    if (ev->op == BANK_OP_QUERY)
        snprintf(buf, n, "customer %" PRId64 " event %" PRId64 " (query)", cu->id, ev->id);
    else
        snprintf(buf, n, "customer %" PRId64 " event %" PRId64 " (%s %" PRId64 ")", cu->id, ev->id,
                 bank_op_name(ev->op), ev->money);
}

void bank_drive_report_point(const bank_drive_report *r, const bank_probe_point *pt, char *buf, size_t n)
{
    if (pt->when == BANK_PROBE_BEFORE) {
        snprintf(buf, n, "before the first event");
    } else if (pt->when == BANK_PROBE_FINAL) {
        snprintf(buf, n, "at the end");
    } else {
        char ev[160];
        name_event(r, pt->customer, pt->event, ev, sizeof ev);
        snprintf(buf, n, "after %s", ev);
    }
}

/* "branch 1 holds 570, branch 3 holds 400 (the reference: 570)", every branch when few. */
static void balances_text(const bank_drive_report *r, const bank_probe_point *pt, char *buf, size_t n)
{
    size_t nb = r->w->n_branches, len = 0, off = 0;
    int all = nb <= LIST_EVERY_BRANCH;
    buf[0] = '\0';
    for (size_t i = 0; i < nb && len < n; i++) {
        int differs = pt->seen[i] != pt->expected[i];
        off += differs;
        if (!all && !differs) continue;
        len += (size_t)snprintf(buf + len, n - len, "%sbranch %" PRId64 " holds %" PRId64, len ? ", " : "",
                                r->w->branches[i].id, pt->seen[i]);
        if (differs && len < n)
            len += (size_t)snprintf(buf + len, n - len, " (the reference: %" PRId64 ")", pt->expected[i]);
    }
    int same = 1;
    for (size_t i = 1; i < nb; i++) same &= pt->seen[i] == pt->seen[0];
    if (!all && off == 0 && same)
        snprintf(buf, n, "all %zu branches hold %" PRId64 ", as the reference does", nb, pt->seen[0]);
    else if (!all && off == 0)
        snprintf(buf, n, "all %zu branches hold what the reference does", nb);
    else if (!all && len < n)
        snprintf(buf + len, n - len, "; the other %zu hold what the reference does", nb - off);
}

/* "branch 2 at 127.0.0.1:50002: DEADLINE_EXCEEDED: ..." and a hint where one helps. */
static void failure_text(const bank_drive_report *r, size_t branch, const bank_wire_error *e, char *buf, size_t n)
{
    const char *hint = "";
    if (e->status == GRPC_STATUS_UNIMPLEMENTED)
        hint = " (that address serves no such method: is the service named differently? see --service, "
               "or --proto for a proto of its own)";
    else if (e->status == GRPC_STATUS_DEADLINE_EXCEEDED)
        hint = " (no answer within --deadline-ms)";
    else if (e->status == GRPC_STATUS_UNAVAILABLE)
        hint = " (is it running?)";
    snprintf(buf, n, "branch %" PRId64 " at %s: %s: %s%s", r->w->branches[branch].id,
             bank_branches_target(r->b, branch), bank_grpc_status_name(e->status), e->details, hint);
}

void bank_drive_report_setup(const bank_drive_report *r, char *buf, size_t n)
{
    const bank_probe_log *log = probes(r);
    char why[900];
    if (r->run->setup_unreachable) {
        failure_text(r, log->failed_branch, &log->failure, why, sizeof why);
        snprintf(buf, n, "cannot read every branch's balance before the run: %s", why);
        return;
    }
    balances_text(r, &log->first, why, sizeof why);
    snprintf(buf, n, "before the first event the branches do not hold the input's balances: %s (left "
             "from an earlier run? restart them)", why);
}

/* ---- the summary, shared by every form ---- */

typedef struct {
    char answers[160], replicas[1200], final[1200], liveness[1200], verdict[400];
} summary;

static void summarize(const bank_drive_report *r, summary *s)
{
    const bank_system_run *run = r->run;
    const bank_probe_log *log = probes(r);
    const bank_grade_report *a = &run->answers;
    snprintf(s->answers, sizeof s->answers, "%zu/%zu answers as the reference (%s)", a->n_correct,
             a->n_events, run->judged);
    char where[200], bal[900];
    if (log->diverged) {
        bank_drive_report_point(r, &log->first, where, sizeof where);
        balances_text(r, &log->first, bal, sizeof bal);
        snprintf(s->replicas, sizeof s->replicas, "the branches disagree %s: %s", where, bal);
    } else {
        snprintf(s->replicas, sizeof s->replicas, "every branch held what the reference does at all %zu "
                 "probes", (size_t)log->n_probes);
    }
    s->final[0] = '\0';
    if (log->final_taken && (!log->diverged || log->first.when != BANK_PROBE_FINAL)) {
        balances_text(r, &log->final, bal, sizeof bal);
        snprintf(s->final, sizeof s->final, "%s", bal);
    }
    char why[900];
    if (run->stopped) {
        char ev[160];
        name_event(r, run->stop_customer, run->stop_event, ev, sizeof ev);
        failure_text(r, r->w->customers[run->stop_customer].branch_index, &run->stop_error, why, sizeof why);
        snprintf(s->liveness, sizeof s->liveness, "%s got no answer from %s", ev, why);
    } else if (log->failed) {
        failure_text(r, log->failed_branch, &log->failure, why, sizeof why);
        snprintf(s->liveness, sizeof s->liveness, "%s got no answer from %s",
                 log->failed_when == BANK_PROBE_FINAL ? "the final probe" : "a probe", why);
    } else {
        snprintf(s->liveness, sizeof s->liveness, "every call answered within %d ms (%zu calls)",
                 r->deadline_ms, run->n_answered);
    }
    int behaved = bank_system_behaved(run);
    int unanswered = run->stopped || log->failed;
    char undecided[160] = "";
    if (a->n_undecided)
        snprintf(undecided, sizeof undecided, "; %zu answers undecided: the consistency check ran out of "
                 "--budget before it could tell", a->n_undecided);
    if (behaved && a->n_undecided)
        snprintf(s->verdict, sizeof s->verdict, "undecided: no answer found wrong, every branch as the "
                 "reference at every probe, every call answered%s (%.1f s)", undecided, run->seconds);
    else if (behaved)
        snprintf(s->verdict, sizeof s->verdict, "behaved as the reference: every answer as the reference's, "
                 "every branch as the reference at every probe, every call answered (%.1f s)", run->seconds);
    else
        snprintf(s->verdict, sizeof s->verdict, "did NOT behave as the reference: %zu of %zu answers wrong, %s, "
                 "%s%s (%.1f s)", a->n_wrong, a->n_events,
                 log->diverged ? "the branches disagreed" : "the branches agreed at every probe",
                 unanswered ? "a call went unanswered" : "every call answered", undecided, run->seconds);
}

int bank_drive_report_text(FILE *f, const bank_drive_report *r)
{
    summary s;
    summarize(r, &s);
    bank_graded_file g = {.path = "answers",
                          .format = r->run->answers.n ? "what the branches answered" : "",
                          .report = &r->run->answers};
    bank_report_context ctx = {.input = r->input, .mode = r->run->judged, .all_verdicts = !r->wrong_only};
    fprintf(f, "bank drive: %s, %zu branches, %s schedule, wire %s\n", r->input, r->w->n_branches,
            bank_schedule_name(r->schedule), r->wire);
    bank_report_text(f, &ctx, &g);
    fprintf(f, "replicas: %s\n", s.replicas);
    if (s.final[0]) fprintf(f, "replicas at the end: %s\n", s.final);
    fprintf(f, "liveness: %s\n", s.liveness);
    fprintf(f, "verdict: %s\n", s.verdict);
    return ferror(f) ? -1 : 0;
}

/* ---- JSON ---- */

static cJSON *point_json(const bank_drive_report *r, const bank_probe_point *pt)
{
    cJSON *o = cJSON_CreateObject();
    char where[200];
    bank_drive_report_point(r, pt, where, sizeof where);
    cJSON_AddStringToObject(o, "when", where);
    if (pt->when == BANK_PROBE_AFTER_WRITE) {
        cJSON_AddNumberToObject(o, "customer", (double)r->w->customers[pt->customer].id);
        cJSON_AddNumberToObject(o, "event", (double)r->w->customers[pt->customer].events[pt->event].id);
    }
    cJSON *arr = cJSON_AddArrayToObject(o, "branches");
    for (size_t i = 0; i < r->w->n_branches; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "id", (double)r->w->branches[i].id);
        cJSON_AddNumberToObject(b, "holds", (double)pt->seen[i]);
        cJSON_AddNumberToObject(b, "reference", (double)pt->expected[i]);
        cJSON_AddItemToArray(arr, b);
    }
    return o;
}

/* The output file's text, parsed back, to carry it inside the report. */
static cJSON *output_json(const bank_drive_report *r)
{
    char *text = NULL;
    size_t len = 0;
    bank_workload answered;
    if (bank_system_answered(r->w, r->run, &answered) != 0) return NULL;
    FILE *m = open_memstream(&text, &len);
    if (m) {
        bank_output_write(m, &answered, &r->run->out, r->style, 0);
        fclose(m);
    }
    free(answered.customers);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    return o;
}

int bank_drive_report_json(FILE *f, const bank_drive_report *r)
{
    summary s;
    summarize(r, &s);
    const bank_probe_log *log = probes(r);
    cJSON *o = cJSON_CreateObject();
    if (!o) return -1;
    cJSON_AddStringToObject(o, "input", r->input);
    cJSON_AddStringToObject(o, "wire", r->wire);
    cJSON_AddStringToObject(o, "schedule", bank_schedule_name(r->schedule));
    cJSON *br = cJSON_AddArrayToObject(o, "branches");
    for (size_t i = 0; i < r->w->n_branches; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "id", (double)r->w->branches[i].id);
        cJSON_AddStringToObject(b, "address", bank_branches_target(r->b, i));
        cJSON_AddItemToArray(br, b);
    }
    cJSON_AddBoolToObject(o, "behaved", bank_system_behaved(r->run));
    cJSON_AddStringToObject(o, "verdict", s.verdict);
    bank_graded_file g = {.path = "answers", .format = "what the branches answered", .report = &r->run->answers};
    bank_report_context ctx = {.input = r->input, .mode = r->run->judged, .all_verdicts = 1};
    cJSON_AddItemToObject(o, "answers", bank_report_json_value(&ctx, &g));
    cJSON *p = cJSON_AddObjectToObject(o, "replicas");
    cJSON_AddNumberToObject(p, "probes", (double)log->n_probes);
    cJSON_AddBoolToObject(p, "agreed", !log->diverged);
    if (log->diverged) cJSON_AddItemToObject(p, "first_disagreement", point_json(r, &log->first));
    if (log->final_taken) cJSON_AddItemToObject(p, "final", point_json(r, &log->final));
    cJSON *l = cJSON_AddObjectToObject(o, "liveness");
    cJSON_AddBoolToObject(l, "every_call_answered", !r->run->stopped && !log->failed);
    cJSON_AddStringToObject(l, "detail", s.liveness);
    if (r->run->stopped) {
        const bank_customer *cu = &r->w->customers[r->run->stop_customer];
        cJSON_AddNumberToObject(l, "customer", (double)cu->id);
        cJSON_AddNumberToObject(l, "event", (double)cu->events[r->run->stop_event].id);
        cJSON_AddNumberToObject(l, "branch", (double)r->w->branches[cu->branch_index].id);
        cJSON_AddStringToObject(l, "status", bank_grpc_status_name(r->run->stop_error.status));
    }
    cJSON_AddNumberToObject(o, "seconds", r->run->seconds);
    cJSON *out = output_json(r);
    if (out) cJSON_AddItemToObject(o, "output", out);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return -1;
    fprintf(f, "%s\n", text);
    cJSON_free(text);
    return ferror(f) ? -1 : 0;
}

/* ---- HTML ---- */

/* What our customers sent and were told, as a trace the diagram code draws. */
static int calls_trace(const bank_drive_report *r, bank_trace *t)
{
    const bank_workload *w = r->w;
    t->n = 0;
    t->entries = calloc(r->run->n_events ? r->run->n_events : 1, sizeof *t->entries);
    if (!t->entries) return -1;
    static const char *const rpc[] = {"Query", "Deposit", "Withdraw"};
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_system_call *call = &r->run->calls[c][e];
            const bank_result *res = &r->run->out.results[c][e];
            const bank_event *ev = &w->customers[c].events[e];
            if (!call->called) continue;
            bank_trace_entry *x = &t->entries[t->n++];
            x->t_recv_us = call->sent_us;
            x->t_reply_us = call->answered_us > call->sent_us ? call->answered_us : call->sent_us + 1;
            x->from_id = w->customers[c].id;
            x->to_branch = w->branches[w->customers[c].branch_index].id;
            snprintf(x->rpc, sizeof x->rpc, "%s", rpc[ev->op]);
            x->customer = w->customers[c].id;
            x->event = ev->id;
            x->money = ev->money;
            x->balance = res->balance;
            if (!call->answered)
                snprintf(x->reply, sizeof x->reply, "error: %s", bank_grpc_status_name(call->error.status));
            else
                snprintf(x->reply, sizeof x->reply, "%s", res->pending ? "pending" : res->success ? "success" : "fail");
        }
    return 0;
}

static int diagram_svg(const bank_drive_report *r, char **svg, char *err, size_t errlen)
{
    char dir[] = "/tmp/bank-drive-diagram-XXXXXX";
    if (!mkdtemp(dir)) return snprintf(err, errlen, "cannot make a temporary folder for the diagram"), -1;
    char path[64];
    snprintf(path, sizeof path, "%s/calls.svg", dir);
    bank_trace t = {0};
    bank_diagram_style style = {1};
    size_t len;
    int rc = calls_trace(r, &t) == 0 ? 0 : (snprintf(err, errlen, "out of memory"), -1);
    if (rc == 0) rc = bank_diagram_draw_styled(&t, "What the customers sent and were told", &style, path,
                                               BANK_DIAGRAM_SVG, err, errlen);
    if (rc == 0) rc = bank_read_file(path, svg, &len, err, errlen);
    bank_trace_free(&t);
    unlink(path);
    rmdir(dir);
    return rc;
}

static void html_para(FILE *f, const char *label, const char *text)
{
    fprintf(f, "<p><b>%s</b> ", label);
    bank_report_html_text(f, text);
    fputs("</p>\n", f);
}

int bank_drive_report_html(const char *path, const bank_drive_report *r, char *err, size_t errlen)
{
    char *svg = NULL;
    if (diagram_svg(r, &svg, err, errlen) != 0) return -1;
    FILE *f = fopen(path, "w");
    if (!f) {
        free(svg);
        snprintf(err, errlen, "--report %s: cannot write", path);
        return -1;
    }
    summary s;
    summarize(r, &s);
    bank_report_html_begin(f, "bank drive");
    char line[600];
    snprintf(line, sizeof line, "%s, %zu branches, %s schedule, wire %s", r->input, r->w->n_branches,
             bank_schedule_name(r->schedule), r->wire);
    html_para(f, "run:", line);
    fprintf(f, "<p class=\"%s\"><b>verdict:</b> ", bank_system_behaved(r->run) ? "ok" : "wrong");
    bank_report_html_text(f, s.verdict);
    fputs("</p>\n<h2>Answers</h2>\n", f);
    html_para(f, "", s.answers);
    bank_report_html_verdicts(f, &r->run->answers);
    fputs("<h2>Replicas</h2>\n", f);
    html_para(f, "probes:", s.replicas);
    if (s.final[0]) html_para(f, "at the end:", s.final);
    fputs("<h2>Liveness</h2>\n", f);
    html_para(f, "", s.liveness);
    fputs("<h2>What the customers sent and were told</h2>\n<p>The branches are drawn as boxes: bank drive "
          "sees only what its customers sent and got back, not what the branches said to each other.</p>\n", f);
    bank_report_html_svg(f, svg);
    bank_report_html_end(f);
    free(svg);
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "--report %s: write failed", path);
        return -1;
    }
    return 0;
}
