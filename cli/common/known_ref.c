/* known_ref.c - owns where the front end finds the known-programs
 * reference (docs/known.md "Where the reference is"), the --no-known
 * switch, and the one way every command asks it about an image: loaded on
 * the first question only, a reference that fails to load said once on
 * standard error. */
#include "common/cli.h"
#include "known/known.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef MG_KNOWN_SOURCE_PATH
#define MG_KNOWN_SOURCE_PATH ""
#endif
#ifndef MG_KNOWN_INSTALL_PATH
#define MG_KNOWN_INSTALL_PATH ""
#endif

static char shipped[4200], local[4200];
static const char *paths[2];
static bool off;

static bool exists(const char *p)
{
    struct stat st;
    return p[0] && stat(p, &st) == 0;
}

bool known_local_path(char *out, size_t cap)
{
    const char *env = getenv("MALGOPHER_KNOWN_LOCAL"), *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n = env && *env ? snprintf(out, cap, "%s", env)
            : data && *data ? snprintf(out, cap, "%s/malgopher/known.jsonl", data)
            : home && *home ? snprintf(out, cap, "%s/.local/share/malgopher/known.jsonl", home)
                            : -1;
    return n > 0 && (size_t)n < cap;
}

/* the shipped reference: $MALGOPHER_KNOWN ("none": no shipped reference),
 * else the source tree's for a build-directory binary, else the installed */
static const char *shipped_path(void)
{
    const char *env = getenv("MALGOPHER_KNOWN");
    if (env && *env) {
        if (!strcmp(env, "none"))
            return NULL;
        snprintf(shipped, sizeof shipped, "%s", env); /* named: must exist */
        return shipped;
    }
    const char *p = exists(MG_KNOWN_SOURCE_PATH) ? MG_KNOWN_SOURCE_PATH : MG_KNOWN_INSTALL_PATH;
    if (!p[0])
        return NULL;
    snprintf(shipped, sizeof shipped, "?%s", p);
    return shipped;
}

static void configure(void)
{
    size_t n = 0;
    const char *s = shipped_path();
    if (s)
        paths[n++] = s;
    local[0] = '?'; /* the local reference may not exist yet */
    if (known_local_path(local + 1, sizeof local - 1))
        paths[n++] = local;
    mg_known_configure(paths, n);
}

void known_switch_off(void)
{
    off = true;
}

bool known_is_off(void)
{
    return off;
}

static pthread_once_t conf_once = PTHREAD_ONCE_INIT, said_once = PTHREAD_ONCE_INIT;
static const mg_error *load_err;

static void say_error(void)
{
    report_error("known programs", load_err->msg);
}

void known_setup(void)
{
    if (!off)
        pthread_once(&conf_once, configure);
}

const mg_known *known_ref(void)
{
    if (off)
        return NULL;
    pthread_once(&conf_once, configure);
    const mg_known *k = mg_known_default(&load_err);
    if (load_err)
        pthread_once(&said_once, say_error);
    return k;
}

int known_lookup(const mg_image *im, const char *sha256, mg_known_hit *out)
{
    const mg_known *k = im->is_go ? known_ref() : NULL;
    int n = k ? mg_known_lookup_image(k, im, sha256, out) : 0;
    return n < 0 ? 0 : n;
}

int known_lookup_digests(const char *gimphash, const char *gimpset, const char *module, long names,
                         mg_known_hit *out)
{
    const mg_known *k = gimpset && gimpset[0] ? known_ref() : NULL;
    mg_known_query q = {NULL, gimphash, gimpset, module, names};
    int n = k ? mg_known_lookup(k, &q, out) : 0;
    return n < 0 ? 0 : n;
}

void known_text(const mg_known_hit *h, int n, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = 0;
    for (int i = 0; i < n && at < cap; i++) {
        const mg_known_rec *r = h[i].rec;
        int w = snprintf(out + at, cap - at, "%s%s (%s %s %s, %s %d)", i ? " or " : "", r->name, r->source,
                         r->package, r->version, h[i].measure, h[i].score);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

void known_json(FILE *o, const mg_known_hit *h, int n)
{
    if (!n) {
        fputs("null", o);
        return;
    }
    for (int i = 0; i < n; i++) {
        const mg_known_rec *r = h[i].rec;
        fputs(i ? ",\"also\":{\"name\":" : "{\"name\":", o);
        json_cstr(o, r->name);
        fputs(",\"package\":", o);
        json_cstr(o, r->package);
        fputs(",\"version\":", o);
        json_cstr(o, r->version);
        fputs(",\"source\":", o);
        json_cstr(o, r->source);
        fprintf(o, ",\"score\":%d,\"measure\":\"%s\"", h[i].score, h[i].measure);
    }
    fputs(n > 1 ? "}}" : "}", o);
}
