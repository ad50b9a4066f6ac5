/* file_id.c - owns what identifies a file outside malgopher: it is a regular
 * file (checked without ever blocking on a FIFO), its size as stat gives it
 * and the SHA-256 of its bytes as sha256sum computes it, so that records can
 * be joined with MalwareBazaar or VirusTotal. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/mman.h>
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

bool file_identity(const char *path, file_id *id, const char **why)
{
    struct stat st;
    int fd = open_regular(path, &st, why);
    if (fd < 0)
        return false;
    *why = "read error";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    bool ok = false;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
        ok = true;
        if (st.st_size > 0) {
            void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            ok = p != MAP_FAILED;
            if (ok) {
                madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
                ok = EVP_DigestUpdate(c, p, (size_t)st.st_size) == 1;
                munmap(p, (size_t)st.st_size);
            } else
                *why = strerror(errno);
        }
        ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
    }
    if (!c)
        *why = mg_status_reason(MG_ERR_NOMEM);
    EVP_MD_CTX_free(c);
    close(fd);
    if (!ok)
        return false;
    for (unsigned i = 0; i < 32; i++)
        snprintf(id->sha256 + 2 * i, 3, "%02x", md[i]);
    id->size = (unsigned long long)st.st_size;
    return true;
}
