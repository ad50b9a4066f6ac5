/* simindex_build.c - owns building and freeing the similarity index: the
 * digests parsed, identical normalised contents folded into units (a hash
 * table on the content), each unit's members, the posting lists
 * (simindex_grams.c) and each unit's character histograms. */
#include "index/simindex.h"
#include "util/alloc.h"
#include "fp/ssdeep_score.h"
#include "util/bigbuf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a over the normalised content */
static uint64_t content_hash(const mg_digest *d)
{
    uint64_t h = 1469598103934665603u ^ mg_mix64(d->bs ^ ((uint64_t)d->len1 << 48) ^ ((uint64_t)d->len2 << 56));
    for (size_t i = 0; i < d->len1; i++)
        h = (h ^ (unsigned char)d->sig1[i]) * 1099511628211u;
    h = (h ^ 0x3a) * 1099511628211u;
    for (size_t i = 0; i < d->len2; i++)
        h = (h ^ (unsigned char)d->sig2[i]) * 1099511628211u;
    return mg_mix64(h);
}

static bool same_content(const mg_simindex *ix, const unit *u, const mg_digest *d)
{
    return u->bs == d->bs && u->len1 == d->len1 && u->len2 == d->len2 &&
           !memcmp(ix->sigs + u->off, d->sig1, d->len1) &&
           !memcmp(ix->sigs + u->off + u->len1, d->sig2, d->len2);
}

uint32_t mg_simindex_find_unit(const mg_simindex *ix, const mg_digest *d, size_t *slot)
{
    size_t k = content_hash(d) & ix->hmask;
    for (; ix->htab[k]; k = (k + 1) & ix->hmask)
        if (same_content(ix, &ix->units[ix->htab[k] - 1], d))
            break;
    if (slot)
        *slot = k;
    return ix->htab[k] ? ix->htab[k] - 1 : UINT32_MAX;
}

static bool build_members(mg_simindex *ix, const uint32_t *unit_of)
{
    ix->mstart = mg_calloc(ix->nunits + 1, sizeof *ix->mstart);
    ix->members = mg_malloc((ix->n ? ix->n : 1) * sizeof *ix->members);
    if (!ix->mstart || !ix->members)
        return false;
    for (size_t i = 0; i < ix->n; i++)
        if (unit_of[i] != UINT32_MAX)
            ix->mstart[unit_of[i] + 1]++;
    for (size_t u = 0; u < ix->nunits; u++)
        ix->mstart[u + 1] += ix->mstart[u];
    uint32_t *fill = mg_malloc((ix->nunits ? ix->nunits : 1) * sizeof *fill);
    if (!fill)
        return false;
    memcpy(fill, ix->mstart, ix->nunits * sizeof *fill);
    for (size_t i = 0; i < ix->n; i++)
        if (unit_of[i] != UINT32_MAX)
            ix->members[fill[unit_of[i]]++] = (uint32_t)i;
    free(fill);
    return true;
}

mg_status mg_simindex_build(const char *const *digests, size_t n, mg_simindex **out, mg_error *err)
{
    *out = NULL;
    if (n >= UINT32_MAX / 2)
        return mg_fail(err, MG_ERR_ARG, "too many digests (%zu)", n);
    mg_simindex *ix = mg_calloc(1, sizeof *ix);
    if (!ix)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    ix->dig = digests;
    ix->n = n;
    size_t hcap = 16;
    while (hcap < 2 * n)
        hcap *= 2;
    ix->hmask = hcap - 1;
    uint32_t *unit_of = mg_malloc((n ? n : 1) * sizeof *unit_of);
    ix->rep = mg_malloc((n ? n : 1) * sizeof *ix->rep);
    ix->units = mg_malloc((n ? n : 1) * sizeof *ix->units);
    ix->sigs = mg_bigbuf_alloc(n * 2 * MG_SIG_MAX);
    ix->odd = mg_malloc((n ? n : 1) * sizeof *ix->odd);
    ix->htab = mg_calloc(hcap, sizeof *ix->htab);
    if (!unit_of || !ix->rep || !ix->units || !ix->sigs || !ix->odd || !ix->htab)
        goto nomem;
    size_t sig_at = 0;
    for (size_t i = 0; i < n; i++) {
        mg_digest d;
        mg_digest_kind kind = digests[i] ? mg_digest_parse(digests[i], &d) : MG_DIGEST_DEAD;
        unit_of[i] = UINT32_MAX;
        ix->rep[i] = (uint32_t)i;
        if (kind == MG_DIGEST_ODD)
            ix->odd[ix->nodd++] = (uint32_t)i;
        if (kind != MG_DIGEST_STRICT)
            continue;
        size_t slot;
        uint32_t u = mg_simindex_find_unit(ix, &d, &slot);
        if (u == UINT32_MAX) {
            u = (uint32_t)ix->nunits++;
            unit *un = &ix->units[u];
            *un = (unit){d.bs, (uint32_t)sig_at, d.len1, d.len2, (uint32_t)i};
            memcpy(ix->sigs + sig_at, d.sig1, d.len1);
            memcpy(ix->sigs + sig_at + d.len1, d.sig2, d.len2);
            sig_at += (size_t)d.len1 + d.len2;
            ix->htab[slot] = u + 1;
        }
        unit_of[i] = u;
        ix->rep[i] = ix->units[u].first;
    }
    /* odd digests are compared with everything: bound that work */
    if ((uint64_t)ix->nodd * (ix->nunits + ix->nodd) > MG_ODD_COMPARES) {
        size_t nodd = ix->nodd;
        free(unit_of);
        mg_simindex_free(ix);
        return mg_fail(err, MG_ERR_TOO_COSTLY,
                       "too costly: %zu oddly spelled digests (a '-' sign or a huge block size), "
                       "each compared with every digest", nodd);
    }
    if (!build_members(ix, unit_of) || !mg_simindex_build_grams(ix))
        goto nomem;
    if (!(ix->hist = mg_bigbuf_alloc(ix->nunits * sizeof *ix->hist)))
        goto nomem;
    for (size_t u = 0; u < ix->nunits; u++) {
        const unit *un = &ix->units[u];
        mg_sighist_init(ix->hist[u][0], ix->sigs + un->off, un->len1);
        mg_sighist_init(ix->hist[u][1], ix->sigs + un->off + un->len1, un->len2);
    }
    free(unit_of);
    *out = ix;
    return MG_OK;
nomem:
    free(unit_of);
    mg_simindex_free(ix);
    return mg_fail(err, MG_ERR_NOMEM, "out of memory");
}

void mg_simindex_free(mg_simindex *ix)
{
    if (!ix)
        return;
    free(ix->rep);
    free(ix->units);
    free(ix->sigs);
    free(ix->mstart);
    free(ix->members);
    free(ix->odd);
    free(ix->grams);
    free(ix->gunit);
    free(ix->spans);
    free(ix->hist);
    free(ix->pstart);
    free(ix->htab);
    free(ix);
}

const uint32_t *mg_simindex_reps(const mg_simindex *ix)
{
    return ix->rep;
}

size_t mg_simindex_size(const mg_simindex *ix)
{
    return ix->n;
}
