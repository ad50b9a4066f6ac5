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
 *
 * ABI rules (docs/library.md "`mg_image` and the ABI"):
 * - Every public function is declared here with MG_API in front; the
 *   library is built with -fvisibility=hidden, so a function without it is
 *   not exported from libmalgopher.so (tests/install checks that the
 *   exported mg_* symbols are exactly the MG_API declarations of this
 *   header).  To add a public function: declare it here with MG_API.
 *   Test-only entry points go in src/ headers (not installed); tests link
 *   the static library.
 * - mg_image is owned by the library (mg_file_image returns a pointer into
 *   the mg_file): callers never allocate, copy or take sizeof of one.  New
 *   fields are only ever appended at its end; existing fields never change
 *   type, size or place.  struct_size is the sizeof(mg_image) the library
 *   was built with: MG_IMAGE_HAS(im, field) tells whether a field exists in
 *   the library actually loaded (a program built against a newer header).
 * - Structs the caller allocates (mg_error, mg_vmeasure, mg_dotnet_info,
 *   mg_jit_report, mg_edge, mg_hit, mg_diff and its mg_name, mg_package,
 *   mg_pkgchange, mg_change) and the enum values never change
 *   within one SOVERSION; changing them bumps it.
 */
#ifndef MALGOPHER_H
#define MALGOPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported-symbol marker: every public function carries it. */
#ifndef MG_API
#if defined(__GNUC__) || defined(__clang__)
#define MG_API __attribute__((visibility("default")))
#else
#define MG_API
#endif
#endif

/* The version this header belongs to; mg_version() tells the one of the
 * library loaded at run time.  Number: major * 10000 + minor * 100 + patch. */
#define MG_VERSION_STRING "0.1.0"
#define MG_VERSION_NUMBER 100
MG_API const char *mg_version(void);
MG_API unsigned mg_version_number(void);

