/* types_text.c - `malgopher types` as Go-like text: one block a type
 *
 *     // 0x4b2c40 struct size 40 pkg main
 *     type main.Config struct {
 *         Name string `json:"name"` // +0
 *     }
 *     func (main.Config) String() func() string
 *
 * then one "itab IFACE TYPE // ADDRESS" line per itab.  Every line goes
 * through text_line (escaped when a name from the file needs it). */
#include "files/types_view.h"

static void fields(FILE *o, const mg_types *t, const mg_gotype *g)
{
    for (size_t i = 0; i < g->nfields; i++) {
        const mg_type_field *f = &g->fields[i];
        const char *ty = types_name_of(t, f->type);
        if (f->embedded)
            text_line(o, "    %s%s%s%s // +%llu, embedded", ty, f->tag[0] ? " `" : "", f->tag, f->tag[0] ? "`" : "",
                      (unsigned long long)f->offset);
        else
            text_line(o, "    %s %s%s%s%s // +%llu", f->name, ty, f->tag[0] ? " `" : "", f->tag,
                      f->tag[0] ? "`" : "", (unsigned long long)f->offset);
    }
}

static void block(FILE *o, const mg_types *t, const mg_gotype *g)
{
    text_line(o, "// 0x%llx %s size %llu%s%s", (unsigned long long)g->address, mg_type_kind_name(g->kind),
              (unsigned long long)g->size, g->pkg_path[0] ? " pkg " : "", g->pkg_path);
    if (g->kind == 25 /* struct */ || g->kind == 20 /* interface */) {
        text_line(o, "type %s %s {", g->name, mg_type_kind_name(g->kind));
        fields(o, t, g);
        for (size_t i = 0; i < g->nimethods; i++)
            text_line(o, "    %s %s", g->imethods[i].name, types_name_of(t, g->imethods[i].type));
        text_line(o, "}");
    } else if (g->elem || g->key) {
        text_line(o, "type %s // key %s, elem %s", g->name, g->key ? types_name_of(t, g->key) : "-",
                  g->elem ? types_name_of(t, g->elem) : "-");
    } else {
        text_line(o, "type %s", g->name);
    }
    for (size_t i = 0; i < g->nmethods; i++)
        text_line(o, "method (%s) %s %s", g->name, g->methods[i].name, types_name_of(t, g->methods[i].type));
    text_line(o, "%s", "");
}

void types_text(FILE *o, const char *path, const char *arch, const mg_types *t)
{
    text_line(o, "# %s%s%s", path, arch ? ":" : "", arch ? arch : "");
    text_line(o, "# build ID %s", t->build_id[0] ? t->build_id : "(none)");
    if (t->warning[0])
        text_line(o, "# warning: %s", t->warning);
    text_line(o, "# %zu types, %zu itabs", t->ntypes, t->nitabs);
    text_line(o, "%s", "");
    for (size_t i = 0; i < t->ntypes; i++)
        block(o, t, &t->types[i]);
    for (size_t i = 0; i < t->nitabs; i++)
        text_line(o, "itab %s %s // 0x%llx", types_name_of(t, t->itabs[i].iface),
                  types_name_of(t, t->itabs[i].type), (unsigned long long)t->itabs[i].address);
}
