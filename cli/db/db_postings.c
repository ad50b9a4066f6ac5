/* db_postings.c - owns reading the gimpset postings of a one-server
 * collection (schema 6): the entries (value, id) of the tokens (slot,
 * value) whose value falls in one of 128 buckets, that one transaction
 * wrote within one generation of samples (id / DB_GRAM_GEN), are one page
 * (gen, slot, bucket, first_id, n, data), sorted by (value, id) (db.h's
 * set_page, written by db_set_write.c).  A query reads a token's pages in
 * every generation (one index seek each), finds the value's entries
 * client-side and counts their ids, and keeps those named by at least M of
 * the query's tokens: the candidates that db_set.c scores exactly, the
 * same set as schema 4's GROUP BY sample_id HAVING count(*) >= M.  A
 * sharded collection keeps its token rows (db_set.c, the backend's
 * set_rows).
 *
 * Hostile input: a collection may be crafted; a page whose data is not n
 * entries (hex text of 12 * n digits from the statement), whose entries
 * are not strictly sorted by (value, id), whose id offset is not below
 * DB_GRAM_GEN or whose ids are not positive is refused (an error naming
 * it); the id lists and the counting table grow with the entries read
 * (bounded by what the statement returns, itself bounded in time by the
 * backend), never with a count from a row. */
#include "db/db.h"
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

/* A posting that names a large part of the collection costs the most to
 * read and decides the least: the j (< M) largest postings of at least
 * BIG_POSTING ids are left out and the count required drops by j, as
 * db_set.c explains for the token rows. */
#define BIG_POSTING 2048

/* the generations present, ascending (a loose index scan: one seek each),
 * as "g,g,..." in text (malloc'ed) */
typedef struct gens {
    char *text;
    size_t len, cap;
    bool nomem, bad;
} gens;

static bool gen_row(const char *const *cols, int ncols, void *ctx)
{
    gens *g = ctx;
    if (ncols < 1 || !cols[0])
        return true;
    size_t m = strlen(cols[0]), sign = cols[0][0] == '-';
    size_t digits = strspn(cols[0] + sign, "0123456789");
    if (!digits || digits > 18 || sign + digits != m) /* the text goes into the statements */
        return !(g->bad = true);
    while (g->len + m + 2 > g->cap) {
        char *t = grow_array(g->text, g->cap, &g->cap, 1); /* n = cap: grown every time */
        if (!t)
            return !(g->nomem = true);
        g->text = t;
    }
    if (g->len)
        g->text[g->len++] = ',';
    memcpy(g->text + g->len, cols[0], m + 1);
    g->len += m;
    return true;
}

static bool read_gens(db *d, gens *g)
{
    bool ok = db_rows(d,
                      "WITH RECURSIVE g(gen) AS (SELECT min(gen) FROM set_pages UNION ALL"
                      " SELECT (SELECT min(gen) FROM set_pages WHERE gen > g.gen) FROM g WHERE g.gen IS NOT NULL)"
                      " SELECT gen FROM g WHERE gen IS NOT NULL",
                      NULL, 0, gen_row, g);
    if (ok && (g->nomem || g->bad))
        snprintf(d->err, sizeof d->err, "%s",
                 g->bad ? "a generation that is no integer (set_pages.gen): a crafted or damaged collection"
                        : "out of memory");
    return ok && !g->nomem && !g->bad;
}

/* ids counted: open addressing over id (never 0: ids start at 1) */
typedef struct counts {
    int64_t *id;
    uint16_t *n;
    size_t cap, used; /* cap a power of two */
    bool bad, nomem;
} counts;

