/* db_classify.c - `malgopher db classify`: per file, the label of the
 * nearest labelled sample scoring at least the threshold under the chosen
 * measure, with its score and the sample, or `unknown`; and the evidence:
 * the nearest labelled sample even below the threshold, the other
 * measure's opinion, and the file's own identity (build info's main
 * module@version, else its dominant own-package prefix). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db classify [--db URI] [--measure set|fuzzy] [-t T] [--json] [-r] [-j N]\n"
    "                             FILE|DIGEST...\n"
    "\n"
    "For each Go executable (or gimpset or gimpfuzzy digest): PATH  LABEL  SCORE\n"
    "SAMPLE, the nearest labelled sample scoring at least T under the measure\n"
    "(default gimpset at 35, as cluster; gimpfuzzy at 66 with --measure fuzzy;\n"
    "ties: the oldest record), or PATH  unknown; then the evidence, indented:\n"
    "  nearest: the nearest labelled sample when it scores below T\n"
    "  MEASURE: the other measure's label (or unknown) and its nearest\n"
    "  identity: the file's main module@version (build info) or else the\n"
    "            dominant prefix of its own packages\n"
    "A first \"# measure M, threshold T\" line names what decided.  A record or a\n"
    "query without a gimpset is scored by gimpfuzzy at 66, and the line says so.\n"
    "\n"
    "  --measure M   set (default): gimpset (docs/spec/gimpset.md); fuzzy: gimpfuzzy\n"
    "  --no-known    known programs left out (the reference is not read)\n"
    "  --json   one object per file: {\"path\",\"measure\",\"threshold\",\"label\",\"score\",\n"
    "           \"sample\",\"gimphash\",\"nearest\":{\"label\",\"score\",\"sample\",\"measure\"},\n"
    "           \"other\":{\"measure\",\"threshold\",\"label\",\"score\",\"sample\"},\n"
    "           \"identity\",\"identity_from\"} (label, score and sample null when\n"
    "           unknown; nearest and other null when no labelled sample is near),\n"
    "           \"known\" (the known program it is, or null)\n"
    "A known program (docs/known.md) counts as a labelled sample: its name is\n"
    "the label when no sample of the collection scores as high (sample\n"
    "\"known:SOURCE PACKAGE VERSION\"); --no-known leaves it out.\n";

/* one measure's answer: the labelled hit at its threshold, and the nearest */
typedef struct opinion {
    match_query q;
    db_hit *hit, *near; /* hit: NULL when unknown; near: NULL when none */
    size_t nhit, nnear;
} opinion;

static void opinion_free(opinion *p)
{
    db_hits_free(p->hit, p->nhit);
    db_hits_free(p->near, p->nnear);
}

static bool ask(db *d, const sample *s, int measure, int t, opinion *p)
{
    memset(p, 0, sizeof *p);
    match_query nq;
    if (!db_query_hits(d, s, measure, t, 1, DBS_LABELLED, &p->q, &p->hit, &p->nhit))
        return false;
    if (p->nhit) /* the nearest is the hit */
        return true;
    return db_query_hits(d, s, measure, 1, 1, DBS_LABELLED, &nq, &p->near, &p->nnear);
}

static const db_hit *nearest_of(const opinion *p)
{
    return p->nhit ? p->hit : p->nnear ? p->near : NULL;
}

/* a known program counts as a labelled sample (docs/known.md): it decides
 * when the collection has no labelled sample at the threshold, or (gimpset)
 * one scoring lower */
static bool known_decides(const opinion *a, const match_query *k)
{
    return k->nknown > 0 && (!a->nhit || (!strcmp(a->q.measure, "gimpset") && !a->hit->fallback &&
                                          k->known[0].score > a->hit->score));
}

static void known_sample(const mg_known_hit *h, char *out, size_t cap)
{
    snprintf(out, cap, "known:%s %s %s", h->rec->source, h->rec->package, h->rec->version);
}