/* Result codes.  The reason vocabulary shown to users is mg_status_reason(). */
typedef enum mg_status {
    MG_OK = 0,
    MG_ERR_IO,          /* cannot open / map / read the file */
    MG_ERR_NOMEM,       /* allocation failed */
    MG_ERR_EMPTY,       /* zero-length file */
    MG_ERR_MALFORMED,   /* container headers are inconsistent */
    MG_ERR_UNSUPPORTED, /* recognised container we do not parse */
    MG_ERR_NOT_GO,      /* no Go runtime metadata found */
    MG_ERR_ARG,         /* bad argument from the caller */
    MG_ERR_TOO_COSTLY   /* the file's work budget or time limit ran out */
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
#define MG_FLAG_BAD_NAMES    0x08u /* some function names could not be read: not a fingerprint */

/* gimpset v1: 256 slots of 32 bits, "gs1:256:" + 1368 base64 chars + NUL */
#define MG_GIMPSET_K 256
#define MG_GIMPSET_LEN 1377

/* A packer found around the program (docs/upx.md).  name "" when the file
 * was not packed.  The tamper bits are evidence, not guesses: each says a
 * field the unpacker checked disagreed with what the packer writes. */
#define MG_TAMPER_MAGIC    0x01u /* a "UPX!" marker was replaced */
#define MG_TAMPER_PINFO    0x02u /* p_info's sizes zeroed or wrong (ELF) */
#define MG_TAMPER_SECTIONS 0x04u /* the packer's section names changed (PE) */
#define MG_TAMPER_VERSION  0x08u /* a format version byte UPX does not write */
#define MG_TAMPER_HEADER   0x10u /* the PackHeader is missing or its checksum fails */

typedef struct mg_packer_info {
    char name[8];           /* "UPX", or "" */
    char method[8];         /* "NRV2B", "NRV2D", "NRV2E", "LZMA" */
    char stub[24];          /* what the layout tells of the stub, e.g. "4.x stub" */
    unsigned version;       /* the format version byte (UPX 3.9x-4.x: 13, 14) */
    unsigned filter;        /* UPX filter id undone, 0 when none */
    unsigned tamper;        /* MG_TAMPER_* */
    bool checksums_ok;      /* the packer's adler32 sums were present and matched */
    bool checksum_failed;   /* a PackHeader intact by its own checksum gave adler32 sums the data fails */
    uint64_t packed_size;   /* the input's size */
    uint64_t unpacked_size; /* the rebuilt executable's size */
} mg_packer_info;

typedef struct mg_image {
    size_t struct_size;         /* sizeof(mg_image) in the library: see MG_IMAGE_HAS */
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

    /* obfuscation signals (heuristics: docs/usage.md "Tampering and obfuscation signals") */
    bool obfuscated;
    unsigned obf_package_runs, obf_hashed_packages;
    unsigned obf_identifiers, obf_random_identifiers;

    char gimphash[65];          /* lower-case hex SHA-256 */
    char gimpfuzzy[160];        /* ssdeep digest */
    size_t gimp_names;          /* names kept by the gimphash filter */
    unsigned flags;             /* MG_FLAG_* */
    char warning[200];          /* first warning, "" when none */
    char gimpset[MG_GIMPSET_LEN]; /* "gs1:256:BASE64" (docs/spec/gimpset.md); "gs1:256:" when no name is kept */
    size_t gimpset_names;       /* names kept by the gimpset selection */
    mg_packer_info packer;      /* the packer unpacked before the analysis (name "" when none) */
    /* new fields: append here, never above (the ABI rules at the top) */
} mg_image;

/* true when the loaded library's mg_image has FIELD (appended fields). */
#define MG_IMAGE_HAS(im, field) \
    (offsetof(mg_image, field) + sizeof(((const mg_image *)0)->field) <= (im)->struct_size)

typedef struct mg_file mg_file;

/* Options for mg_file_open_ex. */
#define MG_OPT_FILES      0x01u /* resolve each function's source file */
#define MG_OPT_NO_FUZZY   0x02u /* skip gimpfuzzy */
#define MG_OPT_NO_ENTRIES 0x04u /* skip the text-start search (Go 1.18+
                                   tables whose header holds 0): entries are
                                   then offsets from the text start; names
                                   and hashes are unchanged */
#define MG_OPT_NO_OBFUSCATION 0x08u /* skip the obfuscation signals (all 0) */
#define MG_OPT_NO_GIMPSET 0x10u /* skip gimpset (gimpset "", gimpset_names 0) */
#define MG_OPT_NO_VERSION_SCAN 0x20u /* skip the search for the Go version
                                       outside the build info (go_version ""
                                       when the build info holds none) */
