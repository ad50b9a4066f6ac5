/* db_options.c - the value checks of the db subcommands' options (-t, -j,
 * --measure),
 * with the messages of the other commands.  The db subcommands parse their
 * argv themselves: their options (--db, --label, --source) are not rows of
 * the common option table yet. */
#include "db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool int_in(const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = arg ? strtol(arg, &end, 10) : 0;
    if (!arg || !*arg || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool db_parse_threshold(const char *cmd, const char *arg, int *t)
{
    long v;
    if (!int_in(arg, 1, 100, &v)) {
        usage_error(cmd, "the threshold must be an integer in 1..100, not '%s'", arg ? arg : "");
        return false;
    }
    *t = (int)v;
    return true;
}

bool db_parse_jobs(const char *cmd, const char *arg, unsigned *j)
{
    long v;
    if (!int_in(arg, 1, 64, &v)) {
        usage_error(cmd, "-j wants a thread count in 1..64, not '%s'", arg ? arg : "");
        return false;
    }
    *j = (unsigned)v;
    return true;
}

bool db_parse_measure(const char *cmd, const char *arg, measure_kind *m)
{
    if (arg && !strcmp(arg, "fuzzy"))
        *m = MEASURE_FUZZY;
    else if (arg && !strcmp(arg, "set"))
        *m = MEASURE_SET;
    else {
        usage_error(cmd, "--measure wants fuzzy or set, not '%s'", arg ? arg : "");
        return false;
    }
    return true;
}

int db_threshold(measure_kind m, int given)
{
    return given > 0 ? given : m == MEASURE_SET ? MG_DEFAULT_THRESHOLD_SET : MG_DEFAULT_THRESHOLD;
}