static bool count_grow(counts *c)
{
    size_t cap = c->cap ? c->cap * 2 : 4096;
    int64_t *id = calloc(cap, sizeof *id);
    uint16_t *n = calloc(cap, sizeof *n);
    if (!id || !n || cap < c->cap) {
        free(id);
        free(n);
        return false;
    }
    for (size_t k = 0; k < c->cap; k++)
        if (c->id[k]) {
            size_t h = (size_t)((uint64_t)c->id[k] * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);
            while (id[h])
                h = (h + 1) & (cap - 1);
            id[h] = c->id[k];
            n[h] = c->n[k];
        }
    free(c->id);
    free(c->n);
    c->id = id;
    c->n = n;
    c->cap = cap;
    return true;
}

static bool count_one(counts *c, int64_t id)
{
    if (2 * (c->used + 1) > c->cap && !count_grow(c))
        return !(c->nomem = true);
    size_t h = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 20) & (c->cap - 1);
    while (c->id[h] && c->id[h] != id)
        h = (h + 1) & (c->cap - 1);
    if (!c->id[h]) {
        c->id[h] = id;
        c->used++;
    }
    if (c->n[h] < UINT16_MAX)
        c->n[h]++;
    return true;
}

/* the largest page a reader takes (DB_GRAM_GEN entries): a longer one is
 * refused before the server turns it into hex text */
#define MAX_PAGE_BYTES "98304"
_Static_assert(DB_GRAM_GEN * DB_SET_ENTRY == 98304, "MAX_PAGE_BYTES spells it");

/* ids found in pages: grown with what was read */
typedef struct idvec {
    int64_t *v;
    size_t n, cap;
} idvec;

static bool idvec_push(idvec *l, int64_t id)
{
    if (l->n == l->cap) {
        int64_t *v = grow_array(l->v, l->cap, &l->cap, sizeof *v);
        if (!v)
            return false;
        l->v = v;
    }
    l->v[l->n++] = id;
    return true;
}

/* a decimal integer of at most 18 digits in [lo, hi] at text; false when
 * it is none */
static bool small_int(const char *text, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v = 0;
    size_t k = 0;
    if (!text)
        return false;
    for (; text[k] >= '0' && text[k] <= '9' && k < 18; k++)
        v = v * 10 + (text[k] - '0');
    *out = v;
    return k && !text[k] && v >= lo && v <= hi;
}

/* one page (its generation, n and data as hex text): checked whole, and
 * the ids of the entries of value pushed to out; false when malformed
 * (*nomem: out could not grow).  The hot loop of a query (a page a
 * generation for each of its tokens, about 128 entries each): twelve
 * table lookups an entry (mg_hex_decode), an invalid digit noted, not
 * branched on. */
static bool page_ids(const char *gen_text, const char *n_text, const char *hex, uint32_t value, idvec *out,
                     bool *nomem)
{
    int64_t gen, n;
    if (!small_int(gen_text, 0, INT64_MAX / DB_GRAM_GEN - 1, &gen) || !small_int(n_text, 1, DB_GRAM_GEN, &n) ||
        !hex || strlen(hex) != (size_t)n * DB_SET_ENTRY * 2)
        return false;
    const char *h = hex;
    uint64_t prev = 0;
    for (size_t k = 0; k < (size_t)n; k++, h += 2 * DB_SET_ENTRY) {
        unsigned char b[DB_SET_ENTRY];
        bool valid = mg_hex_decode(h, b, DB_SET_ENTRY);
        uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        unsigned off = (unsigned)b[4] | (unsigned)b[5] << 8;
        uint64_t key = (uint64_t)v << 16 | off; /* (value, id) */
        if (!valid || off >= DB_GRAM_GEN || (k && key <= prev) || (!gen && !off))
            return false; /* (the id gen * DB_GRAM_GEN + off is at least 1) */
        prev = key;
        if (v == value && !idvec_push(out, gen * DB_GRAM_GEN + off))
            return !(*nomem = true);
    }
    return true;
}

/* SQLite: (gen, n, hex(data)) rows of one token's pages */
typedef struct page_read {
    uint32_t value;
    idvec *out;
    bool bad, nomem;
} page_read;

