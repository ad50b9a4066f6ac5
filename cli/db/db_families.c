/* db_families.c - `malgopher db families`: the families of the whole
 * collection at a threshold (as `cluster` finds them), with IDs that the
 * database keeps: a family keeps its ID while it keeps its members; when
 * families merge, the merged family takes the ID of the one that brings
 * most members (ties: the older ID) and the others are reported merged
 * into it; when one splits, its largest part keeps the ID.  New families
 * get IDs never used before at that threshold. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db families [--db URI] [--measure fuzzy|set] [-t T] [--json] [--summary] [-j N]\n"
    "\n"
    "Families of the collection at threshold T (default 66 for fuzzy, 35 for set):\n"
    "connected components of the samples whose gimpfuzzy (--measure set: gimpset)\n"
    "score at least T, as `malgopher cluster` finds them (each measure keeps IDs of\n"
    "its own).  Family IDs are stored and stay the same across runs and\n"
    "additions while a family keeps its members; merges and splits are reported\n"
    "on `# merged` / `# split` lines.  Samples without names (set: without a\n"
    "non-empty gimpset) are left out.\n"
    "\n"
    "  --json     one object per family: {\"family\",\"size\",\"labels\":{..},\"members\":[..]}\n"
    "  --summary  the largest families first (ties: the older ID), one line each:\n"
    "             ID, size, labels with their counts, first member\n";

typedef struct coll {
    int64_t *id;
    char **digest, **path, **label;
    int64_t *old; /* stored family, 0 = none */
    size_t n, cap[4]; /* the room of id, digest, path, label */
    bool nomem;
} coll;

static bool coll_row(const char *const *c, int n, void *ctx)
{
    coll *s = ctx;
    if (n < 5)
        return true;
    int64_t *id = grow_array(s->id, s->n, &s->cap[0], sizeof *id);
    if (id)
        s->id = id;
    char **dg = id ? grow_array(s->digest, s->n, &s->cap[1], sizeof *dg) : NULL;
    if (dg)
        s->digest = dg;
    char **p = dg ? grow_array(s->path, s->n, &s->cap[2], sizeof *p) : NULL;
    if (p)
        s->path = p;
    char **l = p ? grow_array(s->label, s->n, &s->cap[3], sizeof *l) : NULL;
    if (!l) {
        s->nomem = true;
        return false;
    }
    s->label = l;
    s->id[s->n] = strtoll(c[0], NULL, 10);
    s->digest[s->n] = c[1] ? strdup(c[1]) : NULL;
    s->label[s->n] = c[4] ? strdup(c[4]) : NULL;
    if (asprintf(&s->path[s->n], "%s%s", c[2] ? c[2] : "", c[3] ? c[3] : "") < 0) {
        s->nomem = true;
        return false;
    }
    s->n++;
    return true;
}


typedef struct overlap {
    uint32_t fam;   /* new component */
    int64_t old;    /* stored ID */
    uint32_t count; /* members in common */
} overlap;

static int by_fam_old(const void *a, const void *b)
{
    const overlap *x = a, *y = b;
    if (x->fam != y->fam)
        return x->fam < y->fam ? -1 : 1;
    return (x->old > y->old) - (x->old < y->old);
}

static int by_count(const void *a, const void *b)
{
    const overlap *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->old != y->old)
        return x->old < y->old ? -1 : 1;
    return (x->fam > y->fam) - (x->fam < y->fam);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* a stored family: the sample found among the loaded ones (sorted by id) */
static bool old_row(const char *const *c, int n, void *ctx)
{
    coll *s = ctx;
    int64_t id = n >= 2 ? strtoll(c[0], NULL, 10) : 0;
    const int64_t *at = n >= 2 && s->n ? bsearch(&id, s->id, s->n, sizeof *s->id, cmp_i64) : NULL;
    if (at)
        s->old[at - s->id] = strtoll(c[1], NULL, 10);
    return true;
}

