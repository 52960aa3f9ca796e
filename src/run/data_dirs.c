/* The data dirs of a run's branches (see data_dirs.h). */
#include "data_dirs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bank_data_dir_of(const char *data_dir, int64_t id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/branch-%lld", data_dir, (long long)id);
}

int bank_data_dirs_fresh(const bank_workload *w, const char *data_dir, char *err, size_t errlen)
{
    struct stat sb;
    if (mkdir(data_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "--data-dir: cannot make %s: %s", data_dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < w->n_branches; i++) {
        char dir[4096];
        bank_data_dir_of(data_dir, w->branches[i].id, dir, sizeof dir);
        if (stat(dir, &sb) == 0) {
            snprintf(err, errlen, "--data-dir: %s is there already (a run starts from the input's "
                                  "balances: give a new or empty directory)", dir);
            return -1;
        }
    }
    return 0;
}

/* Calls fn on each regular file of every branch's dir; returns the sum of what it returns. */
static uint64_t each_file(const bank_workload *w, const char *data_dir, uint64_t (*fn)(const char *path))
{
    uint64_t sum = 0;
    for (size_t i = 0; i < w->n_branches; i++) {
        char dir[4096], path[4400];
        bank_data_dir_of(data_dir, w->branches[i].id, dir, sizeof dir);
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            sum += fn(path);
        }
        if (d) closedir(d);
    }
    return sum;
}

static uint64_t remove_file(const char *path) { return unlink(path) == 0; }

static uint64_t file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
}

void bank_data_dirs_remove(const bank_workload *w, const char *data_dir)
{
    each_file(w, data_dir, remove_file);
    for (size_t i = 0; i < w->n_branches; i++) {
        char dir[4096];
        bank_data_dir_of(data_dir, w->branches[i].id, dir, sizeof dir);
        rmdir(dir);
    }
}

uint64_t bank_data_dirs_bytes(const bank_workload *w, const char *data_dir)
{
    return each_file(w, data_dir, file_bytes);
}
