/* bank version (and bank --version): the version and the git commit this binary was built from,
 * both captured at build time (cmake/build_info.cmake). */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "bank_build_info.h"
#include "commands.h"

static const char version_usage[] =
    "usage: bank version\n"
    "       bank --version\n"
    "\n"
    "Prints the version, then the git commit this bank was built from (captured when it was\n"
    "built), with \"plus uncommitted changes\" when tracked files differed from that commit; a\n"
    "build made outside a git checkout says the commit is unknown, and why.\n"
    "\n"
    "  -h, --help          this text\n"
    "exit status: 0 printed, 2 bad usage.\n";

int bank_cmd_version(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(version_usage, stdout);
        return BANK_EXIT_OK;
    }
    if (argc > 1) return bank_usage_error("version", "unexpected argument \"%s\"", argv[1]);
    printf("bank (cse531-bank) %s\n", BANK_VERSION);
    if (BANK_GIT_COMMIT[0])
        printf("git commit %s%s\n", BANK_GIT_COMMIT, BANK_GIT_DIRTY ? " plus uncommitted changes" : "");
    else
        printf("git commit unknown: %s\n", BANK_GIT_UNKNOWN_WHY);
    return ferror(stdout) ? BANK_EXIT_FAILED : BANK_EXIT_OK;
}
