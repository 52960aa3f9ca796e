/* Draws a trace as a space-time diagram with cairo (see diagram.h). */
#include "diagram.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { COL_W = 120, MARGIN = 40, HEADER = 100, FOOTER = 40 };

int bank_diagram_format_for(const char *path, bank_diagram_format *out)
{
    const char *dot = strrchr(path, '.');
    if (!dot) return -1;
    if (strcasecmp(dot, ".svg") == 0) *out = BANK_DIAGRAM_SVG;
    else if (strcasecmp(dot, ".png") == 0) *out = BANK_DIAGRAM_PNG;
    else if (strcasecmp(dot, ".pdf") == 0) *out = BANK_DIAGRAM_PDF;
    else return -1;
    return 0;
}

/* A vertical line: a customer or a branch. */
typedef struct {
    int branch;
    int64_t id;
} lane;

typedef struct {
    lane *lanes;
    size_t n_lanes;
    int64_t *times; /* every distinct timestamp, sorted: a row each */
    size_t n_times;
    double row_h;
} layout;

/* bank run's closing balance reads (customer 0, event 0) are its own check, not the run. */
static int is_closing_read(const bank_trace_entry *e)
{
    return !e->from_branch && e->customer == 0 && e->event == 0 && strcmp(e->rpc, "Query") == 0;
}

static int cmp_lane(const void *a, const void *b)
{
    const lane *x = a, *y = b;
    if (x->branch != y->branch) return x->branch - y->branch; /* customers first */
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void add_lane(layout *l, int branch, int64_t id)
{
    for (size_t i = 0; i < l->n_lanes; i++)
        if (l->lanes[i].branch == branch && l->lanes[i].id == id) return;
    l->lanes[l->n_lanes++] = (lane){branch, id};
}

static int build_layout(const bank_trace *t, layout *l)
{
    memset(l, 0, sizeof *l);
    l->lanes = malloc((2 * t->n + 1) * sizeof *l->lanes);
    l->times = malloc((2 * t->n + 1) * sizeof *l->times);
    if (!l->lanes || !l->times) return -1;
    for (size_t i = 0; i < t->n; i++) {
        const bank_trace_entry *e = &t->entries[i];
        if (is_closing_read(e)) continue;
        add_lane(l, e->from_branch, e->from_id);
        add_lane(l, 1, e->to_branch);
        l->times[l->n_times++] = e->t_recv_us;
        l->times[l->n_times++] = e->t_reply_us;
    }
    qsort(l->lanes, l->n_lanes, sizeof *l->lanes, cmp_lane);
    qsort(l->times, l->n_times, sizeof *l->times, cmp_i64);
    size_t o = 0;
    for (size_t i = 0; i < l->n_times; i++)
        if (o == 0 || l->times[o - 1] != l->times[i]) l->times[o++] = l->times[i];
    l->n_times = o;
    /* rows by order of events, not by absolute time: long waits would hide the short steps */
    l->row_h = l->n_times ? fmin(30.0, fmax(8.0, 9000.0 / (double)l->n_times)) : 26.0;
    return 0;
}

static double lane_x(const layout *l, int branch, int64_t id)
{
    for (size_t i = 0; i < l->n_lanes; i++)
        if (l->lanes[i].branch == branch && l->lanes[i].id == id) return MARGIN + COL_W * (i + 0.5);
    return MARGIN;
}

static double time_y(const layout *l, int64_t t)
{
    int64_t *at = bsearch(&t, l->times, l->n_times, sizeof t, cmp_i64);
    size_t row = at ? (size_t)(at - l->times) : 0;
    return HEADER + l->row_h * (row + 0.5);
}

static void arrow(cairo_t *cr, double x0, double y0, double x1, double y1)
{
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
    double a = atan2(y1 - y0, x1 - x0), len = 8;
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x1 - len * cos(a - 0.4), y1 - len * sin(a - 0.4));
    cairo_line_to(cr, x1 - len * cos(a + 0.4), y1 - len * sin(a + 0.4));
    cairo_close_path(cr);
    cairo_fill(cr);
}