/* the overlaps of components and stored families, merged per pair */
static overlap *overlaps(const coll *s, const uint32_t *fam, size_t *n)
{
    overlap *o = malloc((s->n ? s->n : 1) * sizeof *o);
    size_t m = 0;
    for (size_t k = 0; o && k < s->n; k++)
        if (s->digest[k] && s->old[k])
            o[m++] = (overlap){fam[k], s->old[k], 1};
    if (!o)
        return NULL;
    qsort(o, m, sizeof *o, by_fam_old);
    size_t w = 0;
    for (size_t k = 0; k < m; k++) {
        if (w && o[w - 1].fam == o[k].fam && o[w - 1].old == o[k].old)
            o[w - 1].count++;
        else
            o[w++] = o[k];
    }
    *n = w;
    return o;
}

typedef struct assign {
    int64_t *id_of;      /* per component: its stable ID */
    size_t nnew, nmerge, nsplit;
} assign;

/* stable IDs for the components; the merge and split lines into out */
static bool assign_ids(const coll *s, const uint32_t *fam, size_t nfam, int64_t *next, assign *a, FILE *out,
                       bool json)
{
    size_t no = 0;
    overlap *o = overlaps(s, fam, &no);
    a->id_of = calloc(nfam ? nfam : 1, sizeof *a->id_of);
    int64_t *olds = malloc((no ? no : 1) * sizeof *olds);
    if (!o || !a->id_of || !olds) {
        free(o);
        free(olds);
        return false;
    }
    /* merges: a component holding members of several stored families */
    for (size_t k = 0; k < no;) {
        size_t e = k;
        while (e < no && o[e].fam == o[k].fam)
            e++;
        if (e - k > 1)
            a->nmerge++;
        k = e;
    }
    /* splits: a stored family whose members are now in several components */
    for (size_t k = 0; k < no; k++)
        olds[k] = o[k].old;
    qsort(olds, no, sizeof *olds, cmp_i64);
    for (size_t k = 0; k < no;) {
        size_t e = k;
        while (e < no && olds[e] == olds[k])
            e++;
        if (e - k > 1) {
            a->nsplit++;
            if (!json)
                fprintf(out, "# split: family %lld is now in %zu families\n", (long long)olds[k], e - k);
        }
        k = e;
    }
    /* greedy: the largest overlaps first, each ID and component used once */
    qsort(o, no, sizeof *o, by_count);
    int64_t maxold = 0;
    for (size_t k = 0; k < no; k++)
        if (o[k].old > maxold)
            maxold = o[k].old;
    size_t nolds = 0; /* olds[] deduplicated: the stored IDs in play */
    for (size_t k = 0; k < no; k++)
        if (!nolds || olds[nolds - 1] != olds[k])
            olds[nolds++] = olds[k];
    bool *taken = calloc(nolds ? nolds : 1, sizeof *taken);
    if (!taken) {
        free(o);
        free(olds);
        return false;
    }
    for (size_t k = 0; k < no; k++) {
        int64_t *at = bsearch(&o[k].old, olds, nolds, sizeof *olds, cmp_i64);
        size_t slot = (size_t)(at - olds);
        if (!a->id_of[o[k].fam] && !taken[slot]) {
            a->id_of[o[k].fam] = o[k].old;
            taken[slot] = true;
        }
    }
    free(taken);
    if (*next <= maxold)
        *next = maxold + 1;
    for (size_t f = 0; f < nfam; f++)
        if (!a->id_of[f]) {
            a->id_of[f] = (*next)++;
            a->nnew++;
        }
    if (!json) {
        qsort(o, no, sizeof *o, by_fam_old);
        for (size_t k = 0; k < no;) {
            size_t e = k;
            while (e < no && o[e].fam == o[k].fam)
                e++;
            if (e - k > 1) {
                fprintf(out, "# merged: family %lld <-", (long long)a->id_of[o[k].fam]);
                for (size_t q = k; q < e; q++)
                    fprintf(out, " %lld", (long long)o[q].old);
                fputc('\n', out);
            }
            k = e;
        }
    }
    free(o);
    free(olds);
    return true;
}

static void coll_free(coll *s)
{
    for (size_t k = 0; k < s->n; k++) {
        free(s->digest[k]);
        free(s->path[k]);
        free(s->label[k]);
    }
    free(s->id);
    free(s->digest);
    free(s->path);
    free(s->label);
    free(s->old);
}

