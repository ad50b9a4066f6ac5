/* outfile.h - what the commands that write an executable (jit-unpack,
 * unpack) share: read the input whole, refuse an unsafe OUT, write OUT
 * atomically (outfile.c). */
#ifndef MG_CLI_OUTFILE_H
#define MG_CLI_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

/* the whole of path (at most 2 GiB), or NULL with *why set; free() it */
void *read_all(const char *path, size_t *size, const char **why);
/* why OUT may not be written (NULL: it may): it must not be the input (the
 * same inode), a symbolic link or anything but a regular file, nor a
 * read-only file unless forced */
const char *output_problem(const char *in, const char *out, bool force);
/* write data to a temporary file beside path, then rename it to path */
bool write_atomic(const char *path, const void *data, size_t size, const char **why);

#endif