static void label(cairo_t *cr, double x, double y, const char *text)
{
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    cairo_move_to(cr, x - ext.width / 2, y);
    cairo_show_text(cr, text);
}

static int failed(const char *reply) { return strcmp(reply, "fail") == 0 || strncmp(reply, "error", 5) == 0; }

/* "deposit 170", "propagate deposit 170", "query"; and the message's Lamport clocks, sent and
 * received ("[1->2]"), when the trace has them */
static void request_text(const bank_trace_entry *e, char *buf, size_t n)
{
    const char *op = strcasestr(e->rpc, "deposit") ? "deposit" : strcasestr(e->rpc, "withdraw") ? "withdraw" : "query";
    int k;
    if (strcmp(op, "query") == 0 && !e->from_branch) k = snprintf(buf, n, "c%" PRId64 " e%" PRId64 " query", e->customer, e->event);
    else if (e->from_branch) k = snprintf(buf, n, "propagate %s %" PRId64, op, e->money);
    else k = snprintf(buf, n, "c%" PRId64 " e%" PRId64 " %s %" PRId64, e->customer, e->event, op, e->money);
    if ((e->clock_sent || e->clock) && k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, " [%" PRIu64 "->%" PRIu64 "]", e->clock_sent, e->clock);
}

enum { BOX_HALF = 40 };

static void draw(cairo_t *cr, const bank_trace *t, const layout *l, const char *title, int opaque,
                 double w, double h)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 15);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, MARGIN, 26);
    cairo_show_text(cr, title);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    cairo_move_to(cr, MARGIN, 44);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    if (opaque) {
        cairo_show_text(cr, "time flows down, one row per event in order; blue: what the customers sent, "
                            "green: what they were told, red: failed");
        cairo_move_to(cr, MARGIN, 58);
        cairo_show_text(cr, "grey boxes: the branches, whose messages to each other are not seen");
    } else {
        cairo_show_text(cr, "time flows down, one row per event in order; blue: customer requests, "
                            "grey: propagations, green: replies, red: failed");
        cairo_move_to(cr, MARGIN, 58);
        cairo_show_text(cr, "[a->b]: the message's Lamport clock when sent (a) and when received (b)");
    }
    /* lanes */
    cairo_set_font_size(cr, 12);
    for (size_t i = 0; i < l->n_lanes; i++) {
        double x = MARGIN + COL_W * (i + 0.5);
        char name[48];
        snprintf(name, sizeof name, "%s %" PRId64, l->lanes[i].branch ? "branch" : "customer", l->lanes[i].id);
        cairo_set_source_rgb(cr, 0, 0, 0);
        label(cr, x, HEADER - 18, name);
        if (opaque && l->lanes[i].branch) {
            cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
            cairo_rectangle(cr, x - BOX_HALF, HEADER - 10, 2 * BOX_HALF, h - FOOTER - HEADER + 10);
            cairo_fill(cr);
            continue;
        }
        cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
        cairo_set_line_width(cr, 1);
        double dash = 4;
        cairo_set_dash(cr, &dash, 1, 0);
        cairo_move_to(cr, x, HEADER - 10);
        cairo_line_to(cr, x, h - FOOTER);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    cairo_set_font_size(cr, fmin(11, fmax(7, l->row_h * 0.55)));
    double d = l->row_h * 0.35;
    for (size_t i = 0; i < t->n; i++) {
        const bank_trace_entry *e = &t->entries[i];
        if (is_closing_read(e)) continue;
        double xs = lane_x(l, e->from_branch, e->from_id), xr = lane_x(l, 1, e->to_branch);
        double y0 = time_y(l, e->t_recv_us), y1 = time_y(l, e->t_reply_us);
        double dir = xr > xs ? 1 : -1;
        if (opaque) { /* the box's edge */
            xr -= dir * BOX_HALF;
        } else { /* the receiver busy with it */
            cairo_set_source_rgba(cr, 0.2, 0.3, 0.8, 0.15);
            cairo_rectangle(cr, xr - 4, y0, 8, fmax(y1 - y0, 2));
            cairo_fill(cr);
        }
        char text[96];
        request_text(e, text, sizeof text);
        if (e->from_branch) cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        else cairo_set_source_rgb(cr, 0.1, 0.25, 0.8);
        cairo_set_line_width(cr, 1.2);
        arrow(cr, xs, y0 - d, xr - dir * 4, y0);
        label(cr, (xs + xr) / 2, y0 - d - 2, text);
        if (failed(e->reply)) cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
        else cairo_set_source_rgb(cr, 0.1, 0.55, 0.2);
        arrow(cr, xr, y1, xs + dir * 4, y1 + d);
        snprintf(text, sizeof text, "%.40s %" PRId64, e->reply, e->balance);
        label(cr, (xs + xr) / 2, y1 + d / 2 - 3, text); /* above the arrow, like the request's */
    }
    (void)w;
}

