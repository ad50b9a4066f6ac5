/* cmd_scan.c - `malgopher scan RULES... PATH...`: YARA with every stock module
 * of Debian's libyara plus our `go` and `fuzzy` modules (src/yara/).  It
 * behaves like the yara command for the options it shares with it (same
 * output lines, same messages, exit status 0 or 1 as yara; note that this
 * differs from the other subcommands, whose usage errors exit 2).  This file
 * owns the run: options, compiling the rules, external variables; the
 * scanning is in scan_targets.c and the output in yara_output.c. */
#include "common/cli.h"
#include "yara/mg_yara.h"
#include "scan/scan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: malgopher scan [OPTION]... [NAMESPACE:]RULES... PATH...\n"
    "\n"
    "Scan files, directories or processes with the YARA rules in RULES (\"-\" for\n"
    "stdin).  The first argument is a rules file; so is each further one but\n"
    "the last that looks like YARA source (named *.yar or *.yara, or text\n"
    "starting with rule, private, global, import or include): yara 4's\n"
    "`RULES... TARGET` and the `RULES PATH...` of earlier malgopher both work.  Every stock module of libyara is there, plus `go` (Go metadata:\n"
    "version, build info, functions, gimphash, gimpfuzzy) and `fuzzy` (ssdeep\n"
    "similarity): see malgopher-yara(7) or docs/yara.md.  Output lines,\n"
    "messages and exit status are those of the yara command.\n"
    "\n"
    "  -r, --recursive              recursively search directories\n"
    "  -p, --threads=NUMBER         use the specified NUMBER of threads (default 32)\n"
    "  -s, --print-strings          print matching strings\n"
    "  -m, --print-meta             print metadata\n"
    "  -g, --print-tags             print tags\n"
    "  -n, --negate                 print only not satisfied rules (negate)\n"
    "  -c, --count                  print only number of matches\n"
    "  -d, --define=VAR=VALUE       define external variable\n"
    "  -t, --tag=TAG                print only rules tagged as TAG\n"
    "  -i, --identifier=IDENTIFIER  print only rules named IDENTIFIER\n"
    "  -a, --timeout=SECONDS        abort scanning after the given number of SECONDS\n"
    "  -w, --no-warnings            disable warnings\n"
    "      --no-known               go.known stays \"\" (the known-programs reference is not read)\n"
    "  -M, --module-names           show module names\n"
    "  -D, --print-module-data      print module data\n"
    "  -e, --print-namespace        print rules' namespace\n"
    "  -N, --no-follow-symlinks     do not follow symlinks when scanning\n"
    "  -z, --skip-larger=NUMBER     skip files larger than the given size when\n"
    "                               scanning a directory\n"
    "      --scan-list              scan files listed in PATH, one per line\n"
    "  -v, --version                show version information\n"
    "  -h, --help                   show this help and exit\n"
    "\n"
    "A directory is scanned for its files (and, with -r, its subdirectories).\n"
    "With one file PATH, -c prints the number alone; otherwise \"PATH: N\".\n"
    "exit status: 0 done (errors on files found in directories are reported\n"
    "only), 1 bad option, rules that do not compile, or a named PATH that could\n"
    "not be scanned.\n";

typedef struct compile_state {
    bool no_warnings;
    int errors;
} compile_state;

/* the compiler's messages, as yara prints them */
static void compiler_message(int level, const char *file, int line, const YR_RULE *rule,
                             const char *msg, void *user)
{
    compile_state *cs = user;
    const char *kind = "error";
    if (level == YARA_ERROR_LEVEL_ERROR)
        cs->errors++;
    else if (cs->no_warnings)
        return;
    else
        kind = "warning";
    if (rule)
        fprintf(stderr, "%s: rule \"%s\" in %s(%d): %s\n", kind, rule->identifier,
                file ? file : "", line, msg);
    else
        fprintf(stderr, "%s(%d): %s: %s\n", file ? file : "", line, kind, msg);
}

