/* ssdeep_score.c - owns predicting fuzzy_compare's score of two
 * signatures.  libfuzzy's edit distance counts an insertion or a deletion
 * as 1 and never prefers a change (it costs as much as both), so it is
 * la + lb - 2 * LCS; the LCS of strings of at most 64 characters takes one
 * 64-bit word per character of b (Allison-Dix / Hyyrö bit-parallel LCS). */
#include "fp/ssdeep_score.h"
#include "fp/ssdeep_parse.h"

#include <stdbool.h>
#include <string.h>

void mg_sigmask_init(mg_sigmask *m, const char *s, size_t len)
{
    memset(m->m, 0, sizeof m->m);
    m->len = len;
    for (size_t i = 0; i < len; i++)
        m->m[(unsigned char)s[i]] |= UINT64_C(1) << i;
}

/* libfuzzy's scaling of the edit distance, and its cap for tiny inputs */
static int finish(size_t la, size_t lb, uint32_t lcs, uint64_t block_size)
{
    if (la < MG_GRAM || lb < MG_GRAM || la > MG_SIG_MAX || lb > MG_SIG_MAX)
        return 0; /* no common 7-character substring possible */
    uint32_t dist = (uint32_t)(la + lb) - 2 * lcs;
    uint32_t score = dist * MG_SIG_MAX / (uint32_t)(la + lb);
    score = 100 * score / MG_SIG_MAX;
    score = 100 - score;
    if (block_size < (99 + MG_GRAM) / MG_GRAM * 3) {
        uint64_t cap = block_size / 3 * (la < lb ? la : lb);
        if (score > cap)
            score = (uint32_t)cap;
    }
    return (int)score;
}

static uint32_t lcs_bits(uint64_t v, size_t la)
{
    uint64_t used = la >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << la) - 1;
    return (uint32_t)__builtin_popcountll(~v & used);
}

int mg_sig_score(const mg_sigmask *a, const char *b, size_t lb, uint64_t block_size)
{
    if (a->len < MG_GRAM || lb < MG_GRAM || a->len > MG_SIG_MAX || lb > MG_SIG_MAX)
        return 0;
    uint64_t v = ~UINT64_C(0);
    for (size_t j = 0; j < lb; j++) {
        uint64_t u = v & a->m[(unsigned char)b[j]];
        v = (v + u) | (v - u);
    }
    return finish(a->len, lb, lcs_bits(v, a->len), block_size);
}

/* run[k] holds the positions i of a where a[i-k..i] == b[j-k..j], for the
 * current j: a common substring of MG_GRAM characters shows as a bit that
 * survives MG_GRAM - 1 shifts */
bool mg_sig_common_gram(const mg_sigmask *a, const char *b, size_t lb)
{
    uint64_t run[MG_GRAM - 1] = {0};
    for (size_t j = 0; j < lb; j++) {
        uint64_t m = a->m[(unsigned char)b[j]];
        if (m & (run[MG_GRAM - 2] << 1))
            return true;
        for (int k = MG_GRAM - 2; k > 0; k--)
            run[k] = m & (run[k - 1] << 1);
        run[0] = m;
    }
    return false;
}

/* the smallest LCS with which strings of lengths la and lb can score
 * min_score before the small-block cap (which only lowers scores):
 * score >= T  <=>  64 * dist / L <= x  (x the largest with 100x/64 <= 100 - T)
 *             <=>  dist <= ((x + 1) * L - 1) / 64, and dist = L - 2 LCS */
uint32_t mg_lcs_needed(size_t la, size_t lb, int min_score)
{
    if (min_score <= 0)
        return 0;
    if (min_score > 100)
        min_score = 100;
    /* largest x with 100x/64 <= R:  x < 64(R+1)/100 */
    uint32_t r = (uint32_t)(100 - min_score), x = (MG_SIG_MAX * (r + 1) + 99) / 100 - 1;
    if (x > MG_SIG_MAX)
        x = MG_SIG_MAX;
    uint32_t L = (uint32_t)(la + lb), dmax = ((x + 1) * L - 1) / MG_SIG_MAX;
    return dmax >= L ? 0 : (L - dmax + 1) / 2;
}

