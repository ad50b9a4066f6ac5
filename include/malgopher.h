/* malgopher.h - the one public header of libmalgopher.
 *
 * libmalgopher reads Go executables (PE, ELF, Mach-O incl. fat, or a raw
 * blob), decodes the Go runtime's metadata (pclntab, build info, version)
 * and computes the gimphash / gimpfuzzy fingerprints.  It never prints and
 * never exits: every failure comes back as an mg_status plus a one-line
 * reason in an mg_error.
 *
 * Typical use:
 *     mg_file *f; mg_error e;
 *     if (mg_file_open(path, &f, &e) != MG_OK) { report(e.msg); }
 *     for (size_t i = 0; i < mg_file_image_count(f); i++) {
 *         const mg_image *im = mg_file_image(f, i);
 *         if (im->is_go) puts(im->gimphash);
 *     }
 *     mg_file_close(f);
 *
 * Strings inside an mg_image (function names, build info) point into the
 * mapped file or into storage owned by the mg_file; they stay valid until
 * mg_file_close.  Function names are NOT NUL-terminated: use name_len.
 */
#ifndef MALGOPHER_H
#define MALGOPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MG_VERSION_STRING "0.1.0"

/* Result codes.  The reason vocabulary shown to users is mg_status_reason(). */
typedef enum mg_status {
    MG_OK = 0,
    MG_ERR_IO,          /* cannot open / map / read the file */
    MG_ERR_NOMEM,       /* allocation failed */
    MG_ERR_EMPTY,       /* zero-length file */
    MG_ERR_MALFORMED,   /* container headers are inconsistent */
    MG_ERR_UNSUPPORTED, /* recognised container we do not parse */
    MG_ERR_NOT_GO,      /* no Go runtime metadata found */
    MG_ERR_ARG          /* bad argument from the caller */
} mg_status;

typedef struct mg_error {
    mg_status code;
    char msg[200]; /* one line, no trailing newline */
} mg_error;

typedef enum mg_container {
    MG_CONT_UNKNOWN = 0,
    MG_CONT_ELF,
    MG_CONT_PE,
    MG_CONT_MACHO,
    MG_CONT_XCOFF,
    MG_CONT_RAW
} mg_container;

typedef enum mg_pclntab_gen {
    MG_PCLN_NONE = 0,
    MG_PCLN_12,  /* Go 1.2-1.15, magic 0xfffffffb */
    MG_PCLN_116, /* Go 1.16-1.17, magic 0xfffffffa */
    MG_PCLN_118, /* Go 1.18-1.19, magic 0xfffffff0 */
    MG_PCLN_120  /* Go 1.20+,     magic 0xfffffff1 */
} mg_pclntab_gen;

/* How the pclntab was located. */
typedef enum mg_found_by {
    MG_FOUND_NONE = 0,
    MG_FOUND_SECTION,    /* by section name (.gopclntab, __gopclntab) */
    MG_FOUND_SYMBOL,     /* by runtime.pclntab symbol */
    MG_FOUND_SCAN,       /* by scanning for the magic with header validation */
    MG_FOUND_MODULEDATA, /* magic was wrong/absent; recovered through moduledata */
    MG_FOUND_HEADER_ONLY /* magic was wrong; header validated on its own */
} mg_found_by;

/* Where the Go version string came from. */
typedef enum mg_version_source {
    MG_VSRC_NONE = 0,
    MG_VSRC_BUILDINFO,     /* the build info blob */
    MG_VSRC_BUILDVERSION,  /* runtime.buildVersion, through the symbol table */
    MG_VSRC_STRING,        /* a go1.x string referenced by a Go string header */
    MG_VSRC_PCLNTAB        /* only the pclntab generation is known */
} mg_version_source;

typedef struct mg_func {
    uint64_t entry;      /* entry address (virtual) */
    const char *name;    /* not NUL-terminated */
    uint32_t name_len;
    const char *file;    /* source file of the entry, when requested (MG_OPT_FILES) */
    uint32_t file_len;
} mg_func;

typedef struct mg_module {
    const char *path;    /* NUL-terminated, never NULL ("" when absent) */
    const char *version;
    const char *sum;
    const char *replace_path;    /* "" when not replaced */
    const char *replace_version;
} mg_module;

