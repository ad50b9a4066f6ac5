/* cmd_match.c - `malgopher match --db HASHES.jsonl FILE...`: the nearest
 * known samples of each file, found through the similarity index over the
 * database's gimpset digests (--measure set) or gimpfuzzy digests. */
#include "families/families.h"
#include "common/options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher match --db HASHES.jsonl [--measure fuzzy|set] [-t T] [-k K] [--json]\n"
    "                       [-r] [-q] [-j N] [--files-from FILE [-0]] (PATH | DIGEST)...\n"
    "\n"
    "For each Go executable, print the known samples of the database (the\n"
    "output of `malgopher hash --json`) whose gimpset (or gimpfuzzy) scores at\n"
    "least T against it, best first:  SCORE  KNOWN-PATH  (a \"PATH\" line first),\n"
    "after one \"# measure M, threshold T\" line.\n"
    "An argument that is no file but a digest (an ssdeep digest BLOCKSIZE:SIG1:SIG2\n"
    "as `hash` prints it, or a gimpset gs1:256:...) is looked\n"
    "up as it is, as `compare` takes it.\n"
    "\n"
    "  --db FILE           the known samples (JSON Lines of `malgopher hash --json`)\n"
    "  --measure M         set (default, as cluster): gimpset, the estimated Jaccard\n"
    "                      similarity of the programs' own function-name sets\n"
    "                      (docs/spec/gimpset.md); a known sample or a query\n"
    "                      without a gimpset (an older hash line, an ssdeep\n"
    "                      digest) is scored by gimpfuzzy at 66 and marked so;\n"
    "                      fuzzy: gimpfuzzy, libfuzzy's fuzzy_compare\n"
    "  -t, --threshold T   smallest score shown (default 35 for set, 66 for fuzzy)\n"
    "  -k, --top K         at most K matches per file (default 5, 0 = all)\n"
    "  --json              one object per file: {\"path\",\"measure\",\"threshold\",\"gimpset\" (or\n"
    "                      \"gimpfuzzy\"),\"known\",\"matches\":[..]}\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         no line for a file that is not a Go executable\n"
    "  -j, --jobs N        hash with N threads (default: the number of CPUs)\n"
    "  --no-known          no \"known\" line (the known program a file is,\n"
    "                      docs/known.md): the reference is not read\n"
    HELP_FILES_FROM
    "\n"
    HELP_ESCAPES
    "\n"
    "exit status: 0 every file hashed, 1 some could not be, 2 usage error or a\n"
    "--db that is not `hash --json` output.\n";

/* a sample argument that is no file but a digest (of either measure) */
static bool is_digest_arg(const char *arg)
{
    return !sample_exists(arg) && (is_gimpset_digest(arg) || is_ssdeep_digest(arg));
}

/* the indexes over the known samples: set over their gimpsets, fuzzy_rest
 * over the gimpfuzzy of those without a gimpset (scored by gimpfuzzy
 * against a gimpset query), fuzzy over every gimpfuzzy */
typedef struct known_ix {
    mg_setindex *set;
    mg_simindex *fuzzy_rest, *fuzzy;
    const char **dig[3]; /* the digests of each (the indexes point into them) */
    bool any_without_set;
} known_ix;

static bool build_ix(const sampleset *k, known_ix *x, const char *db)
{
    mg_error e;
    bool ok = true;
    for (int j = 0; j < 3; j++)
        ok = ok && (x->dig[j] = calloc(k->n ? k->n : 1, sizeof *x->dig[j])) != NULL;
    for (size_t i = 0; ok && i < k->n; i++) {
        const sample *v = &k->v[i];
        x->dig[0][i] = v->gimpset[0] ? v->gimpset : NULL;
        x->dig[1][i] = v->no_names || v->gimpset[0] ? NULL : v->gimpfuzzy;
        x->dig[2][i] = v->no_names ? NULL : v->gimpfuzzy;
        x->any_without_set |= !v->gimpset[0];
    }
    if (!ok) {
        report_error(db, mg_status_reason(MG_ERR_NOMEM));
        return false;
    }
    ok = mg_setindex_build(x->dig[0], k->n, &x->set, &e) == MG_OK &&
         mg_simindex_build(x->dig[1], k->n, &x->fuzzy_rest, &e) == MG_OK &&
         mg_simindex_build(x->dig[2], k->n, &x->fuzzy, &e) == MG_OK;
    if (!ok)
        report_error(db, e.msg);
    return ok;
}

static void free_ix(known_ix *x)
{
    mg_setindex_free(x->set);
    mg_simindex_free(x->fuzzy_rest);
    mg_simindex_free(x->fuzzy);
    for (int j = 0; j < 3; j++)
        free(x->dig[j]);
}

