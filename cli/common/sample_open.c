/* sample_open.c - owns what a sample argument names: a file, a slice of a
 * fat file written FILE:ARCH (as `hash` names slices), or an ssdeep digest
 * given literally; opening its Go image without blocking on a FIFO. */
#include "common/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool is_ssdeep_digest(const char *arg)
{
    return arg[0] >= '0' && arg[0] <= '9' && strchr(arg, ':') && strlen(arg) < 160 &&
           mg_fuzzy_compare(arg, arg) >= 0;
}

bool is_gimpset_digest(const char *arg)
{
    uint32_t slots[MG_GIMPSET_K];
    return !strncmp(arg, "gs1:", 4) && mg_gimpset_decode(arg, slots) >= 0;
}

bool sample_exists(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0)
        return true;
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg)
        return false;
    char *file = strndup(arg, (size_t)(colon - arg));
    bool ok = file && stat(file, &st) == 0;
    free(file);
    return ok;
}

bool open_sample(const char *arg, unsigned opts, mg_file **f, size_t *img, const char **why)
{
    struct stat st;
    char *file = NULL;
    const char *path = arg, *want_arch = NULL, *colon = strrchr(arg, ':');
    if (stat(arg, &st) != 0 && colon && colon != arg &&
        (file = strndup(arg, (size_t)(colon - arg))) && stat(file, &st) == 0) {
        path = file; /* FILE:ARCH */
        want_arch = colon + 1;
    }
    static _Thread_local char msg[sizeof ((mg_error *)0)->msg];
    bool found = false;
    mg_error e;
    if ((*why = regular_file_problem(path)))
        goto out;
    if (mg_file_open_ex(path, opts, f, &e) != MG_OK) {
        snprintf(msg, sizeof msg, "%s", e.msg);
        *why = msg;
        goto out;
    }
    for (size_t i = 0; !found && i < mg_file_image_count(*f); i++) {
        const mg_image *im = mg_file_image(*f, i);
        const char *arch = im->arch[0] ? im->arch : "unknown";
        if (im->is_go && (!want_arch || !strcmp(arch, want_arch))) {
            *img = i;
            found = true;
        }
    }
    if (!found) {
        *why = want_arch ? "no Go slice of that architecture" : mg_status_reason(MG_ERR_NOT_GO);
        mg_file_close(*f);
    }
out:
    free(file);
    return found;
}
