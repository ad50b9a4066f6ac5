/* simindex_pairs.c - owns the similarity index's pair search for one
 * worker: each unit's candidates from the posting lists, the histogram
 * bound, the bit-parallel scoring of the signature pairs fuzzy_compare
 * would make, and fuzzy_compare itself for odd digests.  In families mode a
 * union-find skips pairs already linked through others. */
#include "index/simindex.h"
#include "util/unionfind.h"

#include <fuzzy.h>

/* families only: true when nodes na and nb are not linked yet (so their
 * score matters); found() records each link */
static inline bool unlinked(mg_simworker *w, uint32_t na, uint32_t nb)
{
    return !w->uf || mg_uf_find(w->uf, na) != mg_uf_find(w->uf, nb);
}

/* input indices a and b (nodes na and nb) score s >= min_score */
static void found(mg_simworker *w, uint32_t a, uint32_t b, int s, uint32_t na, uint32_t nb)
{
    mg_edgevec_push(&w->out, a < b ? a : b, a < b ? b : a, s);
    if (w->max_out && w->out.n >= w->max_out)
        w->capped = true;
    if (w->uf)
        mg_uf_union(w->uf, na, nb);
}

/* Queue the signature comparisons fuzzy_compare would make between unit u
 * (masks in w) and unit v, as their block sizes dictate, leaving out those
 * whose character histograms already rule out min_score.  Returns how many
 * were queued (0-2). */
static int queue_jobs(const mg_simindex *ix, const mg_simworker *w, uint32_t ui, uint32_t vi, mg_sigjob *job)
{
    const unit *u = &ix->units[ui], *v = &ix->units[vi];
    const char *v1 = ix->sigs + v->off, *v2 = v1 + v->len1;
    const mg_sigmask *ma[2] = {&w->m1, &w->m2};
    int sa[2] = {-1, -1}, sb[2] = {-1, -1}; /* which signatures meet */
    uint64_t bs[2] = {0, 0};
    if (u->bs == v->bs) {
        sa[0] = 0, sb[0] = 0, bs[0] = u->bs;
        sa[1] = 1, sb[1] = 1, bs[1] = 2 * u->bs;
    } else if (v->bs == 2 * u->bs)
        sa[0] = 1, sb[0] = 0, bs[0] = v->bs;
    else if (u->bs == 2 * v->bs)
        sa[0] = 0, sb[0] = 1, bs[0] = u->bs;
    int n = 0;
    for (int k = 0; k < 2 && sa[k] >= 0; k++) {
        size_t la = ma[sa[k]]->len, lb = sb[k] ? v->len2 : v->len1;
        if (la < MG_GRAM || lb < MG_GRAM)
            continue; /* no common 7-gram: fuzzy_compare scores it 0 */
        if (mg_sighist_overlap(ix->hist[ui][sa[k]], ix->hist[vi][sb[k]]) < w->need[la][lb])
            continue;
        job[n++] = (mg_sigjob){ma[sa[k]], sb[k] ? v2 : v1, (uint32_t)lb, bs[k]};
    }
    return n;
}

/* the candidate units v > u sharing a 7-gram with u at a common level: the
 * entries after u's own in each of its grams' runs (runs are sorted by unit) */
static size_t candidates(mg_simworker *w, uint32_t u)
{
    const mg_simindex *ix = w->ix;
    uint32_t *mark = w->mark, *cand = w->cand;
    size_t nc = 0;
    const uint32_t *gunit = ix->gunit;
    const span *sp = ix->spans;
    uint32_t x0 = ix->pstart[u], x1 = ix->pstart[u + 1];
    for (uint32_t x = x0; x < x1; x++) {
        /* the spans start at scattered places: fetch a few ahead */
        if (x + 4 < x1)
            __builtin_prefetch(gunit + sp[x + 4].from);
        uint32_t end = sp[x].end;
        /* forest mode only; the last units of a dense list see it shorter */
        mg_dense_slot *d = w->dense && end - sp[x].from > MG_DENSE_WINDOW
                               ? mg_dense_slot_of(w, end, end - sp[x].from > MG_DENSE_RUN)
                               : NULL;
        if (d) {
            if (d->uniform && mg_uf_find(w->uf, d->uniform - 1) == mg_uf_find(w->uf, u))
                continue; /* all one family already: no pair here matters */
            if (d->passes >= MG_DENSE_FULL_PASSES) {
                end = sp[x].from + MG_DENSE_WINDOW;
                w->dense_cut++;
            }
        }
        /* a run holds each unit once, in ascending order: all after u's are > u */
        for (uint32_t k = sp[x].from; k < end; k++) {
            uint32_t v = gunit[k];
            if (mark[v] != u) {
                mark[v] = u;
                cand[nc++] = v;
            }
        }
    }
    return nc;
}

