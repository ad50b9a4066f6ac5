/* hashdb_read.c - owns reading fields out of one flat JSON object, enough for
 * the JSON Lines that `malgopher hash --json` writes (strings with escapes,
 * numbers, booleans; no nesting needed). */
#include "families/families.h"

#include <string.h>

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode the string literal at p (just after its opening quote) into out
 * (may be NULL); returns the position after the closing quote, or NULL. */
static const char *read_str(const char *p, char *out, size_t outsz, bool *fits)
{
    size_t n = 0;
    *fits = true;
#define PUT(c)                              \
    do {                                    \
        if (out && n + 1 < outsz)           \
            out[n] = (char)(c);             \
        else                                \
            *fits = false;                  \
        n++;                                \
    } while (0)
    for (; *p && *p != '"'; p++) {
        if (*p != '\\') {
            PUT(*p);
            continue;
        }
        p++;
        switch (*p) {
        case 'n': PUT('\n'); break;
        case 't': PUT('\t'); break;
        case 'r': PUT('\r'); break;
        case 'b': PUT('\b'); break;
        case 'f': PUT('\f'); break;
        case 'u': {
            unsigned cp = 0;
            for (int i = 1; i <= 4; i++) {
                int h = hexval(p[i]);
                if (h < 0)
                    return NULL;
                cp = cp << 4 | (unsigned)h;
            }
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && p[1] == '\\' && p[2] == 'u') {
                unsigned lo = 0;
                for (int i = 3; i <= 6; i++) {
                    int h = hexval(p[i]);
                    if (h < 0)
                        return NULL;
                    lo = lo << 4 | (unsigned)h;
                }
                if (lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            if (cp < 0x80)
                PUT(cp);
            else if (cp < 0x800) {
                PUT(0xc0 | cp >> 6);
                PUT(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                PUT(0xe0 | cp >> 12);
                PUT(0x80 | (cp >> 6 & 0x3f));
                PUT(0x80 | (cp & 0x3f));
            } else {
                PUT(0xf0 | cp >> 18);
                PUT(0x80 | (cp >> 12 & 0x3f));
                PUT(0x80 | (cp >> 6 & 0x3f));
                PUT(0x80 | (cp & 0x3f));
            }
            break;
        }
        case 0: return NULL;
        default: PUT(*p); break; /* \" \\ \/ */
        }
    }
#undef PUT
    if (*p != '"')
        return NULL;
    if (out && outsz)
        out[n < outsz ? n : outsz - 1] = 0;
    return p + 1;
}

/* read_str without an output: the position after the closing quote of
 * the string literal at p, or NULL where read_str would give NULL (a
 * backslash at the end, a \u without four hex digits).  The plain runs
 * are skipped with strcspn: the 1.4 KB gimpset is skipped by every lookup
 * of a key after it (db import looks up 15 keys a line). */
static const char *skip_str(const char *p)
{
    for (;;) {
        p += strcspn(p, "\"\\");
        if (*p != '\\')
            return *p == '"' ? p + 1 : NULL;
        p++;
        if (*p == 0)
            return NULL;
        if (*p == 'u') {
            for (int i = 1; i <= 4; i++)
                if (hexval(p[i]) < 0)
                    return NULL;
            p += 4; /* a surrogate pair's second half is checked as the next escape */
        }
        p++;
    }
}

/* position of the value of key at the top level of the object, or NULL */
static const char *find_value(const char *line, const char *key)
{
    const char *p = skip_ws(line);
    if (*p++ != '{')
        return NULL;
    size_t klen = strlen(key);
    for (;;) {
        p = skip_ws(p);
        if (*p++ != '"')
            return NULL;
        char name[64];
        bool fits;
        const char *q = read_str(p, name, sizeof name, &fits);
        if (!q)
            return NULL;
        p = skip_ws(q);
        if (*p++ != ':')
            return NULL;
        p = skip_ws(p);
        if (fits && strlen(name) == klen && !memcmp(name, key, klen))
            return p;
        /* skip the value: a string, or a scalar up to , or } */
        if (*p == '"') {
            p = skip_str(p + 1);
            if (!p)
                return NULL;
        } else
            while (*p && *p != ',' && *p != '}')
                p++;
        p = skip_ws(p);
        if (*p != ',')
            return NULL;
        p++;
    }
}

bool json_get_str(const char *line, const char *key, char *out, size_t outsz)
{
    const char *p = find_value(line, key);
    bool fits;
    if (!p || *p != '"')
        return false;
    return read_str(p + 1, out, outsz, &fits) && fits;
}

bool json_get_bool(const char *line, const char *key)
{
    const char *p = find_value(line, key);
    return p && !strncmp(p, "true", 4);
}