int bank_diagram_draw(const bank_trace *t, const char *title, const char *path,
                      bank_diagram_format format, char *err, size_t errlen)
{
    return bank_diagram_draw_styled(t, title, NULL, path, format, err, errlen);
}

/* The file is written through this, not cairo's own file output: a PDF written to a full disk
 * was "drawn" (its surface kept no failed write), so every write is checked here. */
typedef struct {
    FILE *f;
    int failed;
} out_file;

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
    out_file *o = closure;
    if (!o->failed && fwrite(data, 1, length, o->f) != length) o->failed = 1;
    return o->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static cairo_status_t render(const bank_trace *t, const char *title, const bank_diagram_style *style,
                             const layout *l, bank_diagram_format format, out_file *out)
{
    double w = 2 * MARGIN + COL_W * (l->n_lanes ? l->n_lanes : 1);
    double h = HEADER + l->row_h * (l->n_times + 1) + FOOTER;
    if (w < 640) w = 640;
    cairo_surface_t *surface =
        format == BANK_DIAGRAM_SVG ? cairo_svg_surface_create_for_stream(write_out, out, w, h)
        : format == BANK_DIAGRAM_PDF ? cairo_pdf_surface_create_for_stream(write_out, out, w, h)
                                     : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w), (int)ceil(h));
    cairo_status_t st = cairo_surface_status(surface);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_t *cr = cairo_create(surface);
        draw(cr, t, l, title, style && style->opaque_branches, w, h);
        st = cairo_status(cr);
        cairo_destroy(cr);
        if (st == CAIRO_STATUS_SUCCESS && format == BANK_DIAGRAM_PNG)
            st = cairo_surface_write_to_png_stream(surface, write_out, out);
        cairo_surface_finish(surface);
        if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(surface);
    }
    cairo_surface_destroy(surface);
    return st;
}

int bank_diagram_draw_styled(const bank_trace *t, const char *title, const bank_diagram_style *style,
                             const char *path, bank_diagram_format format, char *err, size_t errlen)
{
    layout l;
    if (build_layout(t, &l) != 0) {
        free(l.lanes);
        free(l.times);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out_file out = {fopen(path, "wb"), 0};
    int rc = 0;
    if (!out.f) {
        snprintf(err, errlen, "%s: cannot draw the diagram: %s", path, strerror(errno));
        rc = -1;
    } else {
        cairo_status_t st = render(t, title, style, &l, format, &out);
        int closed = fclose(out.f); /* a PDF surface does not always pass a failed write on */
        if (st == CAIRO_STATUS_SUCCESS && (out.failed || closed != 0)) st = CAIRO_STATUS_WRITE_ERROR;
        if (st != CAIRO_STATUS_SUCCESS) {
            snprintf(err, errlen, "%s: cannot draw the diagram: %s", path, cairo_status_to_string(st));
            rc = -1;
            struct stat sb;
            if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) unlink(path); /* no half a diagram */
        }
    }
    free(l.lanes);
    free(l.times);
    return rc;
}

void bank_diagram_release(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
