/* cmd_info.c - `malgopher info`: everything we know about each image of
 * each file, as aligned text or JSON Lines (one object per image). */
#include "common/options.h"
#include "files/files.h"
#include "known/known.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher info [-r] [-q] [-j N] [--brief | --json | --csv] [--full] [--files-from FILE [-0]] PATH...\n"
    "\n"
    "Describe each file: container, OS, architecture, bits, byte order, Go\n"
    "version and where it came from, pclntab generation, function count, main\n"
    "module, build settings, stripped or not, gimphash, gimpfuzzy and gimpset.  A fat\n"
    "Mach-O file is described slice by slice.\n"
    "For a .NET assembly: runtime version, methods, and whether it is JIT-hook\n"
    "packed, with the evidence (see `malgopher jit-unpack --help`).\n"
    "\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         leave out the files that are neither Go nor .NET; in a\n"
    "                      directory walk they do not make the exit status 1\n"
    "  --brief             one line per file: kind (Go, Go/UPX, .NET, not Go),\n"
    "                      OS/arch, Go version, known program (- when none),\n"
    "                      identity (module@version, else the program's own\n"
    "                      package prefix inferred from its packages), path\n"
    "  --full              print long digests whole (the text view shortens them)\n"
    "  -j, --jobs N        read with N threads (default 1); the output keeps its order\n"
    "  --json              one JSON object per image (JSON Lines), with the file's\n"
    "                      sha256 and size\n"
    "  --csv               a header line and one row per image (sha256, size last)\n"
    "  --no-known          do not name known programs (the reference is not read)\n"
    "A Go program the known-programs reference holds (rclone, restic, ngrok, ...;\n"
    "docs/known.md) is named on a \"known:\" line (JSON \"known\"), renamed or not.\n"
    "The text view fits 160 columns: a digest longer than 140 characters is shown\n"
    "as its first 40, an ellipsis and its length unless --full.\n"
    HELP_FILES_FROM
    "\n"
    HELP_ESCAPES
    "\n"
    "exit status: 0 every file read, 1 some could not be, 2 usage error.\n";

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

/* the build settings line: key=value, quoted when the value has a blank */
static void text_settings(FILE *o, const mg_buildinfo *bi)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (!m)
        return;
    fputs("build:         ", m);
    for (size_t k = 0; k < bi->nsettings; k++) {
        const char *v = bi->settings[k].value;
        fprintf(m, strpbrk(v, " \t") ? " %s=\"%s\"" : " %s=%s", bi->settings[k].key, v);
    }
    fclose(m);
    text_line_n(o, buf, n);
    free(buf);
}

/* Every line goes through text_line: what comes from the file (path, Go
 * version, module paths, build settings, warnings) is escaped. */