static int by_score_index(const void *a, const void *b)
{
    const mg_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* the hits of one query: by its measure, and (set) the known samples
 * without a gimpset by gimpfuzzy, marked with fallback (index | 1 << 31) */
static bool query_one(const known_ix *x, const sample *q, bool set, int t, mg_hit **hits, size_t *nh, mg_error *e)
{
    *hits = NULL;
    *nh = 0;
    if (!set)
        return q->no_names || mg_simindex_query(x->fuzzy, q->gimpfuzzy, t, hits, nh, e) == MG_OK;
    if (mg_setindex_query(x->set, q->gimpset, t, hits, nh, e) != MG_OK)
        return false;
    if (!x->any_without_set || q->no_names || !q->gimpfuzzy[0])
        return true;
    mg_hit *more = NULL;
    size_t nm = 0;
    if (mg_simindex_query(x->fuzzy_rest, q->gimpfuzzy, FALLBACK_THRESHOLD, &more, &nm, e) != MG_OK)
        return false;
    mg_hit *all = nm ? realloc(*hits, (*nh + nm) * sizeof *all) : *hits;
    if (nm && !all) {
        free(more);
        e->code = MG_ERR_NOMEM;
        snprintf(e->msg, sizeof e->msg, "%s", mg_status_reason(MG_ERR_NOMEM));
        return false;
    }
    for (size_t i = 0; i < nm; i++)
        all[*nh + i] = (mg_hit){more[i].index | 1u << 31, more[i].score};
    free(more);
    *hits = all;
    *nh += nm;
    if (*nh)
        qsort(*hits, *nh, sizeof **hits, by_score_index);
    return true;
}

/* print the hits of query q: false when out of memory */
static bool answer(const cli_opts *o, const sampleset *known, const known_ix *x, const sample *q)
{
    bool set = o->measure == MEASURE_SET;
    match_query mq = {.path = q->path, .threshold = o->threshold};
    if (set && !q->gimpset[0]) { /* an ssdeep digest given: gimpfuzzy for it */
        set = false;
        mq.note = "no gimpset";
        mq.threshold = FALLBACK_THRESHOLD;
    } else if (!set && !q->gimpfuzzy[0] && q->gimpset[0]) { /* a gimpset digest given */
        set = true;
        mq.note = "no gimpfuzzy";
        mq.threshold = MG_DEFAULT_THRESHOLD_SET;
    }
    mq.measure = measure_name(set ? MEASURE_SET : MEASURE_FUZZY);
    match_query_known(&mq, q);
    mq.digest = set ? q->gimpset : q->gimpfuzzy;
    mg_hit *hits;
    size_t nh;
    mg_error e;
    if (!query_one(x, q, set, mq.threshold, &hits, &nh, &e)) {
        report_error(q->path, e.msg);
        return false;
    }
    if (o->top > 0 && nh > (size_t)o->top)
        nh = (size_t)o->top;
    match_line *m = calloc(nh ? nh : 1, sizeof *m);
    for (size_t h = 0; m && h < nh; h++) {
        const sample *k = &known->v[hits[h].index & ~(1u << 31)];
        m[h] = (match_line){hits[h].score, k->path, k->gimphash, NULL, hits[h].index >> 31};
    }
    if (m)
        print_matches(stdout, o->fmt == OUT_JSON, &mq, m, nh);
    else
        report_error(q->path, mg_status_reason(MG_ERR_NOMEM));
    free(m);
    free(hits);
    return m != NULL;
}

/* the nearest known samples of each sample o names */
static int match(const cli_opts *o)
{
    if (!o->db)
        return usage_error("match", "--db HASHES.jsonl is required");
    if (!cli_want_args(o, 1, -1, "PATH"))
        return EXIT_USAGE;
    sampleset known = {0}, q = {0};
    if (!samples_from_jsonl(&known, o->db)) {
        samples_free(&known);
        return EXIT_USAGE;
    }
    size_t failed = 0;
    for (int a = 0, b; a < o->nargs; a = b) { /* runs of files, and digests given as they are */
        if (is_digest_arg(o->args[a])) {
            failed += !samples_add_digest(&q, o->args[a]);
            b = a + 1;
            continue;
        }
        for (b = a; b < o->nargs && !is_digest_arg(o->args[b]); b++)
            ;
        failed += samples_from_paths(&q, o->args + a, b - a, o->recursive, (unsigned)o->jobs, o->quiet);
    }
    known_ix x = {0};
    int rc = EXIT_SOME_FAILED;
    if (build_ix(&known, &x, o->db)) {
        print_match_header(stdout, o->fmt == OUT_JSON, o->measure, o->threshold);
        for (size_t k = 0; k < q.n; k++)
            failed += !answer(o, &known, &x, &q.v[k]);
        rc = failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
    }
    out_flush(stdout);
    free_ix(&x);
    samples_free(&known);
    samples_free(&q);
    return rc;
}

int cmd_match(int argc, char **argv)
{
    return cli_run("match", CMD_MATCH, help, argc, argv, match);
}
