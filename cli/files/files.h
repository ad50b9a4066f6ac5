/* files.h - what the single-file commands (info, funcs, hash, jit-unpack)
 * share beyond cli.h. */
#ifndef MG_CLI_FILES_H
#define MG_CLI_FILES_H

#include "common/cli.h"

/* hash_check.c: `hash -c FILE` ("-" = stdin): check the lines `hash` wrote,
 * `PATH: OK` / `PATH: FAILED` (quiet: FAILED lines only); the exit status */
int hash_check(const char *file, bool quiet);

#endif