/* the stored assignment brought up to date (only rows that changed) */
/* the tables of a measure: the set measure keeps its own IDs */
typedef struct fam_sql {
    const char *load, *old, *next, *put, *put_next;
} fam_sql;
static const fam_sql fuzzy_sql = {
    "SELECT id, CASE WHEN no_names = 0 THEN gimpfuzzy END, path, suffix, label FROM samples ORDER BY id",
    "SELECT sample_id, family FROM families WHERE threshold = $1",
    "SELECT coalesce(max(next), 1) FROM family_next WHERE threshold = $1",
    "INSERT INTO families (threshold, sample_id, family) VALUES ($1, $2, $3)"
    " ON CONFLICT (threshold, sample_id) DO UPDATE SET family = excluded.family",
    "INSERT INTO family_next (threshold, next) VALUES ($1, $2)"
    " ON CONFLICT (threshold) DO UPDATE SET next = excluded.next",
};
static const fam_sql set_sql = {
    "SELECT id, gimpset, path, suffix, label FROM samples ORDER BY id",
    "SELECT sample_id, family FROM set_families WHERE threshold = $1",
    "SELECT coalesce(max(next), 1) FROM set_family_next WHERE threshold = $1",
    "INSERT INTO set_families (threshold, sample_id, family) VALUES ($1, $2, $3)"
    " ON CONFLICT (threshold, sample_id) DO UPDATE SET family = excluded.family",
    "INSERT INTO set_family_next (threshold, next) VALUES ($1, $2)"
    " ON CONFLICT (threshold) DO UPDATE SET next = excluded.next",
};

static bool save(db *d, const fam_sql *q, int t, const coll *s, const uint32_t *fam, const int64_t *id_of,
                 int64_t next)
{
    for (size_t k = 0; k < s->n; k++) {
        if (!s->digest[k] || s->old[k] == id_of[fam[k]])
            continue;
        db_param p[] = {PI(t), PI(s->id[k]), PI(id_of[fam[k]])};
        if (!db_exec(d, q->put, p, 3))
            return false;
    }
    db_param p[] = {PI(t), PI(next)};
    return db_exec(d, q->put_next, p, 2);
}

typedef struct by_id_ctx {
    const int64_t *id_of;
    const uint32_t *fam;
} by_id_ctx;
static by_id_ctx sort_ctx;

static int by_family_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int64_t ix = sort_ctx.id_of[x], iy = sort_ctx.id_of[y];
    if (ix != iy)
        return (ix > iy) - (ix < iy);
    return (x > y) - (x < y); /* oldest member first */
}

/* The labels of a family's members with their counts, in the order of
 * first appearance: sorted by label (n log n: a family may hold a crafted
 * collection's every record), counted, then put back in member order. */
typedef struct label_count {
    const char *label;
    size_t count, first; /* first: the member that shows it first */
} label_count;

static int by_label(const void *a, const void *b)
{
    const label_count *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    return c ? c : (x->first > y->first) - (x->first < y->first);
}

static int by_first(const void *a, const void *b)
{
    const label_count *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* fills lc (room for n); returns the number of distinct labels */
static size_t tally_labels(const coll *s, const uint32_t *mem, size_t n, label_count *lc)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s->label[mem[i]])
            lc[k++] = (label_count){s->label[mem[i]], 1, i};
    qsort(lc, k, sizeof *lc, by_label);
    size_t d = 0;
    for (size_t i = 0; i < k; i++) {
        if (d && !strcmp(lc[d - 1].label, lc[i].label))
            lc[d - 1].count++;
        else
            lc[d++] = lc[i];
    }
    qsort(lc, d, sizeof *lc, by_first);
    return d;
}

