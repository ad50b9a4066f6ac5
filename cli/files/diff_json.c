/* diff_json.c - the JSON of `malgopher diff --json`: one object with the
 * fixed schema documented in docs/usage.md "diff" (a, b, scores, dependencies,
 * settings, packages, functions). */
#include "files/diff_view.h"

static void side_json(FILE *o, const diff_side *s, size_t names, size_t npkgs)
{
    const mg_image *im = s->im;
    const mg_buildinfo *bi = &im->buildinfo;
    fputs("{\"file\":", o);
    json_cstr(o, s->path);
    fputs(",\"container\":", o);
    json_cstr(o, im->container_name);
    fputs(",\"os\":", o);
    json_cstr(o, im->os);
    fputs(",\"arch\":", o);
    json_cstr(o, im->arch);
    fputs(",\"go_version\":", o);
    json_cstr(o, im->go_version);
    fprintf(o, ",\"buildinfo\":%s,\"path\":", bi->present ? "true" : "false");
    json_cstr(o, bi->path);
    fputs(",\"main_module\":{\"path\":", o);
    json_cstr(o, bi->main.path);
    fputs(",\"version\":", o);
    json_cstr(o, bi->main.version);
    fprintf(o, "},\"stripped\":%s,\"functions\":%zu,\"names\":%zu,\"packages\":%zu,\"gimphash\":",
            im->stripped ? "true" : "false", im->nfuncs, names, npkgs);
    json_cstr(o, im->gimphash);
    fputs(",\"gimpfuzzy\":", o);
    json_cstr(o, im->gimpfuzzy);
    fprintf(o, ",\"no_names\":%s,\"partial\":%s}", im->flags & MG_FLAG_NO_NAMES ? "true" : "false",
            im->flags & MG_FLAG_PARTIAL ? "true" : "false");
}

/* added / removed / changed lists of key-value changes */
static void changes_json(FILE *o, const mg_change *c, size_t n, const char *key, const char *val)
{
    static const char *const kinds[] = {"added", "removed", "changed"};
    putc('{', o);
    for (int k = 0; k < 3; k++) {
        fprintf(o, "%s\"%s\":[", k ? "," : "", kinds[k]);
        size_t shown = 0;
        for (size_t i = 0; i < n; i++) {
            int kind = !c[i].from ? 0 : !c[i].to ? 1 : 2;
            if (kind != k)
                continue;
            fprintf(o, "%s{\"%s\":", shown++ ? "," : "", key);
            json_cstr(o, c[i].key);
            if (k == 2) {
                fputs(",\"from\":", o);
                json_cstr(o, c[i].from);
                fputs(",\"to\":", o);
            } else {
                fprintf(o, ",\"%s\":", val);
            }
            json_cstr(o, k == 1 ? c[i].from : c[i].to);
            putc('}', o);
        }
        putc(']', o);
    }
    putc('}', o);
}

static void packages_json(FILE *o, const mg_diff *d)
{
    static const char *const kinds[] = {"added", "removed", "changed"};
    putc('{', o);
    for (int k = 0; k < 3; k++) {
        fprintf(o, "%s\"%s\":[", k ? "," : "", kinds[k]);
        size_t shown = 0;
        for (size_t i = 0; i < d->npkgs; i++) {
            const mg_pkgchange *p = &d->pkgs[i];
            int kind = !p->from ? 0 : !p->to ? 1 : 2;
            if (kind != k)
                continue;
            fputs(shown++ ? ",{\"path\":" : "{\"path\":", o);
            json_str(o, p->path.s, p->path.len);
            if (k == 2)
                fprintf(o, ",\"from\":%u,\"to\":%u}", p->from, p->to);
            else
                fprintf(o, ",\"functions\":%u}", k ? p->from : p->to);
        }
        putc(']', o);
    }
    putc('}', o);
}

static void names_json(FILE *o, const mg_name *v, size_t n)
{
    putc('[', o);
    for (size_t i = 0; i < n; i++) {
        if (i)
            putc(',', o);
        json_str(o, v[i].s, v[i].len);
    }
    putc(']', o);
}

void diff_print_json(FILE *o, const diff_result *r)
{
    const mg_diff *d = &r->d;
    fputs("{\"a\":", o);
    side_json(o, &r->a, d->names_a, d->npkgs_a);
    fputs(",\"b\":", o);
    side_json(o, &r->b, d->names_b, d->npkgs_b);
    fprintf(o, ",\"scores\":{\"gimphash_equal\":%s,\"gimpfuzzy\":", r->same_hash ? "true" : "false");
    if (r->fuzzy >= 0)
        fprintf(o, "%d", r->fuzzy);
    else
        fputs("null", o);
    fputs(",\"set\":", o);
    if (r->set >= 0)
        fprintf(o, "%d", r->set);
    else
        fputs("null", o);
    fputs("},\"dependencies\":", o);
    changes_json(o, d->deps, d->ndeps, "path", "version");
    fputs(",\"settings\":", o);
    changes_json(o, d->settings, d->nsettings, "key", "value");
    fputs(",\"packages\":", o);
    packages_json(o, d);
    fputs(",\"functions\":{\"added\":", o);
    names_json(o, d->added, d->nadded);
    fputs(",\"removed\":", o);
    names_json(o, d->removed, d->nremoved);
    fputs("}}\n", o);
}