static void print_json(const sample *s, const opinion *a, const opinion *b, const char *id, const char *from,
                       const match_query *k)
{
    fputs("{\"path\":", stdout);
    json_cstr(stdout, s->path);
    printf(",\"measure\":\"%s\",\"threshold\":%d", a->q.measure, a->q.threshold);
    if (a->q.note) {
        fputs(",\"note\":", stdout);
        json_cstr(stdout, a->q.note);
    }
    if (k->nknown >= 0) {
        fputs(",\"known\":", stdout);
        known_json(stdout, k->known, k->nknown);
    }
    if (known_decides(a, k)) {
        char ks[600];
        known_sample(&k->known[0], ks, sizeof ks);
        fputs(",\"label\":", stdout);
        json_cstr(stdout, k->known[0].rec->name);
        printf(",\"score\":%d,\"sample\":", k->known[0].score);
        json_cstr(stdout, ks);
        fputs(",\"gimphash\":", stdout);
        json_cstr(stdout, k->known[0].rec->gimphash);
    } else if (a->nhit) {
        fputs(",\"label\":", stdout);
        json_cstr(stdout, a->hit->label ? a->hit->label : "");
        printf(",\"score\":%d,\"sample\":", a->hit->score);
        json_cstr(stdout, a->hit->path);
        fputs(",\"gimphash\":", stdout);
        json_cstr(stdout, a->hit->gimphash);
    } else
        fputs(",\"label\":null,\"score\":null,\"sample\":null", stdout);
    const db_hit *n = nearest_of(a), *o = nearest_of(b);
    fputs(",\"nearest\":", stdout);
    if (n) {
        fputs("{\"label\":", stdout);
        json_cstr(stdout, n->label ? n->label : "");
        printf(",\"score\":%d,\"sample\":", n->score);
        json_cstr(stdout, n->path);
        printf(",\"measure\":\"%s\"}", n->fallback ? "gimpfuzzy" : a->q.measure);
    } else
        fputs("null", stdout);
    printf(",\"other\":{\"measure\":\"%s\",\"threshold\":%d,\"label\":", b->q.measure, b->q.threshold);
    if (b->nhit)
        json_cstr(stdout, b->hit->label ? b->hit->label : "");
    else
        fputs("null", stdout);
    printf(",\"score\":");
    if (o) {
        printf("%d,\"sample\":", o->score);
        json_cstr(stdout, o->path);
    } else
        fputs("null,\"sample\":null", stdout);
    fputs("},\"identity\":", stdout);
    if (id[0]) {
        json_cstr(stdout, id);
        printf(",\"identity_from\":\"%s\"}\n", from);
    } else
        puts("null,\"identity_from\":null}");
}

static void print_text(const sample *s, const opinion *a, const opinion *b, const char *id, const char *from,
                       const match_query *k)
{
    char ks[600];
    if (known_decides(a, k)) {
        known_sample(&k->known[0], ks, sizeof ks);
        text_line(stdout, "%s  %s  %d  %s  (%s)", s->path, k->known[0].rec->name, k->known[0].score, ks,
                  k->known[0].measure);
    } else if (a->nhit)
        text_line(stdout, "%s  %s  %d  %s%s%s", s->path, a->hit->label ? a->hit->label : "", a->hit->score,
                  a->hit->path, a->hit->fallback ? "  (gimpfuzzy: no gimpset)" : "",
                  a->q.note ? "  (gimpfuzzy: the query has no gimpset)" : "");
    else
        text_line(stdout, "%s  unknown%s", s->path, a->q.note ? "  (gimpfuzzy: the query has no gimpset)" : "");
    if (!a->nhit && a->nnear)
        text_line(stdout, "  nearest: %s  %d  %s  (below %d)", a->near->label ? a->near->label : "",
                  a->near->score, a->near->path, a->near->fallback ? FALLBACK_THRESHOLD : a->q.threshold);
    const db_hit *o = nearest_of(b);
    if (b->nhit)
        text_line(stdout, "  %s: %s  %d  %s", b->q.measure, o->label ? o->label : "", o->score, o->path);
    else if (o)
        text_line(stdout, "  %s: unknown (nearest %s  %d  %s, below %d)", b->q.measure, o->label ? o->label : "",
                  o->score, o->path, b->q.threshold);
    else
        text_line(stdout, "  %s: unknown", b->q.measure);
    if (id[0])
        text_line(stdout, "  identity: %s  (%s)", id, from);
    if (k->nknown > 0) {
        known_text(k->known, k->nknown, ks, sizeof ks);
        text_line(stdout, "  known: %s", ks);
    }
}

static bool classify_one(const cli_opts *o, db *d, const sample *s)
{
    int other = o->measure == MEASURE_SET ? MEASURE_FUZZY : MEASURE_SET;
    opinion a, b;
    bool ok = ask(d, s, o->measure, o->threshold, &a) &&
              ask(d, s, other, other == MEASURE_SET ? MG_DEFAULT_THRESHOLD_SET : MG_DEFAULT_THRESHOLD, &b);
    if (ok) {
        char id[256] = "";
        const char *from = NULL;
        if (s->module[0]) {
            snprintf(id, sizeof id, "%s%s%s", s->module, s->modver[0] ? "@" : "", s->modver);
            from = "buildinfo";
        } else if (s->prefix[0]) {
            snprintf(id, sizeof id, "%s", s->prefix);
            from = "packages";
        }
        match_query k = {0};
        match_query_known(&k, s);
        if (o->fmt == OUT_JSON)
            print_json(s, &a, &b, id, from, &k);
        else
            print_text(s, &a, &b, id, from, &k);
    }
    opinion_free(&a);
    opinion_free(&b);
    return ok;
}

static int classify(const cli_opts *o)
{
    return db_query_run(o, classify_one);
}

int db_classify(int argc, char **argv)
{
    return cli_run("db classify", CMD_DB_CLASSIFY, help, argc, argv, classify);
}
