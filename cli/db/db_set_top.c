/* db_set_top.c - owns the gimpset search of a one-server collection
 * (schema 6) once its postings have named the candidates
 * (db_postings.c): which candidates' gimpsets are read and scored.
 *
 * Workload: a query of a program linking popular libraries names tens of
 * thousands of candidates (the large postings it skips lower the count
 * they need to 1 or 2), and reading and decoding their gimpsets was 75% of
 * its time, for the 5 hits `db match` prints.  A candidate counted c
 * times with j postings skipped shares m equal slots, c <= m <= c + j, so
 * it scores at most floor(100 * (c + j) / 256).  With a top k, the
 * candidates are read by that bound (best first, ties by id, the order
 * of the answer) and the reading stops at the first that could not enter
 * the k best read so far: every later one scores at most its bound and
 * comes after the k-th.  With no posting unread (j = 0) the bound is the
 * score, and only k gimpsets are read.  All hits (top 0) read every
 * candidate in id order, as before.  At a million records a query's 256
 * postings are 256 x 61 index seeks (one a generation), mostly disk
 * reads: a first look (first_look) raises the threshold to what the k
 * best are known to reach, so that far fewer postings are read, and a
 * trial (trial) reads the candidates by bound before the largest
 * postings, which a program sharing libraries with thousands of records
 * rarely needs.
 *
 * Hostile input: the bound holds only when the postings are those the
 * records' gimpsets wrote.  Every gimpset read is checked against its
 * count (the query's slots not skipped that it shares must number exactly
 * c), and a disagreement is an error naming the collection, never an
 * answer from a lying posting.  A candidate never read is not checked: a
 * posting that under-counts it hides it as it did when every candidate
 * was read (it was then no candidate at all). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

typedef struct top_read {
    const uint32_t *q;
    const bool *skip;
    int t;
    size_t top;          /* 0: every hit is kept */
    size_t max_reads;    /* 0: no limit on the gimpsets read */
    size_t nreads;
    db_hit *v;           /* top: a heap with the worst kept hit at v[0] */
    size_t n, cap;
    const set_cand *chunk; /* the candidates asked for, by id */
    size_t nchunk;
    int64_t lie;           /* the first record whose count disagrees */
    bool nomem;
    bool capped;           /* max_reads stopped it while a candidate could still enter */
} top_read;

/* a ranks after b in the answer (score desc, then id asc) */
static bool after(const db_hit *a, const db_hit *b)
{
    return a->score != b->score ? a->score < b->score : a->id > b->id;
}

static void swap_hits(db_hit *a, db_hit *b)
{
    db_hit t = *a;
    *a = *b;
    *b = t;
}

/* h kept among the top best read so far (v[0] the one ranking last) */
static void heap_offer(top_read *c, db_hit h)
{
    size_t k;
    if (c->n < c->top) {
        c->v[k = c->n++] = h;
        for (; k && after(&c->v[k], &c->v[(k - 1) / 2]); k = (k - 1) / 2)
            swap_hits(&c->v[k], &c->v[(k - 1) / 2]);
        return;
    }
    if (!after(&c->v[0], &h))
        return;
    c->v[k = 0] = h;
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, w = k;
        if (l < c->n && after(&c->v[l], &c->v[w]))
            w = l;
        if (r < c->n && after(&c->v[r], &c->v[w]))
            w = r;
        if (w == k)
            return;
        swap_hits(&c->v[k], &c->v[w]);
        k = w;
    }
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const set_cand *)a)->id, y = ((const set_cand *)b)->id;
    return (x > y) - (x < y);
}

/* id, gimpset of a candidate asked for: checked against its count,
 * scored, kept when it scores >= t */
static bool top_row(const char *const *cols, int ncols, void *ctx)
{
    top_read *c = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    set_cand key = {.id = strtoll(cols[0], NULL, 10)};
    const set_cand *x = bsearch(&key, c->chunk, c->nchunk, sizeof key, by_id);
    if (!x)
        return true;
    uint32_t r[MG_GIMPSET_K];
    int e = 0, counted = 0;
    if (mg_gimpset_decode(cols[1], r) == 1) /* else it wrote no posting: counted 0 */
        for (int k = 0; k < MG_GIMPSET_K; k++) {
            e += r[k] == c->q[k];
            counted += r[k] == c->q[k] && !c->skip[k];
        }
    if (counted != x->count) {
        c->lie = x->id;
        return false;
    }
    db_hit h = {.id = x->id, .score = (int)(100 * e / MG_GIMPSET_K)};
    if (h.score < c->t)
        return true;
    if (c->top) {
        heap_offer(c, h);
        return true;
    }
    return !(c->nomem = !db_hit_push(&c->v, &c->n, &c->cap, h.id, h.score));
}

