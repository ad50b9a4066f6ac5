/* gimpset.c - owns the gimpset v1 fingerprint: the name selection, the
 * normalisation, the 64-bit name hash, the 256-slot one-permutation MinHash
 * with rotation densification, the "gs1:256:BASE64" encoding, its decoding
 * and the comparison.  The specification is docs/spec/gimpset.md
 * "Specification (gimpset v1)"; the
 * independent implementation is tests/gimpset/gimpset_ref.py. */
#include "util/alloc.h"
#include "fp/gimpset.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY_SLOT UINT64_MAX /* above every 32-bit value */

struct mg_gset {
    uint64_t slot[MG_GIMPSET_K]; /* minimum low-32-bit value per bin */
    size_t kept;
    char *buf;  /* normalised name, reused (grown, never per name) */
    size_t cap;
    bool nomem; /* the buffer could not grow: the digest would be wrong */
};

static bool starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

/* Steps 1-3: drop compiler-generated names, cut the vendor prefix, keep only
 * the main package and packages whose first path element holds a dot. */
static bool select_name(const char *name, size_t len, size_t *start)
{
    if (starts(name, len, "go.") || starts(name, len, "go:") || starts(name, len, "type.") ||
        starts(name, len, "type:"))
        return false;
    size_t cut = SIZE_MAX;
    for (size_t i = 0; i + 7 <= len; i++)
        if (memcmp(name + i, "vendor/", 7) == 0 && (i == 0 || name[i - 1] == '/'))
            cut = i;
    if (cut == 0)
        return false;
    size_t s = cut == SIZE_MAX ? 0 : cut + 7;
    const char *p = name + s;
    size_t n = len - s;
    const char *br = memchr(p, '[', n);
    size_t head = br ? (size_t)(br - p) : n;
    const char *slash = memchr(p, '/', head);
    if (!slash) {
        const char *dot = memchr(p, '.', head);
        size_t pkg = dot ? (size_t)(dot - p) : head;
        if (pkg != 4 || memcmp(p, "main", 4) != 0)
            return false;
    } else if (!memchr(p, '.', (size_t)(slash - p))) {
        return false;
    }
    *start = s;
    return true;
}

/* ".funcN", ".gowrapN", ".deferwrapN" or ".N" (N: one or more ASCII digits) */
static bool closure_part(const char *s, size_t n)
{
    static const char *const words[] = {"func", "gowrap", "deferwrap", ""};
    for (size_t w = 0; w < 4; w++) {
        size_t k = strlen(words[w]);
        if (n <= k || memcmp(s, words[w], k) != 0)
            continue;
        size_t i = k;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == n)
            return true;
    }
    return false;
}

/* Step 4 into g->buf: every top-level [...] group becomes "[...]", then the
 * trailing closure parts are removed.  Returns the length, or SIZE_MAX when
 * the buffer cannot grow. */
static size_t normalise(mg_gset *g, const char *p, size_t n)
{
    if (n > (SIZE_MAX - 8) / 3)
        return SIZE_MAX;
    size_t need = 3 * n + 8; /* "[]" (2 bytes) becomes 5: at most 2.5x */
    if (need > g->cap) {
        char *b = mg_realloc(g->buf, need);
        if (!b)
            return SIZE_MAX;
        g->buf = b;
        g->cap = need;
    }
    size_t o = 0, depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '[') {
            if (depth == 0) {
                memcpy(g->buf + o, "[...]", 5);
                o += 5;
            }
            depth++;
        } else if (c == ']' && depth > 0) {
            depth--;
        } else if (depth == 0) {
            g->buf[o++] = c;
        }
    }
    for (;;) {
        size_t d = o;
        while (d > 0 && g->buf[d - 1] != '.')
            d--;
        if (d <= 1 || !closure_part(g->buf + d, o - d))
            return o;
        o = d - 1;
    }
}

/* Step 5: FNV-1a 64 over the bytes, then the splitmix64 finaliser. */
static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
    return h ^ (h >> 31);
}

mg_gset *mg_gset_new(void)
{
    mg_gset *g = mg_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    mg_gset_reset(g);
    return g;
}

bool mg_gset_hash(mg_gset *g, const char *name, size_t len, uint64_t *h)
{
    size_t s;
    if (!select_name(name, len, &s))
        return false;
    size_t n = normalise(g, name + s, len - s);
    if (n == SIZE_MAX) {
        g->nomem = true;
        return false;
    }
    *h = name_hash(g->buf, n);
    return true;
}

void mg_gset_add_hash(mg_gset *g, uint64_t h)
{
    size_t bin = (size_t)(h >> 56);
    uint64_t v = h & 0xffffffffu;
    if (v < g->slot[bin])
        g->slot[bin] = v;
    g->kept++;
}

void mg_gset_reset(mg_gset *g)
{
    for (size_t i = 0; i < MG_GIMPSET_K; i++)
        g->slot[i] = EMPTY_SLOT;
    g->kept = 0;
    g->nomem = false;
}

