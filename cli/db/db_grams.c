/* db_grams.c - owns the keys under which the database indexes a digest:
 * one 64-bit key per distinct 7-character substring of each signature,
 * combined with the block size the signature is at (sig1 at BS, sig2 at
 * 2*BS).  fuzzy_compare scores a pair above 0 only when two signatures at
 * the same block size share such a substring, or when the digests are
 * equal after its normalisation, so the keys and the exact form find every
 * pair the in-memory index finds (a hash collision only adds a candidate,
 * which the exact score then drops). */
#include "db.h"
#include "ssdeep_parse.h"

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
