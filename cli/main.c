/* main.c - the malgopher command: dispatches git-style subcommands. */
#include "cli.h"

#include <string.h>

static const char usage[] =
    "usage: malgopher <command> [options] [args]\n"
    "\n"
    "Fingerprint Go executables by what they are, not their bytes.\n"
    "\n"
    "commands:\n"
    "  info FILE...          container, Go version, pclntab, build info, gimphash, gimpfuzzy, gimpset\n"
    "  funcs FILE            function table: entry address and name\n"
    "  hash [-r] PATH...     GIMPHASH  GIMPFUZZY  PATH lines (like sha256sum)\n"
    "  jit-unpack IN -o OUT  restore a JIT-hook packed .NET assembly without running it\n"
    "  compare A B           similarity 0-100 of two files' (or digests') gimpfuzzy (or gimpset)\n"
    "  cluster [-r] PATH...  families: connected components of pairs scoring >= T\n"
    "  match --db H FILE...  the nearest known samples of each file\n"
    "  eval --labels L ...   V-measure of the families against labels, threshold sweep\n"
    "  scan RULES PATH...    YARA scan with the go and fuzzy modules (yara's options and output)\n"
    "\n"
    "options:\n"
    "  -h, --help            this help (also: malgopher <command> --help)\n"
    "  --version             print the version\n"
    "\n"
    "exit status: 0 all files handled, 1 some could not be, 2 usage error.\n";

/* The subcommands.  A new one adds a line here and its cmd_*.c file. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"info", cmd_info},
    {"funcs", cmd_funcs},
    {"hash", cmd_hash},
    {"jit-unpack", cmd_jit_unpack},
    {"compare", cmd_compare},
    {"cluster", cmd_cluster},
    {"match", cmd_match},
    {"eval", cmd_eval},
    {"scan", cmd_scan},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd)) {
        fputs(usage, stdout);
        return EXIT_ALL_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("malgopher %s\n", MG_VERSION_STRING);
        return EXIT_ALL_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "malgopher: '%s' is not a malgopher command. See 'malgopher --help'.\n", cmd);
    return EXIT_USAGE;
}