static bool page_row(const char *const *cols, int ncols, void *ctx)
{
    page_read *p = ctx;
    if (ncols < 3 || !page_ids(cols[0], cols[1], cols[2], p->value, p->out, &p->nomem))
        return !(p->bad = !p->nomem);
    return true;
}

/* PostgreSQL: (slot, gen, n, hex) rows of every token's pages, the ids
 * of slot k into out[k] */
typedef struct pages_read {
    const uint32_t *q;
    idvec *out;
    bool bad, nomem;
} pages_read;

static bool pages_row(const char *const *cols, int ncols, void *ctx)
{
    pages_read *p = ctx;
    int64_t k;
    if (ncols < 4 || !small_int(cols[0], 0, MG_GIMPSET_K - 1, &k) ||
        !page_ids(cols[1], cols[2], cols[3], p->q[k], &p->out[k], &p->nomem))
        return !(p->bad = !p->nomem);
    return true;
}

/* PostgreSQL: the pages of the query's 256 tokens in every generation of
 * g, in one statement (the slots and buckets bound as arrays: a round
 * trip a token would cost more than the rows), their ids into out */
static bool pg_pages(db *d, const uint32_t q[MG_GIMPSET_K], const gens *g, idvec out[MG_GIMPSET_K], bool *bad,
                     bool *nomem)
{
    static char slots[MG_GIMPSET_K * 4 + 3], buckets[MG_GIMPSET_K * 4 + 3];
    char *gens_array = malloc(g->len + 3);
    if (!gens_array) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    size_t ns = 1, nb = 1;
    slots[0] = buckets[0] = '{';
    for (int k = 0; k < MG_GIMPSET_K; k++) {
        ns += (size_t)sprintf(slots + ns, "%s%d", k ? "," : "", k);
        nb += (size_t)sprintf(buckets + nb, "%s%d", k ? "," : "", set_bucket(q[k]));
    }
    memcpy(slots + ns, "}", 2);
    memcpy(buckets + nb, "}", 2);
    snprintf(gens_array, g->len + 3, "{%s}", g->text ? g->text : "");
    db_param p[] = {PT(slots), PT(buckets), PT(gens_array)};
    pages_read pr = {.q = q, .out = out};
    bool ok = db_rows(d,
                      "SELECT q.slot, t.gen, t.n,"
                      " CASE WHEN length(t.data) <= " MAX_PAGE_BYTES " THEN encode(t.data, 'hex') END"
                      " FROM unnest($1::int[], $2::int[])"
                      " AS q(slot, bucket) JOIN set_pages t ON t.gen = ANY($3::bigint[]) AND t.slot = q.slot"
                      " AND t.bucket = q.bucket",
                      p, 3, pages_row, &pr);
    free(gens_array);
    *bad = pr.bad;
    *nomem = pr.nomem;
    return ok;
}

/* the ids of c counted at least need times with their counts (in no order) */
static bool kept_ids(const counts *c, int need, set_cand **v, size_t *nv)
{
    size_t n = 0;
    for (size_t k = 0; k < c->cap; k++)
        n += c->id[k] && c->n[k] >= need;
    *v = malloc((n ? n : 1) * sizeof **v);
    if (!*v)
        return false;
    n = 0;
    for (size_t k = 0; k < c->cap; k++)
        if (c->id[k] && c->n[k] >= need)
            (*v)[n++] = (set_cand){.id = c->id[k], .count = c->n[k]};
    *nv = n;
    return true;
}

/* what a query has read so far: the generations, the ids counted, the
 * tokens read (in slot order up to next), how many large ones were left
 * out */
struct set_reader {
    gens g;
    counts c;
    bool read[MG_GIMPSET_K];
    int64_t size[MG_GIMPSET_K]; /* of the tokens sized (SQLite: estimated) */
    bool out[MG_GIMPSET_K];     /* SQLite: left out */
    bool estimated;
    int next, nread, large;
    idvec tok;                  /* SQLite: the ids of one token */
    idvec all[MG_GIMPSET_K];    /* PostgreSQL: the ids of every token */
};

