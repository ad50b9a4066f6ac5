/* pkgclass.c - owns what a package is to the program that holds it, as
 * redress sorts them: the standard library, a third party (vendored or a
 * dependency), the program's own, or a pseudo-package of the compiler
 * (`type`, `go`, `go.shape`, `go:`/`type:` symbols) to drop; the %xx
 * escapes of symbol package paths; and the program's own prefix (its main
 * module, or inferred from its packages when there is no build info).
 * Pure functions over strings: no allocation, linear in the input. */
#include "malgopher.h"

#include <string.h>

static bool has_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

static bool equals(const char *s, size_t n, const char *p)
{
    return strlen(p) == n && memcmp(s, p, n) == 0;
}

bool mg_package_is_pseudo(const char *path, size_t len)
{
    if (!path || !len || equals(path, len, "type") || equals(path, len, "go"))
        return true;
    if (has_prefix(path, len, "go.") || has_prefix(path, len, "go:") || has_prefix(path, len, "type.") ||
        has_prefix(path, len, "type:"))
        return true;
    /* an import path holds none of these; a symbol's "package" then is not one */
    for (size_t i = 0; i < len; i++)
        if (strchr(" {}()*,;[]\"'<>", path[i]) || (unsigned char)path[i] < 0x20)
            return true;
    return false;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

size_t mg_package_unescape(const char *path, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    if (!cap)
        return 0;
    for (size_t i = 0; i < len && k + 1 < cap; i++) {
        int h, l;
        if (path[i] == '%' && i + 2 < len && (h = hexval(path[i + 1])) >= 0 && (l = hexval(path[i + 2])) >= 0) {
            out[k++] = (char)(h << 4 | l);
            i += 2;
        } else {
            out[k++] = path[i];
        }
    }
    out[k] = 0;
    return k;
}

/* the standard library's top-level directories (Go 1.0 to 1.24); "cmd" is
 * the distribution's commands, not `go list std` */
static const char *const std_roots[] = {
    "archive", "bufio", "builtin", "bytes", "cmp", "compress", "container", "context", "crypto",
    "database", "debug", "embed", "encoding", "errors", "expvar", "flag", "fmt", "go", "hash",
    "html", "image", "index", "internal", "io", "iter", "log", "maps", "math", "mime", "net", "os",
    "path", "plugin", "reflect", "regexp", "runtime", "slices", "sort", "strconv", "strings",
    "structs", "sync", "syscall", "testing", "text", "time", "unicode", "unique", "unsafe", "vendor",
    "weak", "arena", "C"};

/* the length of the first path element */
static size_t first_elem(const char *path, size_t len)
{
    const char *sl = memchr(path, '/', len);
    return sl ? (size_t)(sl - path) : len;
}

static bool std_root(const char *path, size_t len)
{
    size_t n = first_elem(path, len);
    for (size_t i = 0; i < sizeof std_roots / sizeof *std_roots; i++)
        if (equals(path, n, std_roots[i]))
            return true;
    return false;
}

/* path is prefix or below it */
static bool under(const char *path, size_t len, const char *prefix, size_t plen)
{
    return plen && len >= plen && !memcmp(path, prefix, plen) && (len == plen || path[plen] == '/');
}

static bool vendored(const char *path, size_t len)
{
    if (has_prefix(path, len, "vendor/"))
        return false; /* the standard library's own vendor tree */
    for (size_t i = 0; i + 8 <= len; i++)
        if (!memcmp(path + i, "/vendor/", 8))
            return true;
    return false;
}

mg_pkg_class mg_package_class(const char *path, size_t len, const char *own, size_t own_len)
{
    if (mg_package_is_pseudo(path, len))
        return MG_PKG_PSEUDO;
    if (vendored(path, len))
        return MG_PKG_THIRD_PARTY;
    if (equals(path, len, "main") || (own && under(path, len, own, own_len)))
        return MG_PKG_OWN;
    return std_root(path, len) ? MG_PKG_STD : MG_PKG_THIRD_PARTY;
}

const char *mg_pkg_class_name(mg_pkg_class c)
{
    switch (c) {
    case MG_PKG_STD: return "std";
    case MG_PKG_THIRD_PARTY: return "third-party";
    case MG_PKG_OWN: return "own";
    case MG_PKG_PSEUDO: return "pseudo";
    }
    return "?";
}

/* The repository root of an import path: three elements on the hosts that
 * serve user/repo (github.com/u/r), two for any other domain (gopkg.in/x,
 * go.uber.org/zap), one for a path without a domain (a local module). */
size_t mg_package_root(const char *path, size_t len)
{
    static const char *const hosts3[] = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org",
                                         "gitee.com",  "git.sr.ht",  "golang.org",    "launchpad.net"};
    size_t n = first_elem(path, len), want = 1;
    if (memchr(path, '.', n)) {
        want = 2;
        for (size_t i = 0; i < sizeof hosts3 / sizeof *hosts3; i++)
            if (equals(path, n, hosts3[i]))
                want = 3;
    }
    size_t end = 0;
    for (size_t e = 0; e < want; e++) {
        const char *sl = memchr(path + end + (e ? 1 : 0), '/', len - end - (e ? 1 : 0));
        if (!sl)
            return len;
        end = (size_t)(sl - path);
    }
    return end;
}

/* a package that may be the program's own: not std, pseudo, main or vendored,
 * and not inside a dependency the build info names */
static bool candidate(const mg_buildinfo *bi, const char *s, size_t n)
{
    if (mg_package_class(s, n, NULL, 0) != MG_PKG_THIRD_PARTY || vendored(s, n) || equals(s, n, "main"))
        return false;
    for (size_t d = 0; bi->present && d < bi->ndeps; d++)
        if (under(s, n, bi->deps[d].path, strlen(bi->deps[d].path)))
            return false;
    return true;
}

static size_t put(char *out, size_t cap, const char *s, size_t n)
{
    if (!cap)
        return 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = 0;
    return n;
}

/* Without a main module: the package laid out last before package main
 * (the linker places a package after what it imports, and a program's own
 * packages import its dependencies), its repository root. */
size_t mg_image_own_prefix(const mg_image *im, char *out, size_t cap)
{
    if (cap)
        out[0] = 0;
    if (!im)
        return 0;
    const mg_buildinfo *bi = &im->buildinfo;
    if (bi->present && bi->main.path[0])
        return put(out, cap, bi->main.path, strlen(bi->main.path));
    if (bi->present && bi->path[0] && strcmp(bi->path, "command-line-arguments") != 0 &&
        !mg_package_is_pseudo(bi->path, strlen(bi->path)))
        return put(out, cap, bi->path, mg_package_root(bi->path, strlen(bi->path)));
    const char *last = NULL, *best = NULL;
    size_t lastn = 0, bestn = 0;
    for (size_t i = 0; i < im->nfuncs; i++) {
        const char *s = im->funcs[i].name;
        if (!s)
            continue;
        size_t n = mg_func_package(s, im->funcs[i].name_len);
        if (equals(s, n, "main")) {
            if (last) { /* the first main function: the candidate before it */
                best = last;
                bestn = lastn;
                break;
            }
            continue;
        }
        if (candidate(bi, s, n)) {
            last = s;
            lastn = n;
        }
    }
    if (!best) { /* no main package, or none before it: the last candidate */
        best = last;
        bestn = lastn;
    }
    if (best)
        return put(out, cap, best, mg_package_root(best, bestn));
    return 0;
}
