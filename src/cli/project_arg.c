/* --project N, for the commands that run or grade another project than Project 1: read and taken
 * out of argv before the command's own options are parsed (see commands.h). */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

int bank_take_project(int *argc, char **argv)
{
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        int taken = strncmp(argv[i], "--project=", 10) == 0 ? 1 : strcmp(argv[i], "--project") == 0 ? 2 : 0;
        if (!taken) continue;
        const char *v = taken == 1 ? argv[i] + 10 : i + 1 < *argc ? argv[i + 1] : "";
        char *end;
        long n = strtol(v, &end, 10);
        if (end == v || *end != '\0' || n < 1 || n > 3) return -1;
        if (taken == 2 && i + 1 >= *argc) return -1;
        for (int k = i; k + taken <= *argc; k++) argv[k] = argv[k + taken];
        *argc -= taken;
        return (int)n;
    }
    return 1;
}
