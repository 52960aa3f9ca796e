/* Runs protoc on a .proto file into a temporary descriptor set and reads it back. */
#include "proto_compile.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "read_file.h"

extern char **environ;

/* The first line of protoc's complaints, read from the file it wrote them to. */
static void first_line(const char *path, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fgets(out, (int)n, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

int bank_proto_compile(const char *proto_path, unsigned char **bytes, size_t *len, char *err,
                       size_t errlen)
{
    *bytes = NULL;
    *len = 0;
    struct stat st;
    errno = 0; /* a folder sets none: the message must not name an earlier call's failure */
    if (stat(proto_path, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: cannot open: %s", proto_path,
                 errno ? strerror(errno) : "not a regular file");
        return -1;
    }
    char dir[] = "/tmp/bank-proto-XXXXXX";
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a temporary folder for protoc: %s", strerror(errno));
        return -1;
    }
    char out_path[64], log_path[64], out_opt[96];
    snprintf(out_path, sizeof out_path, "%s/set.pb", dir);
    snprintf(log_path, sizeof log_path, "%s/protoc.log", dir);
    snprintf(out_opt, sizeof out_opt, "--descriptor_set_out=%s", out_path);
    char *folder = strdup(proto_path);
    char *include = NULL;
    int rc = -1;
    if (folder) {
        char *slash = strrchr(folder, '/');
        if (!slash) strcpy(folder, ".");
        else if (slash == folder) folder[1] = '\0';
        else *slash = '\0';
        size_t n = strlen(folder) + 3;
        include = malloc(n);
        if (include) snprintf(include, n, "-I%s", folder);
    }
    if (!include) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    char *argv[] = {"protoc", include, "--include_imports", out_opt, (char *)proto_path, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int spawned = posix_spawnp(&pid, "protoc", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (spawned != 0) {
        snprintf(err, errlen, "cannot run protoc: %s (it comes with Debian's protobuf-compiler: "
                              "apt-get install protobuf-compiler)", strerror(spawned));
        goto done;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char why[400];
        first_line(log_path, why, sizeof why);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(err, errlen, "cannot run protoc (apt-get install protobuf-compiler)");
        else
            snprintf(err, errlen, "protoc cannot read %s: %s", proto_path,
                     why[0] ? why : "it failed without saying why");
        goto done;
    }
    char *data;
    if (bank_read_file(out_path, &data, len, err, errlen) != 0) goto done;
    *bytes = (unsigned char *)data;
    rc = 0;
done:
    unlink(out_path);
    unlink(log_path);
    rmdir(dir);
    free(folder);
    free(include);
    return rc;
}
