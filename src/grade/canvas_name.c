/* Splitting a Canvas submission file name into student, lateness and the student's own name. */
#include "canvas_name.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static size_t digits(const char *s)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n])) n++;
    return n;
}

/* The user id at s: digits, or "anon_" and letters or digits; its length, or 0. */
static size_t user_id(const char *s)
{
    size_t n = digits(s);
    if (n) return n;
    if (strncmp(s, "anon_", 5) != 0) return 0;
    n = 5;
    while (isalnum((unsigned char)s[n])) n++;
    return n > 5 ? n : 0;
}

/* Parses "[LATE_]<id>_<attachment>_<file>" or "[LATE_]<id>_text.html" at s. */
static int rest_of(const char *s, bank_canvas_name *out)
{
    int late = strncasecmp(s, "late_", 5) == 0;
    if (late) s += 5;
    size_t id = user_id(s);
    if (!id || s[id] != '_' || id >= sizeof out->id) return -1;
    const char *after = s + id + 1;
    const char *file;
    size_t att = digits(after);
    if (att && after[att] == '_' && after[att + 1]) file = after + att + 1;
    else if (strcmp(after, "text.html") == 0 || strcmp(after, "link.html") == 0) file = after;
    else return -1;
    memcpy(out->id, s, id);
    out->id[id] = '\0';
    out->late = late;
    out->file = file;
    return 0;
}

int bank_canvas_name_parse(const char *member, bank_canvas_name *out)
{
    memset(out, 0, sizeof *out);
    if (strchr(member, '/')) return -1;
    /* The name is letters, digits and "_" (Canvas removes the rest; bytes past ASCII are letters
     * of other scripts), so the prefix ends at the first "_" after which the rest parses. */
    for (size_t start = 0;; start++) {
        if (start == 0 || (start > 1 && member[start - 1] == '_')) { /* no name, or one of 1+ */
            size_t name_len = start ? start - 1 : 0;
            if (name_len < sizeof out->name && rest_of(member + start, out) == 0) {
                memcpy(out->name, member, name_len);
                out->name[name_len] = '\0';
                return 0;
            }
        }
        unsigned char c = (unsigned char)member[start];
        if (!c || !(isalnum(c) || c == '_' || c >= 0x80)) return -1;
    }
}
