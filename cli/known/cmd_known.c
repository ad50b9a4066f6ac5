/* cmd_known.c - `malgopher known SUBCOMMAND`: what the known-programs
 * reference holds (list), and the analyst's local reference extended with
 * programs of their own (add FILE..., import FILE.jsonl), written whole or
 * not at all (docs/known.md). */
#include "common/options.h"
#include "known/known.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
    "usage: malgopher known <subcommand> [options] [args]\n"
    "\n"
    "The reference of known Go programs (rclone, restic, ngrok, ...): a file\n"
    "shipped with malgopher, plus a local one of your own (docs/known.md).\n"
    "\n"
    "subcommands:\n"
    "  list [--json]                             the programs the reference holds\n"
    "  add [-r] --name NAME [--version V] [--to FILE] PATH...   add Go programs to the local reference\n"
    "  import [--to FILE] FILE.jsonl             add the records of a reference file to it\n"
    "\n"
    "the reference: $MALGOPHER_KNOWN (a file; none: no shipped one), else the one\n"
    "shipped with malgopher; the local one: --to FILE, else $MALGOPHER_KNOWN_LOCAL,\n"
    "else $XDG_DATA_HOME/malgopher/known.jsonl (~/.local/share/malgopher/known.jsonl),\n"
    "beside the default collection.\n"
    "\n"
    "exit status: 0 done, 1 some files or the reference failed, 2 usage error.\n";

static const char list_help[] =
    "usage: malgopher known list [--json]\n"
    "\n"
    "One line per program build the reference holds (shipped and local):\n"
    "NAME  VERSION  SOURCE  OS/ARCH  PACKAGE  BUILT, after a \"# N records, M\n"
    "programs\" line.\n"
    "  --json    one object per record: name, package, version, source, os, arch,\n"
    "            built, main_module\n";

static const char add_help[] =
    "usage: malgopher known add [-r] --name NAME [--version V] [--to FILE] PATH...\n"
    "\n"
    "Add each Go image of the files to the local reference as program NAME\n"
    "(source \"local\"), with its digests, OS/arch, Go version and main module.\n"
    "From then on `info`, `match`, `cluster` and the go.known YARA field name\n"
    "other builds of it NAME.  Prints `added N, not Go K`.\n"
    "  --name NAME      the program's name (a file name: no '/')\n"
    "  --version V      its version (default: none)\n"
    "  --to FILE        the local reference to extend (see `malgopher known`)\n"
    "  -r, --recursive  descend into directories\n";

static const char import_help[] =
    "usage: malgopher known import [--to FILE] FILE.jsonl\n"
    "\n"
    "Add the records of a reference file (docs/known.md \"File format\") to the\n"
    "local reference.  Every line is checked first: one bad line and nothing is\n"
    "added.  Prints `added N`.\n"
    "  --to FILE        the local reference to extend (see `malgopher known`)\n";

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int print_list(const cli_opts *o)
{
    if (!cli_want_args(o, 0, 0, "argument"))
        return EXIT_USAGE;
    const mg_known *k = known_ref();
    const mg_error *e;
    (void)mg_known_default(&e);
    if (e)
        return EXIT_SOME_FAILED; /* said by known_ref */
    size_t n = mg_known_count(k), programs = 0;
    const char **names = mg_malloc((n ? n : 1) * sizeof *names);
    if (!names)
        return report_error("known list", mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    for (size_t i = 0; i < n; i++)
        names[i] = mg_known_record(k, i)->name;
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++)
        programs += !i || strcmp(names[i], names[i - 1]);
    free(names);
    if (o->fmt != OUT_JSON)
        printf("# %zu records, %zu programs\n", n, programs);
    for (size_t i = 0; i < n; i++) {
        const mg_known_rec *r = mg_known_record(k, i);
        if (o->fmt == OUT_JSON) {
            const char *keys[] = {"name", "package", "version", "source", "os", "arch", "built", "main_module"};
            const char *vals[] = {r->name, r->package, r->version, r->source, r->os, r->arch, r->built,
                                  r->main_module};
            for (size_t f = 0; f < 8; f++) {
                fprintf(stdout, f ? ",\"%s\":" : "{\"%s\":", keys[f]);
                json_cstr(stdout, vals[f]);
            }
            fputs("}\n", stdout);
        } else {
            text_line(stdout, "%-16s %-24s %-16s %s/%s  %s  %s", r->name, r->version[0] ? r->version : "-",
                      r->source[0] ? r->source : "-", r->os[0] ? r->os : "?", r->arch[0] ? r->arch : "?",
                      r->package[0] ? r->package : "-", r->built[0] ? r->built : "-");
        }
    }
    return EXIT_ALL_OK;
}

