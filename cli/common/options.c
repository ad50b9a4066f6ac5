/* options.c - owns the option table of the non-scan subcommands (the `db`
 * subcommands too) and the one parser over it: long and short names,
 * `--name=value`, grouped short flags (`-rq`), options anywhere before
 * `--`, value checks, --json/--csv exclusion, and --files-from reading (one
 * path a line, or NUL-separated with -0).  scan keeps yara's options
 * (cli/scan/scan_options.c). */
#include "common/options.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* K_CHOICE: the value is one of the '|'-separated words of want; its index
 * (0, 1, ..) goes into an int field, e.g. a row
 *   {0, "measure", FAMS, K_CHOICE, F(measure), 0, 0, "fuzzy|set"}, */
/* K_LIST: a repeatable K_STR, its values into a str_list (at most
 * CLI_LIST_MAX) */
typedef enum { K_FLAG, K_INT, K_LONG, K_STR, K_FMT, K_SWEEP, K_CHOICE, K_LIST } opt_kind;

typedef struct opt_row {
    char shrt;        /* 'r' for -r, 0 for none */
    const char *lng;  /* "recursive" for --recursive, NULL for none */
    unsigned cmds;    /* the commands that take it */
    opt_kind kind;
    size_t off;       /* the field in cli_opts */
    long lo, hi;      /* K_INT, K_LONG: the range; K_FMT: the format in lo;
                         K_STR: lo 1 = an empty value is a missing one */
    const char *want; /* K_INT / K_STR: what the value is, for messages */
    const char *bad;  /* or, when set, the message of a missing or bad value
                         V, as "BAD, not 'V'" (a missing value: V empty) */
} opt_row;

#define PATHS (CMD_INFO | CMD_FUNCS | CMD_HASH | CMD_CLUSTER | CMD_MATCH | CMD_EVAL | CMD_TYPES)
#define FAMS (CMD_CLUSTER | CMD_MATCH | CMD_EVAL)
#define DB_ALL                                                                                   \
    (CMD_DB_ADD | CMD_DB_IMPORT | CMD_DB_EXPORT | CMD_DB_STATS | CMD_DB_LABEL | CMD_DB_MATCH | \
     CMD_DB_CLASSIFY | CMD_DB_FAMILIES | CMD_DB_INIT | CMD_DB_SHARD_ADD)
#define DB_FAMS (CMD_DB_MATCH | CMD_DB_CLASSIFY | CMD_DB_FAMILIES)
#define F(field) offsetof(cli_opts, field)
/* the commands that name known programs (docs/known.md) */
#define KNOWN_USERS (CMD_INFO | FAMS | CMD_DB_MATCH | CMD_DB_CLASSIFY)
#define KNOWN_EDIT (CMD_KNOWN_ADD | CMD_KNOWN_IMPORT)

/* Where the db subcommands' argv departs from the habits above, as their
 * own parsers had it (kept so that what they accept and say is unchanged):
 * options end at the first operand; an operand is an unknown argument
 * (and so reported: "unknown argument" for options too); an unknown option
 * is an operand; `--` is an argument like any other. */
#define OPTS_FIRST (CMD_DB_MATCH | CMD_DB_CLASSIFY)
#define NO_OPERANDS (CMD_DB_EXPORT | CMD_DB_STATS | CMD_DB_FAMILIES | CMD_DB_INIT | CMD_DB_SHARD_ADD)
#define DASH_OPERANDS CMD_DB_LABEL
#define PLAIN_DDASH (CMD_DB_IMPORT | NO_OPERANDS | DASH_OPERANDS)