#define MALFORMED "a malformed gimpset page (set_pages.data): a crafted or damaged collection"

/* SQLite: the statement that reads one token's pages (slot $1, bucket $2)
 * in the generations gens (malloc'ed; NULL with d->err set) */
static char *lite_pages_sql(db *d, const char *gens, size_t len)
{
    size_t sqlsz = len + 128;
    char *sql = malloc(sqlsz);
    if (!sql) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return NULL;
    }
    snprintf(sql, sqlsz,
             "SELECT gen, n, CASE WHEN length(data) <= " MAX_PAGE_BYTES " THEN hex(data) END FROM set_pages"
             " WHERE gen IN (%s) AND slot = $1 AND bucket = $2",
             gens);
    return sql;
}

/* SQLite: the ids of token k (value q) in r->tok (emptied first), read by
 * sql; false with d->err set */
static bool lite_token(db *d, set_reader *r, const char *sql, int k, uint32_t q)
{
    r->tok.n = 0;
    page_read p = {.value = q, .out = &r->tok};
    db_param par[] = {PI(k), PI(set_bucket(q))};
    bool ok = db_rows(d, sql, par, 2, page_row, &p);
    if (ok && (p.bad || p.nomem)) {
        snprintf(d->err, sizeof d->err, "%s", p.bad ? MALFORMED : "out of memory");
        ok = false;
    }
    return ok;
}

/* the ids of l counted into r; false with d->err set when out of memory */
static bool count_ids(db *d, set_reader *r, const idvec *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!count_one(&r->c, l->v[i])) {
            snprintf(d->err, sizeof d->err, "out of memory");
            return false;
        }
    return true;
}

/* the need - 1 largest tokens of BIG_POSTING ids or more (by r->size)
 * left out */
static void leave_out_large(set_reader *r, int need)
{
    for (int j = 0; j < need - 1; j++) { /* the largest left, need - 1 times at most */
        int best = -1;
        for (int k = 0; k < MG_GIMPSET_K; k++)
            if (!r->out[k] && r->size[k] >= BIG_POSTING && (best < 0 || r->size[k] > r->size[best]))
                best = k;
        if (best < 0)
            break;
        r->out[best] = true;
        r->large++;
    }
}

/* SQLite: which tokens to leave out, decided once: each token's size
 * estimated in the two newest generations (two index seeks, where its
 * size in all costs one a generation) and scaled to all of them; the
 * need - 1 largest of BIG_POSTING ids or more are left out.  An estimate
 * only decides what is read: any tokens left out give every hit. */
static bool lite_estimate(db *d, const uint32_t q[MG_GIMPSET_K], int need, set_reader *r)
{
    const char *text = r->g.text ? r->g.text : "", *last = strrchr(text, ','), *from = text;
    int ngens = *text ? 1 : 0, nlast = ngens;
    for (const char *p = text; *p; p++)
        ngens += *p == ',';
    if (last) { /* the last two: from the comma before the last one */
        const char *p = last;
        while (p > text && p[-1] != ',')
            p--;
        from = p;
        nlast = 2;
    }
    char *sql = lite_pages_sql(d, from, strlen(from));
    bool ok = sql != NULL;
    for (int k = 0; ok && nlast && k < MG_GIMPSET_K; k++) {
        ok = lite_token(d, r, sql, k, q[k]);
        int64_t n = (int64_t)r->tok.n;
        r->size[k] = n < INT64_MAX / 64 ? n * ngens / nlast : INT64_MAX / 64;
    }
    free(sql);
    if (ok)
        leave_out_large(r, need);
    r->estimated = true;
    return ok;
}

/* SQLite: the tokens from r->next on in slot order, those not left out
 * (lite_estimate) read, their ids counted, until target tokens are read */
