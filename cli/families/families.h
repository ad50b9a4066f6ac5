/* families.h - what the family subcommands (cluster, match, eval) share:
 * a set of hashed samples, a labels table, the similarity graph and the
 * families at a threshold, and the HTML report. */
#ifndef MG_CLI_FAMILIES_H
#define MG_CLI_FAMILIES_H

#include "common/cli.h"
#include "known/known.h"

/* ---- sample_set.c: one Go image each ---- */
typedef struct sample {
    char *path;          /* as shown: PATH or PATH:ARCH for a slice */
    char *file;          /* the file it came from */
    char arch[16];
    char gimphash[65];
    char gimpfuzzy[160];
    char filefuzzy[160]; /* ssdeep of the whole file ("" until computed) */
    char gimpset[MG_GIMPSET_LEN]; /* "" when unknown (older hash --json lines) */
    bool no_names;       /* gimphash of empty input: kept out of the graph */
    /* what the file says it is ("" when unknown, e.g. from hash --json) */
    char module[160];    /* build info's main module path */
    char modver[64];     /* and its version */
    char prefix[160];    /* the dominant own-package prefix (identity.c) */
    char gover[40];      /* Go version */
    char os[16];
    char known[64];      /* the known program it is (docs/known.md), "" when none */
    long gimpset_names;  /* the names its gimpset stands on; -1 when not known */
    char ident[160];     /* mg_known_identity: what the known lookup compares */
} sample;

typedef struct sampleset {
    sample *v;
    size_t n, cap;
} sampleset;

/* Hash the files named by paths (directories with recursive) with jobs
 * threads; errors go to stderr in input order (quiet: not the "not a Go
 * executable" ones).  Returns the failures. */
size_t samples_from_paths(sampleset *s, char **paths, int n, bool recursive, unsigned jobs, bool quiet);
/* an ssdeep digest given as a sample (match, as compare takes them) */
bool samples_add_digest(sampleset *s, const char *digest);
/* Read `malgopher hash --json` lines.  Returns false (after a message) when
 * the file cannot be read, a line is not such an object, or it holds no
 * sample at all (the callers then exit 2: wrong input). */
bool samples_from_jsonl(sampleset *s, const char *file);
/* Fill filefuzzy for every sample.  Returns the files that failed. */
size_t samples_filefuzzy(sampleset *s, unsigned jobs);
void samples_free(sampleset *s);

/* ---- hashdb_read.c: one flat JSON object (our own output) ---- */
/* Copy the string value of key into out (UTF-8, NUL-terminated); false when
 * absent, not a string or too long. */
bool json_get_str(const char *line, const char *key, char *out, size_t outsz);
/* true / false value of key (absent: false) */
bool json_get_bool(const char *line, const char *key);

/* ---- identity.c: what a sample is, what a family is called ---- */
typedef struct labels labels;
/* the dominant prefix (host/owner/repo) of im's non-standard packages into
 * out ("" when none); false when out of memory */
bool package_prefix(const mg_image *im, char *out, size_t outsz);
/* im's identity: "module@version" from build info (*source "buildinfo"),
 * else its dominant package prefix (*source "packages"); *source NULL and
 * out "" when neither; false when out of memory */
bool image_identity(const mg_image *im, char *out, size_t outsz, const char **source);
/* fill x's module, modver, prefix, gover and os from im */
void sample_describe(sample *x, const mg_image *im);
/* the name of the family of the n samples members[]: the most common main
 * module path, else the most common package prefix, else (label_of not
 * NULL) the most common label, else "family-K" (K = index + 1); *source
 * says which ("module", "packages", "labels", "none") */
void family_name(const sampleset *s, const uint32_t *members, size_t n, const labels *lab, const uint32_t *label_of,
                 size_t index, char *out, size_t outsz, const char **source);

/* ---- labels.c: path -> label ---- */
typedef struct labels labels;
/* A TSV file: `path<TAB>label` lines, or the corpus MANIFEST (a header
 * with `file` and `family` columns).  NULL after a message on failure. */
labels *labels_load(const char *file);
/* label id of a sample (matched on its file path, or any suffix of it that
 * starts after a '/'), or UINT32_MAX */
uint32_t labels_find(const labels *l, const char *path);
size_t labels_count(const labels *l);
const char *labels_name(const labels *l, uint32_t id);
void labels_free(labels *l);

/* ---- family_graph.c: the similarity graph and families ---- */
typedef struct graph {
    size_t n;
    const char **digest;  /* per sample; NULL = kept out */
    mg_simindex *ix;
    mg_setindex *six;     /* SRC_GIMPSET: the gimpset index instead */
    const uint32_t *reps;
    mg_edge *edges;       /* representatives only, score >= min_score */
    size_t nedges;
} graph;

