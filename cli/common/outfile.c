/* outfile.c - reading an input whole and writing an output executable
 * safely: OUT is checked (never the input, a link, a device, FIFO,
 * directory, or read-only without --force) and written to a temporary file
 * beside it, then renamed into place, so it is complete or untouched. */
#include "outfile.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUT (1ull << 31)

/* the whole of path, or NULL with *why set */
void *read_all(const char *path, size_t *size, const char **why)
{
    struct stat st;
    int fd = open_regular(path, &st, why); /* never waits on a FIFO */
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        if (fd >= 0) {
            *why = strerror(errno);
            close(fd);
        }
        return NULL;
    }
    if (st.st_size == 0 || (unsigned long long)st.st_size > MAX_INPUT) {
        fclose(f);
        *why = st.st_size ? "file too large" : "empty file";
        return NULL;
    }
    void *buf = malloc((size_t)st.st_size);
    if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        *why = buf ? "read error" : "out of memory";
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)st.st_size;
    return buf;
}

/* why OUT may not be written (NULL: it may): it must not be the input, a
 * symbolic link or anything but a regular file, nor a read-only file
 * unless forced */
const char *output_problem(const char *in, const char *out, bool force)
{
    struct stat so, si;
    if (lstat(out, &so) != 0)
        return errno == ENOENT ? NULL : strerror(errno);
    if (S_ISLNK(so.st_mode))
        return "is a symbolic link (refused: name the file itself)";
    if (!S_ISREG(so.st_mode))
        return S_ISDIR(so.st_mode) ? "is a directory" : "not a regular file";
    if (stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
        return "is the input file";
    if (!force && (!(so.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) || access(out, W_OK) != 0))
        return "is read-only (use --force to replace it)";
    return NULL;
}

/* write data to a temporary file beside path, then rename it to path */
bool write_atomic(const char *path, const void *data, size_t size, const char **why)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        *why = "out of memory";
        return false;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *why = strerror(errno);
        free(tmp);
        return false;
    }
    mode_t mask = umask(0);
    umask(mask);
    FILE *f = fdopen(fd, "wb");
    bool ok = f && fchmod(fd, 0666 & ~mask) == 0 && fwrite(data, 1, size, f) == size;
    if (!ok)
        *why = strerror(errno ? errno : EIO);
    if (f) {
        if (fclose(f) != 0 && ok) {
            *why = strerror(errno);
            ok = false;
        }
    } else {
        close(fd);
    }
    if (ok && rename(tmp, path) != 0) {
        *why = strerror(errno);
        ok = false;
    }
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok;
}

