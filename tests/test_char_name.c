/* Naming a file in a drawing's title: every byte that starts no well-formed UTF-8 character is
 * written '?', a well-formed character is kept whole, and one that would not fit is left out. */
#include <criterion/criterion.h>

#include "io/char_name.h"

/* a trace file's name as bank diagram's default title (cairo draws UTF-8 only) */
Test(char_name, a_file_name_is_made_fit_for_a_title)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"run.jsonl", "run.jsonl"},
        {"run-\xff.jsonl", "run-?.jsonl"},
        {"caf\xc3\xa9/\xe2\x80\x9c\xf0\x9f\x8f\xa6", "caf\xc3\xa9/\xe2\x80\x9c\xf0\x9f\x8f\xa6"},
        {"cut \xc3", "cut ?"},
        {"overlong \xc0\xaf", "overlong ??"},
        {"surrogate \xed\xa0\x80", "surrogate ???"},
        {"past \xf4\x90\x80\x80", "past ????"},
        {"\x80\xbf", "??"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[64];
        memset(out, 'x', sizeof out);
        bank_utf8_printable(cases[i].in, out, sizeof out);
        cr_expect_str_eq(out, cases[i].out, "case %zu", i);
    }
    /* room for n - 1 bytes: whole characters only */
    const char *wide = "h\xc3\xa9llo";
    static const char *const cut[] = {"", "", "h", "h", "h\xc3\xa9", "h\xc3\xa9l"};
    for (size_t n = 1; n <= 5; n++) {
        char out[8];
        memset(out, 'x', sizeof out);
        bank_utf8_printable(wide, out, n);
        cr_expect_str_eq(out, cut[n], "n = %zu", n);
        cr_expect_eq(out[n], 'x', "n = %zu: a byte past n written", n);
    }
}
