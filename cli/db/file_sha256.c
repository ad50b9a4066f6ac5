/* file_sha256.c - owns the key of a record: the sha256 of the whole file,
 * read through one read-only mapping. */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bool file_sha256(const char *path, char out[65], int64_t *size, char *err, size_t errsz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errsz, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        snprintf(err, errsz, "%s", !S_ISREG(st.st_mode) ? "not a regular file" : mg_status_reason(MG_ERR_EMPTY));
        close(fd);
        return false;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, errsz, "cannot map: %s", strerror(errno));
        return false;
    }
    unsigned char md[32];
    unsigned int mdlen = 0;
    bool ok = EVP_Digest(m, (size_t)st.st_size, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
    munmap(m, (size_t)st.st_size);
    for (int k = 0; ok && k < 32; k++)
        snprintf(out + 2 * k, 3, "%02x", md[k]);
    *size = (int64_t)st.st_size;
    if (!ok)
        snprintf(err, errsz, "sha256 failed");
    return ok;
}
