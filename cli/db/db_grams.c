/* db_grams.c - owns the keys under which the database indexes a digest:
 * one 64-bit key per distinct 7-character substring of each signature,
 * combined with the block size the signature is at (sig1 at BS, sig2 at
 * 2*BS).  fuzzy_compare scores a pair above 0 only when two signatures at
 * the same block size share such a substring, or when the digests are
 * equal after its normalisation, so the keys and the exact form find every
 * pair the in-memory index finds (a hash collision only adds a candidate,
 * which the exact score then drops).  It also owns a transaction's gram
 * rows: staged as records are put, written sorted by (generation, key,
 * sample) by the backend just before COMMIT (one server: as pages,
 * db_gram_pages.c, in (gen, bucket, gram, sample) order), dropped on
 * rollback. */
#include "db/db.h"
#include "fp/ssdeep_parse.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
    /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void add_sig(digest_keys *k, uint64_t bs, const char *sig, size_t len)
{
    for (size_t i = 0; i + MG_GRAM <= len && k->ngram < DB_MAX_GRAMS; i++) {
        uint64_t g = 0;
        for (size_t j = 0; j < MG_GRAM; j++)
            g = g << 8 | (uint8_t)sig[i + j];
        k->gram[k->ngram++] = (int64_t)mix(g ^ mix(bs + 0x9e3779b97f4a7c15ULL));
    }
}

void digest_keys_of(const char *digest, digest_keys *k)
{
    mg_digest dg;
    memset(k, 0, sizeof *k);
    mg_digest_kind kind = mg_digest_parse(digest, &dg);
    k->kind = kind == MG_DIGEST_STRICT ? DIGEST_PLAIN : kind == MG_DIGEST_ODD ? DIGEST_ODD : DIGEST_DEAD;
    if (kind != MG_DIGEST_STRICT) {
        snprintf(k->exact, sizeof k->exact, "%s", kind == MG_DIGEST_ODD ? "odd" : "dead");
        return;
    }
    snprintf(k->exact, sizeof k->exact, "%llu:%.*s:%.*s", (unsigned long long)dg.bs, dg.len1, dg.sig1, dg.len2,
             dg.sig2);
    add_sig(k, dg.bs, dg.sig1, dg.len1);
    if (dg.bs <= UINT64_MAX / 2)
        add_sig(k, 2 * dg.bs, dg.sig2, dg.len2);
    qsort(k->gram, k->ngram, sizeof *k->gram, cmp64);
    size_t n = 0;
    for (size_t i = 0; i < k->ngram; i++)
        if (!n || k->gram[n - 1] != k->gram[i])
            k->gram[n++] = k->gram[i];
    k->ngram = n;
}

/* ---- the gram rows of a transaction ---- */

bool grams_stage(db *d, int64_t id, const digest_keys *k)
{
    if (k->ngram > SIZE_MAX / sizeof *d->staged - d->nstaged) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    if (d->nstaged + k->ngram > d->capstaged) {
        size_t cap = d->capstaged ? d->capstaged : 4096;
        while (cap < d->nstaged + k->ngram && cap <= SIZE_MAX / 2 / sizeof *d->staged)
            cap *= 2;
        gram_row *v = cap >= d->nstaged + k->ngram ? realloc(d->staged, cap * sizeof *v) : NULL;
        if (!v) {
            snprintf(d->err, sizeof d->err, "out of memory");
            return false;
        }
        d->staged = v;
        d->capstaged = cap;
    }
    for (size_t g = 0; g < k->ngram; g++)
        d->staged[d->nstaged++] = (gram_row){.gen = id / DB_GRAM_GEN, .gram = k->gram[g], .sample_id = id};
    return true;
}

static int cmp_row(const void *a, const void *b)
{
    const gram_row *x = a, *y = b;
    if (x->gen != y->gen)
        return (x->gen > y->gen) - (x->gen < y->gen);
    if (x->gram != y->gram)
        return (x->gram > y->gram) - (x->gram < y->gram);
    return (x->sample_id > y->sample_id) - (x->sample_id < y->sample_id);
}

