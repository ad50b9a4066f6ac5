/* cmd_info.c - `malgopher info`: everything we know about each image of
 * each file, as aligned text or JSON Lines (one object per image). */
#include "options.h"

#include <string.h>

static const char help[] =
    "usage: malgopher info [--json] FILE...\n"
    "\n"
    "Describe each file: container, OS, architecture, bits, byte order, Go\n"
    "version and where it came from, pclntab generation, function count, main\n"
    "module, build settings, stripped or not, gimphash, gimpfuzzy and gimpset.  A fat\n"
    "Mach-O file is described slice by slice.\n"
    "For a .NET assembly: runtime version, methods, and whether it is JIT-hook\n"
    "packed, with the evidence (see `malgopher jit-unpack --help`).\n"
    "\n"
    "  --json    one JSON object per image (JSON Lines)\n"
    "\n"
    "exit status: 0 every file read, 1 some could not be, 2 usage error.\n";

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void text_info(const char *path, const mg_file *f, size_t i)
{
    const mg_image *im = mg_file_image(f, i);
    const mg_buildinfo *bi = &im->buildinfo;
    size_t n = mg_file_image_count(f);
    printf("file:           %s\n", path);
    if (n > 1)
        printf("slice:          %zu of %zu at offset 0x%llx\n", i + 1, n,
               (unsigned long long)im->slice_offset);
    printf("container:      %s, %u-bit, %s-endian\n", im->container_name, im->bits,
           im->big_endian ? "big" : "little");
    printf("os/arch:        %s/%s\n", im->os[0] ? im->os : "unknown",
           im->arch[0] ? im->arch : "unknown");
    printf("go:             %s\n", yes_no(im->is_go));
    if (im->is_go) {
        if (im->go_version[0])
            printf("go version:     %s (from %s)\n", im->go_version,
                   mg_version_source_name(im->version_source));
        else
            printf("go version:     unknown (pclntab says %s)\n",
                   mg_pclntab_gen_name(im->pclntab_gen));
        printf("pclntab:        %s at 0x%llx (found by %s%s)\n",
               mg_pclntab_gen_name(im->pclntab_gen), (unsigned long long)im->pclntab_offset,
               mg_found_by_name(im->pclntab_found_by),
               im->flags & MG_FLAG_RECOVERED ? ", magic damaged" : "");
        printf("functions:      %zu\n", im->nfuncs);
        if (im->obfuscated)
            printf("obfuscation:    likely (hashed packages %u of %u, random identifiers %u of %u)\n",
                   im->obf_hashed_packages, im->obf_package_runs, im->obf_random_identifiers,
                   im->obf_identifiers);
        else
            printf("obfuscation:    none seen\n");
        if (im->flags & MG_FLAG_RECOVERED)
            printf("tampering:      pclntab magic damaged; table recovered from its header\n");
    }
    if (bi->present) {
        if (bi->path[0])
            printf("path:           %s\n", bi->path);
        if (bi->main.path[0])
            printf("main module:    %s %s\n", bi->main.path, bi->main.version);
        printf("dependencies:   %zu\n", bi->ndeps);
        if (bi->nsettings) {
            printf("build:         ");
            for (size_t k = 0; k < bi->nsettings; k++) {
                const char *v = bi->settings[k].value;
                printf(strpbrk(v, " \t") ? " %s=\"%s\"" : " %s=%s", bi->settings[k].key, v);
            }
            putchar('\n');
        }
    }
    printf("stripped:       %s\n", yes_no(im->stripped));
    if (im->is_go) {
        printf("gimphash:       %s%s\n", im->gimphash,
               im->flags & MG_FLAG_NO_NAMES ? " (no names)" : "");
        printf("gimpfuzzy:      %s\n", im->gimpfuzzy);
        printf("gimpset:        %s (%zu names)\n", im->gimpset, im->gimpset_names);
    }
    if (im->container == MG_CONT_PE)
        text_dotnet(path);
    if (im->warning[0])
        printf("warning:        %s\n", im->warning);
    putchar('\n');
}

static void json_module(const mg_module *m)
{
    fputs("{\"path\":", stdout);
    json_cstr(stdout, m->path);
    fputs(",\"version\":", stdout);
    json_cstr(stdout, m->version);
    fputs(",\"sum\":", stdout);
    json_cstr(stdout, m->sum);
    if (m->replace_path[0]) {
        fputs(",\"replace\":{\"path\":", stdout);
        json_cstr(stdout, m->replace_path);
        fputs(",\"version\":", stdout);
        json_cstr(stdout, m->replace_version);
        putchar('}');
    }
    putchar('}');
}