/* the candidates a statement: on one server 256 bound parameters;
 * through shards, where each statement is one remote statement a
 * partition, an array of up to 4,096 ids */
enum { CHUNK = 256, SHARDED_CHUNK = 4096 };
static size_t chunk_size(const db *d) { return db_pg_sharded(d) ? SHARDED_CHUNK : CHUNK; }

/* the statement reading the m candidates at v, its parameters in p */
static int chunk_statement(const db *d, unsigned flags, const set_cand *v, size_t m, char *sql, size_t sqlsz,
                           db_param *p)
{
    static char list[SHARDED_CHUNK * 21 + 3];
    static int64_t ids[SHARDED_CHUNK];
    const char *labelled = flags & DBS_LABELLED ? "label IS NOT NULL AND " : "";
    if (db_pg_sharded(d)) {
        for (size_t k = 0; k < m; k++)
            ids[k] = v[k].id;
        db_i64_array(list, ids, m);
        snprintf(sql, sqlsz, "SELECT id, gimpset FROM samples WHERE %sid = ANY($1::bigint[])", labelled);
        p[0] = PT(list);
        return 1;
    }
    size_t len = (size_t)snprintf(sql, sqlsz, "SELECT id, gimpset FROM samples WHERE %sid IN (", labelled);
    for (size_t k = 0; k < m; k++) {
        p[k] = PI(v[k].id);
        len += (size_t)snprintf(sql + len, sqlsz - len, "%s$%zu", k ? ", " : "", k + 1);
    }
    snprintf(sql + len, sqlsz - len, ")");
    return (int)m;
}

/* the gimpsets of the m candidates at v (any order, m <= chunk_size)
 * read and scored */
static bool read_chunk(db *d, unsigned flags, set_cand *v, size_t m, top_read *c)
{
    char sql[128 + CHUNK * 8];
    db_param p[CHUNK];
    qsort(v, m, sizeof *v, by_id);
    int np = chunk_statement(d, flags, v, m, sql, sizeof sql, p);
    c->chunk = v;
    c->nchunk = m;
    if (!db_rows(d, sql, p, np, top_row, c))
        return false;
    if (c->lie)
        snprintf(d->err, sizeof d->err,
                 "the gimpset index (set_pages, or a shard's set_tokens) disagrees with the gimpset of record"
                 " %lld: a crafted or damaged collection",
                 (long long)c->lie);
    return !c->lie;
}

/* s->v ordered by bound, best first, by a counting sort (a bound is 0 to
 * 100: a count that would give more is a lie, and a bound of 100 is still
 * one); end[b] is where the candidates of bound b end, those of bound b
 * start at end[b + 1] (end[101] = 0).  Each bound's candidates are put
 * in id order only when the reading reaches them (by_bound_sorted).
 * false when out of memory. */
static bool order_by_bound(set_cands_out *s, size_t end[102])
{
    set_cand *v = malloc(s->n * sizeof *v);
    if (!v)
        return false;
    size_t count[101] = {0};
    for (size_t k = 0; k < s->n; k++)
        count[s->v[k].bound]++;
    end[101] = 0;
    for (int b = 100; b >= 0; b--)
        end[b] = end[b + 1] + count[b];
    size_t at[101];
    for (int b = 0; b <= 100; b++)
        at[b] = end[b + 1];
    for (size_t k = 0; k < s->n; k++)
        v[at[s->v[k].bound]++] = s->v[k];
    memcpy(s->v, v, s->n * sizeof *v);
    free(v);
    return true;
}

/* the candidates of s up to upto (exclusive) in id order within each
 * bound; *sorted: how far they are already */
static void by_bound_sorted(set_cands_out *s, const size_t end[102], size_t upto, size_t *sorted)
{
    while (*sorted < upto && *sorted < s->n) {
        int b = s->v[*sorted].bound;
        qsort(s->v + *sorted, end[b] - *sorted, sizeof *s->v, by_id);
        *sorted = end[b];
    }
}

/* the candidate x can still enter the top kept (the heap full) */
static bool may_enter(const top_read *c, const set_cand *x)
{
    if (!c->top || c->n < c->top)
        return true;
    db_hit h = {.id = x->id, .score = x->bound};
    return after(&c->v[0], &h);
}

