/* diff_summary.c - `malgopher diff --summary`: what changed between two
 * builds in at most 60 lines: both sides (with the own module, inferred
 * when there is no build info), the fingerprint verdict, and the counts of
 * dependencies, build settings, packages (by group) and functions added,
 * removed and changed, each list cut to its first entries with a count of
 * the rest (`diff` without --summary lists everything). */
#include "files/diff_view.h"

#include <string.h>

enum { MAX_DEPS = 15, MAX_PKGS = 20 };

static void side_line(FILE *o, const char *tag, const diff_side *s)
{
    const mg_image *im = s->im;
    const mg_buildinfo *bi = &im->buildinfo;
    text_line(o, "%s: %s", tag, s->path);
    if (bi->present && bi->main.path[0])
        text_line(o, "   %s/%s %s, %s@%s, %zu functions", im->os[0] ? im->os : "?", im->arch, im->go_version[0] ? im->go_version : "go?",
                  bi->main.path, bi->main.version, im->nfuncs);
    else
        text_line(o, "   %s/%s %s, %s%s (inferred from its packages), %zu functions", im->os[0] ? im->os : "?", im->arch,
                  im->go_version[0] ? im->go_version : "go?", bi->present ? "" : "no build info, own module ",
                  s->own[0] ? s->own : "unknown", im->nfuncs);
}

static void deps_summary(FILE *o, const diff_result *r)
{
    const mg_diff *d = &r->d;
    bool pa = r->a.im->buildinfo.present, pb = r->b.im->buildinfo.present;
    if (!pa || !pb) {
        fprintf(o, "dependencies:   no build info in %s\n", !pa && !pb ? "A and B" : !pa ? "A" : "B");
        return;
    }
    size_t add = 0, rem = 0;
    for (size_t i = 0; i < d->ndeps; i++)
        add += !d->deps[i].from, rem += !d->deps[i].to;
    fprintf(o, "dependencies:   %zu added, %zu removed, %zu changed (of %zu in A, %zu in B)\n", add, rem,
            d->ndeps - add - rem, r->a.im->buildinfo.ndeps, r->b.im->buildinfo.ndeps);
    for (size_t i = 0; i < d->ndeps && i < MAX_DEPS; i++) {
        const mg_change *c = &d->deps[i];
        bool both = c->from && c->to;
        text_line(o, "  %c %s %s%s%s", !c->from ? '+' : !c->to ? '-' : '~', c->key, both ? c->from : "",
                  both ? " -> " : "", c->to ? c->to : c->from);
    }
    if (d->ndeps > MAX_DEPS)
        fprintf(o, "  ... %zu more (diff without --summary lists them)\n", d->ndeps - MAX_DEPS);
}

/* packages by group: counts, then the first changes of the non-standard ones */
static void packages_summary(FILE *o, const diff_result *r)
{
    const mg_diff *d = &r->d;
    size_t n[3][3] = {{0}}; /* [group][added, removed, changed] */
    for (size_t i = 0; i < d->npkgs; i++) {
        const mg_pkgchange *p = &d->pkgs[i];
        if (mg_package_is_pseudo(p->path.s, p->path.len))
            continue;
        n[diff_class_of(&p->path, r)][!p->from ? 0 : !p->to ? 1 : 2]++;
    }
    static const char *const names[] = {"own", "other modules", "standard library"};
    fprintf(o, "packages:       %zu in A, %zu in B\n", d->npkgs_a, d->npkgs_b);
    for (int g = 0; g < 3; g++)
        fprintf(o, "  %-17s %zu added, %zu removed, %zu changed\n", names[g], n[g][0], n[g][1], n[g][2]);
    size_t shown = 0, rest = 0;
    for (int g = CLASS_MAIN; g <= CLASS_OTHER; g++)
        for (size_t i = 0; i < d->npkgs; i++) {
            const mg_pkgchange *p = &d->pkgs[i];
            if (mg_package_is_pseudo(p->path.s, p->path.len) || diff_class_of(&p->path, r) != g)
                continue;
            if (shown == MAX_PKGS) {
                rest++;
                continue;
            }
            shown++;
            char dec[512];
            mg_package_unescape(p->path.s, p->path.len, dec, sizeof dec);
            text_line(o, "  %c %s (%u -> %u functions)", !p->from ? '+' : !p->to ? '-' : '~', dec, p->from, p->to);
        }
    if (rest)
        fprintf(o, "  ... %zu more (diff without --summary lists them)\n", rest);
}

void diff_print_summary(FILE *o, const diff_result *r)
{
    side_line(o, "A", &r->a);
    side_line(o, "B", &r->b);
    if (r->same_hash)
        fputs("gimphash:       same\n", o);
    else
        fprintf(o, "gimphash:       different (gimpfuzzy score %d, gimpset score %d)\n", r->fuzzy, r->set);
    if (strcmp(r->a.im->go_version, r->b.im->go_version) != 0)
        text_line(o, "go version:     %s -> %s", r->a.im->go_version, r->b.im->go_version);
    deps_summary(o, r);
    fprintf(o, "build settings: %zu differ\n", r->d.nsettings);
    packages_summary(o, r);
    fprintf(o, "functions:      %zu added, %zu removed (of %zu in A, %zu in B)\n", r->d.nadded, r->d.nremoved,
            r->d.names_a, r->d.names_b);
}
