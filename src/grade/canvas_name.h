/* The names Canvas gives the files of a "Download Submissions" zip. Canvas (lib/content_zipper.rb)
 * renames each uploaded file "<name>[_LATE]_<user id>_<attachment id>_<file name>", a text entry
 * "<name>[_LATE]_<user id>_text.html" and a URL "..._link.html"; <name> is the student's sortable
 * name lower-cased with everything but letters, digits and "_" removed ("smithjohn"), and with
 * anonymous grading there is no name and the user id is "anon_<anonymous id>". Older Canvas
 * lower-cased the whole prefix ("_late_"). */
#ifndef BANK_GRADE_CANVAS_NAME_H
#define BANK_GRADE_CANVAS_NAME_H

typedef struct {
    char name[128];   /* "smithjohn"; "" with anonymous grading */
    char id[64];      /* "12345", or "anon_x7k2p" */
    int late;
    const char *file; /* into the parsed text: the student's own file name ("output.json"), or
                         "text.html" / "link.html" */
} bank_canvas_name;

/* 0 and *out when member (a file name, no folder) has Canvas's form, else -1. */
int bank_canvas_name_parse(const char *member, bank_canvas_name *out);

#endif