typedef struct mg_setting {
    const char *key;
    const char *value;
} mg_setting;

typedef struct mg_buildinfo {
    bool present;
    const char *go_version;     /* "" when absent */
    const char *path;           /* main package path ("path" line) */
    mg_module main;
    mg_module *deps;
    size_t ndeps;
    mg_setting *settings;
    size_t nsettings;
} mg_buildinfo;

/* Flags describing the result. */
#define MG_FLAG_NO_NAMES     0x01u /* gimphash input was empty: not a fingerprint */
#define MG_FLAG_PARTIAL      0x02u /* a bound was hit; lists are truncated */
#define MG_FLAG_RECOVERED    0x04u /* pclntab found only by recovery (magic damaged) */

typedef struct mg_image {
    mg_container container;
    const char *container_name; /* "ELF", "PE", "Mach-O", "XCOFF", "raw" */
    const char *arch;           /* Go GOARCH spelling: amd64, 386, arm64, s390x, ... */
    const char *os;             /* GOOS when known, else "" */
    unsigned bits;              /* 32 or 64 */
    bool big_endian;
    uint64_t slice_offset;      /* offset of this image in the file (fat Mach-O) */
    uint64_t slice_size;

    bool is_go;
    bool stripped;              /* no symbol table */
    char go_version[40];        /* e.g. "go1.21.6", or "" */
    mg_version_source version_source;
    mg_pclntab_gen pclntab_gen;
    mg_found_by pclntab_found_by;
    uint64_t pclntab_offset;    /* file offset of the pclntab header */
    uint64_t text_start;

    mg_func *funcs;             /* functab order (ascending entry) */
    size_t nfuncs;

    mg_buildinfo buildinfo;

    char gimphash[65];          /* lower-case hex SHA-256 */
    char gimpfuzzy[160];        /* ssdeep digest */
    size_t gimp_names;          /* names kept by the gimphash filter */
    unsigned flags;             /* MG_FLAG_* */
    char warning[200];          /* first warning, "" when none */
} mg_image;

typedef struct mg_file mg_file;

/* Options for mg_file_open_ex. */
#define MG_OPT_FILES      0x01u /* resolve each function's source file */
#define MG_OPT_NO_FUZZY   0x02u /* skip gimpfuzzy */

/* Open and analyse a file.  Every slice of a fat Mach-O becomes an image.
 * On success *out owns the mapping; call mg_file_close.  A file with no Go
 * metadata still opens with MG_OK: its images have is_go == false.  The
 * return is an error only when the container itself cannot be read. */
mg_status mg_file_open(const char *path, mg_file **out, mg_error *err);
mg_status mg_file_open_ex(const char *path, unsigned opts, mg_file **out, mg_error *err);
/* Same on caller-owned memory (not copied; must outlive the mg_file). */
mg_status mg_file_open_mem(const void *data, size_t size, unsigned opts,
                           mg_file **out, mg_error *err);
void mg_file_close(mg_file *f);

size_t mg_file_image_count(const mg_file *f);
const mg_image *mg_file_image(const mg_file *f, size_t i);
/* true when any image is Go */
bool mg_file_is_go(const mg_file *f);

/* The stable one-line reason for a status ("not a Go executable", ...). */
const char *mg_status_reason(mg_status s);
const char *mg_pclntab_gen_name(mg_pclntab_gen g);   /* "1.2-1.15", ... */
const char *mg_found_by_name(mg_found_by f);
const char *mg_version_source_name(mg_version_source s);

/* Fingerprints over an explicit name list (for callers with their own
 * names).  names[i] has lens[i] bytes.  hex_out: 65 bytes; fuzzy_out: 160
 * bytes (or NULL to skip).  Returns the number of names kept. */
size_t mg_gimphash_names(const char *const *names, const uint32_t *lens, size_t n,
                         char hex_out[65], char *fuzzy_out);
/* Apply the gimphash filter to one name: true when it is kept, with the
 * kept text (vendor prefix trimmed) starting at name + *kept_start. */
bool mg_gimphash_keep(const char *name, size_t len, size_t *kept_start);

/* Compare two ssdeep digests: 0-100, or -1 when either is malformed. */
int mg_fuzzy_compare(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