/* the odd digests of this worker: fuzzy_compare against every
 * representative and every later odd digest */
static void odd_pairs(mg_simworker *w)
{
    const mg_simindex *ix = w->ix;
    for (size_t k = w->id; k < ix->nodd && !w->capped; k += w->nthreads) {
        uint32_t o = ix->odd[k], no = (uint32_t)(ix->nunits + k);
        for (size_t u = 0; u < ix->nunits; u++) {
            uint32_t b = ix->units[u].first;
            if (!unlinked(w, no, (uint32_t)u))
                continue;
            int s = fuzzy_compare(ix->dig[o], ix->dig[b]);
            if (s >= w->min_score)
                found(w, o, b, s, no, (uint32_t)u);
        }
        for (size_t j = k + 1; j < ix->nodd; j++) {
            uint32_t nj = (uint32_t)(ix->nunits + j);
            if (!unlinked(w, no, nj))
                continue;
            int s = fuzzy_compare(ix->dig[o], ix->dig[ix->odd[j]]);
            if (s >= w->min_score)
                found(w, o, ix->odd[j], s, no, nj);
        }
    }
}

void *mg_simindex_pairs_worker(void *arg)
{
    mg_simworker *w = arg;
    const mg_simindex *ix = w->ix;
    for (size_t u = w->id; u < ix->nunits && !w->capped; u += w->nthreads) {
        size_t nc = candidates(w, (uint32_t)u);
        const unit *un = &ix->units[u];
        if (w->uf) { /* families only: pairs already linked cannot change them */
            uint32_t root = mg_uf_find(w->uf, (uint32_t)u); /* no link is made in this loop */
            size_t keep = 0;
            for (size_t c = 0; c < nc; c++)
                if (mg_uf_find(w->uf, w->cand[c]) != root)
                    w->cand[keep++] = w->cand[c];
            nc = keep;
        }
        mg_sigmask_init(&w->m1, ix->sigs + un->off, un->len1);
        mg_sigmask_init(&w->m2, ix->sigs + un->off + un->len1, un->len2);
        /* each candidate's signature pairs, scored by a bit-parallel LCS;
         * the character histograms rule out most of them first */
        size_t nj = 0;
        for (size_t c = 0; c < nc; c++) {
            int k = queue_jobs(ix, w, (uint32_t)u, w->cand[c], w->job + nj);
            for (int x = 0; x < k; x++)
                w->job_of[nj + x] = (uint32_t)c;
            nj += (size_t)k;
        }
        mg_sig_score_batch(w->job, nj, w->min_score, w->job_score);
        /* A job's score is libfuzzy's for that signature pair when the two
         * share a 7-character substring, and fuzzy_compare is the best of
         * its pairs (distinct units are never identical, so its shortcut
         * to 100 does not apply): the best job that reaches min_score and
         * has a common substring is fuzzy_compare's score.  The jobs of a
         * candidate are consecutive. */
        for (size_t j = 0; j < nj;) {
            uint32_t c = w->job_of[j], v = w->cand[c];
            int best = 0;
            size_t j0 = j;
            for (; j < nj && w->job_of[j] == c; j++)
                if (w->job_score[j] > best)
                    best = w->job_score[j];
            if (best < w->min_score || !unlinked(w, (uint32_t)u, v))
                continue;
            best = 0;
            for (size_t x = j0; x < j; x++)
                if (w->job_score[x] >= w->min_score && w->job_score[x] > best &&
                    mg_sig_common_gram(w->job[x].a, w->job[x].b, w->job[x].lb))
                    best = w->job_score[x];
            if (best >= w->min_score)
                found(w, un->first, ix->units[v].first, best, (uint32_t)u, v);
        }
        if (w->dense)
            mg_dense_after_unit(w, (uint32_t)u);
    }
    odd_pairs(w);
    return NULL;
}
