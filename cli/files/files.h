/* files.h - what the single-file commands (info, funcs, hash, jit-unpack)
 * share beyond cli.h. */
#ifndef MG_CLI_FILES_H
#define MG_CLI_FILES_H

#include "common/cli.h"

/* hash_check.c: `hash -c FILE` ("-" = stdin): check the lines `hash` wrote,
 * `PATH: OK` / `PATH: FAILED` (quiet: FAILED lines only); the exit status */
int hash_check(const char *file, bool quiet);

/* info_brief.c: the kind of an image ("Go", "Go/UPX", ".NET", ".NET/JIT",
 * "packed/UPX", "not Go"; d: the file's .NET metadata or NULL) */
void info_kind(const mg_image *im, const mg_dotnet_info *d, char *out, size_t cap);
/* its identity: "module@version" from the build info, else the program's
 * own package prefix inferred from its packages (decoded), else "" */
void info_identity(const mg_image *im, char *out, size_t cap);
/* the --brief line of image im of the file data[0..size) (slices > 1: the
 * path gets ":ARCH") */
void info_brief_line(FILE *o, const char *path, const mg_image *im, size_t slices, const void *data,
                     size_t size);
/* a digest as the default text shows it: whole when short or full, else
 * its first 40 characters, an ellipsis and its length (in buf): longer
 * than 140 characters */
const char *info_short_digest(const char *digest, bool full, char *buf, size_t cap);

#endif