/* whole_file: use filefuzzy instead of gimpfuzzy; keep the pairs scoring
 * >= min_score (families below it are not asked for).  false after a message. */
enum { SRC_GIMPFUZZY = 0, SRC_FILE = 1, SRC_GIMPSET = 2 }; /* what graph_build links by */
bool graph_build(graph *g, const sampleset *s, int src, unsigned jobs, int min_score);
void graph_free(graph *g);

/* the library's ranked families (mg_cluster_families): 0 = largest */
typedef mg_families families;

/* the families of g at threshold; false after a message */
bool families_at(families *f, const graph *g, int threshold);
/* members of family k: members[start[k] .. start[k+1]), in input order */
bool families_members(const families *f, uint32_t **start, uint32_t **members);
void families_free(families *f);

/* ---- match_output.c: what `match` (and `db match`) print per file ---- */
/* the name of a measure as the answers say it: "gimpset" / "gimpfuzzy" */
const char *measure_name(int measure);
/* the fuzzy threshold of a pair that has no gimpset on one side, when the
 * chosen measure is set (the answer says so) */
#define FALLBACK_THRESHOLD MG_DEFAULT_THRESHOLD
typedef struct match_line {
    int score;
    const char *path, *gimphash;
    const char *label;    /* db match: the record's label (NULL: none) */
    bool fallback;        /* scored by gimpfuzzy: the record has no gimpset */
} match_line;
typedef struct match_query {
    const char *path;
    const char *measure;  /* of this query: "gimpset" or "gimpfuzzy" */
    int threshold;
    const char *digest;   /* the query digest of that measure */
    const char *note;     /* why the measure is not the chosen one, or NULL */
    bool labels;          /* db match: a label per hit */
    mg_known_hit known[2]; /* the known program(s) it is (docs/known.md) */
    int nknown;           /* 0 when none; -1: not asked (--no-known) */
} match_query;
/* text: "# measure M, threshold T" once before the answers (fallback: how
 * records without a gimpset are scored) */
void print_match_header(FILE *o, bool json, int measure, int threshold);
/* "PATH" then "  SCORE  KNOWN-PATH" lines (or "PATH  (no match)"); json: one
 * {"path","measure","threshold",MEASURE: digest,"matches":[{"score","path",
 * "gimphash"[,"label"][,"measure"]}..]} line */
void print_matches(FILE *o, bool json, const match_query *q, const match_line *m, size_t n);
/* q's known program(s): the sample looked up in the known-programs
 * reference (nknown -1 with --no-known: no "known" in the answer) */
void match_query_known(match_query *q, const sample *s);

/* ---- report_html.c ---- */
typedef struct score_row {
    int threshold;
    size_t nfam;
    mg_vmeasure m;
} score_row;

typedef struct report {
    const sampleset *s;
    const graph *g;
    const families *f;
    int threshold;
    const labels *lab;              /* NULL: no colours */
    const uint32_t *label_of;       /* per sample, UINT32_MAX = none */
    const score_row *sweep;         /* gimpfuzzy by threshold */
    size_t nsweep;
    const score_row *file_sweep;    /* ssdeep of the whole file by threshold */
    size_t nfile_sweep;
    const score_row *exact;         /* exact gimphash grouping, or NULL */
    const score_row *at;            /* the scores at threshold, or NULL */
    const char *measure;            /* "gimpset" / "gimpfuzzy" (NULL: gimpfuzzy) */
    const score_row *other_sweep;   /* the other measure by threshold, or NULL */
    size_t nother_sweep;
    const char *other;              /* its name */
} report;

bool report_html_write(const char *file, const report *r);

/* ---- timeline.c: the report's family timelines ---- */
/* ,"timeline_cap":N,"timelines":[...],"timelines_cut":K members of the data
 * object: each family of >= 2 members in release order, and what changed
 * between neighbours (detail lists capped at N entries) */
bool timeline_json(FILE *o, const report *r);

/* ---- scoring.c: families against labels ---- */
/* label id of every sample (UINT32_MAX: none); *nlabelled counts the rest */
uint32_t *label_samples(const sampleset *s, const labels *l, size_t *nlabelled);
/* V-measure of a grouping over the labelled samples */
bool score_grouping(const uint32_t *group_of, const uint32_t *label_of, size_t n, mg_vmeasure *m);
/* families of g at lo, lo+step, .. hi, each scored against the labels */
bool score_sweep(const graph *g, const uint32_t *label_of, int lo, int hi, int step,
                 score_row **rows, size_t *nrows);
/* the exact-gimphash baseline: samples grouped by equal gimphash */
bool score_exact(const sampleset *s, const uint32_t *label_of, score_row *row);

#endif
