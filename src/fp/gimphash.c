/* gimphash.c - the gimphash name filter (docs/spec/gimphash.md "Name rules", NextronSystems'
 * current specification) and the streaming SHA-256 / ssdeep over the kept
 * names.  Names are fed one at a time: no concatenation buffer is built.
 * The ssdeep is malgopher's engine (fp/ssdeep_engine.c), bit-exact with
 * libfuzzy, which stays the oracle of its test and serves fuzzy_compare. */
#include "fp/gimphash.h"
#include "util/alloc.h"

#include "fp/ssdeep_engine.h"
#include "fp/unicode.h"

#include <fuzzy.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct mg_gimp {
    EVP_MD_CTX *sha;
    bool with_fuzzy;
    size_t kept;
    mg_ssdeep fuzzy; /* in place: no allocation of its own */
};

static bool has_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

/* ends_with_word: s[0..p) ends with word (k bytes) */
static bool ends_with_word(const char *s, size_t p, const char *word, size_t k)
{
    return p >= k && memcmp(s + p - k, word, k) == 0;
}

/* Go reference: the first rune that is lower-case decides "skip"; the first
 * upper-case or numeric rune decides "keep"; other runes are passed over. */
static bool first_alnum_is_lower(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t used;
        uint32_t cp = mg_utf8_next(u + i, n - i, &used);
        i += used;
        switch (mg_uc_classify(cp)) {
        case MG_UC_LOWER: return true;
        case MG_UC_UPPER:
        case MG_UC_NUMBER: return false;
        default: break;
        }
    }
    return false;
}

/* text after the first '.', or all of s when there is none */
static const char *after_first_dot(const char *s, size_t *n)
{
    const char *d = memchr(s, '.', *n);
    if (!d)
        return s;
    *n -= (size_t)(d + 1 - s);
    return d + 1;
}

/* the standard-library prefixes the reference skips: runtime, sync,
 * syscall, type, time, unicode, reflect, strconv (plain prefix tests) */
static bool skipped_prefix(const char *s, size_t n)
{
    switch (n ? s[0] : 0) {
    case 'r': return has_prefix(s, n, "runtime") || has_prefix(s, n, "reflect");
    case 's':
        return has_prefix(s, n, "sync") || has_prefix(s, n, "syscall") || has_prefix(s, n, "strconv");
    case 't': return has_prefix(s, n, "type") || has_prefix(s, n, "time");
    case 'u': return has_prefix(s, n, "unicode");
    default: return false;
    }
}

bool mg_gimphash_keep(const char *name, size_t len, size_t *kept_start)
{
    if (has_prefix(name, len, "go.") || has_prefix(name, len, "type."))
        return false;
    /* One pass over the slashes finds what the reference looks for:
     * "vendor/" and "internal/" both end in '/', so each occurrence is a
     * slash preceded by the word.  The text after the last "vendor/" is
     * kept; "internal/" counts only when it starts inside that text. */
    size_t vend = 0;          /* start of the text after the last "vendor/" */
    size_t internal = 0;      /* 1 + start of the last "internal/", 0: none */
    size_t last_slash = 0;    /* 1 + position of the last '/', 0: none */
    const char *q = memchr(name, '/', len);
    while (q) {
        size_t p = (size_t)(q - name);
        if (ends_with_word(name, p, "vendor", 6))
            vend = p + 1;
        else if (ends_with_word(name, p, "internal", 8))
            internal = p - 8 + 1;
        last_slash = p + 1;
        q = memchr(q + 1, '/', len - (p + 1));
    }
    if (internal && internal - 1 >= vend)
        return false;
    const char *s = name + vend;
    size_t n = len - vend;
    if (skipped_prefix(s, n))
        return false;
    const char *slash = last_slash > vend ? name + last_slash - 1 : NULL;
    size_t bn = slash ? n - (size_t)(slash + 1 - s) : n;
    const char *base = after_first_dot(slash ? slash + 1 : s, &bn);
    if (first_alnum_is_lower(base, bn))
        return false;
    base = after_first_dot(base, &bn);
    if (first_alnum_is_lower(base, bn))
        return false;
    *kept_start = (size_t)(s - name);
    return true;
}

mg_gimp *mg_gimp_new(bool with_fuzzy)
{
    mg_gimp *g = mg_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->sha = EVP_MD_CTX_new();
    if (!g->sha || EVP_DigestInit_ex(g->sha, EVP_sha256(), NULL) != 1) {
        mg_gimp_free(g);
        return NULL;
    }
    g->with_fuzzy = with_fuzzy;
    if (with_fuzzy)
        mg_ssdeep_init(&g->fuzzy);
    return g;
}

bool mg_gimp_add(mg_gimp *g, const char *name, size_t len)
{
    size_t start;
    if (!mg_gimphash_keep(name, len, &start))
        return false;
    const unsigned char *p = (const unsigned char *)name + start;
    size_t n = len - start;
    EVP_DigestUpdate(g->sha, p, n);
    if (g->with_fuzzy)
        mg_ssdeep_update(&g->fuzzy, p, n);
    g->kept++;
    return true;
}

size_t mg_gimp_finish(mg_gimp *g, char hex_out[65], char *fuzzy_out)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(g->sha, md, &mdlen);
    for (unsigned i = 0; i < 32; i++) {
        static const char hx[] = "0123456789abcdef";
        hex_out[2 * i] = hx[md[i] >> 4];
        hex_out[2 * i + 1] = hx[md[i] & 15];
    }
    hex_out[64] = 0;
    if (fuzzy_out) {
        fuzzy_out[0] = 0;
        if (g->with_fuzzy && !mg_ssdeep_digest(&g->fuzzy, fuzzy_out))
            fuzzy_out[0] = 0;
    }
    return g->kept;
}

void mg_gimp_free(mg_gimp *g)
{
    if (!g)
        return;
    EVP_MD_CTX_free(g->sha);
    free(g);
}

size_t mg_gimphash_names(const char *const *names, const uint32_t *lens, size_t n,
                         char hex_out[65], char *fuzzy_out)
{
    mg_gimp *g = mg_gimp_new(fuzzy_out != NULL);
    if (!g) {
        hex_out[0] = 0;
        if (fuzzy_out)
            fuzzy_out[0] = 0;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        mg_gimp_add(g, names[i], lens[i]);
    size_t kept = mg_gimp_finish(g, hex_out, fuzzy_out);
    mg_gimp_free(g);
    return kept;
}

int mg_fuzzy_compare(const char *a, const char *b)
{
    return fuzzy_compare(a, b);
}
