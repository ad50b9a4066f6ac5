/* diff_text.c - the text view of `malgopher diff`: both sides' identity,
 * the fingerprint verdict, dependencies, build settings, then the functions
 * added and removed grouped by package (the main module's packages first,
 * other modules next, the standard library last and, unless --all, as one
 * summary line).  Each empty section is left out. */
#include "files/diff_view.h"

#include <stdlib.h>
#include <string.h>

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

/* the line pre NAME post, escaped as text_line escapes (pre and post are
 * our own text; the name comes from the file and may hold any byte) */
static void name_line(FILE *o, const char *pre, const mg_name *nm, const char *post)
{
    if (text_needs_escape(nm->s, nm->len))
        putc('\\', o);
    fputs(pre, o);
    text_escaped(o, nm->s, nm->len);
    fputs(post, o);
    putc('\n', o);
}

static bool in_module(const mg_name *pkg, const char *mod)
{
    size_t m = strlen(mod);
    return m && pkg->len >= m && memcmp(pkg->s, mod, m) == 0 && (pkg->len == m || pkg->s[m] == '/');
}

int diff_class_of(const mg_name *pkg, const diff_result *r)
{
    if ((pkg->len == 4 && memcmp(pkg->s, "main", 4) == 0) || in_module(pkg, r->a.own) || in_module(pkg, r->b.own))
        return CLASS_MAIN;
    return mg_package_is_std(pkg->s, pkg->len) ? CLASS_STD : CLASS_OTHER;
}

static void side_text(FILE *o, const char *tag, const diff_side *s, size_t npkgs)
{
    const mg_image *im = s->im;
    const mg_buildinfo *bi = &im->buildinfo;
    bool main_mod = bi->present && bi->main.path[0];
    text_line(o, "%s: %s", tag, s->path);
    if (s->inferred && s->own[0])
        text_line(o, "   own module inferred from its packages: %s", s->own);
    text_line(o, "   %s %s/%s, %s%s%s%s%s, %zu functions in %zu packages%s", im->container_name,
              im->os[0] ? im->os : "unknown", im->arch[0] ? im->arch : "unknown",
              im->go_version[0] ? im->go_version : "go version unknown",
              !bi->present ? ", no build info" : main_mod ? ", " : "", main_mod ? bi->main.path : "",
              main_mod ? " " : "", main_mod ? bi->main.version : "", im->nfuncs, npkgs,
              im->stripped ? ", stripped" : "");
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
        bool both = c->from && c->to;
        text_line(o, "  %c %s %s%s%s", !c->from ? '+' : !c->to ? '-' : '~', c->key, both ? c->from : "",
                  both ? " -> " : "", c->to ? c->to : c->from);
    }
}

static void settings_text(FILE *o, const mg_diff *d)
{
    if (!d->nsettings)
        return;
    fprintf(o, "build settings: %zu differ\n", d->nsettings);
    for (size_t i = 0; i < d->nsettings; i++) {
        const mg_change *c = &d->settings[i];
        text_line(o, "  %s: %s -> %s", c->key, c->from ? c->from : "(absent)", c->to ? c->to : "(absent)");
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
    char post[80];
    if (c && !c->from)
        snprintf(post, sizeof post, "  (added, %u functions)", c->to);
    else if (c && !c->to)
        snprintf(post, sizeof post, "  (removed, %u functions)", c->from);
    else if (c)
        snprintf(post, sizeof post, "  (%u -> %u functions)", c->from, c->to);
    else
        snprintf(post, sizeof post, "  (%u functions, names changed)", count_in(r->d.pkgs_b, r->d.npkgs_b, pkg));
    static const mg_name generated = {"(compiler-generated)", 20};
    name_line(o, "  ", pkg->len ? pkg : &generated, post);
}

static void std_summary(FILE *o, const diff_result *r, const entry *v, size_t n)
{
    size_t add = 0, rem = 0, padd = 0, prem = 0, pchg = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].cls == CLASS_STD)
            v[i].sign == '+' ? add++ : rem++;
    for (size_t i = 0; i < r->d.npkgs; i++) {
        const mg_pkgchange *p = &r->d.pkgs[i];
        if (diff_class_of(&p->path, r) != CLASS_STD)
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
        v[i].cls = diff_class_of(&v[i].pkg, r);
        v[i].sign = added ? '+' : '-';
    }
    qsort(v, n, sizeof *v, entry_cmp);
    const char *own_title = (r->a.inferred || !r->a.own[0]) && (r->b.inferred || !r->b.own[0]) ? "own packages (inferred)" : "main module";
    const char *const titles[] = {own_title, "other modules", "standard library"};
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
        name_line(o, v[i].sign == '+' ? "    + " : "    - ", &v[i].name, "");
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
    else if (r->fuzzy >= 0 && r->set >= 0)
        fprintf(o, "gimphash:       different (gimpfuzzy score %d, gimpset score %d)\n", r->fuzzy, r->set);
    else if (r->fuzzy >= 0)
        fprintf(o, "gimphash:       different (gimpfuzzy score %d)\n", r->fuzzy);
    else
        fputs("gimphash:       different\n", o);
    deps_text(o, r);
    settings_text(o, &r->d);
    functions_text(o, r, all);
}