/* --summary: one line, the labels with their counts */
static bool summary_line(const coll *s, int64_t id, const uint32_t *mem, size_t n, label_count *lc)
{
    char *buf = NULL;
    size_t len = 0;
    size_t d = tally_labels(s, mem, n, lc);
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return false;
    fprintf(m, "family %lld  size %zu  ", (long long)id, n);
    for (size_t i = 0; i < d; i++)
        fprintf(m, "%s%s %zu", i ? ", " : "labels ", lc[i].label, lc[i].count);
    fprintf(m, "%sfirst %s", d ? "  " : "", s->path[mem[0]]);
    fclose(m);
    text_line_n(stdout, buf, len); /* escaped: stored text */
    free(buf);
    return true;
}

static void json_family(const coll *s, int64_t id, const uint32_t *mem, size_t n, label_count *lc)
{
    size_t d = tally_labels(s, mem, n, lc);
    printf("{\"family\":%lld,\"size\":%zu,\"labels\":{", (long long)id, n);
    for (size_t i = 0; i < d; i++) {
        fputs(i ? "," : "", stdout);
        json_cstr(stdout, lc[i].label);
        printf(":%zu", lc[i].count);
    }
    fputs("},\"members\":[", stdout);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", stdout);
        json_cstr(stdout, s->path[mem[i]]);
    }
    puts("]}");
}

/* lc: room for n label counts; false when out of memory */
static bool print_family(const coll *s, int64_t id, const uint32_t *mem, size_t n, bool json, bool summary,
                         label_count *lc)
{
    if (json)
        json_family(s, id, mem, n, lc);
    else if (summary)
        return summary_line(s, id, mem, n, lc);
    else {
        printf("family %lld  size %zu\n", (long long)id, n);
        for (size_t i = 0; i < n; i++) {
            const char *l = s->label[mem[i]];
            text_line(stdout, "  %s%s%s", s->path[mem[i]], l ? "  " : "", l ? l : ""); /* escaped: stored text */
        }
    }
    return true;
}

typedef struct group {
    size_t start, n; /* pos[start .. start + n) */
    int64_t id;
} group;

