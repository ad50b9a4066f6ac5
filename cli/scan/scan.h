/* scan.h - shared by the files of `malgopher scan` (cmd_scan.c, scan_options.c,
 * yara_output.c, scan_targets.c): the options, which mirror the yara command's,
 * and the steps between them. */
#ifndef MG_CLI_SCAN_H
#define MG_CLI_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <yara.h>

#define SCAN_MAX_MULTI 32 /* -d, -t, -i may each be given this many times (as yara) */

typedef struct scan_opts {
    bool recursive;     /* -r */
    bool show_strings;  /* -s */
    bool show_meta;     /* -m */
    bool show_tags;     /* -g */
    bool negate;        /* -n */
    bool count_only;    /* -c */
    bool no_warnings;   /* -w */
    bool no_known;      /* --no-known: go.known stays "" (docs/known.md) */
    bool help;          /* -h */
    bool module_names;  /* -M */
    bool module_data;   /* -D */
    bool show_namespace;/* -e */
    bool no_follow;     /* -N */
    bool scan_list;     /* --scan-list: the target is a file listing paths */
    bool version;       /* -v */
    long skip_larger;   /* -z: in directories, skip files larger (0: none) */
    long threads;       /* -p */
    long timeout;       /* -a, seconds */
    const char *defines[SCAN_MAX_MULTI + 1];     /* -d VAR=VALUE */
    const char *tags[SCAN_MAX_MULTI + 1];        /* -t */
    const char *identifiers[SCAN_MAX_MULTI + 1]; /* -i */
    size_t ndefines, ntags, nidentifiers;
    char **pos;         /* positional arguments: RULES... PATH... */
    int npos;
    int nrules;         /* the first nrules of pos are rules files (rule_files.c) */
} scan_opts;

/* rule_files.c: how many leading positional arguments are rules files:
 * the first always, and each further one but the last that looks like
 * YARA source (yara 4's `RULES... TARGET`, docs/yara.md "scan") */
int scan_count_rule_files(char **pos, int npos);

/* scan_options.c: parse argv (argv[0] is "scan") as yara parses its options:
 * anywhere on the line, short ones groupable, long ones as --name=value.
 * On a bad option prints yara's message and returns false. */
bool scan_parse_args(int argc, char **argv, scan_opts *o);

/* yara_output.c: what one scanner thread reports on */
typedef struct scan_target {
    const char *path;
    int count;          /* rules matched in this file */
} scan_target;

/* the libyara callback: prints matches the way yara does */
int scan_callback(YR_SCAN_CONTEXT *ctx, int message, void *message_data, void *user_data);
/* set once before any scan */
void scan_report_init(const scan_opts *o);
/* serialise a line of output between scanner threads */
void scan_lock(void);
void scan_unlock(void);
/* "error scanning PATH: reason" with yara's wording */
void scan_print_error(YR_SCANNER *scanner, const char *path, int error);
/* yara's wording of a libyara error code, on stderr */
void scan_print_yr_error(int error);

/* scan_targets.c: scan every PATH; returns the process exit status */
int scan_run(YR_RULES *rules, const scan_opts *o, char **paths, int npaths);

#endif
