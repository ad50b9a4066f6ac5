/* known_json.c - owns reading one flat JSON object (a reference line) in
 * place: its string values decoded over their own text and NUL-terminated,
 * other values typed and skipped (arrays and objects to a bounded depth).
 * Everything is checked against the line's end; nothing recurses. */
#include "known/known.h"

#include <string.h>

#define MAX_DEPTH 32

typedef struct cur {
    char *p, *end;
    const char **why;
} cur;

static void ws(cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

static bool fail(cur *c, const char *why)
{
    *c->why = why;
    return false;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static char *put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | cp >> 6);
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | cp >> 12);
        *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | cp >> 18);
        *w++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* the \u escape at c->p (just after the backslash and 'u'); the decoded
 * text is never longer than the escape */
static bool unicode_escape(cur *c, char **w)
{
    if (c->end - c->p < 4 || hex4(c->p) < 0)
        return fail(c, "a bad \\u escape");
    unsigned cp = (unsigned)hex4(c->p);
    c->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' || hex4(c->p + 2) < 0xDC00 ||
            hex4(c->p + 2) > 0xDFFF)
            return fail(c, "a lone surrogate in a \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)hex4(c->p + 2) - 0xDC00);
        c->p += 6;
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
        return fail(c, cp ? "a lone surrogate in a \\u escape" : "a NUL character in a string");
    }
    *w = put_utf8(*w, cp);
    return true;
}

/* the string whose opening quote is at c->p: decoded in place into *out */
static bool string(cur *c, char **out)
{
    char *w = ++c->p;
    *out = w;
    for (;;) {
        if (c->p >= c->end)
            return fail(c, "an unterminated string");
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"')
            break;
        if (ch < 0x20)
            return fail(c, "a control character in a string");
        c->p++;
        if (ch != '\\') {
            *w++ = (char)ch;
            continue;
        }
        if (c->p >= c->end)
            return fail(c, "an unterminated string");
        char e = *c->p++;
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k)
            *w++ = to[k - from];
        else if (e != 'u' || !unicode_escape(c, &w))
            return e == 'u' ? false : fail(c, "a bad escape in a string");
    }
    c->p++;  /* past the quote, which w has not passed */
    *w = 0;
    return true;
}

/* an array or object: skipped, strings and all, to MAX_DEPTH */
static bool skip_nested(cur *c)
{
    int depth = 0;
    do {
        if (c->p >= c->end)
            return fail(c, "an unterminated array or object");
        char ch = *c->p;
        if (ch == '"') {
            char *s;
            if (!string(c, &s))
                return false;
            continue;
        }
        if (ch == '[' || ch == '{') {
            if (++depth > MAX_DEPTH)
                return fail(c, "arrays or objects nested too deep");
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
        c->p++;
    } while (depth > 0);
    return true;
}

static bool word(cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
        return fail(c, "a value that is not JSON");
    c->p += n;
    return true;
}

static bool value(cur *c, mg_jfield *f)
{
    f->str = NULL;
    f->num = NULL;
    if (c->p >= c->end)
        return fail(c, "a missing value");
    char ch = *c->p;
    f->type = ch == '"' ? 's' : ch == '[' || ch == '{' ? ch : ch == 't' || ch == 'f' ? 'b' : ch == 'n' ? '0' : 'n';
    if (ch == '"')
        return string(c, &f->str);
    if (ch == '[' || ch == '{')
        return skip_nested(c);
    if (ch == 't' || ch == 'f' || ch == 'n')
        return word(c, ch == 't' ? "true" : ch == 'f' ? "false" : "null");
    char *s = c->p;
    while (c->p < c->end && strchr("+-0123456789.eE", *c->p) && *c->p)
        c->p++;
    f->num = s;
    return c->p > s ? true : fail(c, "a value that is not JSON");
}

int mg_json_object(char *line, size_t len, mg_jfield *f, int max, const char **why)
{
    cur c = {line, line + len, why};
    int n = 0;
    *why = NULL;
    ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return fail(&c, "not a JSON object"), -1;
    c.p++;
    ws(&c);
    bool first = true;
    while (c.p < c.end && *c.p != '}') {
        if (!first) {
            if (*c.p != ',')
                return fail(&c, "a missing comma"), -1;
            c.p++;
            ws(&c);
        }
        first = false;
        char *key;
        if (c.p >= c.end || *c.p != '"' || !string(&c, &key))
            return *why ? -1 : (fail(&c, "a key that is not a string"), -1);
        ws(&c);
        if (c.p >= c.end || *c.p != ':')
            return fail(&c, "a missing colon"), -1;
        c.p++;
        ws(&c);
        mg_jfield v = {key, NULL, NULL, 0};
        if (!value(&c, &v))
            return -1;
        if (n < max)
            f[n++] = v;
        ws(&c);
    }
    if (c.p >= c.end)
        return fail(&c, "an unterminated object"), -1;
    c.p++;
    ws(&c);
    if (c.p != c.end)
        return fail(&c, "text after the object"), -1;
    return n;
}