/* --summary: the largest first, ties by the older ID */
static int by_size(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

static int run(const cli_opts *o)
{
    bool json = o->fmt == OUT_JSON;
    int t = o->threshold;
    bool set = o->measure == MEASURE_SET;
    const fam_sql *q = set ? &set_sql : &fuzzy_sql;
    db d;
    if (!db_open(&d, o->db))
        return EXIT_SOME_FAILED;
    coll s = {0};
    uint32_t *fam = NULL, *order = NULL;
    size_t nfam = 0;
    mg_simindex *ix = NULL;
    mg_setindex *six = NULL;
    assign a = {0};
    int64_t next = 1;
    mg_error e;
    int rc = EXIT_SOME_FAILED;
    /* one writer at a time: the IDs handed out must not collide */
    bool locked = d.be->lock(&d);
    if (!locked || !db_begin(&d) ||
        !db_rows(&d, q->load, NULL, 0, coll_row, &s)) {
        db_report(&d);
        goto out;
    }
    s.old = calloc(s.n ? s.n : 1, sizeof *s.old);
    fam = malloc((s.n ? s.n : 1) * sizeof *fam);
    order = malloc((s.n ? s.n : 1) * sizeof *order);
    db_param pt[] = {PI(t)};
    if (s.nomem || !s.old || !fam || !order) {
        report_error(d.where, mg_status_reason(MG_ERR_NOMEM));
        goto out;
    }
    if (!db_rows(&d, q->old, pt, 1, old_row, &s) || !db_int(&d, q->next, pt, 1, &next)) {
        db_report(&d);
        goto out;
    }
    /* set: a record without a (non-empty, well-formed) gimpset takes no
     * part, as a record without names takes none under fuzzy */
    for (size_t k = 0; set && k < s.n; k++)
        if (s.digest[k] && mg_gimpset_decode(s.digest[k], (uint32_t[MG_GIMPSET_K]){0}) != 1) {
            free(s.digest[k]);
            s.digest[k] = NULL;
        }
    if (set ? mg_setindex_build((const char *const *)s.digest, s.n, &six, &e) != MG_OK ||
                  mg_setindex_families(six, t, fam, &nfam, &e) != MG_OK
            : mg_simindex_build((const char *const *)s.digest, s.n, &ix, &e) != MG_OK ||
                  mg_simindex_families(ix, t, (unsigned)o->jobs, fam, &nfam, &e) != MG_OK) {
        report_error(d.where, e.msg);
        goto out;
    }
    /* renumber the components over the samples that take part */
    uint32_t *renum = malloc((nfam ? nfam : 1) * sizeof *renum);
    if (!renum)
        goto out;
    memset(renum, 0xff, (nfam ? nfam : 1) * sizeof *renum);
    size_t nf = 0, ns = 0;
    for (size_t k = 0; k < s.n; k++) {
        if (!s.digest[k])
            continue;
        if (renum[fam[k]] == UINT32_MAX)
            renum[fam[k]] = (uint32_t)nf++;
        fam[k] = renum[fam[k]];
        order[ns++] = (uint32_t)k;
    }
    free(renum);
    char *notes = NULL;
    size_t notes_len = 0;
    FILE *nf_out = open_memstream(&notes, &notes_len);
    if (!nf_out || !assign_ids(&s, fam, nf, &next, &a, nf_out, json)) {
        if (nf_out)
            fclose(nf_out);
        free(notes);
        report_error(d.where, mg_status_reason(MG_ERR_NOMEM));
        goto out;
    }
    fclose(nf_out);
    if (!save(&d, q, t, &s, fam, a.id_of, next) || !db_commit(&d)) {
        db_report(&d);
        free(notes);
        goto out;
    }
    /* members grouped by family ID, each family's members oldest first */
    int64_t *member_id = malloc((ns ? ns : 1) * sizeof *member_id);
    if (!member_id) {
        free(notes);
        goto out;
    }
    for (size_t k = 0; k < ns; k++)
        member_id[k] = a.id_of[fam[order[k]]];
    sort_ctx = (by_id_ctx){member_id, NULL};
    /* positions sorted by family ID, then position (order[] is ascending) */
    uint32_t *pos = malloc((ns ? ns : 1) * sizeof *pos);
    for (size_t k = 0; pos && k < ns; k++)
        pos[k] = (uint32_t)k;
    if (pos)
        qsort(pos, ns, sizeof *pos, by_family_id);
    if (!json)
        printf("# %zu samples in %zu families at threshold %d%s (%zu new, %zu merged, %zu split)\n", ns, nf, t,
               set ? " with gimpset" : "", a.nnew, a.nmerge, a.nsplit);
    fputs(notes ? notes : "", stdout);
    free(notes);
    uint32_t *mem = malloc((ns ? ns : 1) * sizeof *mem);
    group *g = malloc((ns ? ns : 1) * sizeof *g); /* the families as runs of pos[] */
    label_count *lc = malloc((ns ? ns : 1) * sizeof *lc);
    size_t ng = 0;
    for (size_t k = 0; pos && g && k < ns;) {
        size_t e2 = k;
        while (e2 < ns && member_id[pos[e2]] == member_id[pos[k]])
            e2++;
        g[ng++] = (group){k, e2 - k, member_id[pos[k]]};
        k = e2;
    }
    if (g && o->summary)
        qsort(g, ng, sizeof *g, by_size);
    bool printed = pos && mem && g && lc;
    for (size_t i = 0; printed && i < ng; i++) {
        for (size_t q = 0; q < g[i].n; q++)
            mem[q] = order[pos[g[i].start + q]];
        printed = print_family(&s, g[i].id, mem, g[i].n, json, o->summary, lc);
    }
    rc = printed ? EXIT_ALL_OK : EXIT_SOME_FAILED;
    free(lc);
    free(g);
    free(mem);
    free(pos);
    free(member_id);
out:
    if (rc != EXIT_ALL_OK)
        db_rollback(&d);
    if (locked)
        d.be->unlock(&d);
    out_flush(stdout);
    mg_simindex_free(ix);
    mg_setindex_free(six);
    free(a.id_of);
    free(fam);
    free(order);
    coll_free(&s);
    db_close(&d);
    return rc;
}

int db_families(int argc, char **argv)
{
    return cli_run("db families", CMD_DB_FAMILIES, help, argc, argv, run);
}
