/* options.h - the one option table of the non-scan subcommands (the `db`
 * subcommands included).  Every option is one row of the table in
 * options.c (its names, the commands that take it, where its value goes);
 * every command parses its argv with cli_parse.  Adding an option: a field
 * here and a row there.  Adding a command: a bit below and its bit on the
 * rows it takes. */
#ifndef MG_CLI_OPTIONS_H
#define MG_CLI_OPTIONS_H

#include "common/cli.h"

/* the similarity measure of compare / cluster / match / eval */
typedef enum { MEASURE_SET = 0, MEASURE_FUZZY = 1 } measure_kind;

/* the commands, one bit each */
enum {
    CMD_INFO = 1u << 0,
    CMD_FUNCS = 1u << 1,
    CMD_HASH = 1u << 2,
    CMD_JIT_UNPACK = 1u << 3,
    CMD_COMPARE = 1u << 4,
    CMD_CLUSTER = 1u << 5,
    CMD_MATCH = 1u << 6,
    CMD_EVAL = 1u << 7,
    CMD_DIFF = 1u << 8,
    /* malgopher db SUBCOMMAND */
    CMD_DB_ADD = 1u << 9,
    CMD_DB_IMPORT = 1u << 10,
    CMD_DB_EXPORT = 1u << 11,
    CMD_DB_STATS = 1u << 12,
    CMD_DB_LABEL = 1u << 13,
    CMD_DB_MATCH = 1u << 14,
    CMD_DB_CLASSIFY = 1u << 15,
    CMD_DB_FAMILIES = 1u << 16,
    CMD_DB_INIT = 1u << 18,
    CMD_DB_SHARD_ADD = 1u << 19,
    CMD_UNPACK = 1u << 20, /* unpack IN -o OUT */
    CMD_TYPES = 1u << 17,
    /* malgopher known SUBCOMMAND */
    CMD_KNOWN_LIST = 1u << 21,
    CMD_KNOWN_ADD = 1u << 22,
    CMD_KNOWN_IMPORT = 1u << 23,
};

/* the values of a repeatable option, in the order given */
#define CLI_LIST_MAX 16
typedef struct str_list {
    const char *v[CLI_LIST_MAX];
    int n;
} str_list;

typedef struct cli_opts {
    const char *cmd;    /* name, for messages */
    unsigned cmd_bit;
    /* the path habits (info, funcs, hash, cluster, match, eval) */
    bool recursive, quiet, nul_list;
    const char *files_from;
    int jobs;           /* -j: 1..64 */
    out_format fmt;     /* --json / --csv, at most one */
    /* families (cluster, match, eval) */
    int threshold;      /* default: the measure's (MG_DEFAULT_THRESHOLD_*) */
    const char *measure_arg; /* --measure fuzzy|set */
    measure_kind measure;
    const char *from, *labels, *html;
    const char *db;     /* match --db FILE; the db subcommands' --db URI */
    long top;           /* match, db match -k */
    bool summary;       /* cluster, diff, db families */
    bool no_baselines;  /* eval */
    bool sweep;         /* eval --sweep LO:HI:STEP */
    int lo, hi, step;
    /* single commands */
    bool verbose;       /* compare -v */
    const char *slice;  /* funcs --slice ARCH */
    const char *output; /* jit-unpack -o */
    bool strip, force;  /* jit-unpack */
    const char *check;  /* hash -c FILE */
    bool all;           /* diff --all */
    bool brief, full;   /* info --brief (one line a file), --full (whole digests) */
    const char *label, *source; /* db add --label, --source */
    const char *list;   /* db add --files-from (read by db add: its own list habits) */
    str_list shards;    /* db init / db shard-add --shard URI (repeatable) */
    bool no_known;      /* --no-known: the known-programs reference is not read */
    const char *name, *version, *to; /* known add --name, --version; known add/import --to */
    /* the operands, then the --files-from paths (owned) */
    char **args;
    int nargs;
    char **owned;       /* args read from --files-from */
    size_t nowned;
} cli_opts;

/* Parse argv (argv[0] is the command name).  Returns -1 when the command is
 * to run, else the exit status to return at once (0 after --help printed,
 * EXIT_USAGE after a usage message).  Options may come anywhere before `--`
 * (some db subcommands keep the placement rules of their own former
 * parsers: see options.c). */
int cli_parse(cli_opts *o, const char *cmd, unsigned cmd_bit, const char *help, int argc,
              char **argv);
void cli_opts_free(cli_opts *o);

/* A command is a thin wrapper: cli_run parses argv with the table, runs
 * body on the options (body returns the exit status) and cleans up. */
typedef int (*cli_body)(const cli_opts *o);
int cli_run(const char *cmd, unsigned cmd_bit, const char *help, int argc, char **argv, cli_body body);
/* cluster and eval: PATHs or --from, exactly one of them */
bool cli_paths_or_from(const cli_opts *o);

/* usage error unless min <= nargs <= max (max < 0: no limit); what names
 * the operand ("PATH", "FILE") */
bool cli_want_args(const cli_opts *o, int min, int max, const char *what);
/* exactly one input file and -o OUT (unpack, jit-unpack); false after a usage error */
bool cli_want_in_out(const cli_opts *o);

/* a command of subcommands (db, known): runs the one argv[1] names with
 * argv + 1, prints usage for none or --help */
typedef struct cli_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_subcommand;
int cli_dispatch(const char *cmd, const char *usage, const cli_subcommand *sub, size_t nsub, int argc, char **argv);

/* help lines every path-taking command shares */
#define HELP_FILES_FROM                                                            \
    "  --files-from FILE   also the paths listed in FILE, one a line (- = stdin)\n" \
    "  -0, --null          with --files-from: the paths are NUL-separated\n"
#define HELP_ESCAPES                                                                 \
    "Text output escapes what comes from a file or the file system as sha256sum\n"   \
    "escapes file names: such a line starts with a backslash, and backslash,\n"       \
    "control characters and invalid UTF-8 are written \\\\, \\n, \\r, \\t, \\xHH.\n"

/* value checks shared with other parsers */
unsigned default_jobs(void);

#endif
