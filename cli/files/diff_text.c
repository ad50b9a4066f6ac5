/* diff_text.c - the text view of `malgopher diff`: both sides' identity,
 * the fingerprint verdict, dependencies, build settings, then the functions
 * added and removed grouped by package (the main module's packages first,
 * other modules next, the standard library last and, unless --all, as one
 * summary line).  Each empty section is left out. */
#include "diff_view.h"

#include <stdlib.h>
#include <string.h>

enum { CLASS_MAIN, CLASS_OTHER, CLASS_STD };

typedef struct entry {
    int cls;
    mg_name pkg, name;
    char sign; /* '-' removed, '+' added */
} entry;

static int name_cmp(const mg_name *a, const mg_name *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

static int entry_cmp(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    if (a->cls != b->cls)
        return a->cls - b->cls;
    int c = name_cmp(&a->pkg, &b->pkg);
    if (c)
        return c;
    if (a->sign != b->sign)
        return a->sign == '-' ? -1 : 1;
    return name_cmp(&a->name, &b->name);
}

/* bytes as text, control characters as \xNN (names come from the file) */
static void put_safe(FILE *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(o, "\\x%02x", c);
        else
            putc(c, o);
    }
}

static void put_str(FILE *o, const char *s)
{
    put_safe(o, s, strlen(s));
}

static bool in_module(const mg_name *pkg, const char *mod)
{
    size_t m = strlen(mod);
    return m && pkg->len >= m && memcmp(pkg->s, mod, m) == 0 && (pkg->len == m || pkg->s[m] == '/');
}

static int class_of(const mg_name *pkg, const diff_result *r)
{
    if ((pkg->len == 4 && memcmp(pkg->s, "main", 4) == 0) ||
        in_module(pkg, r->a.im->buildinfo.main.path) || in_module(pkg, r->b.im->buildinfo.main.path))
        return CLASS_MAIN;
    return mg_package_is_std(pkg->s, pkg->len) ? CLASS_STD : CLASS_OTHER;
}

static void side_text(FILE *o, const char *tag, const diff_side *s, size_t npkgs)
{
    const mg_image *im = s->im;
    const mg_buildinfo *bi = &im->buildinfo;
    fprintf(o, "%s: ", tag);
    put_str(o, s->path);
    fprintf(o, "\n   %s %s/%s, %s", im->container_name, im->os[0] ? im->os : "unknown",
            im->arch[0] ? im->arch : "unknown", im->go_version[0] ? im->go_version : "go version unknown");
    if (!bi->present)
        fputs(", no build info", o);
    else if (bi->main.path[0]) {
        fputs(", ", o);
        put_str(o, bi->main.path);
        putc(' ', o);
        put_str(o, bi->main.version);
    }
    fprintf(o, ", %zu functions in %zu packages%s\n", im->nfuncs, npkgs, im->stripped ? ", stripped" : "");
}

static void deps_text(FILE *o, const diff_result *r)
{
    const mg_diff *d = &r->d;
    bool pa = r->a.im->buildinfo.present, pb = r->b.im->buildinfo.present;
    if (!pa || !pb) {
        fprintf(o, "dependencies:   no build info in %s\n", !pa && !pb ? "A and B" : !pa ? "A" : "B");
        return;
    }
    if (!d->ndeps)
        return;
    size_t add = 0, rem = 0;
    for (size_t i = 0; i < d->ndeps; i++)
        add += !d->deps[i].from, rem += !d->deps[i].to;
    fprintf(o, "dependencies:   %zu added, %zu removed, %zu changed\n", add, rem, d->ndeps - add - rem);
    for (size_t i = 0; i < d->ndeps; i++) {
        const mg_change *c = &d->deps[i];
        fprintf(o, "  %c ", !c->from ? '+' : !c->to ? '-' : '~');
        put_str(o, c->key);
        putc(' ', o);
        if (c->from && c->to) {
            put_str(o, c->from);
            fputs(" -> ", o);
        }
        put_str(o, c->to ? c->to : c->from);
        putc('\n', o);
    }
}

static void settings_text(FILE *o, const mg_diff *d)
{
    if (!d->nsettings)
        return;
    fprintf(o, "build settings: %zu differ\n", d->nsettings);
    for (size_t i = 0; i < d->nsettings; i++) {
        const mg_change *c = &d->settings[i];
        fputs("  ", o);
        put_str(o, c->key);
        fputs(": ", o);
        put_str(o, c->from ? c->from : "(absent)");
        fputs(" -> ", o);
        put_str(o, c->to ? c->to : "(absent)");
        putc('\n', o);
    }
}

