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
    "For each Go executable (or gimpset or gimpfuzzy digest), print the samples\n"
    "of the collection whose gimpset (gimpfuzzy) scores at least T against it,\n"
    "best first: SCORE  KNOWN-PATH  [LABEL] (a \"PATH\" line first), after one\n"
    "\"# measure M, threshold T\" line, as `malgopher match --db` does.\n"
    "\n"
    "  --measure M         set (default, as cluster): gimpset, searched through the\n"
    "                      database's (slot, value) token index; records or\n"
    "                      queries without a gimpset are scored by gimpfuzzy at 66\n"
    "                      and marked so; fuzzy: gimpfuzzy\n"
    "  -t, --threshold T   smallest score shown (default 35 for set, 66 for fuzzy)\n"
    "  -k, --top K         at most K matches per file (default 5, 0 = all)\n"
    "  --json              one object per file: {\"path\",\"measure\",\"threshold\",\"gimpset\"\n"
    "                      (or \"gimpfuzzy\"),\"known\",\"matches\":[{..,\"label\"}..]}\n"
    "  --no-known          no \"known\" line (docs/known.md): the reference is not read\n"
    "  -r, --recursive     descend into directories\n"
    "  -j N                hash with N threads (default: the number of CPUs)\n";

static bool print_hits(const cli_opts *o, db *d, const sample *s)
{
    match_query q;
    db_hit *h;
    size_t nh;
    if (!db_query_hits(d, s, o->measure, o->threshold, (size_t)o->top, 0, &q, &h, &nh))
        return false;
    q.labels = true;
    match_query_known(&q, s);
    match_line *m = calloc(nh ? nh : 1, sizeof *m);
    for (size_t j = 0; m && j < nh; j++)
        m[j] = (match_line){h[j].score, h[j].path, h[j].gimphash, h[j].label, h[j].fallback};
    if (m)
        print_matches(stdout, o->fmt == OUT_JSON, &q, m, nh);
    else
        report_error(s->path, mg_status_reason(MG_ERR_NOMEM));
    free(m);
    db_hits_free(h, nh);
    return m != NULL;
}

static int match(const cli_opts *o)
{
    return db_query_run(o, print_hits);
}

int db_match(int argc, char **argv)
{
    return cli_run("db match", CMD_DB_MATCH, help, argc, argv, match);
}