static bool is_integer(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool is_float(const char *s)
{
    bool dot = false;
    if (*s == '-')
        s++;
    if (*s == '.')
        return false;
    for (; *s; s++) {
        if (*s == '.') {
            if (dot)
                return false;
            dot = true;
        } else if (!isdigit((unsigned char)*s))
            return false;
    }
    return dot;
}

/* -d VAR=VALUE: float, integer, boolean or string, as yara decides */
static int define_externals(YR_COMPILER *c, const scan_opts *o)
{
    int res = ERROR_SUCCESS;
    for (size_t i = 0; i < o->ndefines; i++) {
        const char *eq = strchr(o->defines[i], '=');
        if (!eq) {
            fputs("error: wrong syntax for `-d` option.\n", stderr);
            return ERROR_SUCCESS; /* sic: yara goes on */
        }
        char id[256];
        snprintf(id, sizeof id, "%.*s", (int)(eq - o->defines[i]), o->defines[i]);
        const char *v = eq + 1;
        if (is_float(v))
            res = yr_compiler_define_float_variable(c, id, atof(v));
        else if (is_integer(v))
            res = yr_compiler_define_integer_variable(c, id, atoi(v));
        else if (!strcmp(v, "true") || !strcmp(v, "false"))
            res = yr_compiler_define_boolean_variable(c, id, !strcmp(v, "true"));
        else
            res = yr_compiler_define_string_variable(c, id, v);
    }
    return res;
}

/* [NAMESPACE:]FILE, "-" for stdin; false after a message */
static bool add_rules(YR_COMPILER *c, char *arg, compile_state *cs)
{
    const char *ns = NULL, *file = arg;
    char *colon = access(arg, F_OK) != 0 ? strchr(arg, ':') : NULL;
    if (colon) {
        *colon = '\0';
        ns = arg;
        file = colon + 1;
    }
    FILE *fh = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!fh) {
        fprintf(stderr, "error: could not open file: %s\n", file);
        return false;
    }
    yr_compiler_set_callback(c, compiler_message, cs);
    int errors = yr_compiler_add_file(c, fh, ns, file);
    if (fh != stdin)
        fclose(fh);
    return errors == 0 && cs->errors == 0;
}

static int compile(const scan_opts *o, YR_RULES **rules)
{
    YR_COMPILER *c;
    if (yr_compiler_create(&c) != ERROR_SUCCESS)
        return 1;
    int res = define_externals(c, o);
    if (res != ERROR_SUCCESS) {
        scan_print_yr_error(res);
        yr_compiler_destroy(c);
        return 1;
    }
    compile_state cs = {o->no_warnings, 0};
    for (int i = 0; i < o->nrules; i++) {
        if (!add_rules(c, o->pos[i], &cs)) {
            yr_compiler_destroy(c);
            return 1;
        }
    }
    res = yr_compiler_get_rules(c, rules);
    yr_compiler_destroy(c);
    if (res != ERROR_SUCCESS) {
        scan_print_yr_error(res);
        return 1;
    }
    return 0;
}

int cmd_scan(int argc, char **argv)
{
    scan_opts o = {0};
    int status = 1;
    if (!scan_parse_args(argc, argv, &o))
        goto out;
    if (o.help) {
        fputs(help, stdout);
        status = 0;
        goto out;
    }
    if (o.version) {
        puts(YR_VERSION); /* as yara -v: the libyara release */
        status = 0;
        goto out;
    }
    if (o.module_names) {
        for (size_t i = 0; i < mg_yara_module_count(); i++)
            puts(mg_yara_module_name(i));
        status = 0;
        goto out;
    }
    if (!o.no_known)
        known_setup(); /* go.known: the reference, read on the first Go image */
    if (o.threads > YR_MAX_THREADS) {
        fprintf(stderr, "maximum number of threads is %d\n", YR_MAX_THREADS);
        goto out;
    }
    if (o.threads < 1) {
        fputs("the number of threads must be at least 1\n", stderr);
        goto out;
    }
    o.nrules = scan_count_rule_files(o.pos, o.npos);
    if (o.npos < 2) {
        fputs("malgopher scan: wrong number of arguments\n"
              "usage: malgopher scan [OPTION]... [NAMESPACE:]RULES... PATH...\n\n"
              "Try `--help` for more options\n",
              stderr);
        goto out;
    }
    int res = yr_initialize();
    if (res != ERROR_SUCCESS) {
        fprintf(stderr, "error: initialization error (%d)\n", res);
        goto out;
    }
    YR_RULES *rules = NULL;
    if (compile(&o, &rules) == 0) {
        scan_report_init(&o);
        status = scan_run(rules, &o, o.pos + o.nrules, o.npos - o.nrules);
    }
    if (rules)
        yr_rules_destroy(rules);
    yr_finalize();
out:
    free(o.pos);
    return status;
}