void mg_sig_score_batch(const mg_sigjob *jobs, size_t n, int min_score, int *out)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const mg_sigjob *j[4] = {&jobs[i], &jobs[i + 1], &jobs[i + 2], &jobs[i + 3]};
        uint32_t need[4], len = 0;
        bool alive[4];
        for (int l = 0; l < 4; l++) {
            need[l] = mg_lcs_needed(j[l]->a->len, j[l]->lb, min_score);
            alive[l] = j[l]->a->len >= MG_GRAM && j[l]->lb >= MG_GRAM && j[l]->a->len <= MG_SIG_MAX &&
                       j[l]->lb <= MG_SIG_MAX && need[l] <= (j[l]->lb < j[l]->a->len ? j[l]->lb : j[l]->a->len);
            if (alive[l] && j[l]->lb > len)
                len = j[l]->lb;
        }
        uint64_t v0 = ~UINT64_C(0), v1 = v0, v2 = v0, v3 = v0;
        /* past its end (or once given up) a lane reads a mask of 0, which
         * leaves its v unchanged */
        for (uint32_t k = 0; k < len; k++) {
            uint64_t m0 = alive[0] && k < j[0]->lb ? j[0]->a->m[(unsigned char)j[0]->b[k]] : 0;
            uint64_t m1 = alive[1] && k < j[1]->lb ? j[1]->a->m[(unsigned char)j[1]->b[k]] : 0;
            uint64_t m2 = alive[2] && k < j[2]->lb ? j[2]->a->m[(unsigned char)j[2]->b[k]] : 0;
            uint64_t m3 = alive[3] && k < j[3]->lb ? j[3]->a->m[(unsigned char)j[3]->b[k]] : 0;
            uint64_t u0 = v0 & m0, u1 = v1 & m1, u2 = v2 & m2, u3 = v3 & m3;
            v0 = (v0 + u0) | (v0 - u0);
            v1 = (v1 + u1) | (v1 - u1);
            v2 = (v2 + u2) | (v2 - u2);
            v3 = (v3 + u3) | (v3 - u3);
            if ((k & 15) == 15) { /* give up lanes that cannot catch up any more */
                uint64_t v[4] = {v0, v1, v2, v3};
                bool any = false;
                for (int l = 0; l < 4; l++) {
                    if (alive[l] && k + 1 < j[l]->lb &&
                        lcs_bits(v[l], j[l]->a->len) + (j[l]->lb - (k + 1)) < need[l])
                        alive[l] = false;
                    any = any || (alive[l] && k + 1 < j[l]->lb);
                }
                if (!any)
                    break;
            }
        }
        uint64_t v[4] = {v0, v1, v2, v3};
        for (int l = 0; l < 4; l++)
            out[i + l] = alive[l] ? finish(j[l]->a->len, j[l]->lb, lcs_bits(v[l], j[l]->a->len), j[l]->block_size) : 0;
    }
    for (; i < n; i++)
        out[i] = mg_sig_score(jobs[i].a, jobs[i].b, jobs[i].lb, jobs[i].block_size);
}

/* base64 characters get buckets of their own; other bytes share */
static uint8_t bucket(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (uint8_t)(c - 'A');
    if (c >= 'a' && c <= 'z')
        return (uint8_t)(c - 'a' + 26);
    if (c >= '0' && c <= '9')
        return (uint8_t)(c - '0' + 52);
    return c == '+' ? 62 : c == '/' ? 63 : (uint8_t)(c & 63);
}

void mg_sighist_init(uint8_t h[64], const char *s, size_t len)
{
    memset(h, 0, 64);
    for (size_t i = 0; i < len; i++)
        h[bucket((unsigned char)s[i])]++;
}
