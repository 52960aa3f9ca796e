/* bank diagram: draws a trace of `bank run --trace` as a space-time diagram. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diagram/diagram.h"
#include "io/char_name.h"
#include "io/trace_read.h"

static const char diagram_usage[] =
    "usage: bank diagram TRACE.jsonl -o OUT.svg|OUT.png|OUT.pdf [--title TEXT]\n"
    "\n"
    "Draws the trace that `bank run --trace TRACE.jsonl` recorded as a space-time diagram: one\n"
    "vertical line per customer and per branch, time flowing down (one row per event, in order),\n"
    "an arrow per request (customers' in blue, propagations in grey) labelled with the\n"
    "operation, and an arrow per reply labelled with the result and the balance after (green, or\n"
    "red when it failed). The format follows the extension of OUT. bank run's own closing balance\n"
    "reads are left out.\n"
    "\n"
    "  -o, --output FILE   where to draw (required)\n"
    "  --title TEXT        the heading (default: the trace's file name)\n"
    "  -h, --help          this text\n"
    "exit status: 0 drawn, 1 it could not be written, 2 bad usage or an unreadable trace.\n";

int bank_cmd_diagram(int argc, char **argv)
{
    enum { OPT_TITLE = 256 };
    static const struct option longs[] = {
        {"output", required_argument, 0, 'o'},
        {"title", required_argument, 0, OPT_TITLE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *output = NULL, *title = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_TITLE: title = optarg; break;
        case 'h': fputs(diagram_usage, stdout); return BANK_EXIT_OK;
        case ':': return bank_usage_error("diagram", "%s needs a value", argv[optind - 1]);
        default: return bank_usage_error("diagram", "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bank_usage_error("diagram", optind == argc ? "which trace? (bank run --trace FILE writes one)"
                                                          : "one trace at a time");
    if (!output) return bank_usage_error("diagram", "-o OUT.svg (or .png, .pdf) is required");
    bank_diagram_format format;
    if (bank_diagram_format_for(output, &format) != 0)
        return bank_usage_error("diagram", "-o: \"%s\" does not end in .svg, .png or .pdf", output);
    const char *path = argv[optind];
    bank_trace t;
    char err[600];
    if (bank_trace_load(path, &t, err, sizeof err) != 0) {
        fprintf(stderr, "bank diagram: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    if (t.n == 0) {
        fprintf(stderr, "bank diagram: %s: the trace is empty\n", path);
        bank_trace_free(&t);
        return BANK_EXIT_USAGE;
    }
    char file_name[400]; /* the default title: a file name need not be UTF-8, a title must */
    bank_utf8_printable(path, file_name, sizeof file_name);
    int rc = bank_diagram_draw(&t, title ? title : file_name, output, format, err, sizeof err);
    if (rc != 0) fprintf(stderr, "bank diagram: %s\n", err);
    bank_diagram_release();
    bank_trace_free(&t);
    return rc == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
}