static void text_info(FILE *o, const char *path, const sample_file *s, size_t i, bool full)
{
    char sb[128];
    const mg_file *f = s->f;
    const mg_image *im = mg_file_image(f, i);
    const mg_buildinfo *bi = &im->buildinfo;
    size_t n = mg_file_image_count(f);
    text_line(o, "file:           %s", path);
    if (n > 1)
        text_line(o, "slice:          %zu of %zu at offset 0x%llx", i + 1, n,
                  (unsigned long long)im->slice_offset);
    if (im->container == MG_CONT_RAW && !im->is_go) {
        /* no container header and no Go table: nothing else is known */
        text_line(o, "container:      none (not an ELF, PE, Mach-O or XCOFF executable)");
        text_line(o, "go:             no");
        putc('\n', o);
        return;
    }
    text_line(o, "container:      %s, %u-bit, %s-endian", im->container_name, im->bits,
              im->big_endian ? "big" : "little");
    text_line(o, "os/arch:        %s/%s", im->os[0] ? im->os : "unknown", im->arch[0] ? im->arch : "unknown");
    text_packer(o, im);
    text_line(o, "go:             %s", yes_no(im->is_go));
    if (im->is_go) {
        if (im->go_version[0])
            text_line(o, "go version:     %s (from %s)", im->go_version,
                      mg_version_source_name(im->version_source));
        else
            text_line(o, "go version:     unknown (pclntab says %s)", mg_pclntab_gen_name(im->pclntab_gen));
        text_line(o, "pclntab:        %s at 0x%llx (found by %s%s)", mg_pclntab_gen_name(im->pclntab_gen),
                  (unsigned long long)im->pclntab_offset, mg_found_by_name(im->pclntab_found_by),
                  im->flags & MG_FLAG_RECOVERED ? ", magic damaged" : "");
        text_line(o, "functions:      %zu", im->nfuncs);
        if (im->obfuscated)
            text_line(o, "obfuscation:    likely (hashed packages %u of %u, random identifiers %u of %u)",
                      im->obf_hashed_packages, im->obf_package_runs, im->obf_random_identifiers,
                      im->obf_identifiers);
        else
            text_line(o, "obfuscation:    none seen");
        if (im->flags & MG_FLAG_RECOVERED)
            text_line(o, "tampering:      pclntab magic damaged; table recovered from its header");
    }
    if (bi->present) {
        if (bi->path[0])
            text_line(o, "path:           %s", bi->path);
        if (bi->main.path[0])
            text_line(o, "main module:    %s %s", bi->main.path, bi->main.version);
        text_line(o, "dependencies:   %zu", bi->ndeps);
        if (bi->nsettings)
            text_settings(o, bi);
    }
    if (im->is_go && !bi->main.path[0]) {
        char ident[300];
        info_identity(im, ident, sizeof ident);
        text_line(o, "identity:       %s (inferred from its packages)", ident[0] ? ident : "unknown");
    }
    mg_known_hit kh[2];
    int nk = !known_is_off() && im->is_go ? known_lookup(im, NULL, kh) : 0;
    if (nk) {
        char kt[1200];
        known_text(kh, nk, kt, sizeof kt);
        text_line(o, "known:          %s", kt);
    } else if (im->is_go && !known_is_off()) {
        text_line(o, "known:          none");
    }
    if (im->is_go) { /* a symbol table is a Go question: not asked of other files */
        text_line(o, "stripped:       %s", yes_no(im->stripped));
        text_line(o, "gimphash:       %s%s", im->gimphash, im->flags & MG_FLAG_NO_NAMES ? " (no names)" : "");
        text_line(o, "gimpfuzzy:      %s", info_short_digest(im->gimpfuzzy, full, sb, sizeof sb));
        text_line(o, "gimpset:        %s (%zu names)", info_short_digest(im->gimpset, full, sb, sizeof sb),
                  im->gimpset_names);
    }
    if (im->container == MG_CONT_PE)
        text_dotnet(o, s->map.data, s->map.size);
    if (im->warning[0])
        text_line(o, "warning:        %s", im->warning);
    putc('\n', o);
}

/* the kind of image im of the sample (its .NET metadata read when a PE) */
static void kind_of(const sample_file *s, const mg_image *im, char *out, size_t cap)
{
    mg_dotnet_info d = {0};
    mg_error e;
    if (im->container == MG_CONT_PE && !im->is_go)
        (void)mg_dotnet_inspect_mem(s->map.data, s->map.size, &d, &e);
    info_kind(im, &d, out, cap);
}

/* one CSV row per image */
static const char csv_header[] = "file,slice,container,os,arch,bits,is_go,go_version,pclntab_version,"
                                 "functions,main_module,stripped,gimphash,gimpfuzzy,gimpset,kind,identity,known,sha256,size";

static void csv_info(FILE *o, const char *path, const sample_file *s, size_t i)
{
    const mg_file *f = s->f;
    const file_id *id = &s->id;
    const mg_image *im = mg_file_image(f, i);
    char kind[32], ident[600];
    kind_of(s, im, kind, sizeof kind);
    info_identity(im, ident, sizeof ident);
    csv_field(o, path);
    fprintf(o, ",%zu,", i);
    csv_field(o, im->container == MG_CONT_RAW && !im->is_go ? "none" : im->container_name);
    putc(',', o);
    csv_field(o, im->os);
    putc(',', o);
    csv_field(o, im->arch);
    fprintf(o, ",%u,%s,", im->bits, im->is_go ? "yes" : "no");
    csv_field(o, im->go_version);
    fprintf(o, ",%s,%zu,", im->is_go ? mg_pclntab_gen_name(im->pclntab_gen) : "", im->nfuncs);
    csv_field(o, im->buildinfo.main.path);
    fprintf(o, ",%s,%s,", im->is_go ? yes_no(im->stripped) : "", im->is_go ? im->gimphash : "");
    csv_field(o, im->is_go ? im->gimpfuzzy : "");
    fprintf(o, ",%s,", im->is_go ? im->gimpset : "");
    csv_field(o, kind);
    putc(',', o);
    csv_field(o, ident);
    putc(',', o);
    mg_known_hit kh[2];
    int nk = known_lookup(im, id->sha256, kh);
    if (nk) {
        char kt[1200];
        known_text(kh, nk, kt, sizeof kt);
        csv_field(o, kt);
    }
    fprintf(o, ",%s,%llu\n", id->sha256, id->size);
}

