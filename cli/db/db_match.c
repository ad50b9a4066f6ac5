/* db_match.c - `malgopher db match`: the nearest samples of the collection
 * for each file or digest, printed exactly as `malgopher match --db` prints
 * them (the same hits as `match --db` over `db export`). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db match [--db URI] [--measure fuzzy|set] [-t T] [-k K] [--json] [-r] [-j N]\n"
    "                          FILE|DIGEST...\n"
    "\n"
    "For each Go executable (or gimpfuzzy digest; gimpset digest with --measure\n"
    "set), print the samples of the collection whose gimpfuzzy (gimpset) scores\n"
    "at least T against it, best first: SCORE  KNOWN-PATH (a \"PATH\" line\n"
    "first), as `malgopher match --db` does.\n"
    "\n"
    "  --measure M         fuzzy (default) or set: gimpset, searched through the\n"
    "                      database's (slot, value) token index\n"
    "  -t, --threshold T   smallest score shown (default 66 for fuzzy, 35 for set)\n"
    "  -k, --top K         at most K matches per file (default 5, 0 = all)\n"
    "  --json              one object per file: {\"path\",\"gimpfuzzy\" (or \"gimpset\"),\"matches\":[..]}\n"
    "  -r, --recursive     descend into directories\n"
    "  -j N                hash with N threads (default: the number of CPUs)\n";

static bool print_hits(const cli_opts *o, const sample *s, const db_hit *h, size_t nh)
{
    match_line *m = calloc(nh ? nh : 1, sizeof *m);
    if (!m)
        return false;
    for (size_t j = 0; j < nh; j++)
        m[j] = (match_line){h[j].score, h[j].path, h[j].gimphash};
    print_matches(stdout, o->fmt == OUT_JSON, s->path, o->measure == MEASURE_SET ? "gimpset" : "gimpfuzzy",
                  o->measure == MEASURE_SET ? s->gimpset : s->gimpfuzzy, m, nh);
    free(m);
    return true;
}

static int match(const cli_opts *o)
{
    return db_query_run(o, print_hits);
}

int db_match(int argc, char **argv)
{
    return cli_run("db match", CMD_DB_MATCH, help, argc, argv, match);
}