static const opt_row table[] = {
    /* the path habits */
    {'r', "recursive", PATHS | CMD_KNOWN_ADD | CMD_DB_ADD | CMD_DB_MATCH | CMD_DB_CLASSIFY, K_FLAG, F(recursive), 0, 0, NULL, NULL},
    {'q', "quiet", PATHS, K_FLAG, F(quiet), 0, 0, NULL, NULL},
    {0, "files-from", PATHS, K_STR, F(files_from), 0, 0, "a FILE", NULL},
    {'0', "null", PATHS, K_FLAG, F(nul_list), 0, 0, NULL, NULL},
    {'j', "jobs", CMD_INFO | CMD_HASH | FAMS, K_INT, F(jobs), 1, 64, "1..64 threads", NULL},
    {0, "json", CMD_INFO | CMD_KNOWN_LIST | CMD_FUNCS | CMD_TYPES | CMD_HASH | CMD_COMPARE | CMD_CLUSTER | CMD_MATCH | CMD_DIFF |
                    CMD_DB_STATS | DB_FAMS | CMD_JIT_UNPACK, K_FMT,
     F(fmt), OUT_JSON, 0, NULL, NULL},
    {0, "csv", CMD_INFO | CMD_HASH | CMD_CLUSTER, K_FMT, F(fmt), OUT_CSV, 0, NULL, NULL},
    /* families */
    {'t', "threshold", FAMS, K_INT, F(threshold), 1, 100, "a threshold 1..100", NULL},
    {0, "measure", FAMS | CMD_COMPARE, K_STR, F(measure_arg), 0, 0, "fuzzy or set", NULL},
    {0, "from", CMD_CLUSTER | CMD_EVAL, K_STR, F(from), 0, 0, "a FILE", NULL},
    {0, "labels", CMD_CLUSTER | CMD_EVAL, K_STR, F(labels), 0, 0, "a FILE", NULL},
    {0, "html", CMD_CLUSTER | CMD_EVAL, K_STR, F(html), 0, 0, "a FILE", NULL},
    {0, "db", CMD_MATCH, K_STR, F(db), 0, 0, "a FILE", NULL},
    {'k', "top", CMD_MATCH, K_LONG, F(top), 0, 1000000000, "a count >= 0", NULL},
    {0, "summary", CMD_CLUSTER | CMD_DIFF | CMD_DB_FAMILIES, K_FLAG, F(summary), 0, 0, NULL, NULL},
    {0, "no-baselines", CMD_EVAL, K_FLAG, F(no_baselines), 0, 0, NULL, NULL},
    {0, "sweep", CMD_EVAL, K_SWEEP, F(sweep), 0, 0, "LO:HI:STEP", NULL},
    /* single commands */
    {'v', "verbose", CMD_COMPARE, K_FLAG, F(verbose), 0, 0, NULL, NULL},
    {0, "slice", CMD_FUNCS, K_STR, F(slice), 0, 0, "an ARCH", NULL},
    {0, "all", CMD_DIFF, K_FLAG, F(all), 0, 0, NULL, NULL},
    {0, "no-known", KNOWN_USERS, K_FLAG, F(no_known), 0, 0, NULL, NULL},
    {0, "name", CMD_KNOWN_ADD, K_STR, F(name), 1, 0, "a program name", NULL},
    {0, "version", CMD_KNOWN_ADD, K_STR, F(version), 1, 0, "a version", NULL},
    {0, "to", KNOWN_EDIT, K_STR, F(to), 1, 0, "a FILE", NULL},
    {0, "brief", CMD_INFO, K_FLAG, F(brief), 0, 0, NULL, NULL},
    {0, "full", CMD_INFO, K_FLAG, F(full), 0, 0, NULL, NULL},
    {'o', "output", CMD_JIT_UNPACK | CMD_UNPACK, K_STR, F(output), 0, 0, "a file name", NULL},
    {0, "strip", CMD_JIT_UNPACK, K_FLAG, F(strip), 0, 0, NULL, NULL},
    {0, "force", CMD_JIT_UNPACK | CMD_UNPACK, K_FLAG, F(force), 0, 0, NULL, NULL},
    {'c', "check", CMD_HASH, K_STR, F(check), 0, 0, "a FILE", NULL},
    /* the db subcommands (their values checked with their own messages) */
    {0, "db", DB_ALL, K_STR, F(db), 0, 0, "a URI", NULL},
    {0, "label", CMD_DB_ADD, K_STR, F(label), 1, 0, "a value", NULL},
    {0, "source", CMD_DB_ADD, K_STR, F(source), 1, 0, "a value", NULL},
    {0, "files-from", CMD_DB_ADD, K_STR, F(list), 1, 0, "a value", NULL},
    {'t', "threshold", DB_FAMS, K_INT, F(threshold), 1, 100, NULL, "the threshold must be an integer in 1..100"},
    {0, "measure", DB_FAMS, K_STR, F(measure_arg), 0, 0, NULL, "--measure wants fuzzy or set"},
    {'j', NULL, DB_FAMS, K_INT, F(jobs), 1, 64, NULL, "-j wants a thread count in 1..64"},
    {'k', "top", CMD_DB_MATCH, K_LONG, F(top), 0, LONG_MAX, NULL, "-k wants a count >= 0"},
    {0, "shard", CMD_DB_INIT | CMD_DB_SHARD_ADD, K_LIST, F(shards), 1, 0, "a URI", NULL},
};

unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* a decimal integer in [lo, hi], or false */
static bool int_in(const char *arg, long lo, long hi, long *v)
{
    char *end;
    if (!*arg)
        return false;
    errno = 0;
    *v = strtol(arg, &end, 10);
    return !errno && !*end && *v >= lo && *v <= hi;
}

static bool parse_sweep(cli_opts *o, const char *arg)
{
    char tail;
    if (sscanf(arg, "%d:%d:%d%c", &o->lo, &o->hi, &o->step, &tail) != 3 || o->lo < 1 ||
        o->hi > 100 || o->lo > o->hi || o->step < 1) {
        usage_error(o->cmd, "--sweep wants LO:HI:STEP with 1 <= LO <= HI <= 100, STEP >= 1, not '%s'",
                    arg);
        return false;
    }
    return true;
}

/* the row named by a (without its dashes), or NULL */
static const opt_row *find_long(const cli_opts *o, const char *a, size_t n)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if ((table[i].cmds & o->cmd_bit) && table[i].lng && strlen(table[i].lng) == n &&
            !memcmp(table[i].lng, a, n))
            return &table[i];
    return NULL;
}

static const opt_row *find_short(const cli_opts *o, char c)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if ((table[i].cmds & o->cmd_bit) && table[i].shrt == c)
            return &table[i];
    return NULL;
}

static bool takes_value(const opt_row *r)
{
    return r->kind != K_FLAG && r->kind != K_FMT;
}

/* DASH_OPERANDS: does a (a dash and more) name one of the command's options? */
static bool known(const cli_opts *o, const char *a)
{
    if (a[1] != '-')
        return find_short(o, a[1]) != NULL;
    const char *eq = strchr(a, '=');
    return find_long(o, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2)) != NULL;
}

/* the index of v among the '|'-separated words of list, or -1 */
static int choice_index(const char *list, const char *v)
{
    size_t n = strlen(v);
    int i = 0;
    for (const char *w = list;; i++) {
        const char *end = strchr(w, '|');
        size_t len = end ? (size_t)(end - w) : strlen(w);
        if (len == n && !memcmp(w, v, n))
            return i;
        if (!end)
            return -1;
        w = end + 1;
    }
}

/* store the option of row r (named name, value v or NULL) */
static bool apply(cli_opts *o, const opt_row *r, const char *name, const char *v)
{
    char *field = (char *)o + r->off;
    long n;
    if (takes_value(r) && (!v || ((r->kind == K_STR || r->kind == K_LIST) && r->lo && !*v))) {
        if (r->bad)
            usage_error(o->cmd, "%s, not '%s'", r->bad, v ? v : "");
        else
            usage_error(o->cmd, "%s needs %s", name, r->want);
        return false;
    }
    switch (r->kind) {
    case K_FLAG: *(bool *)field = true; return true;
    case K_STR: *(const char **)field = v; return true;
    case K_LIST:
        if (((str_list *)field)->n == CLI_LIST_MAX) {
            usage_error(o->cmd, "%s: at most %d", name, CLI_LIST_MAX);
            return false;
        }
        ((str_list *)field)->v[((str_list *)field)->n++] = v;
        return true;
    case K_SWEEP: return (*(bool *)field = parse_sweep(o, v));
    case K_INT:
    case K_LONG:
        if (!int_in(v, r->lo, r->hi, &n)) {
            if (r->bad)
                usage_error(o->cmd, "%s, not '%s'", r->bad, v);
            else
                usage_error(o->cmd, "%s wants %s, not '%s'", name, r->want, v);
            return false;
        }
        if (r->kind == K_LONG)
            *(long *)field = n;
        else
            *(int *)field = (int)n;
        return true;
    case K_CHOICE:
        if ((*(int *)field = choice_index(r->want, v)) < 0) {
            usage_error(o->cmd, "%s wants one of %s, not '%s'", name, r->want, v);
            return false;
        }
        return true;
    case K_FMT:
        if (o->fmt != OUT_TEXT && o->fmt != (out_format)r->lo) {
            usage_error(o->cmd, "--json and --csv are mutually exclusive");
            return false;
        }
        o->fmt = (out_format)r->lo;
        return true;
    }
    return false;
}