static void json_info(const char *path, const mg_file *f, size_t i)
{
    const mg_image *im = mg_file_image(f, i);
    const mg_buildinfo *bi = &im->buildinfo;
    fputs("{\"file\":", stdout);
    json_cstr(stdout, path);
    printf(",\"slice\":%zu,\"slices\":%zu,\"slice_offset\":%llu", i, mg_file_image_count(f),
           (unsigned long long)im->slice_offset);
    fputs(",\"container\":", stdout);
    json_cstr(stdout, im->container_name);
    fputs(",\"os\":", stdout);
    json_cstr(stdout, im->os);
    fputs(",\"arch\":", stdout);
    json_cstr(stdout, im->arch);
    printf(",\"bits\":%u,\"endian\":\"%s\",\"is_go\":%s", im->bits,
           im->big_endian ? "big" : "little", im->is_go ? "true" : "false");
    fputs(",\"go_version\":", stdout);
    json_cstr(stdout, im->go_version);
    printf(",\"go_version_source\":\"%s\",\"pclntab_version\":\"%s\","
           "\"pclntab_offset\":%llu,\"pclntab_found_by\":\"%s\",\"functions\":%zu",
           mg_version_source_name(im->version_source), mg_pclntab_gen_name(im->pclntab_gen),
           (unsigned long long)im->pclntab_offset, mg_found_by_name(im->pclntab_found_by),
           im->nfuncs);
    printf(",\"buildinfo\":%s", bi->present ? "true" : "false");
    fputs(",\"path\":", stdout);
    json_cstr(stdout, bi->path);
    fputs(",\"main_module\":", stdout);
    json_module(&bi->main);
    fputs(",\"dependencies\":[", stdout);
    for (size_t k = 0; k < bi->ndeps; k++) {
        if (k)
            putchar(',');
        json_module(&bi->deps[k]);
    }
    fputs("],\"build_settings\":{", stdout);
    for (size_t k = 0; k < bi->nsettings; k++) {
        if (k)
            putchar(',');
        json_cstr(stdout, bi->settings[k].key);
        putchar(':');
        json_cstr(stdout, bi->settings[k].value);
    }
    printf("},\"stripped\":%s", im->stripped ? "true" : "false");
    if (im->is_go) {
        printf(",\"gimphash\":\"%s\",\"gimpfuzzy\":", im->gimphash);
        json_cstr(stdout, im->gimpfuzzy);
        printf(",\"gimpset\":\"%s\",\"gimpset_names\":%zu", im->gimpset, im->gimpset_names);
    } else {
        fputs(",\"gimphash\":null,\"gimpfuzzy\":null,\"gimpset\":null,\"gimpset_names\":0", stdout);
    }
    printf(",\"obfuscated\":%s,\"obfuscation\":{\"package_runs\":%u,\"hashed_packages\":%u,"
           "\"identifiers\":%u,\"random_identifiers\":%u}",
           im->obfuscated ? "true" : "false", im->obf_package_runs, im->obf_hashed_packages,
           im->obf_identifiers, im->obf_random_identifiers);
    printf(",\"gimphash_names\":%zu,\"no_names\":%s,\"partial\":%s,\"recovered\":%s",
           im->gimp_names, im->flags & MG_FLAG_NO_NAMES ? "true" : "false",
           im->flags & MG_FLAG_PARTIAL ? "true" : "false",
           im->flags & MG_FLAG_RECOVERED ? "true" : "false");
    json_dotnet(path, im->container == MG_CONT_PE);
    fputs(",\"warning\":", stdout);
    json_cstr(stdout, im->warning);
    fputs("}\n", stdout);
}

int cmd_info(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(&o, "info", CMD_INFO, help, argc, argv);
    if (rc >= 0)
        return rc;
    rc = EXIT_ALL_OK;
    if (!cli_want_args(&o, 1, -1, "FILE"))
        rc = EXIT_USAGE;
    for (int i = 0; rc != EXIT_USAGE && i < o.nargs; i++) {
        const char *path = o.args[i];
        mg_file *f;
        mg_error e;
        if (mg_file_open(path, &f, &e) != MG_OK) {
            report_error(path, e.msg);
            rc = EXIT_SOME_FAILED;
            continue;
        }
        for (size_t k = 0; k < mg_file_image_count(f); k++)
            (o.fmt == OUT_JSON ? json_info : text_info)(path, f, k);
        mg_file_close(f);
    }
    cli_opts_free(&o);
    return rc;
}
