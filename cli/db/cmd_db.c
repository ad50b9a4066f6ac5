/* cmd_db.c - `malgopher db SUBCOMMAND`: dispatches to the subcommands of
 * the sample collection (their options, --db among them, are rows of the
 * option table, cli/common/options.c). */
#include "db/db.h"

#include <string.h>

static const char usage[] =
    "usage: malgopher db <subcommand> [--db URI] [options] [args]\n"
    "\n"
    "A sample collection in a database: SQLite (default) or PostgreSQL.\n"
    "\n"
    "subcommands:\n"
    "  init [--shard URI ...]      create the collection (sharded over PostgreSQL servers)\n"
    "  shard-add --shard URI       one more server for a sharded collection\n"
    "  add [-r] [--label L] [--source S] [--files-from F] PATH...   store the Go images of files\n"
    "  import FILE                 store `malgopher hash --json` lines (or `db export` lines)\n"
    "  export                      one `hash --json` line per record, with its sha256\n"
    "  stats [--json]              samples, labelled samples, labels\n"
    "  label SHA256|PATH LABEL     label a sample (who and when are kept)\n"
    "  match [-t T] [-k K] [--json] FILE|DIGEST...   the nearest samples (as `match --db`)\n"
    "  classify [-t T] [--json] FILE...               label of the nearest labelled sample\n"
    "  families [-t T] [--json]    families of the collection, with IDs kept across runs\n"
    "\n"
    "  --db URI    the collection: a SQLite file (or sqlite:FILE), or postgresql://...\n"
    "              (default: $MALGOPHER_DB, else ~/.local/share/malgopher/collection.sqlite)\n"
    "\n"
    "exit status: 0 done, 1 some files or the database failed, 2 usage error.\n";

static const cli_subcommand subcommands[] = {
    {"add", db_add},           {"import", db_import},     {"export", db_export},
    {"stats", db_stats},       {"label", db_label},       {"match", db_match},
    {"classify", db_classify}, {"families", db_families}, {"init", db_init},
    {"shard-add", db_shard_add},
};

int cmd_db(int argc, char **argv)
{
    return cli_dispatch("db", usage, subcommands, sizeof subcommands / sizeof *subcommands, argc, argv);
}