static int known_list(int argc, char **argv)
{
    return cli_run("known list", CMD_KNOWN_LIST, list_help, argc, argv, print_list);
}

/* the new lines, in memory, and what add counted */
typedef struct adding {
    const cli_opts *o;
    char *buf;
    size_t len;
    FILE *m;
    size_t added, not_go, failed;
} adding;

static void json_field(FILE *m, const char *key, const char *v)
{
    fprintf(m, ",\"%s\":", key);
    if (v && v[0])
        json_cstr(m, v);
    else
        fputs("null", m);
}

static bool add_file(const char *path, void *vctx)
{
    adding *a = vctx;
    sample_file s;
    if (!sample_file_open(path, MG_OPT_NO_OBFUSCATION, true, &s, stderr)) {
        a->failed++;
        return false;
    }
    bool any = false;
    const char *base = strrchr(path, '/');
    for (size_t i = 0; i < mg_file_image_count(s.f); i++) {
        const mg_image *im = mg_file_image(s.f, i);
        if (!im->is_go || (im->flags & MG_FLAG_NO_NAMES))
            continue;
        any = true;
        fputs("{\"name\":", a->m);
        json_cstr(a->m, a->o->name);
        json_field(a->m, "package", a->o->name);
        json_field(a->m, "version", a->o->version);
        json_field(a->m, "source", "local");
        json_field(a->m, "os", im->os);
        json_field(a->m, "arch", im->arch);
        json_field(a->m, "path", base ? base + 1 : path);
        fprintf(a->m, ",\"sha256\":\"%s\",\"size\":%llu", s.id.sha256, s.id.size);
        json_field(a->m, "go_version", im->go_version);
        json_field(a->m, "main_module", im->buildinfo.present ? im->buildinfo.main.path : NULL);
        char ident[512];
        mg_known_identity(im, ident, sizeof ident);
        json_field(a->m, "identity", ident);
        json_field(a->m, "gimphash", im->gimphash);
        json_field(a->m, "gimpfuzzy", im->gimpfuzzy);
        json_field(a->m, "gimpset", im->gimpset);
        fprintf(a->m, ",\"gimpset_names\":%zu", im->gimpset_names);
        fputs("}\n", a->m);
        a->added++;
    }
    a->not_go += !any;
    sample_file_close(&s);
    return true;
}