static bool lite_tokens(db *d, const uint32_t q[MG_GIMPSET_K], int need, int target, set_reader *r)
{
    if (!r->estimated && !lite_estimate(d, q, need, r))
        return false;
    char *sql = lite_pages_sql(d, r->g.text ? r->g.text : "", r->g.len);
    bool ok = sql != NULL;
    for (; ok && r->nread < target && r->next < MG_GIMPSET_K; r->next++) {
        int k = r->next;
        if (!r->out[k] && (ok = lite_token(d, r, sql, k, q[k]) && count_ids(d, r, &r->tok))) {
            r->read[k] = true;
            r->nread++;
        }
    }
    free(sql);
    return ok;
}

/* PostgreSQL: every token's pages read at once, the sizes known, the
 * need - 1 largest of BIG_POSTING ids or more left out, the others counted */
static bool pg_tokens(db *d, const uint32_t q[MG_GIMPSET_K], int need, set_reader *r)
{
    bool bad = false, nomem = false;
    if (!pg_pages(d, q, &r->g, r->all, &bad, &nomem))
        return false;
    if (bad || nomem) {
        snprintf(d->err, sizeof d->err, "%s", bad ? MALFORMED : "out of memory");
        return false;
    }
    for (int k = 0; k < MG_GIMPSET_K; k++)
        r->size[k] = (int64_t)r->all[k].n;
    leave_out_large(r, need);
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if (!r->out[k]) {
            if (!count_ids(d, r, &r->all[k]))
                return false;
            r->read[k] = true;
            r->nread++;
        }
    r->next = MG_GIMPSET_K;
    return true;
}

static void reader_free(set_reader *r)
{
    free(r->g.text);
    free(r->c.id);
    free(r->c.n);
    free(r->tok.v);
    for (int k = 0; k < MG_GIMPSET_K; k++)
        free(r->all[k].v);
}

set_reader *set_reader_open(db *d)
{
    set_reader *r = calloc(1, sizeof *r);
    if (!r)
        snprintf(d->err, sizeof d->err, "out of memory");
    else if (!read_gens(d, &r->g)) {
        reader_free(r);
        free(r);
        r = NULL;
    }
    return r;
}

void set_reader_close(set_reader *r)
{
    if (r)
        reader_free(r);
    free(r);
}

bool set_reader_more(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int need, int target)
{
    if (strcmp(d->be->name, "postgresql"))
        return lite_tokens(d, q, need, target, r);
    return r->next || pg_tokens(d, q, need, r); /* all at once */
}

bool set_reader_cands(db *d, const set_reader *r, int need, set_cands_out *out)
{
    *out = (set_cands_out){.j = MG_GIMPSET_K - r->nread};
    for (int k = 0; k < MG_GIMPSET_K; k++)
        out->skip[k] = !r->read[k];
    if (r->c.cap && !kept_ids(&r->c, need - out->j, &out->v, &out->n)) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    return true;
}

size_t set_reader_count(const set_reader *r, int need, bool *all)
{
    int least = need - (MG_GIMPSET_K - r->nread);
    size_t n = 0;
    for (size_t k = 0; k < r->c.cap; k++)
        n += r->c.id[k] && r->c.n[k] >= least;
    *all = r->next == MG_GIMPSET_K;
    return n;
}

/* large token k read after all (PostgreSQL: already read, counted now);
 * false with d->err set */
static bool read_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int k)
{
    bool ok;
    if (strcmp(d->be->name, "postgresql")) {
        char *sql = lite_pages_sql(d, r->g.text ? r->g.text : "", r->g.len);
        ok = sql && lite_token(d, r, sql, k, q[k]) && count_ids(d, r, &r->tok);
        free(sql);
    } else
        ok = count_ids(d, r, &r->all[k]);
    if (ok) {
        r->read[k] = true;
        r->nread++;
        r->large--;
    }
    return ok;
}

bool set_reader_more_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int64_t max_size, bool *none)
{
    *none = true;
    bool ok = true;
    for (int k = 0; ok && k < r->next; k++)
        if (!r->read[k] && r->size[k] <= max_size) {
            *none = false;
            ok = read_large(d, r, q, k);
        }
    return ok;
}