static const mg_pkgchange *find_change(const mg_diff *d, const mg_name *pkg)
{
    size_t lo = 0, hi = d->npkgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(&d->pkgs[mid].path, pkg);
        if (!c)
            return &d->pkgs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static uint32_t count_in(const mg_package *v, size_t n, const mg_name *pkg)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(&v[mid].path, pkg);
        if (!c)
            return v[mid].functions;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static void package_header(FILE *o, const diff_result *r, const mg_name *pkg)
{
    const mg_pkgchange *c = find_change(&r->d, pkg);
    fputs("  ", o);
    if (pkg->len)
        put_safe(o, pkg->s, pkg->len);
    else
        fputs("(compiler-generated)", o);
    if (c && !c->from)
        fprintf(o, "  (added, %u functions)\n", c->to);
    else if (c && !c->to)
        fprintf(o, "  (removed, %u functions)\n", c->from);
    else if (c)
        fprintf(o, "  (%u -> %u functions)\n", c->from, c->to);
    else
        fprintf(o, "  (%u functions, names changed)\n", count_in(r->d.pkgs_b, r->d.npkgs_b, pkg));
}

static void std_summary(FILE *o, const diff_result *r, const entry *v, size_t n)
{
    size_t add = 0, rem = 0, padd = 0, prem = 0, pchg = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].cls == CLASS_STD)
            v[i].sign == '+' ? add++ : rem++;
    for (size_t i = 0; i < r->d.npkgs; i++) {
        const mg_pkgchange *p = &r->d.pkgs[i];
        if (class_of(&p->path, r) != CLASS_STD)
            continue;
        !p->from ? padd++ : !p->to ? prem++ : pchg++;
    }
    if (add || rem || padd || prem || pchg)
        fprintf(o, "standard library: %zu packages added, %zu removed, %zu changed; functions +%zu -%zu "
                   "(--all lists them)\n", padd, prem, pchg, add, rem);
}

static void functions_text(FILE *o, const diff_result *r, bool all)
{
    const mg_diff *d = &r->d;
    size_t n = d->nadded + d->nremoved;
    if (!n && !d->npkgs)
        return;
    size_t padd = 0, prem = 0;
    for (size_t i = 0; i < d->npkgs; i++)
        padd += !d->pkgs[i].from, prem += !d->pkgs[i].to;
    fprintf(o, "packages:       %zu added, %zu removed, %zu changed\n", padd, prem, d->npkgs - padd - prem);
    fprintf(o, "functions:      %zu added, %zu removed\n", d->nadded, d->nremoved);
    entry *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        fputs("  (out of memory listing them)\n", o);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool added = i < d->nadded;
        const mg_name *nm = added ? &d->added[i] : &d->removed[i - d->nadded];
        v[i].name = *nm;
        v[i].pkg = (mg_name){nm->s, (uint32_t)mg_func_package(nm->s, nm->len)};
        v[i].cls = class_of(&v[i].pkg, r);
        v[i].sign = added ? '+' : '-';
    }
    qsort(v, n, sizeof *v, entry_cmp);
    static const char *const titles[] = {"main module", "other modules", "standard library"};
    int cls = -1;
    const mg_name *pkg = NULL;
    for (size_t i = 0; i < n; i++) {
        if (v[i].cls == CLASS_STD && !all)
            break;
        if (v[i].cls != cls) {
            cls = v[i].cls;
            fprintf(o, "%s:\n", titles[cls]);
            pkg = NULL;
        }
        if (!pkg || name_cmp(pkg, &v[i].pkg) != 0) {
            pkg = &v[i].pkg;
            package_header(o, r, pkg);
        }
        fprintf(o, "    %c ", v[i].sign);
        put_safe(o, v[i].name.s, v[i].name.len);
        putc('\n', o);
    }
    if (!all)
        std_summary(o, r, v, n);
    free(v);
}

void diff_print_text(FILE *o, const diff_result *r, bool all)
{
    side_text(o, "A", &r->a, r->d.npkgs_a);
    side_text(o, "B", &r->b, r->d.npkgs_b);
    if (r->same_hash)
        fputs("gimphash:       same\n", o);
    else if (r->fuzzy >= 0)
        fprintf(o, "gimphash:       different (gimpfuzzy score %d)\n", r->fuzzy);
    else
        fputs("gimphash:       different\n", o);
    deps_text(o, r);
    settings_text(o, &r->d);
    functions_text(o, r, all);
}
