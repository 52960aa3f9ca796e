/* A program that does, on request, what the sanitizers catch: sanitizer_exit.sh checks that the
 * test environment gives each its own exit status. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile kept; /* a leak the compiler cannot see through */

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "leak") == 0) {
        kept = malloc(32);
        kept = NULL;
        return 1; /* what a command that fails returns: the leak must still show */
    }
    if (strcmp(what, "overflow") == 0) {
        char *p = malloc(4);
        p[4 + (argc > 5)] = 1;
        free(p);
        return 1;
    }
    if (strcmp(what, "undefined") == 0) {
        volatile int big = INT_MAX;
        printf("%d\n", big + 1);
        return 1;
    }
    return 0;
}
