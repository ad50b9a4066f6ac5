/* known_default.c - owns the one process-wide reference: the paths the
 * front end configures, read, merged and indexed on the first question
 * (pthread_once), so that a command that asks nothing of it (hash) never
 * reads it. */
#include "known/known.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *const *cfg_paths;
static size_t cfg_n;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static mg_known *ref;
static mg_error ref_err;
static bool ref_failed;

void mg_known_configure(const char *const *paths, size_t n)
{
    cfg_paths = paths;
    cfg_n = paths ? n : 0;
}

static void load(void)
{
    if (!cfg_n)
        return;
    mg_known *k;
    if (mg_known_new(&k, &ref_err) != MG_OK) {
        ref_failed = true;
        return;
    }
    for (size_t i = 0; i < cfg_n; i++) {
        const char *p = cfg_paths[i];
        bool optional = p[0] == '?';
        p += optional;
        mg_error e;
        mg_status st = mg_known_add_file(k, p, &e);
        if (st == MG_ERR_IO && optional)
            continue;
        if (st != MG_OK) {
            ref_err = e;
            if (st == MG_ERR_IO) /* the map's message does not name the file */
                snprintf(ref_err.msg, sizeof ref_err.msg, "%.100s: %.90s", p, e.msg);
            ref_failed = true;
            mg_known_free(k);
            return;
        }
    }
    if (mg_known_index(k, &ref_err) != MG_OK) {
        ref_failed = true;
        mg_known_free(k);
        return;
    }
    ref = k;
}

const mg_known *mg_known_default(const mg_error **err)
{
    pthread_once(&once, load);
    if (err)
        *err = ref_failed ? &ref_err : NULL;
    return ref;
}