/* mkdir -p of the directories above file */
static bool make_parents(char *file)
{
    for (char *p = file + 1; (p = strchr(p, '/')); p++) {
        *p = 0;
        int rc = mkdir(file, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return false;
    }
    return true;
}

/* the local reference with lines[0..n) appended (a header first when it is
 * new), checked whole, then written atomically */
static int append_local(const cli_opts *o, const char *lines, size_t n)
{
    char to[4200];
    if (o->to)
        snprintf(to, sizeof to, "%s", o->to);
    else if (!known_local_path(to, sizeof to))
        return report_error("known", "no local reference: set MALGOPHER_KNOWN_LOCAL or HOME, or give --to"),
               EXIT_SOME_FAILED;
    mg_map old = {0};
    const char *why = NULL;
    struct stat st;
    bool have = stat(to, &st) == 0 && st.st_size > 0;
    if (have && !sample_map(to, &old, &why))
        return report_error(to, why), EXIT_SOME_FAILED;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
        if (have)
            fwrite(old.data, 1, old.size, m);
        else {
            char day[16] = "";
            time_t t = time(NULL);
            struct tm tm;
            if (gmtime_r(&t, &tm))
                strftime(day, sizeof day, "%Y-%m-%d", &tm);
            fprintf(m, "{\"malgopher_known\":1,\"built\":\"%s\",\"script\":\"malgopher known add\"}\n", day);
        }
        if (have && old.size && old.data[old.size - 1] != '\n')
            putc('\n', m);
        fwrite(lines, 1, n, m);
    }
    if (have)
        mg_map_close(&old);
    if (!m || fclose(m) != 0)
        return free(buf), report_error(to, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    mg_known *k = NULL;
    mg_error e;
    int rc = EXIT_ALL_OK;
    if (mg_known_new(&k, &e) != MG_OK || mg_known_add_text(k, to, buf, len, &e) != MG_OK)
        rc = (report_error("known", e.msg), EXIT_SOME_FAILED);
    else if (!make_parents(to) || !atomic_out_write(to, false, buf, len, &why))
        rc = (report_error(to, why ? why : strerror(errno)), EXIT_SOME_FAILED);
    mg_known_free(k);
    free(buf);
    return rc;
}

static int do_add(const cli_opts *o)
{
    if (!cli_want_args(o, 1, -1, "PATH"))
        return EXIT_USAGE;
    if (!o->name)
        return usage_error(o->cmd, "--name NAME is required");
    if (strchr(o->name, '/') || strlen(o->name) > 255)
        return usage_error(o->cmd, "--name wants a file name (no '/', at most 255 bytes)");
    adding a = {.o = o};
    if (!(a.m = open_memstream(&a.buf, &a.len)))
        return report_error(o->cmd, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    walk_paths(o->args, o->nargs, o->recursive, add_file, &a);
    if (fclose(a.m) != 0) {
        free(a.buf);
        return report_error(o->cmd, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    }
    int rc = a.added ? append_local(o, a.buf, a.len) : EXIT_ALL_OK;
    free(a.buf);
    if (rc == EXIT_ALL_OK)
        printf("added %zu, not Go %zu\n", a.added, a.not_go);
    return rc != EXIT_ALL_OK ? rc : a.failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

static int known_add(int argc, char **argv)
{
    return cli_run("known add", CMD_KNOWN_ADD, add_help, argc, argv, do_add);
}

/* true when the line is a header ({"malgopher_known":...}) */
static bool is_header(const char *line, size_t n)
{
    char *copy = mg_malloc(n + 1);
    if (!copy)
        return false;
    memcpy(copy, line, n);
    mg_jfield f[48];
    const char *why;
    int k = mg_json_object(copy, n, f, 48, &why);
    bool h = false;
    for (int i = 0; i < k; i++)
        h |= !strcmp(f[i].key, "malgopher_known");
    free(copy);
    return h;
}

static int do_import(const cli_opts *o)
{
    if (!cli_want_args(o, 1, 1, "FILE"))
        return EXIT_USAGE;
    const char *in = o->args[0], *why;
    mg_map m;
    if (!sample_map(in, &m, &why))
        return report_error(in, why), EXIT_SOME_FAILED;
    mg_known *k = NULL;
    mg_error e;
    int rc = EXIT_ALL_OK;
    if (mg_known_new(&k, &e) != MG_OK || mg_known_add_text(k, in, (const char *)m.data, m.size, &e) != MG_OK) {
        report_error("known", e.msg);
        rc = EXIT_SOME_FAILED;
    }
    size_t added = mg_known_count(k);
    mg_known_free(k);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = rc == EXIT_ALL_OK ? open_memstream(&buf, &len) : NULL;
    for (size_t at = 0; mem && at < m.size;) {
        const char *t = (const char *)m.data, *nl = memchr(t + at, '\n', m.size - at);
        size_t end = nl ? (size_t)(nl - t) : m.size;
        if (strspn(t + at, " \t\r") < end - at && !is_header(t + at, end - at)) {
            fwrite(t + at, 1, end - at, mem);
            putc('\n', mem);
        }
        at = end + 1;
    }
    mg_map_close(&m);
    if (rc == EXIT_ALL_OK && (!mem || fclose(mem) != 0))
        return free(buf), report_error(in, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    if (rc == EXIT_ALL_OK && added)
        rc = append_local(o, buf, len);
    free(buf);
    if (rc == EXIT_ALL_OK)
        printf("added %zu\n", added);
    return rc;
}

static int known_import(int argc, char **argv)
{
    return cli_run("known import", CMD_KNOWN_IMPORT, import_help, argc, argv, do_import);
}

int cmd_known(int argc, char **argv)
{
    static const cli_subcommand sub[] = {{"list", known_list}, {"add", known_add}, {"import", known_import}};
    return cli_dispatch("known", usage, sub, sizeof sub / sizeof *sub, argc, argv);
}
