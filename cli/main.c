/* main.c - the malgopher command: dispatches git-style subcommands. */
#include "common/cli.h"

#include <string.h>

static const char usage[] =
    "usage: malgopher <command> [options] [args]\n"
    "\n"
    "Fingerprint Go executables by what they are, not their bytes.\n"
    "\n"
    "commands:\n"
    "  info [-r] PATH...     container, Go version, pclntab, build info, gimphash, gimpfuzzy, gimpset\n"
    "  funcs [-r] PATH...    function table: entry address and name\n"
    "  types [-r] PATH...    runtime types (fields, tags, methods), interfaces, itabs, build ID\n"
    "  hash [-r] PATH...     GIMPHASH  GIMPFUZZY  PATH lines (like sha256sum)\n"
    "  hash -c FILE          check those lines again: PATH: OK / PATH: FAILED\n"
    "  jit-unpack IN -o OUT  restore a JIT-hook packed .NET assembly without running it\n"
    "  unpack IN -o OUT      write the program inside a UPX-packed file, without running it\n"
    "  diff A B              what changed: dependencies, build settings, packages, functions\n"
    "  compare A B           similarity 0-100 of two files' (or digests') gimpfuzzy (or gimpset)\n"
    "  cluster [-r] PATH...  families: connected components of pairs scoring >= T\n"
    "  match --db H PATH...  the nearest known samples of each file (or digest)\n"
    "  eval --labels L ...   V-measure of the families against labels, threshold sweep\n"
    "  scan RULES PATH...    YARA scan with the go and fuzzy modules (yara's options and output)\n"
    "  db SUBCOMMAND ...     the sample collection (SQLite or PostgreSQL): add, match, classify, families\n"
    "  known SUBCOMMAND ...  known Go programs (rclone, ngrok, ...): list, add, import\n"
    "\n"
    "options:\n"
    "  -h, --help            this help (also: malgopher <command> --help)\n"
    "  --version             print the version\n"
    "\n"
    "the commands that take PATHs (not scan) share:\n"
    "  -r, --recursive       descend into directories (a link named here is followed)\n"
    "  -q, --quiet           no line for a file that is not a Go executable\n"
    "  -j, --jobs N          threads (hash, cluster, match, eval)\n"
    "  --json, --csv         JSON Lines or CSV (not both); info and hash records\n"
    "                        carry the file's sha256 and size\n"
    "  --files-from FILE     also the paths listed in FILE, one a line (- = stdin);\n"
    "  -0, --null            NUL-separated\n"
    "\n"
    "exit status: 0 all files handled, 1 some could not be, 2 usage error or wrong\n"
    "input (scan keeps yara's: 1 for both).\n";

/* The subcommands.  A new one adds a line here and its cmd_*.c file. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"info", cmd_info},
    {"funcs", cmd_funcs},
    {"types", cmd_types},
    {"hash", cmd_hash},
    {"jit-unpack", cmd_jit_unpack},
    {"unpack", cmd_unpack},
    {"diff", cmd_diff},
    {"compare", cmd_compare},
    {"cluster", cmd_cluster},
    {"match", cmd_match},
    {"eval", cmd_eval},
    {"scan", cmd_scan},
    {"db", cmd_db},
    {"known", cmd_known},
};

/* edit distance of a and b (short names: the full table is fine) */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(b), row[32];
    if (n >= 32 || strlen(a) >= 32)
        return 99;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[n];
}

/* the command closest to a mistyped one (at most 2 edits, or a prefix), or NULL */
static const char *closest(const char *cmd)
{
    const char *best = NULL;
    size_t d = 3;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        size_t k = distance(cmd, commands[i].name);
        if (strlen(cmd) >= 2 && !strncmp(cmd, commands[i].name, strlen(cmd)))
            k = 1;
        if (k < d) {
            d = k;
            best = commands[i].name;
        }
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd)) {
        fputs(usage, stdout);
        return out_finish(EXIT_ALL_OK);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("malgopher %s\n", MG_VERSION_STRING);
        return out_finish(EXIT_ALL_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return out_finish(commands[i].run(argc - 1, argv + 1)); /* every write checked */
    const char *near = closest(cmd);
    fprintf(stderr, "malgopher: '%s' is not a malgopher command.", cmd);
    if (near)
        fprintf(stderr, " Did you mean '%s'?", near);
    fputs(" See 'malgopher --help'.\n", stderr);
    return EXIT_USAGE;
}
