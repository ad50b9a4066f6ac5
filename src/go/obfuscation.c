/* obfuscation.c - heuristics for obfuscated Go names (documented in
 * docs/usage.md "Tampering and obfuscation signals").
 *
 * Go package names are lower-case words (http2, x509, yaml); garble replaces
 * package paths with short base64-like hashes ("Gk0w9Xn8") and identifiers
 * with random ones ("Ao1cHK9D").  Two counts, in one pass without
 * allocation:
 *  - hashed packages: runs of consecutive functions of one package (the
 *    linker lays functions out package by package) whose package name (last
 *    path element, up to its first '.') is 6+ characters of [A-Za-z0-9_],
 *    with an upper-case letter and a digit;
 *  - random identifiers: function identifiers (after the package) of 7+
 *    characters of [A-Za-z0-9] with at least two letter->digit changes and
 *    both cases, e.g. "Ao1cHK9D" (but not "UTF16ToString").
 * Names of the runtime and standard library (no dot before the first '/')
 * are not counted.  A binary is flagged when hashed packages are at least 3
 * and a quarter of the package runs, or random identifiers at least 20 and
 * 30% of the identifiers.
 */
#include "go/obfuscation.h"

#include <string.h>

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool hashed_package(const char *s, size_t n)
{
    bool up = false, dig = false;
    if (n < 6)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_alnum(c) && c != '_')
            return false;
        up |= is_upper(c);
        dig |= is_digit(c);
    }
    return up && dig;
}

static bool random_identifier(const char *s, size_t n)
{
    if (n < 7)
        return false;
    unsigned changes = 0;
    bool up = false, low = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_alnum(c))
            return false;
        up |= is_upper(c);
        low |= c >= 'a' && c <= 'z';
        if (i > 0 && is_digit(c) && !is_digit((unsigned char)s[i - 1]))
            changes++;
    }
    return up && low && changes >= 2;
}

void mg_obfuscation_score(mg_image *im)
{
    const char *prev = NULL;
    size_t prev_len = 0;
    unsigned runs = 0, hashed = 0, ids = 0, random = 0;
    for (size_t i = 0; i < im->nfuncs; i++) {
        const char *name = im->funcs[i].name;
        size_t len = im->funcs[i].name_len;
        const char *slash = NULL;
        for (size_t k = 0; k < len; k++)
            if (name[k] == '/')
                slash = name + k;
        const char *first_slash = memchr(name, '/', len);
        const char *first_dot = memchr(name, '.', len);
        /* standard library and runtime: no domain-like first element */
        if (!first_slash || !first_dot || first_dot > first_slash) {
            if (!first_slash && first_dot && (size_t)(first_dot - name) >= 6 &&
                hashed_package(name, (size_t)(first_dot - name))) {
                /* garble also hashes single-element paths */
            } else {
                continue;
            }
        }
        const char *pkg = slash ? slash + 1 : name;
        size_t rest = len - (size_t)(pkg - name);
        const char *dot = memchr(pkg, '.', rest);
        if (!dot)
            continue;
        size_t pkg_len = (size_t)(dot - pkg);
        size_t path_len = (size_t)(dot - name);
        if (!prev || prev_len != path_len || memcmp(prev, name, path_len) != 0) {
            runs++;
            hashed += hashed_package(pkg, pkg_len);
            prev = name;
            prev_len = path_len;
        }
        /* identifier: after the package dot, up to the next '.' */
        const char *id = dot + 1, *end = name + len;
        if (id < end && *id == '(') /* method: (*T).M -> T */
            while (id < end && (*id == '(' || *id == '*'))
                id++;
        size_t idn = 0;
        while (id + idn < end && is_alnum((unsigned char)id[idn]))
            idn++;
        ids++;
        random += random_identifier(id, idn);
    }
    im->obf_package_runs = runs;
    im->obf_hashed_packages = hashed;
    im->obf_identifiers = ids;
    im->obf_random_identifiers = random;
    im->obfuscated = (hashed >= 3 && hashed * 4 >= runs) ||
                     (random >= 20 && (uint64_t)random * 10 >= (uint64_t)ids * 3);
}