bool mg_gset_add(mg_gset *g, const char *name, size_t len)
{
    uint64_t h;
    if (!mg_gset_hash(g, name, len, &h))
        return false;
    mg_gset_add_hash(g, h);
    return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool mg_gset_failed(const mg_gset *g)
{
    return g->nomem;
}

size_t mg_gset_finish(mg_gset *g, char out[MG_GIMPSET_LEN])
{
    static const char prefix[] = "gs1:256:";
    memcpy(out, prefix, sizeof prefix);
    if (g->kept == 0)
        return 0;
    /* Step 6: an empty bin takes the value of the first filled bin after it
     * (circularly), at distance d, plus d * 0x9E3779B9 (mod 2^32). */
    unsigned char raw[4 * MG_GIMPSET_K];
    size_t next = 0; /* the first filled bin at or after i (circularly) + K * wraps */
    while (g->slot[next] == EMPTY_SLOT)
        next++; /* kept > 0: some bin is filled */
    next += MG_GIMPSET_K;
    for (size_t i = MG_GIMPSET_K; i-- > 0;) {
        if (g->slot[i] != EMPTY_SLOT)
            next = i;
        size_t d = next - i;
        uint32_t v = (uint32_t)(g->slot[next % MG_GIMPSET_K] + (uint64_t)d * 0x9E3779B9u);
        raw[4 * i] = (unsigned char)v;
        raw[4 * i + 1] = (unsigned char)(v >> 8);
        raw[4 * i + 2] = (unsigned char)(v >> 16);
        raw[4 * i + 3] = (unsigned char)(v >> 24);
    }
    /* Step 7: standard base64 with '=' padding (1024 bytes -> 1368 chars) */
    char *o = out + sizeof prefix - 1;
    for (size_t i = 0; i < sizeof raw; i += 3) {
        uint32_t w = (uint32_t)raw[i] << 16;
        size_t left = sizeof raw - i;
        if (left > 1)
            w |= (uint32_t)raw[i + 1] << 8;
        if (left > 2)
            w |= raw[i + 2];
        *o++ = b64[w >> 18];
        *o++ = b64[(w >> 12) & 63];
        *o++ = left > 1 ? b64[(w >> 6) & 63] : '=';
        *o++ = left > 2 ? b64[w & 63] : '=';
    }
    *o = 0;
    return g->kept;
}

void mg_gset_free(mg_gset *g)
{
    if (!g)
        return;
    free(g->buf);
    free(g);
}

size_t mg_gimpset_names(const char *const *names, const uint32_t *lens, size_t n,
                        char out[MG_GIMPSET_LEN])
{
    mg_gset *g = mg_gset_new();
    if (!g) {
        out[0] = 0;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        mg_gset_add(g, names[i], lens[i]);
    size_t kept = mg_gset_finish(g, out);
    mg_gset_free(g);
    return kept;
}

/* the value of a character of b64, or -1 (no search: a reference of
 * thousands of digests decodes each at load, docs/known.md) */
static int b64_value(char ch)
{
    unsigned c = (unsigned char)ch;
    if (c >= 'A' && c <= 'Z')
        return (int)(c - 'A');
    if (c >= 'a' && c <= 'z')
        return (int)(c - 'a' + 26);
    if (c >= '0' && c <= '9')
        return (int)(c - '0' + 52);
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int mg_gimpset_decode(const char *d, uint32_t slots[MG_GIMPSET_K])
{
    static const char prefix[] = "gs1:256:";
    if (!d || strncmp(d, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *p = d + sizeof prefix - 1;
    if (!*p)
        return 0;
    if (strlen(p) != MG_GIMPSET_LEN - sizeof prefix) /* 1368: 8 + 1368 + NUL */
        return -1;
    unsigned char raw[4 * MG_GIMPSET_K + 2];
    size_t r = 0;
    for (size_t i = 0; p[i]; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = b64_value(p[i + k]);
        bool last = p[i + 4] == 0;
        /* 1024 bytes = 341 groups of 3 + 1 byte: the last group is "xy==" */
        if (v[0] < 0 || v[1] < 0 || (!last && (v[2] < 0 || v[3] < 0)) ||
            (last && (p[i + 2] != '=' || p[i + 3] != '=' || (v[1] & 15))))
            return -1;
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12;
        if (!last)
            w |= (uint32_t)v[2] << 6 | (uint32_t)v[3];
        raw[r++] = (unsigned char)(w >> 16);
        if (!last) {
            raw[r++] = (unsigned char)(w >> 8);
            raw[r++] = (unsigned char)w;
        }
    }
    if (r != 4 * MG_GIMPSET_K)
        return -1;
    for (size_t i = 0; i < MG_GIMPSET_K; i++)
        slots[i] = (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
                   (uint32_t)raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24;
    return 1;
}

int mg_gimpset_score_slots(const uint32_t *a, const uint32_t *b)
{
    unsigned m = 0;
    for (size_t i = 0; i < MG_GIMPSET_K; i++)
        m += a[i] == b[i];
    return (int)(100 * m / MG_GIMPSET_K);
}

int mg_gimpset_compare(const char *a, const char *b)
{
    uint32_t x[MG_GIMPSET_K], y[MG_GIMPSET_K];
    int ra = mg_gimpset_decode(a, x), rb = mg_gimpset_decode(b, y);
    if (ra < 0 || rb < 0)
        return -1;
    if (ra == 0 || rb == 0)
        return 0;
    return mg_gimpset_score_slots(x, y);
}