static void json_module(FILE *o, const mg_module *m)
{
    fputs("{\"path\":", o);
    json_cstr(o, m->path);
    fputs(",\"version\":", o);
    json_cstr(o, m->version);
    fputs(",\"sum\":", o);
    json_cstr(o, m->sum);
    if (m->replace_path[0]) {
        fputs(",\"replace\":{\"path\":", o);
        json_cstr(o, m->replace_path);
        fputs(",\"version\":", o);
        json_cstr(o, m->replace_version);
        putc('}', o);
    }
    putc('}', o);
}

/* "packages": every package (pseudo-packages dropped, escapes decoded)
 * with its class and its distinct function names (sorted) */
static void json_packages(FILE *o, const mg_image *im)
{
    mg_package *p;
    size_t n;
    char own[512], dec[1024];
    size_t nown = mg_image_own_prefix(im, own, sizeof own);
    fputs(",\"packages\":", o);
    if (mg_image_packages(im, &p, &n, NULL) != MG_OK) {
        fputs("null", o);
        return;
    }
    putc('[', o);
    bool first = true;
    for (size_t k = 0; k < n; k++) {
        mg_pkg_class c = mg_package_class(p[k].path.s, p[k].path.len, own, nown);
        if (c == MG_PKG_PSEUDO)
            continue;
        fputs(first ? "{\"path\":" : ",{\"path\":", o);
        first = false;
        json_str(o, dec, mg_package_unescape(p[k].path.s, p[k].path.len, dec, sizeof dec));
        fprintf(o, ",\"class\":\"%s\",\"functions\":%u}", mg_pkg_class_name(c), p[k].functions);
    }
    putc(']', o);
    free(p);
}

static void json_info(FILE *o, const char *path, const sample_file *s, size_t i)
{
    const mg_file *f = s->f;
    const file_id *id = &s->id;
    const mg_image *im = mg_file_image(f, i);
    const mg_buildinfo *bi = &im->buildinfo;
    fputs("{\"file\":", o);
    json_cstr(o, path);
    fprintf(o, ",\"slice\":%zu,\"slices\":%zu,\"slice_offset\":%llu", i, mg_file_image_count(f),
           (unsigned long long)im->slice_offset);
    fputs(",\"container\":", o); /* "none": no executable header, no Go table */
    json_cstr(o, im->container == MG_CONT_RAW && !im->is_go ? "none" : im->container_name);
    fputs(",\"os\":", o);
    json_cstr(o, im->os);
    fputs(",\"arch\":", o);
    json_cstr(o, im->arch);
    fprintf(o, ",\"bits\":%u,\"endian\":\"%s\",\"is_go\":%s", im->bits,
           im->big_endian ? "big" : "little", im->is_go ? "true" : "false");
    fputs(",\"go_version\":", o);
    json_cstr(o, im->go_version);
    fprintf(o, ",\"go_version_source\":\"%s\",\"pclntab_version\":\"%s\","
           "\"pclntab_offset\":%llu,\"pclntab_found_by\":\"%s\",\"functions\":%zu",
           mg_version_source_name(im->version_source), mg_pclntab_gen_name(im->pclntab_gen),
           (unsigned long long)im->pclntab_offset, mg_found_by_name(im->pclntab_found_by),
           im->nfuncs);
    fprintf(o, ",\"buildinfo\":%s", bi->present ? "true" : "false");
    fputs(",\"path\":", o);
    json_cstr(o, bi->path);
    fputs(",\"main_module\":", o);
    json_module(o, &bi->main);
    fputs(",\"dependencies\":[", o);
    for (size_t k = 0; k < bi->ndeps; k++) {
        if (k)
            putc(',', o);
        json_module(o, &bi->deps[k]);
    }
    fputs("],\"build_settings\":{", o);
    for (size_t k = 0; k < bi->nsettings; k++) {
        if (k)
            putc(',', o);
        json_cstr(o, bi->settings[k].key);
        putc(':', o);
        json_cstr(o, bi->settings[k].value);
    }
    fprintf(o, "},\"stripped\":%s", !im->is_go ? "null" : im->stripped ? "true" : "false");
    if (im->is_go) {
        fprintf(o, ",\"gimphash\":\"%s\",\"gimpfuzzy\":", im->gimphash);
        json_cstr(o, im->gimpfuzzy);
        fprintf(o, ",\"gimpset\":\"%s\",\"gimpset_names\":%zu", im->gimpset, im->gimpset_names);
    } else {
        fputs(",\"gimphash\":null,\"gimpfuzzy\":null,\"gimpset\":null,\"gimpset_names\":0", o);
    }
    fprintf(o, ",\"obfuscated\":%s,\"obfuscation\":{\"package_runs\":%u,\"hashed_packages\":%u,"
           "\"identifiers\":%u,\"random_identifiers\":%u}",
           im->obfuscated ? "true" : "false", im->obf_package_runs, im->obf_hashed_packages,
           im->obf_identifiers, im->obf_random_identifiers);
    fprintf(o, ",\"gimphash_names\":%zu,\"no_names\":%s,\"partial\":%s,\"recovered\":%s",
           im->gimp_names, im->flags & MG_FLAG_NO_NAMES ? "true" : "false",
           im->flags & MG_FLAG_PARTIAL ? "true" : "false",
           im->flags & MG_FLAG_RECOVERED ? "true" : "false");
    json_packages(o, im);
    json_info_types(o, f, i);
    json_dotnet(o, s->map.data, s->map.size, im->container == MG_CONT_PE);
    json_packer(o, im);
    char kind[32], ident[600];
    kind_of(s, im, kind, sizeof kind);
    info_identity(im, ident, sizeof ident);
    fputs(",\"kind\":", o);
    json_cstr(o, kind);
    fputs(",\"identity\":", o);
    if (ident[0])
        json_cstr(o, ident);
    else
        fputs("null", o);
    mg_known_hit kh[2];
    fputs(",\"known\":", o);
    known_json(o, kh, known_lookup(im, id->sha256, kh));
    fputs(",\"warning\":", o);
    json_cstr(o, im->warning);
    fprintf(o, ",\"sha256\":\"%s\",\"size\":%llu}\n", id->sha256, id->size);
}

