/* ssdeep_parse.c - owns reading ssdeep digests exactly as libfuzzy's
 * fuzzy_compare does, so the similarity index sees the same signatures
 * (and the same "malformed" verdicts) as the scorer. */
#include "fp/ssdeep_parse.h"

/* Copy *in up to NUL or etoken into out, keeping at most three equal
 * characters in a row.  Returns the output length, or MG_SIG_MAX + 1 when
 * it would not fit (fuzzy_compare calls such a digest malformed). */
static size_t copy_cut(const char **in, char etoken, char *out)
{
    const char *p = *in;
    size_t n = 0, run = 0;
    char prev = 0;
    for (; *p && *p != etoken; p++) {
        if (n > 0 && *p == prev) {
            if (++run >= 3) {
                run = 3;
                continue;
            }
        } else
            run = 0;
        if (n == MG_SIG_MAX) {
            *in = p;
            return MG_SIG_MAX + 1;
        }
        out[n++] = prev = *p;
    }
    *in = p;
    return n;
}

mg_digest_kind mg_digest_parse(const char *s, mg_digest *out)
{
    const char *p = s;
    uint64_t bs = 0;
    /* libfuzzy reads the block size as strtoull does: leading white space
     * and one '+' sign mean nothing ("+96:..." is "96:...") */
    while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        p++;
    if (*p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return MG_DIGEST_ODD;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (bs > (UINT64_C(1) << 40))
            return MG_DIGEST_ODD; /* keep 2 * bs far from any overflow */
        bs = bs * 10 + (uint64_t)(*p - '0');
    }
    if (*p != ':' || bs > (UINT64_C(1) << 40))
        return MG_DIGEST_ODD;
    p++;
    size_t n1 = copy_cut(&p, ':', out->sig1);
    if (n1 > MG_SIG_MAX || *p != ':')
        return MG_DIGEST_DEAD;
    p++;
    size_t n2 = copy_cut(&p, ',', out->sig2);
    if (n2 > MG_SIG_MAX)
        return MG_DIGEST_DEAD;
    out->bs = bs;
    out->len1 = (uint8_t)n1;
    out->len2 = (uint8_t)n2;
    return MG_DIGEST_STRICT;
}
