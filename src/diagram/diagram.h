/* A space-time diagram of a trace: one vertical line per customer and per branch, time flowing
 * down, an arrow per request and per reply, labelled with the operation and the balance;
 * failed operations in red. Drawn with cairo as SVG, PNG or PDF. */
#ifndef BANK_DIAGRAM_DIAGRAM_H
#define BANK_DIAGRAM_DIAGRAM_H

#include <stddef.h>

#include "io/trace_read.h"

typedef enum { BANK_DIAGRAM_SVG, BANK_DIAGRAM_PNG, BANK_DIAGRAM_PDF } bank_diagram_format;

/* The format a file name's extension asks for (.svg .png .pdf); -1 for another. */
int bank_diagram_format_for(const char *path, bank_diagram_format *out);

/* Draws t into path. title goes at the top. 0, or -1 with one line in err. */
int bank_diagram_draw(const bank_trace *t, const char *title, const char *path,
                      bank_diagram_format format, char *err, size_t errlen);

/* How to draw. opaque_branches: each branch is a box, for a system seen only from its
 * customers' side (bank drive): the arrows end at its edge, and what passes between branches is
 * not drawn because it is not known. */
typedef struct {
    int opaque_branches;
} bank_diagram_style;

/* bank_diagram_draw with a style (NULL: the default one). */
int bank_diagram_draw_styled(const bank_trace *t, const char *title, const bank_diagram_style *style,
                             const char *path, bank_diagram_format format, char *err, size_t errlen);

/* Frees the caches cairo and fontconfig keep for the life of the process (so a leak checker
 * sees only real leaks). Call once, after the last drawing. */
void bank_diagram_release(void);

#endif
