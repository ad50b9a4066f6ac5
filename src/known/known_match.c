/* known_match.c - owns naming a sample from the reference: an identical
 * file (sha256) or an identical function-name list (gimphash) is an
 * identity hit; otherwise the gimpsets scoring at least MG_KNOWN_THRESHOLD
 * (the set index), from records standing on enough names whose identity
 * (main module, else own package prefix) agrees with the sample's, or at
 * MG_KNOWN_NO_IDENTITY when a side has none.  Precision first: a program the reference
 * does not hold must stay unnamed (docs/known.md "Threshold"). */
#include "known/known_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the length of an identity up to its "@" (a version) */
static size_t ident_len(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    return s ? (at ? (size_t)(at - s) : strlen(s)) : 0;
}

/* 1: both say who they are and agree; 0: both say and differ; -1: a side
 * does not say */
static int identities_agree(const char *q, const char *r)
{
    size_t nq = ident_len(q), nr = ident_len(r);
    if (!nq || !nr)
        return -1;
    return nq == nr && !memcmp(q, r, nq);
}

void mg_known_identity(const mg_image *im, char *out, size_t cap)
{
    if (!cap)
        return;
    out[0] = 0;
    if (!im->is_go)
        return;
    if (im->buildinfo.present && im->buildinfo.main.path[0]) {
        snprintf(out, cap, "%s", im->buildinfo.main.path);
        return;
    }
    char raw[512];
    size_t n = mg_image_own_prefix(im, raw, sizeof raw);
    if (n)
        mg_package_unescape(raw, n, out, cap);
}

/* the first record whose field (sha or gimphash) is s, or NULL */
static const mg_known_rec *find_exact(const mg_known *k, bool sha, const char *s)
{
    const uint32_t *v = sha ? k->by_sha : k->by_gimp;
    size_t lo = 0, hi = sha ? k->nsha : k->ngimp;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const mg_known_rec *r = &k->recs[v[mid]];
        if (strcmp(sha ? r->sha256 : r->gimphash, s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == (sha ? k->nsha : k->ngimp))
        return NULL;
    const mg_known_rec *r = &k->recs[v[lo]];
    return !strcmp(sha ? r->sha256 : r->gimphash, s) ? r : NULL;
}

static bool is_empty_set(const char *gs)
{
    return !gs || !gs[0] || !strcmp(gs, "gs1:256:");
}

int mg_known_lookup(const mg_known *k, const mg_known_query *q, mg_known_hit out[2])
{
    if (!k || !k->n)
        return 0;
    const mg_known_rec *r = q->sha256 && q->sha256[0] ? find_exact(k, true, q->sha256) : NULL;
    if (r) {
        out[0] = (mg_known_hit){r, 100, "sha256"};
        return 1;
    }
    if (is_empty_set(q->gimpset)) /* no names of its own: nothing to recognise it by */
        return 0;
    r = q->gimphash && q->gimphash[0] ? find_exact(k, false, q->gimphash) : NULL;
    if (r && identities_agree(q->identity, r->identity) != 0) {
        out[0] = (mg_known_hit){r, 100, "gimphash"};
        return 1;
    }
    if (q->gimpset_names >= 0 && q->gimpset_names < MG_KNOWN_MIN_NAMES)
        return 0; /* too few names: a high score by chance (docs/known.md "Threshold") */
    mg_hit *h = NULL;
    size_t nh = 0;
    mg_error e;
    if (mg_setindex_query(k->set, q->gimpset, MG_KNOWN_THRESHOLD, &h, &nh, &e) != MG_OK)
        return -1;
    int n = 0;
    for (size_t i = 0; i < nh && n < 2; i++) {
        const mg_known_rec *c = &k->recs[h[i].index];
        int agree = identities_agree(q->identity, c->identity);
        if (!agree || (agree < 0 && h[i].score < MG_KNOWN_NO_IDENTITY) ||
            (c->gimpset_names >= 0 && c->gimpset_names < MG_KNOWN_MIN_NAMES))
            continue;
        if (n == 1 && (!strcmp(c->name, out[0].rec->name) || h[i].score < out[0].score - MG_KNOWN_CLOSE))
            continue;
        out[n++] = (mg_known_hit){c, h[i].score, "gimpset"};
    }
    free(h);
    return n;
}

int mg_known_lookup_image(const mg_known *k, const mg_image *im, const char *sha256, mg_known_hit out[2])
{
    if (!im->is_go || (im->flags & (MG_FLAG_NO_NAMES | MG_FLAG_BAD_NAMES)))
        return 0;
    char ident[512];
    mg_known_identity(im, ident, sizeof ident);
    mg_known_query q = {sha256, im->gimphash, im->gimpset, ident, (long)im->gimpset_names};
    return mg_known_lookup(k, &q, out);
}