#define MG_OPT_UNPACK_LAZY 0x40u /* a UPX-packed ELF: decode only the blocks
                                    the analysis reads (docs/upx.md "Cost
                                    model: what is decoded when"); the
                                    packer's whole-file checksums are then
                                    checked only if every block was read
                                    (packer.checksums_ok stays false) */
#define MG_OPT_NO_STRIPPED 0x80u /* skip the symbol-table search that sets
                                    `stripped` (then only what the
                                    container says) */

/* Open and analyse a file.  Every slice of a fat Mach-O becomes an image.
 * On success *out owns the mapping; call mg_file_close.  A file with no Go
 * metadata still opens with MG_OK: its images have is_go == false.  The
 * return is an error only when the container itself cannot be read. */
MG_API mg_status mg_file_open(const char *path, mg_file **out, mg_error *err);
MG_API mg_status mg_file_open_ex(const char *path, unsigned opts, mg_file **out, mg_error *err);
/* Same on caller-owned memory (not copied; must outlive the mg_file). */
MG_API mg_status mg_file_open_mem(const void *data, size_t size, unsigned opts,
                                  mg_file **out, mg_error *err);
MG_API void mg_file_close(mg_file *f);

/* Bounds on one file's analysis (docs/cost-model.md "Per-file bounds").  Without them a
 * file still gets the default work budget. */
typedef struct mg_limits {
    double seconds;    /* wall-clock limit for this file; 0: none */
    uint64_t max_work; /* work units; 0: the default (64 per input byte + 64 Mi) */
} mg_limits;
/* mg_file_open_mem with limits (lim may be NULL); MG_ERR_TOO_COSTLY
 * "too costly: STEP ..." when they run out. */
MG_API mg_status mg_file_open_mem_limits(const void *data, size_t size, unsigned opts,
                                         const mg_limits *lim, mg_file **out, mg_error *err);

MG_API size_t mg_file_image_count(const mg_file *f);
MG_API const mg_image *mg_file_image(const mg_file *f, size_t i);
/* true when any image is Go */
MG_API bool mg_file_is_go(const mg_file *f);

/* The stable one-line reason for a status ("not a Go executable", ...). */
MG_API const char *mg_status_reason(mg_status s);
MG_API const char *mg_pclntab_gen_name(mg_pclntab_gen g);   /* "1.2-1.15", ... */
MG_API const char *mg_found_by_name(mg_found_by f);
MG_API const char *mg_version_source_name(mg_version_source s);

/* Fingerprints over an explicit name list (for callers with their own
 * names).  names[i] has lens[i] bytes.  hex_out: 65 bytes; fuzzy_out: 160
 * bytes (or NULL to skip).  Returns the number of names kept. */
MG_API size_t mg_gimphash_names(const char *const *names, const uint32_t *lens, size_t n,
                                char hex_out[65], char *fuzzy_out);
/* Apply the gimphash filter to one name: true when it is kept, with the
 * kept text (vendor prefix trimmed) starting at name + *kept_start. */
MG_API bool mg_gimphash_keep(const char *name, size_t len, size_t *kept_start);

/* ---- gimpset (src/fp/gimpset.c) ----
 * Specification: docs/spec/gimpset.md "Specification (gimpset v1)".
 * A MinHash of the program's own function names (main package and
 * non-standard-library packages, closures and generic shapes folded).
 * mg_gimpset_names: the digest of an explicit name list into out
 * (MG_GIMPSET_LEN bytes); returns the number of names kept. */
MG_API size_t mg_gimpset_names(const char *const *names, const uint32_t *lens, size_t n,
                        char out[MG_GIMPSET_LEN]);
/* Estimated Jaccard similarity of the two name sets, 0-100
 * (floor(100 * equal slots / 256)); 0 when either set is empty; -1 when
 * either digest is malformed. */
MG_API int mg_gimpset_compare(const char *a, const char *b);
/* The 256 slot values of a digest: 1, 0 for the empty-set digest
 * ("gs1:256:"), -1 when malformed. */
MG_API int mg_gimpset_decode(const char *digest, uint32_t slots[MG_GIMPSET_K]);
/* The score of two decoded (non-empty) digests, as mg_gimpset_compare. */
MG_API int mg_gimpset_score_slots(const uint32_t *a, const uint32_t *b);

/* Compare two ssdeep digests: 0-100, or -1 when either is malformed. */
MG_API int mg_fuzzy_compare(const char *a, const char *b);
/* ssdeep of a whole file's bytes (the "ssdeep of the file" baseline). */
MG_API mg_status mg_fuzzy_hash_file(const char *path, char out[160], mg_error *err);

/* ---- similarity search over ssdeep digests (src/fp/simindex_*.c) ----
 * A 7-gram inverted index per block size proposes candidate pairs and
 * fuzzy_compare scores them: the edges are exactly those of comparing all
 * pairs (the reference all-pairs computation), only faster.  Digests with the same content after
 * libfuzzy's normalisation score 100 together and alike against all others;
 * the first of them is their representative. */
typedef struct mg_edge {
    uint32_t a, b; /* input indices, a < b */
    int score;     /* fuzzy_compare(digest[a], digest[b]) */
} mg_edge;
typedef struct mg_hit {
    uint32_t index;
    int score;
} mg_hit;
typedef struct mg_simindex mg_simindex;

/* The index keeps the digest pointers: the strings must outlive it. */
MG_API mg_status mg_simindex_build(const char *const *digests, size_t n, mg_simindex **out, mg_error *err);
MG_API void mg_simindex_free(mg_simindex *ix);
/* the representatives: reps[i] is the first index with digest i's content */
MG_API const uint32_t *mg_simindex_reps(const mg_simindex *ix);
/* Every pair (a < b) scoring >= min_score (clamped to 1..100), ordered by
 * (a, b), malloc'd into *edges.  reps_only: only pairs of representatives
 * (then a digest's links to its copies are implied by reps).  nthreads >= 1. */
MG_API mg_status mg_simindex_pairs(const mg_simindex *ix, int min_score, unsigned nthreads, bool reps_only,
                                   mg_edge **edges, size_t *nedges, mg_error *err);
/* Indexed digests scoring >= min_score against q, best first (ties by index). */
MG_API mg_status mg_simindex_query(const mg_simindex *ix, const char *q, int min_score,
                                   mg_hit **hits, size_t *nhits, mg_error *err);
/* Only the families at threshold t (as mg_cluster_components with reps over
 * the pairs >= t), faster: a pair already linked through others is not
 * scored.  family_of has n entries. */
MG_API mg_status mg_simindex_families(const mg_simindex *ix, int t, unsigned nthreads, uint32_t *family_of,
                                      size_t *nfam, mg_error *err);
/* The links of a spanning forest of the families at threshold t (pairs of
 * representatives scoring >= t, ordered; at most one per digest): what a
 * caller can use when mg_simindex_pairs says MG_ERR_TOO_COSTLY (more pairs
 * than 64 per digest + 4 Mi, or more candidate pairs through shared 7-grams
 * than 2^29 + 1,024 per digest).  *dense_cut > 0: some 7-gram lists shared
 * by over 1,024 digests were searched only in part,
 * and the families may miss links (docs/cost-model.md "Clustering"). */
MG_API mg_status mg_simindex_links(const mg_simindex *ix, int t, unsigned nthreads, mg_edge **links,
                                   size_t *nlinks, uint64_t *dense_cut, mg_error *err);

/* ---- similarity index over gimpset digests (src/fp/setindex.c) ----
 * Prefix filtering over the sketches' (slot, value) tokens proposes the
 * candidates, each scored on its slots: the pairs are exactly those of
 * the naive all-pairs reference (src/fp/allpairs.h, test-only) at every
 * min_score >= 1 (proof in setindex.c).
 * Malformed digests, NULL and empty-set digests are kept out (no pairs).
 * Digests with identical slots: the first is the representative. */
typedef struct mg_setindex mg_setindex;
MG_API mg_status mg_setindex_build(const char *const *digests, size_t n, mg_setindex **out, mg_error *err);
MG_API void mg_setindex_free(mg_setindex *ix);
MG_API const uint32_t *mg_setindex_reps(const mg_setindex *ix);
/* every pair (a < b) scoring >= min_score, ordered by (a, b); reps_only:
 * only pairs of representatives */
MG_API mg_status mg_setindex_pairs(const mg_setindex *ix, int min_score, bool reps_only, mg_edge **edges,
                            size_t *nedges, mg_error *err);
/* only the families at t (components of the pairs >= t, copies joined),
 * numbered by first member; a pair already joined is not scored */
/* indexed digests scoring >= min_score against q, best first (ties by
 * index); every indexed digest is scored (a linear scan) */
MG_API mg_status mg_setindex_query(const mg_setindex *ix, const char *q, int min_score, mg_hit **hits,
                            size_t *nhits, mg_error *err);
MG_API mg_status mg_setindex_families(const mg_setindex *ix, int t, uint32_t *family_of, size_t *nfam,
                               mg_error *err);

/* ---- families and scores (src/cluster/) ---- */
/* Families at threshold t: connected components of the edges scoring >= t,
 * plus reps[i] == reps[j] links (NULL: none).  family_of[i] numbers them
 * 0..k-1 in order of their first member; *nfam = k. */
MG_API mg_status mg_cluster_components(size_t n, const uint32_t *reps, const mg_edge *edges, size_t nedges,
                                       int t, uint32_t *family_of, size_t *nfam, mg_error *err);
/* The most central member of each family: the largest sum of scores to the
 * other members (every pair in edges, copies of a representative at 100;
 * ties: the first).  central[f] for f < nfam. */
MG_API mg_status mg_cluster_central(size_t n, const uint32_t *reps, const mg_edge *edges, size_t nedges,
                                    const uint32_t *family_of, size_t nfam, uint32_t *central, mg_error *err);
/* The families at threshold t as they are shown (src/cluster/ranking.c):
 * mg_cluster_components over the edges >= t, numbered by size (0 = the
 * largest; ties: the family whose first member comes first), with each
 * family's size and mg_cluster_central member.  Free with mg_families_free. */
typedef struct mg_families {
    size_t n, nfam;
    uint32_t *family_of; /* n entries */
    uint32_t *size;      /* nfam entries */
    uint32_t *central;   /* nfam entries: a sample index */
} mg_families;
MG_API mg_status mg_cluster_families(size_t n, const uint32_t *reps, const mg_edge *edges, size_t nedges, int t,
                                     mg_families *out, mg_error *err);
MG_API void mg_families_free(mg_families *f);
/* Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007, as
 * scikit-learn): labels[i] = true class, clusters[i] = predicted family. */
typedef struct mg_vmeasure {
    double homogeneity, completeness, v_measure;
} mg_vmeasure;
MG_API mg_status mg_vmeasure_score(const uint32_t *labels, const uint32_t *clusters, size_t n,
                                   mg_vmeasure *out, mg_error *err);

/* ---- what changed between two images (src/diff/) ----
 * Function names are compared as sets (a name the table holds twice counts
 * once); packages are those of debug/gosym's PackageName. */
typedef struct mg_name {
    const char *s;       /* not NUL-terminated */
    uint32_t len;
} mg_name;
typedef struct mg_package {
    mg_name path;        /* "" for the compiler's go:/type: symbols */
    uint32_t functions;  /* distinct function names of the package */
} mg_package;
typedef struct mg_pkgchange {
    mg_name path;
    uint32_t from, to;   /* function counts; 0 = absent on that side */
} mg_pkgchange;
typedef struct mg_change {
    const char *key;     /* module path or build setting key */
    const char *from;    /* NULL when added */
    const char *to;      /* NULL when removed */
} mg_change;
typedef struct mg_diff {
    mg_name *added, *removed;   /* function names, sorted (bytewise) */
    size_t nadded, nremoved;
    mg_package *pkgs_a, *pkgs_b; /* every package of each side, sorted by path */
    size_t npkgs_a, npkgs_b;
    mg_pkgchange *pkgs;          /* packages added, removed or whose count changed */
    size_t npkgs;
    mg_change *deps;             /* dependencies by path (effective versions);
                                    empty unless both sides have build info */
    size_t ndeps;
    mg_change *settings;         /* build settings by key; same condition */
    size_t nsettings;
    size_t names_a, names_b;     /* distinct function names of each side */
} mg_diff;

/* The package of a function name: its first len bytes (returned). */
MG_API size_t mg_func_package(const char *name, size_t len);
/* The standard library: no '.' in the first path element, and not "main". */
MG_API bool mg_package_is_std(const char *path, size_t len);
/* A dependency's version as built: the replacement's version when it is
 * replaced, the replacement path when that is a local directory. */
MG_API const char *mg_module_effective_version(const mg_module *m);
/* Every package of an image with its distinct function names, sorted by
 * path (free *out with free()). */
MG_API mg_status mg_image_packages(const mg_image *im, mg_package **out, size_t *n, mg_error *err);
/* What a package is to the program (redress's classes): the standard
 * library (by its top-level directories, as `go list std`), a third party
 * (a dependency, or vendored under another module), the program's own
 * (package main, and what is under the own prefix), or a pseudo-package
 * of the compiler ("", type, go, go.shape, go:/type: symbols) to drop. */
typedef enum mg_pkg_class {
    MG_PKG_STD = 0,
    MG_PKG_THIRD_PARTY = 1,
    MG_PKG_OWN = 2,
    MG_PKG_PSEUDO = 3
} mg_pkg_class;
MG_API bool mg_package_is_pseudo(const char *path, size_t len);
/* own: the program's own prefix (mg_image_own_prefix), NULL/0 when unknown */
MG_API mg_pkg_class mg_package_class(const char *path, size_t len, const char *own, size_t own_len);
/* "std", "third-party", "own", "pseudo" */
MG_API const char *mg_pkg_class_name(mg_pkg_class c);
/* A symbol's package path with its %xx escapes decoded (gopkg.in/yaml%2ev2
 * -> gopkg.in/yaml.v2) into out (NUL-terminated, cut at cap - 1); returns
 * the length written. */
MG_API size_t mg_package_unescape(const char *path, size_t len, char *out, size_t cap);
/* The repository root of an import path (github.com/u/r, go.uber.org/zap,
 * a local module's first element): its length. */
MG_API size_t mg_package_root(const char *path, size_t len);
/* The program's own prefix into out (NUL-terminated; returns its length, 0
 * when none is known): the main module's path from the build info; else
 * the root of the main package's import path; else inferred from the
 * packages (the root of the non-standard package laid out last before
 * package main).  Symbol escapes are not decoded. */
MG_API size_t mg_image_own_prefix(const mg_image *im, char *out, size_t cap);
/* What changed from a to b (sort-based, O(n log n)).  Names point into the
 * images: keep both files open while *d is used.  mg_diff_free frees. */
MG_API mg_status mg_diff_images(const mg_image *a, const mg_image *b, mg_diff *d, mg_error *err);
MG_API void mg_diff_free(mg_diff *d);

/* ---- .NET assemblies and JIT-hook packers (src/dotnet/) ----
 * ECMA-335 metadata read from a PE's CLI header.  A JIT-hook packer keeps
 * each method's IL in an embedded resource named after the method's token
 * ("06000002"), overwrites the code in the body with 0x87, lets identical
 * stubs share one body, and installs a hook on the JIT's compileMethod from
 * the module initializer (P/Invoke of getJit). */
typedef struct mg_dotnet_info {
    bool is_dotnet;            /* a PE with a CLI header (even when the rest is damaged) */
    unsigned bits;             /* 32 (PE32) or 64 (PE32+) */
    char runtime_version[64];  /* metadata root version string, e.g. "v4.0.30319" */
    uint16_t cli_major, cli_minor;
    uint32_t cli_flags;
    uint32_t entry_point;      /* token */
    uint32_t types, methods, resources; /* TypeDef, MethodDef, ManifestResource rows */
    /* JIT-hook packer evidence */
    bool jit_packed;           /* IL resources and stubbed bodies */
    uint32_t il_resources;     /* methods with an embedded resource named after their token */
    uint32_t stubbed;          /* ... whose code is that IL overwritten with 0x87 */
    uint32_t intact;           /* ... whose code already equals it */
    uint32_t mismatched;       /* ... whose code differs otherwise, or cannot be read */
    uint32_t shared_bodies;    /* bodies used by more than one method */
    uint32_t shared_methods;   /* methods on those bodies */
    bool module_initializer;   /* <Module>::.cctor exists */
    uint32_t getjit_pinvokes;  /* P/Invokes importing getJit */
    char getjit_module[64];    /* the DLL of the first, e.g. "clrjit.dll" */
    /* .NET Reactor (NecroBit) evidence */
    bool reactor;              /* stubs, an injected initializer and its private resource */
    uint32_t reactor_stubs;    /* bodies whose code is nop; nop; [ldc.i4.0|ldnull|nop]; ret */
    uint32_t reactor_init;     /* token of the initializer <Module>::.cctor calls */
    uint32_t reactor_injected; /* type initializers whose first call is that initializer */
    char reactor_resource[128]; /* its private resource */
    uint32_t reactor_resource_size;
} mg_dotnet_info;

/* MG_ERR_UNSUPPORTED "not a .NET assembly (...)" for other files (out is
 * still filled: is_dotnet false); MG_ERR_MALFORMED when the metadata is
 * damaged (is_dotnet true). */
MG_API mg_status mg_dotnet_inspect(const char *path, mg_dotnet_info *out, mg_error *err);
MG_API mg_status mg_dotnet_inspect_mem(const void *data, size_t size, mg_dotnet_info *out, mg_error *err);

#define MG_JIT_STRIP 0x01u /* drop the IL resources from the output */

typedef enum mg_jit_init {
    MG_JIT_INIT_NONE = 0,     /* no module initializer */
    MG_JIT_INIT_CALLS_NOPPED, /* its calls of the hook became nops */
    MG_JIT_INIT_REPLACED,     /* its body became a lone `ret` */
    MG_JIT_INIT_KEPT          /* restored from its IL resource; no hook call in it */
} mg_jit_init;

typedef struct mg_jit_report {
    uint32_t restored;        /* bodies whose IL was written back */
    uint32_t intact;          /* methods whose code already was their IL */
    uint32_t split_methods;   /* methods given their own copy of a shared body */
    uint32_t split_bodies;    /* shared bodies that were split */
    char section[9];          /* name of the added section, "" when none */
    uint32_t section_rva, section_size;
    uint32_t headers_grown;   /* bytes the sections' file data moved to make room for its header */
    mg_jit_init init;
    uint32_t init_calls;      /* hook calls turned into nops */
    uint32_t stripped;        /* resources dropped (MG_JIT_STRIP) */
    bool signature_dropped;   /* an Authenticode directory was cleared */
    bool reactor;             /* .NET Reactor (NecroBit): bodies from the emulated initializer */
    uint32_t nag_calls;       /* .NET Reactor: calls of the "unregistered version" nag nopped */
} mg_jit_report;

/* Restore a JIT-hook packed assembly without running it: every packed
 * method gets its IL back (methods sharing a body first get their own copy
 * in a new section), the module initializer no longer installs the hook,
 * and with MG_JIT_STRIP the IL resources are dropped.  On success *out
 * (free with mg_dotnet_free) holds the new file.  A file that is not
 * JIT-hook packed gives MG_ERR_UNSUPPORTED "not JIT-hook packed (...)". */
MG_API mg_status mg_dotnet_jit_unpack(const void *data, size_t size, unsigned flags, void **out,
                                      size_t *out_size, mg_jit_report *rep, mg_error *err);
MG_API void mg_dotnet_free(void *p);
/* The methods mg_dotnet_jit_unpack restores (JIT-hook packers; .NET
 * Reactor's bodies come from its emulated initializer and are not listed):
 * *out holds *n entries in MethodDef order; free it with mg_dotnet_free. */
typedef struct mg_jit_method_info {
    uint32_t token;      /* 0x06000000 | MethodDef row */
    uint32_t rva;        /* of the method's body */
    uint32_t il_size;    /* bytes of IL written back */
    uint32_t code_size;  /* the body's code size in the input */
    char name[160];      /* "Namespace.Type::Method" as the #Strings heap has it (any bytes) */
} mg_jit_method_info;
MG_API mg_status mg_dotnet_jit_methods(const void *data, size_t size, mg_jit_method_info **out, size_t *n,
                                       mg_error *err);

/* Unpack a UPX-packed ELF or PE statically (docs/upx.md): on MG_OK *out
 * (free with mg_unpack_free) holds the unpacked executable, byte for byte
 * the original where UPX's stored headers allow it.  A file that is not
 * UPX-packed gives MG_ERR_UNSUPPORTED "not UPX-packed"; a damaged one an
 * error "UPX-packed (METHOD): why".  info may be NULL. */
MG_API mg_status mg_unpack_mem(const void *data, size_t size, void **out, size_t *out_size,
                               mg_packer_info *info, mg_error *err);
MG_API void mg_unpack_free(void *p);

/* ---- runtime types, itabs, build ID, moduledata (src/go/types*.c) ----
 * The Go runtime's type descriptors of one image, read from moduledata's
 * [types, etypes) section (every descriptor that validates there, plus every
 * one reached from the typelinks, the itabs and other descriptors), sorted
 * by address.  Every string is NUL-terminated and owned by the mg_types;
 * type references are descriptor addresses (0: none; mg_types_find gives
 * the index).  Library-owned like mg_image: new fields only appended. */
typedef struct mg_type_field {
    const char *name;
    const char *tag;       /* "" when none */
    uint64_t type;         /* descriptor address */
    uint64_t offset;
    bool embedded;
} mg_type_field;

typedef struct mg_type_method {
    const char *name;
    uint64_t type;         /* the func type's descriptor (0 when the linker dropped it) */
    bool exported;
} mg_type_method;

typedef struct mg_gotype {
    uint64_t address;
    unsigned kind;         /* reflect.Kind numbering; mg_type_kind_name */
    unsigned tflag;
    const char *name;      /* as reflect.Type.String() */
    const char *pkg_path;  /* named types: the import path, else "" */
    uint64_t size;
    bool named;
    uint64_t elem, key;    /* array, chan, map, pointer, slice (0: none) */
    uint64_t len;          /* array length; chan direction (1 recv, 2 send, 3 both) */
    mg_type_field *fields;
    size_t nfields;
    mg_type_method *methods;   /* named types' methods */
    size_t nmethods;
    mg_type_method *imethods;  /* interface methods */
    size_t nimethods;
    uint64_t *params;      /* func: in then out types */
    size_t nin, nout;
    bool variadic;
} mg_gotype;

typedef struct mg_itab {
    uint64_t address;
    uint64_t iface, type;  /* descriptor addresses */
} mg_itab;

typedef struct mg_types {
    size_t struct_size;
    mg_gotype *types;      /* ascending address */
    size_t ntypes;
    mg_itab *itabs;        /* itablinks order */
    size_t nitabs;
    const char *build_id;  /* "" when absent */
    bool moduledata_found;
    uint64_t moduledata;   /* its address */
    uint64_t text, etext, types_start, types_end, pclntab;
    uint64_t ntypelinks, nitablinks;
    bool partial;          /* a cap was hit: lists are incomplete */
    char warning[200];     /* why partial or why no types, "" when none */
    /* new fields: append here */
} mg_types;

/* Types of image i of f (a Go image).  MG_ERR_NOT_GO for other images;
 * an image whose moduledata cannot be found gives MG_OK with no types and
 * a warning.  Free with mg_types_free. */
MG_API mg_status mg_file_types(const mg_file *f, size_t i, mg_types **out, mg_error *err);
/* The same with flags: MG_TYPES_NO_WALK fills only the build ID and the
 * moduledata fields (no descriptors, no itabs). */
#define MG_TYPES_NO_WALK 0x1u
MG_API mg_status mg_file_types_ex(const mg_file *f, size_t i, unsigned flags, mg_types **out, mg_error *err);
MG_API void mg_types_free(mg_types *t);
/* index of the descriptor at addr, or -1 */
MG_API long mg_types_find(const mg_types *t, uint64_t addr);
/* "struct", "ptr", ... as reflect.Kind.String(); "invalid" out of range */
MG_API const char *mg_type_kind_name(unsigned kind);
/* The Go build ID (as `go tool buildid` prints it) of image i into out
 * (at most outsz bytes, NUL-terminated); false when there is none. */
MG_API bool mg_file_build_id(const mg_file *f, size_t i, char *out, size_t outsz);

#ifdef __cplusplus
}
#endif
#endif
