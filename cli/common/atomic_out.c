/* atomic_out.c - owns writing an output file the analyst named (jit-unpack
 * -o, cluster/eval --html) whole or not at all: the target is refused when it
 * is a symbolic link (never followed onto what it names), a FIFO, device,
 * socket or directory (never opened, so never waited on), or read-only
 * without --force; the content is kept in memory, then written to a
 * temporary file beside the target with every write checked, synced and
 * renamed over it.  A failure leaves the target as it was and no temporary
 * file behind. */
#include "common/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *atomic_out_problem(const char *path, bool force)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? NULL : strerror(errno);
    if (S_ISLNK(st.st_mode))
        return "is a symbolic link (refused: name the file itself)";
    if (!S_ISREG(st.st_mode))
        return S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    if (!force && (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) || access(path, W_OK) != 0))
        return "is read-only (use --force to replace it)";
    return NULL;
}

bool atomic_out_open(const char *path, bool force, atomic_out *ao, const char **why)
{
    memset(ao, 0, sizeof *ao);
    if ((*why = atomic_out_problem(path, force)))
        return false;
    ao->path = path;
    ao->force = force;
    if (!(ao->f = open_memstream(&ao->buf, &ao->len))) {
        *why = strerror(errno);
        return false;
    }
    return true;
}

void atomic_out_abort(atomic_out *ao)
{
    if (ao->f)
        fclose(ao->f);
    free(ao->buf);
    memset(ao, 0, sizeof *ao);
}

/* all of data to fd, every write checked; false with errno set */
static bool write_all(int fd, const char *data, size_t n)
{
    while (n) {
        ssize_t k = write(fd, data, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return false;
        }
        data += k;
        n -= (size_t)k;
    }
    return true;
}

/* data into a temporary file beside path, synced, closed and renamed to path */
static bool replace_file(const char *path, const char *data, size_t n, const char **why)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        *why = strerror(ENOMEM);
        return false;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *why = strerror(errno);
        free(tmp);
        return false;
    }
    mode_t mask = umask(0);
    umask(mask);
    bool ok = fchmod(fd, 0666 & ~mask) == 0 && write_all(fd, data, n) && fsync(fd) == 0;
    int err = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        *why = strerror(err);
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

bool atomic_out_commit(atomic_out *ao, const char **why)
{
    bool ok = ao->f && !ferror(ao->f);
    int closed = ao->f ? fclose(ao->f) : EOF;
    ao->f = NULL;
    if (!ok || closed != 0) {
        *why = strerror(ENOMEM); /* a memory stream fails only for want of memory */
        atomic_out_abort(ao);
        return false;
    }
    /* checked again: the target may have changed while the output was made */
    ok = !(*why = atomic_out_problem(ao->path, ao->force)) && replace_file(ao->path, ao->buf, ao->len, why);
    atomic_out_abort(ao);
    return ok;
}

bool atomic_out_write(const char *path, bool force, const void *data, size_t n, const char **why)
{
    if ((*why = atomic_out_problem(path, force)))
        return false;
    return replace_file(path, data, n, why);
}

const char *atomic_out_problem_for(const char *in, const char *out, bool force)
{
    struct stat so, si;
    const char *no = atomic_out_problem(out, force);
    if (no)
        return no;
    if (lstat(out, &so) == 0 && stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
        return "is the input file";
    return NULL;
}

bool in_out_begin(const char *in, const char *out, bool force, size_t max_in, mg_map *m, int *status)
{
    const char *why = atomic_out_problem_for(in, out, force);
    memset(m, 0, sizeof *m);
    if (why) {
        report_error(out, why);
        *status = EXIT_USAGE;
        return false;
    }
    if (!sample_map(in, m, &why) || m->size > max_in) {
        report_error(in, m->size > max_in ? "file too large" : why);
        mg_map_close(m);
        *status = EXIT_SOME_FAILED;
        return false;
    }
    return true;
}

bool in_out_write(const char *out, bool force, const void *data, size_t n)
{
    const char *why;
    if (atomic_out_write(out, force, data, n, &why))
        return true;
    report_error(out, why);
    return false;
}
