/* file_id.c - owns reading a sample: every command that reads a file's
 * bytes maps it here, once (src/io/map.c), without ever blocking on a FIFO,
 * and takes from that one mapping what identifies the file outside
 * malgopher (its size as stat gives it and the SHA-256 of its bytes as
 * sha256sum computes it, so records join MalwareBazaar or VirusTotal) and
 * the analysis (mg_file_open_mem_limits on the same bytes). */
#include "common/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int open_regular(const char *path, struct stat *st, const char **why)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        *why = S_ISDIR(st->st_mode) ? "is a directory (use -r)" : "not a regular file";
        close(fd);
        return -1;
    }
    return fd;
}

const char *regular_file_problem(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return strerror(errno);
    if (S_ISDIR(st.st_mode))
        return "is a directory (use -r)";
    return S_ISREG(st.st_mode) ? NULL : "not a regular file";
}

bool sample_map(const char *path, mg_map *m, const char **why)
{
    static _Thread_local char msg[sizeof ((mg_error *)0)->msg];
    struct stat st;
    memset(m, 0, sizeof *m);
    int fd = open_regular(path, &st, why);
    if (fd < 0)
        return false;
    mg_error e;
    mg_status s = mg_map_fd(fd, m, &e);
    close(fd);
    if (s != MG_OK) {
        snprintf(msg, sizeof msg, "%s", e.msg);
        *why = msg;
        return false;
    }
    return true;
}

bool bytes_identity(const void *data, size_t size, file_id *id)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return false;
    for (unsigned i = 0; i < 32; i++)
        snprintf(id->sha256 + 2 * i, 3, "%02x", md[i]);
    id->size = (unsigned long long)size;
    return true;
}

bool path_identity(const char *path, file_id *id, const char **why)
{
    mg_map m;
    if (!sample_map(path, &m, why))
        return false;
    bool ok = bytes_identity(m.data, m.size, id);
    mg_map_close(&m);
    if (!ok)
        *why = "sha256 failed";
    return ok;
}

bool sample_file_open(const char *path, unsigned opts, bool want_id, sample_file *s, FILE *err)
{
    const char *why;
    mg_error e;
    memset(s, 0, sizeof *s);
    if (!sample_map(path, &s->map, &why)) {
        report_error_to(err, path, why);
        return false;
    }
    if (want_id && !bytes_identity(s->map.data, s->map.size, &s->id)) {
        report_error_to(err, path, "sha256 failed");
        sample_file_close(s);
        return false;
    }
    if (mg_file_open_mem_limits(s->map.data, s->map.size, opts, NULL, &s->f, &e) != MG_OK) {
        report_error_to(err, path, e.msg);
        sample_file_close(s);
        return false;
    }
    return true;
}

void sample_file_close(sample_file *s)
{
    mg_file_close(s->f); /* before the bytes it points into */
    s->f = NULL;
    mg_map_close(&s->map);
}
