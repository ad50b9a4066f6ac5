/* fuzz_types.c - libFuzzer target: the runtime type reader (mg_file_types)
 * and the build ID on every Go image, every string and reference of its
 * answer read back (mg_types_find on each reference). */
#include "fuzz_common.h"

static void touch_types(const mg_types *t)
{
    fuzz_touch_str(t->build_id);
    for (size_t i = 0; i < t->ntypes; i++) {
        const mg_gotype *g = &t->types[i];
        fuzz_touch_str(g->name);
        fuzz_touch_str(g->pkg_path);
        fuzz_sink += (unsigned)mg_types_find(t, g->elem) + (unsigned)mg_types_find(t, g->key);
        for (size_t k = 0; k < g->nfields; k++) {
            fuzz_touch_str(g->fields[k].name);
            fuzz_touch_str(g->fields[k].tag);
            fuzz_sink += (unsigned)mg_types_find(t, g->fields[k].type);
        }
        for (size_t k = 0; k < g->nmethods; k++)
            fuzz_touch_str(g->methods[k].name);
        for (size_t k = 0; k < g->nimethods; k++)
            fuzz_touch_str(g->imethods[k].name);
        for (size_t k = 0; k < g->nin + g->nout; k++)
            fuzz_sink += (unsigned)g->params[k];
    }
    for (size_t i = 0; i < t->nitabs; i++)
        fuzz_sink += (unsigned)mg_types_find(t, t->itabs[i].iface);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open_mem(data, size, MG_OPT_NO_FUZZY, &f, &e) != MG_OK)
        return 0;
    for (size_t i = 0; i < mg_file_image_count(f); i++) {
        mg_types *t;
        char id[128];
        fuzz_sink += mg_file_build_id(f, i, id, sizeof id);
        if (mg_file_types(f, i, &t, &e) == MG_OK) {
            touch_types(t);
            mg_types_free(t);
        }
    }
    mg_file_close(f);
    return 0;
}