static bool push_arg(cli_opts *o, char *a, bool owned)
{
    if (owned) {
        char **v = realloc(o->owned, (o->nowned + 1) * sizeof *v);
        if (!v)
            return false;
        o->owned = v;
        o->owned[o->nowned++] = a;
    }
    char **v = realloc(o->args, ((size_t)o->nargs + 2) * sizeof *v);
    if (!v)
        return false;
    o->args = v;
    o->args[o->nargs++] = a;
    o->args[o->nargs] = NULL;
    return true;
}

/* the paths of --files-from FILE ("-" = stdin), one a line or NUL-separated */
static bool read_files_from(cli_opts *o)
{
    bool std = !strcmp(o->files_from, "-");
    FILE *in = std ? stdin : fopen(o->files_from, "r");
    if (!in) {
        report_error(o->files_from, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool ok = true;
    while (ok && (len = getdelim(&line, &cap, o->nul_list ? '\0' : '\n', in)) >= 0) {
        if (len > 0 && line[len - 1] == (o->nul_list ? '\0' : '\n'))
            line[--len] = 0;
        if (!len)
            continue;
        char *p = strdup(line);
        ok = p && push_arg(o, p, true);
        if (!ok)
            free(p);
    }
    if (ok && ferror(in)) {
        report_error(o->files_from, strerror(errno));
        ok = false;
    }
    free(line);
    if (!std)
        fclose(in);
    return ok;
}

static int parse(cli_opts *o, const char *cmd, unsigned cmd_bit, const char *help, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->cmd_bit = cmd_bit;
    o->jobs = cmd_bit & (CMD_INFO | CMD_HASH) ? 1 : (int)default_jobs();
    o->threshold = 0; /* filled from the measure after parsing */
    o->top = 5;
    bool opts = true;
    const char *unknown = cmd_bit & NO_OPERANDS ? "argument" : "option";
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!opts || a[0] != '-' || !a[1] || ((cmd_bit & DASH_OPERANDS) && !is_help(a) && !known(o, a))) {
            if (cmd_bit & NO_OPERANDS)
                return usage_error(cmd, "unknown argument '%s'", a);
            if (!push_arg(o, a, false))
                return report_error(cmd, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
            opts = opts && !(cmd_bit & OPTS_FIRST);
            continue;
        }
        if (is_help(a)) {
            fputs(help, stdout);
            return EXIT_ALL_OK;
        }
        if (!strcmp(a, "--") && !(cmd_bit & PLAIN_DDASH)) {
            opts = false;
            continue;
        }
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[1] == '-') { /* --name or --name=value */
            const char *eq = strchr(a, '=');
            const opt_row *r = find_long(o, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
            if (!r || (eq && !takes_value(r)))
                return usage_error(cmd, "unknown %s '%s'", unknown, a);
            const char *v = eq ? eq + 1 : takes_value(r) ? next : NULL;
            char name[64];
            snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : 60, a);
            if (!apply(o, r, name, v))
                return EXIT_USAGE;
            if (takes_value(r) && !eq)
                i++;
            continue;
        }
        for (const char *c = a + 1; *c; c++) { /* -rq, -j4, -j 4 */
            const opt_row *r = find_short(o, *c);
            char name[3] = {'-', *c, 0};
            if (!r)
                return usage_error(cmd, "unknown %s '%s'", unknown, c == a + 1 ? a : name);
            if (!takes_value(r)) {
                if (!apply(o, r, name, NULL))
                    return EXIT_USAGE;
                continue;
            }
            const char *v = c[1] ? c + 1 : next;
            if (!apply(o, r, name, v))
                return EXIT_USAGE;
            if (!c[1])
                i++;
            break;
        }
    }
    if (!o->measure_arg)
        /* compare, match and db match / classify answer with the measure
         * cluster groups by (issue 22); db families keeps gimpfuzzy, the
         * measure its stored family IDs were made with */
        o->measure = cmd_bit & CMD_DB_FAMILIES ? MEASURE_FUZZY : MG_DEFAULT_MEASURE;
    else if (!strcmp(o->measure_arg, "set"))
        o->measure = MEASURE_SET;
    else if (!strcmp(o->measure_arg, "fuzzy"))
        o->measure = MEASURE_FUZZY;
    else
        return usage_error(cmd, "--measure wants fuzzy or set, not '%s'", o->measure_arg);
    if (!o->threshold)
        o->threshold = o->measure == MEASURE_SET ? MG_DEFAULT_THRESHOLD_SET : MG_DEFAULT_THRESHOLD;
    if (o->no_known)
        known_switch_off();
    if (o->nul_list && !o->files_from)
        return usage_error(cmd, "-0 goes with --files-from FILE");
    if (o->files_from && !read_files_from(o))
        return EXIT_USAGE;
    if (!o->args && !(o->args = calloc(1, sizeof *o->args))) /* an empty list */
        return report_error(cmd, mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    return -1;
}

int cli_parse(cli_opts *o, const char *cmd, unsigned cmd_bit, const char *help, int argc,
              char **argv)
{
    int rc = parse(o, cmd, cmd_bit, help, argc, argv);
    if (rc >= 0)
        cli_opts_free(o);
    return rc;
}

void cli_opts_free(cli_opts *o)
{
    for (size_t i = 0; i < o->nowned; i++)
        free(o->owned[i]);
    free(o->owned);
    free(o->args);
    o->owned = NULL;
    o->args = NULL;
}

bool cli_want_args(const cli_opts *o, int min, int max, const char *what)
{
    if (o->nargs < min) {
        usage_error(o->cmd, o->nargs ? "too few %ss given" : "no %s given", what);
        return false;
    }
    if (max >= 0 && o->nargs > max) {
        if (max == 1)
            usage_error(o->cmd, "one %s only ('%s')", what, o->args[1]);
        else
            usage_error(o->cmd, "want exactly %d %ss", max, what);
        return false;
    }
    return true;
}

bool cli_want_in_out(const cli_opts *o)
{
    if (!cli_want_args(o, 1, 1, "input file"))
        return false;
    if (!o->output) {
        usage_error(o->cmd, "no output file given (-o OUT)");
        return false;
    }
    return true;
}

int cli_dispatch(const char *cmd, const char *usage, const cli_subcommand *sub, size_t nsub, int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        fputs(usage, stdout);
        return EXIT_ALL_OK;
    }
    for (size_t k = 0; k < nsub; k++)
        if (!strcmp(argv[1], sub[k].name))
            return sub[k].run(argc - 1, argv + 1);
    return usage_error(cmd, "unknown subcommand '%s'", argv[1]);
}

int cli_run(const char *cmd, unsigned cmd_bit, const char *help, int argc, char **argv, cli_body body)
{
    cli_opts o;
    int rc = cli_parse(&o, cmd, cmd_bit, help, argc, argv);
    if (rc >= 0)
        return rc;
    const char *no = o.html ? atomic_out_problem(o.html, false) : NULL;
    if (no) { /* refused before any work, as jit-unpack -o is */
        report_error(o.html, no);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    rc = body(&o);
    out_flush(stdout);
    cli_opts_free(&o);
    return rc;
}

bool cli_paths_or_from(const cli_opts *o)
{
    if (o->from && o->nargs)
        usage_error(o->cmd, "give PATHs or --from, not both");
    else if (!o->from && !o->nargs)
        usage_error(o->cmd, "no PATH given");
    else
        return true;
    return false;
}
