/* For tests of what runs other programs (bench's table, branch processes, --start): a shell
 * script written as a stand-in `bank` into a fresh folder, and a regular-expression match for
 * the lines those programs' pids and paths make unpredictable. */
#ifndef BANK_TESTS_STAND_IN_H
#define BANK_TESTS_STAND_IN_H

#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* dir (a mkdtemp template, e.g. "/tmp/bank-x-XXXXXX") made, and script written to dir/bank as
 * an executable (its path into exe). */
static inline void stand_in_write(char *dir, char *exe, size_t exe_len, const char *script)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(exe, exe_len, "%s/bank", dir);
    FILE *f = fopen(exe, "w");
    cr_assert_not_null(f);
    fputs(script, f);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(exe, 0700), 0);
}

/* Does text match the extended regular expression pattern? */
static inline int text_matches(const char *text, const char *pattern)
{
    regex_t re;
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0, "%s", pattern);
    int ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

#endif