/* the candidates of s read by chunks, in bound order with a top (until no
 * later one can enter it), else all in id order */
static bool read_candidates(db *d, set_cands_out *s, unsigned flags, top_read *c)
{
    size_t end[102], sorted = 0, chunk = chunk_size(d);
    for (size_t k = 0; k < s->n; k++) { /* counts are at most 65535 */
        int b = (int)(100 * (s->v[k].count + s->j) / MG_GIMPSET_K);
        s->v[k].bound = b < 100 ? b : 100;
    }
    if (!c->top && s->n)
        qsort(s->v, s->n, sizeof *s->v, by_id);
    else if (s->n && !order_by_bound(s, end))
        return !(c->nomem = true);
    size_t want = c->top ? c->top : chunk; /* the k best first (all of it when j = 0), then twice as many */
    size_t at = 0;
    while (at < s->n && !c->nomem && (!c->max_reads || c->nreads < c->max_reads)) {
        size_t m = 0, lim = want < chunk ? want : chunk;
        if (c->max_reads && lim > c->max_reads - c->nreads)
            lim = c->max_reads - c->nreads;
        if (c->top)
            by_bound_sorted(s, end, at + lim, &sorted);
        while (m < lim && at + m < s->n && may_enter(c, &s->v[at + m]))
            m++;
        if (!m)
            break;
        if (!read_chunk(d, flags, s->v + at, m, c))
            return false;
        at += m;
        c->nreads += m;
        want = lim * 2;
    }
    /* (s->v[at] is in id order within its bound: by_bound_sorted went to
     * the end of the bound of the last one read) */
    c->capped = c->max_reads && c->nreads >= c->max_reads && at < s->n && may_enter(c, &s->v[at]);
    return true;
}

/* the candidates s read and scored into c (a top of top hits scoring >=
 * t, at most max_reads gimpsets read when not 0) */
static bool top_of_cands(db *d, set_cands_out *s, const uint32_t q[MG_GIMPSET_K], int t, size_t top,
                         size_t max_reads, unsigned flags, top_read *c)
{
    *c = (top_read){.q = q, .t = t, .max_reads = max_reads};
    if (top && top < s->n) { /* else every candidate is read anyway */
        c->top = c->cap = top;
        c->v = malloc(top * sizeof *c->v);
        c->nomem = !c->v;
    }
    c->skip = s->skip;
    bool ok = c->nomem || read_candidates(d, s, flags, c); /* out of memory: db_hits_finish says so */
    c->skip = NULL;
    return ok;
}

/* the candidates of what r has read for need shared tokens, read and
 * scored into c, as top_of_cands */
static bool run_top(db *d, const set_reader *r, const uint32_t q[MG_GIMPSET_K], int t, int need, size_t top,
                    size_t max_reads, unsigned flags, top_read *c)
{
    set_cands_out s;
    *c = (top_read){.q = q, .t = t, .max_reads = max_reads};
    bool ok = set_reader_cands(d, r, need, &s) && top_of_cands(d, &s, q, t, top, max_reads, flags, c);
    free(s.v);
    return ok;
}

bool set_cands_search(db *d, set_cands_out *s, const uint32_t q[MG_GIMPSET_K], int t, size_t top, unsigned flags,
                      db_hit **hits, size_t *nhits)
{
    top_read c;
    bool ok = top_of_cands(d, s, q, t, top, 0, flags, &c);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}

/* A first look for a top k: the first FIRST_TOKENS postings read (j =
 * the rest), the FIRST_READS gimpsets counted most often among them read
 * and scored.  When k of them score S >= T, the k best of the collection
 * all score at least S, so share at least M' = ceil(S * 256 / 100) slots:
 * only 256 - M' + 1 postings need reading (for S = 97, 8), the search
 * then runs with M' and S, and its answer is the same. */
enum { FIRST_TOKENS = 16, FIRST_READS = 64, CANDIDATES = 512 };

/* *t raised to what the k best read by c score, when c kept k */
static void raise_to_kept(const top_read *c, int *t)
{
    if (!c->nomem && c->top && c->n == c->top && c->v[0].score > *t)
        *t = c->v[0].score;
}

/* the threshold the k best reach, by a first look (t when unknown); false
 * after an error (d->err set) */
