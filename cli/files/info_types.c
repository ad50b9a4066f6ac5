/* info_types.c - the members `info --json` takes from moduledata:
 * "build_id" (as `go tool buildid`), "moduledata" (text/etext,
 * types/etypes, typelinks/itablinks counts, pclntab address) and
 * "function_table": each function's entry, end (the next function's entry;
 * the last one's: etext) and package class (std / third-party / own, own
 * being the main module's packages and main).  ("functions" stays the
 * count it always was.) */
#include "common/cli.h"

#include <string.h>

/* std, own (main, or the main module's path or a package under it),
 * third-party; the compiler's equality and hash functions take the class of
 * their type's package, its other go:/type: symbols are std */
static const char *package_class(const mg_image *im, const char *name, uint32_t len)
{
    static const char *const gen[] = {"type..eq.", "type:.eq.", "type..hash.", "type:.hash."};
    for (size_t k = 0; k < sizeof gen / sizeof *gen; k++) {
        size_t gl = strlen(gen[k]);
        if (len > gl && !memcmp(name, gen[k], gl)) {
            name += gl;
            len -= (uint32_t)gl;
            while (len && (*name == '*' || *name == '.' || *name == '[' || *name == ']' || (*name >= '0' && *name <= '9'))) {
                name++;
                len--;
            }
            break;
        }
    }
    if ((len > 3 && (!memcmp(name, "go.", 3) || !memcmp(name, "go:", 3))) ||
        (len > 5 && (!memcmp(name, "type.", 5) || !memcmp(name, "type:", 5))))
        return "std";
    size_t n = mg_func_package(name, len);
    const char *mod = im->buildinfo.main.path;
    size_t ml = strlen(mod);
    if ((n == 4 && !memcmp(name, "main", 4)) ||
        (ml && n >= ml && !memcmp(name, mod, ml) && (n == ml || name[ml] == '/')))
        return "own";
    return n == 0 || mg_package_is_std(name, n) ? "std" : "third-party";
}

static void function_table(FILE *o, const mg_image *im, uint64_t etext)
{
    fputs(",\"function_table\":[", o);
    for (size_t k = 0; k < im->nfuncs; k++) {
        const mg_func *fn = &im->funcs[k];
        uint64_t end = k + 1 < im->nfuncs ? im->funcs[k + 1].entry : etext;
        fprintf(o, "%s{\"entry\":\"0x%llx\",\"end\":", k ? "," : "", (unsigned long long)fn->entry);
        if (end > fn->entry)
            fprintf(o, "\"0x%llx\"", (unsigned long long)end);
        else
            fputs("null", o);
        fputs(",\"name\":", o);
        json_str(o, fn->name, fn->name_len);
        fprintf(o, ",\"class\":\"%s\"}", package_class(im, fn->name, fn->name_len));
    }
    putc(']', o);
}

void json_info_types(FILE *o, const mg_file *f, size_t i)
{
    const mg_image *im = mg_file_image(f, i);
    mg_types *t = NULL;
    mg_error e;
    if (!im->is_go || mg_file_types_ex(f, i, MG_TYPES_NO_WALK, &t, &e) != MG_OK) {
        fputs(",\"build_id\":null,\"moduledata\":null,\"function_table\":null", o);
        return;
    }
    fputs(",\"build_id\":", o);
    if (t->build_id[0])
        json_cstr(o, t->build_id);
    else
        fputs("null", o);
    if (t->moduledata_found)
        fprintf(o,
                ",\"moduledata\":{\"address\":\"0x%llx\",\"text\":\"0x%llx\",\"etext\":\"0x%llx\","
                "\"types\":\"0x%llx\",\"etypes\":\"0x%llx\",\"typelinks\":%llu,\"itablinks\":%llu,"
                "\"pclntab\":\"0x%llx\"}",
                (unsigned long long)t->moduledata, (unsigned long long)t->text, (unsigned long long)t->etext,
                (unsigned long long)t->types_start, (unsigned long long)t->types_end,
                (unsigned long long)t->ntypelinks, (unsigned long long)t->nitablinks,
                (unsigned long long)t->pclntab);
    else
        fputs(",\"moduledata\":null", o);
    function_table(o, im, t->moduledata_found ? t->etext : 0);
    mg_types_free(t);
}
