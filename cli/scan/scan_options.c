/* scan_options.c - option parsing of `malgopher scan`, with the yara command's
 * rules so that existing command lines keep working: options may appear
 * anywhere, short flags group (-smg), a short option's value is the next
 * argument (-p 4), a long option's value follows '=' (--threads=4),
 * repeating a flag toggles it, and a bad option ends the run with yara's
 * message and status 1. */
#include "scan/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_FLAG, OPT_LONG, OPT_MULTI } opt_kind;

typedef struct opt {
    char short_name;
    const char *long_name;
    opt_kind kind;
    size_t field;  /* offsetof in scan_opts */
    size_t count;  /* offsetof the counter of an OPT_MULTI */
} opt;

#define F(m) offsetof(scan_opts, m)
static const opt options[] = {
    {'c', "count", OPT_FLAG, F(count_only), 0},
    {'D', "print-module-data", OPT_FLAG, F(module_data), 0},
    {'e', "print-namespace", OPT_FLAG, F(show_namespace), 0},
    {'N', "no-follow-symlinks", OPT_FLAG, F(no_follow), 0},
    {0, "scan-list", OPT_FLAG, F(scan_list), 0},
    {'v', "version", OPT_FLAG, F(version), 0},
    {'z', "skip-larger", OPT_LONG, F(skip_larger), 0},
    {'d', "define", OPT_MULTI, F(defines), F(ndefines)},
    {'g', "print-tags", OPT_FLAG, F(show_tags), 0},
    {'h', "help", OPT_FLAG, F(help), 0},
    {'i', "identifier", OPT_MULTI, F(identifiers), F(nidentifiers)},
    {'M', "module-names", OPT_FLAG, F(module_names), 0},
    {'m', "print-meta", OPT_FLAG, F(show_meta), 0},
    {'n', "negate", OPT_FLAG, F(negate), 0},
    {'p', "threads", OPT_LONG, F(threads), 0},
    {'r', "recursive", OPT_FLAG, F(recursive), 0},
    {'s', "print-strings", OPT_FLAG, F(show_strings), 0},
    {'t', "tag", OPT_MULTI, F(tags), F(ntags)},
    {'a', "timeout", OPT_LONG, F(timeout), 0},
    {'w', "no-warnings", OPT_FLAG, F(no_warnings), 0},
    {0, "no-known", OPT_FLAG, F(no_known), 0},
};
#undef F
#define NOPTS (sizeof options / sizeof *options)

static const opt *by_short(char c)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (options[i].short_name == c)
            return &options[i];
    return NULL;
}

/* "--name" or "--name=value" */
static const opt *by_long(const char *arg)
{
    for (size_t i = 0; i < NOPTS; i++) {
        size_t l = strlen(options[i].long_name);
        if (strncmp(arg, options[i].long_name, l) == 0 && (arg[l] == '\0' || arg[l] == '='))
            return &options[i];
    }
    return NULL;
}

/* apply one option; value is NULL when there is none.  *used tells whether
 * value was consumed.  Returns false (after the message) on error. */
static bool apply(scan_opts *o, const opt *op, const char *value, const char *arg, bool *used)
{
    char *base = (char *)o;
    *used = false;
    switch (op->kind) {
    case OPT_FLAG: {
        bool *b = (bool *)(base + op->field);
        *b = !*b;
        return true;
    }
    case OPT_LONG: {
        char *end;
        if (!value || !*value) {
            fprintf(stderr, "option `%s` requires an integer argument\n", arg);
            return false;
        }
        long v = strtol(value, &end, 0);
        if (*end) {
            fprintf(stderr, "option `%s` requires an integer argument\n", arg);
            return false;
        }
        *(long *)(base + op->field) = v;
        *used = true;
        return true;
    }
    case OPT_MULTI: {
        size_t *n = (size_t *)(base + op->count);
        const char **list = (const char **)(base + op->field);
        if (*n == SCAN_MAX_MULTI) {
            fprintf(stderr, "too many `%s` options\n", arg);
            return false;
        }
        if (!value) {
            fprintf(stderr, "option `%s` requires a string argument\n", arg);
            return false;
        }
        list[(*n)++] = value;
        *used = true;
        return true;
    }
    }
    return false;
}

bool scan_parse_args(int argc, char **argv, scan_opts *o)
{
    o->threads = YR_MAX_THREADS;
    o->timeout = 1000000;
    o->pos = malloc((size_t)(argc + 1) * sizeof *o->pos);
    if (!o->pos)
        return false;
    o->npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool used;
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const opt *op = by_long(a + 2);
            if (!op) {
                fprintf(stderr, "unknown option `%s`\n", a);
                return false;
            }
            const char *eq = strchr(a, '=');
            if (!apply(o, op, eq ? eq + 1 : NULL, a, &used))
                return false;
        } else if (a[0] == '-' && a[1] && a[1] != '-') {
            for (int j = 1; a[j]; j++) {
                const opt *op = by_short(a[j]);
                if (!op) {
                    fprintf(stderr, "unknown option `%s`\n", a);
                    return false;
                }
                /* only the last letter of a group may take the next argument */
                const char *value = a[j + 1] == '\0' && i + 1 < argc ? argv[i + 1] : NULL;
                if (!apply(o, op, value, a, &used))
                    return false;
                if (used) {
                    i++;
                    break;
                }
            }
        } else {
            o->pos[o->npos++] = argv[i];
        }
    }
    return true;
}
