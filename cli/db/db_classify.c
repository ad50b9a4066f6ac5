/* db_classify.c - `malgopher db classify`: per file, the label of the
 * nearest labelled sample scoring at least the threshold, with its score
 * and the sample, or `unknown`. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db classify [--db URI] [--measure fuzzy|set] [-t T] [--json] [-r] [-j N]\n"
    "                             FILE|DIGEST...\n"
    "\n"
    "For each Go executable (or gimpfuzzy digest; gimpset digest with --measure\n"
    "set): PATH  LABEL  SCORE  SAMPLE, the nearest labelled sample scoring at\n"
    "least T (default 66 for fuzzy, 35 for set; ties: the oldest record), or\n"
    "PATH  unknown.\n"
    "\n"
    "  --measure M   fuzzy (default): gimpfuzzy; set: gimpset (docs/spec/gimpset.md)\n"
    "  --json   one object per file: {\"path\",\"label\",\"score\",\"sample\",\"gimphash\"}\n"
    "           (label, score and sample null when unknown)\n";

static bool print_label(const cli_opts *o, const sample *s, const db_hit *h, size_t nh)
{
    if (o->fmt == OUT_JSON) {
        fputs("{\"path\":", stdout);
        json_cstr(stdout, s->path);
        if (nh) {
            fputs(",\"label\":", stdout);
            json_cstr(stdout, h[0].label ? h[0].label : "");
            printf(",\"score\":%d,\"sample\":", h[0].score);
            json_cstr(stdout, h[0].path);
            fputs(",\"gimphash\":", stdout);
            json_cstr(stdout, h[0].gimphash);
            puts("}");
        } else
            puts(",\"label\":null,\"score\":null,\"sample\":null}");
    } else if (nh)
        text_line(stdout, "%s  %s  %d  %s", s->path, h[0].label ? h[0].label : "", h[0].score, h[0].path);
    else
        text_line(stdout, "%s  unknown", s->path);
    return true;
}

static int classify(const cli_opts *o)
{
    return db_query_run(o, print_label);
}

int db_classify(int argc, char **argv)
{
    return cli_run("db classify", CMD_DB_CLASSIFY, help, argc, argv, classify);
}