/* the same with the gram as unsigned: the order of the pages, whose
 * bucket is the gram's top bits */
static int cmp_row_pages(const void *a, const void *b)
{
    const gram_row *x = a, *y = b;
    uint64_t gx = (uint64_t)x->gram, gy = (uint64_t)y->gram;
    if (x->gen != y->gen)
        return (x->gen > y->gen) - (x->gen < y->gen);
    if (gx != gy)
        return (gx > gy) - (gx < gy);
    return (x->sample_id > y->sample_id) - (x->sample_id < y->sample_id);
}

void db_counts_to_starts(size_t *count, size_t n)
{
    size_t at = 0;
    for (size_t b = 0; b < n; b++) {
        size_t c = count[b];
        count[b] = at;
        at += c;
    }
}

/* v (n rows of one generation, sample ids ascending) sorted by gram,
 * stable so the ids stay ascending within a gram: four counting passes of
 * 16 bits over the key with its sign bit flipped (a gram compares as a
 * signed integer; flip 0: as unsigned, the pages' order); false when the
 * scratch cannot be had */
static bool radix_by_gram(gram_row *v, size_t n, uint64_t flip)
{
    static size_t count[1 << 16];
    gram_row *tmp = malloc(n * sizeof *v), *src = v, *dst = tmp;
    if (!tmp)
        return false;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < n; k++)
            count[((uint64_t)src[k].gram ^ flip) >> shift & 0xffff]++;
        db_counts_to_starts(count, 1 << 16);
        for (size_t k = 0; k < n; k++)
            dst[count[((uint64_t)src[k].gram ^ flip) >> shift & 0xffff]++] = src[k];
        gram_row *t = src;
        src = dst;
        dst = t;
    }
    free(tmp); /* four passes: the rows are back in v */
    return true;
}

/* the staged rows in (gen, gram, sample) order: they are staged record by
 * record in id order, so a batch is runs of generations with the ids
 * ascending, each run sorted by gram alone (qsort was 3% of an import);
 * anything else, and small batches, by qsort */
static void sort_staged(gram_row *v, size_t n, bool pages)
{
    bool runs = n >= 4096;
    for (size_t k = 1; k < n && runs; k++)
        runs = v[k - 1].sample_id <= v[k].sample_id;
    for (size_t a = 0, b; runs && a < n; a = b) {
        for (b = a; b < n && v[b].gen == v[a].gen; b++)
            ;
        runs = radix_by_gram(v + a, b - a, pages ? 0 : 1ULL << 63);
    }
    if (!runs)
        qsort(v, n, sizeof *v, pages ? cmp_row_pages : cmp_row);
}

bool grams_flush(db *d)
{
    if (!d->nstaged)
        return true;
    bool pages = !d->be->set_rows;
    sort_staged(d->staged, d->nstaged, pages);
    bool ok = pages ? gram_pages_write(d, d->staged, d->nstaged) : d->be->put_grams(d, d->staged, d->nstaged);
    d->nstaged = 0;
    return ok;
}

void grams_drop(db *d)
{
    free(d->staged);
    d->staged = NULL;
    d->nstaged = d->capstaged = 0;
}

void db_gram_fields(const void *rows, size_t k, int64_t out[3])
{
    const gram_row *r = (const gram_row *)rows + k;
    out[0] = r->gen, out[1] = r->gram, out[2] = r->sample_id;
}

int db_gram_page_fields(const void *pages, size_t k, int64_t ints[DB_PAGE_INTS], const uint8_t **data, size_t *len)
{
    const gram_page *g = (const gram_page *)pages + k;
    ints[0] = g->gen, ints[1] = g->bucket, ints[2] = g->first_id, ints[3] = g->n;
    *data = g->data;
    *len = g->n > 0 && (uint64_t)g->n <= SIZE_MAX / DB_GRAM_ENTRY ? (size_t)g->n * DB_GRAM_ENTRY : 0;
    return 4;
}