typedef struct info_ctx {
    out_format fmt;
    bool quiet, brief, full;
    named_paths named; /* -q: the trouble of a path named here still counts */
} info_ctx;

/* a .NET assembly: -q keeps it */
static bool is_dotnet(const sample_file *s)
{
    mg_dotnet_info d = {0};
    mg_error e;
    const mg_image *im = mg_file_image(s->f, 0);
    if (im->container != MG_CONT_PE)
        return false;
    (void)mg_dotnet_inspect_mem(s->map.data, s->map.size, &d, &e);
    return d.is_dotnet;
}

/* one file, read once: its lines (the .NET part too) go to out */
static bool info_one(const char *path, void *vctx, FILE *out, FILE *err)
{
    const info_ctx *c = vctx;
    sample_file s;
    /* CSV has no obfuscation column */
    if (!sample_file_open(path, c->fmt == OUT_CSV ? MG_OPT_NO_OBFUSCATION : 0, c->fmt != OUT_TEXT, &s, err))
        return false;
    const mg_file *f = s.f;
    bool clean = true;
    for (size_t k = 0; k < mg_file_image_count(f); k++) /* names that could not be read: */
        if (mg_file_image(f, k)->flags & (MG_FLAG_NO_NAMES | MG_FLAG_BAD_NAMES))
            clean = false; /* not a fingerprint, not a clean run */
    bool shown = !c->quiet || mg_file_is_go(f) || is_dotnet(&s);
    if (shown)
        for (size_t k = 0; k < mg_file_image_count(f); k++) {
            if (c->fmt == OUT_JSON)
                json_info(out, path, &s, k);
            else if (c->fmt == OUT_CSV)
                csv_info(out, path, &s, k);
            else if (c->brief)
                info_brief_line(out, path, mg_file_image(f, k), mg_file_image_count(f), s.map.data, s.map.size);
            else
                text_info(out, path, &s, k, c->full);
        }
    /* -q: a file hidden because it is not Go counts as read unless it was
     * named on the command line (as grep -q / sha256sum --quiet would) */
    if (!clean && !shown && !named_paths_has(&c->named, path))
        clean = true;
    sample_file_close(&s);
    return clean;
}

static int info_paths(const cli_opts *o)
{
    if (!cli_want_args(o, 1, -1, "FILE"))
        return EXIT_USAGE;
    if (o->brief && o->fmt != OUT_TEXT)
        return usage_error(o->cmd, "--brief is a text view: its columns are in --json and --csv already");
    info_ctx c = {o->fmt, o->quiet, o->brief, o->full, {0}};
    if (c.quiet && !named_paths_init(&c.named, o->args, o->nargs))
        return report_error(o->cmd, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    if (c.fmt == OUT_CSV)
        puts(csv_header);
    size_t failed = run_files(o->args, o->nargs, o->recursive, (unsigned)o->jobs, info_one, &c, "reading");
    named_paths_free(&c.named);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

int cmd_info(int argc, char **argv)
{
    return cli_run("info", CMD_INFO, help, argc, argv, info_paths);
}
