/* family_options.c - owns the options the family subcommands share: -r, -j N,
 * -t T, --from / --labels / --html FILE, and the checks of their values. */
#include "families.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* a decimal integer in [lo, hi], or false; arg may be NULL (missing) */
static bool int_in(const char *arg, long lo, long hi, long *v)
{
    char *end;
    if (!arg || !*arg)
        return false;
    *v = strtol(arg, &end, 10);
    return !*end && *v >= lo && *v <= hi;
}

bool parse_threshold(const char *cmd, const char *arg, int *t)
{
    long v;
    if (!int_in(arg, 1, 100, &v)) {
        usage_error(cmd, "threshold must be 1..100, not '%s'", arg ? arg : "");
        return false;
    }
    *t = (int)v;
    return true;
}

bool parse_jobs(const char *cmd, const char *arg, unsigned *j)
{
    long v;
    if (!int_in(arg, 1, 64, &v)) {
        usage_error(cmd, "-j wants 1..64 threads, not '%s'", arg ? arg : "");
        return false;
    }
    *j = (unsigned)v;
    return true;
}

unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

void family_opts_init(family_opts *o)
{
    memset(o, 0, sizeof *o);
    o->jobs = default_jobs();
    o->threshold = MG_DEFAULT_THRESHOLD;
}

int family_opt(const char *cmd, int argc, char **argv, int *i, family_opts *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "-r") || !strcmp(a, "--recursive")) {
        o->recursive = true;
        return 1;
    }
    if (!strcmp(a, "-j")) {
        if (!parse_jobs(cmd, v, &o->jobs))
            return -1;
    } else if (!strcmp(a, "-t") || !strcmp(a, "--threshold")) {
        if (!parse_threshold(cmd, v, &o->threshold))
            return -1;
    } else if (!strcmp(a, "--from") || !strcmp(a, "--labels") || !strcmp(a, "--html")) {
        if (!v) {
            usage_error(cmd, "%s needs a FILE", a);
            return -1;
        }
        *(a[2] == 'f' ? &o->from : a[2] == 'l' ? &o->labels : &o->html) = v;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}