static bool first_look(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int t, int need, size_t top,
                       unsigned flags, int *raised)
{
    *raised = t;
    top_read c;
    if (!set_reader_more(d, r, q, need, FIRST_TOKENS))
        return false;
    set_cands_out probe;
    if (!set_reader_cands(d, r, MG_GIMPSET_K + 1, &probe)) /* none kept: j alone */
        return false;
    free(probe.v);
    if (probe.j < need) /* every token that can be read is: nothing to gain */
        return true;
    bool ok = run_top(d, r, q, t, 1, top, FIRST_READS, flags, &c);
    if (ok)
        raise_to_kept(&c, raised);
    free(c.v);
    return ok;
}

/* A trial before the large postings.  The large postings left out make
 * the bounds loose and the candidates many, but read by bound most of
 * them never need reading: a program sharing libraries with hundreds of
 * records named 43,286 candidates and was answered by 571 gimpsets, where
 * its 89 large postings held 12.8 million ids (127 ms against 58 ms).  So
 * the candidates are first read by bound with at most a budget of
 * gimpsets: a quarter of what the large postings would cost (a gimpset
 * read costs about as much as IDS_PER_GIMPSET ids, measured on that
 * query and on one answered best by its large postings).  Run to its end
 * the trial is the answer (the same search with the same postings);
 * stopped by the budget, its k best raise the threshold.  *done: c holds
 * the answer (or the error). */
enum { IDS_PER_GIMPSET = 1000, TRIAL_SHARE = 4 };

static bool trial(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int *t2, size_t top, unsigned flags,
                  top_read *c, bool *done)
{
    bool all;
    int64_t budget = set_reader_large_ids(r) / (IDS_PER_GIMPSET * TRIAL_SHARE);
    *done = false;
    if (budget < 1 || set_reader_count(r, db_set_need(*t2), &all) <= CANDIDATES)
        return true;
    bool ok = run_top(d, r, q, *t2, db_set_need(*t2), top, (size_t)budget, flags, c);
    if (!ok || c->nomem || !c->capped) {
        *done = true;
        return ok;
    }
    raise_to_kept(c, t2);
    free(c->v);
    *c = (top_read){0};
    return true;
}

/* 256 - M' + 1 tokens read at least (a record sharing M' = need2 slots
 * shares one of them), more (set_reader_grow) while more than CANDIDATES
 * records could still enter (the fewer read, the looser the bounds).  So
 * also with no threshold raised: a program like no other names few
 * records in its first 167 tokens at T 35 and stops there, where reading
 * all 256 cost it half as much again (BENCHMARKS.md "Rowid pages"); on
 * SQLite 8 more at a time, where doubling read up to 89 tokens past the
 * point where few enough were left ("Reading by need") */
static bool read_enough(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int need, int need2)
{
    int target = MG_GIMPSET_K - need2 + 1;
    bool all = false, ok;
    while ((ok = set_reader_more(d, r, q, need, target)) && target < MG_GIMPSET_K &&
           set_reader_count(r, need2, &all) > CANDIDATES && !all)
        target = set_reader_grow(d, target);
    return ok;
}

/* still too many (the large postings left out make the bounds loose, and
 * with fewer than k hits every candidate is read): the large ones read
 * while a posting costs less than a tenth of the gimpsets it may spare
 * (IDS_PER_GIMPSET / 10 ids a candidate) */
static bool read_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int need2)
{
    enum { TENTH = IDS_PER_GIMPSET / 10 };
    size_t n;
    bool ok = true, all;
    for (bool none = false; ok && !none && (n = set_reader_count(r, need2, &all)) > CANDIDATES;)
        ok = set_reader_more_large(d, r, q, n < INT64_MAX / TENTH ? (int64_t)n * TENTH : INT64_MAX, &none);
    return ok;
}

bool set_postings_search(db *d, const uint32_t q[MG_GIMPSET_K], int t, int need, size_t top, unsigned flags,
                         db_hit **hits, size_t *nhits)
{
    set_reader *r = set_reader_open(d);
    top_read c = {0};
    int t2 = t;
    bool done = false;
    bool ok = r && (!top || first_look(d, r, q, t, need, top, flags, &t2));
    ok = ok && read_enough(d, r, q, need, db_set_need(t2)); /* db_set_need(t2) >= need */
    ok = ok && (!top || trial(d, r, q, &t2, top, flags, &c, &done));
    ok = ok && (done || ((!top || read_large(d, r, q, db_set_need(t2))) &&
                         run_top(d, r, q, t2, db_set_need(t2), top, 0, flags, &c)));
    set_reader_close(r);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}
