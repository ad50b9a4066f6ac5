/* cli.h - shared declarations of the malgopher command-line front end. */
#ifndef MG_CLI_H
#define MG_CLI_H

#include "malgopher.h"
#include "io/map.h"

#include <stdbool.h>
#include <stdio.h>

/* exit codes, shared by every subcommand */
enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

typedef enum { OUT_TEXT, OUT_JSON, OUT_CSV } out_format;

/* subcommands: argc/argv start at the subcommand name */
int cmd_info(int argc, char **argv);
int cmd_funcs(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_jit_unpack(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_db(int argc, char **argv); /* cli/db/ */
int cmd_diff(int argc, char **argv);
int cmd_types(int argc, char **argv);
int cmd_known(int argc, char **argv); /* cli/known/ */

/* families: default similarity threshold of cluster/eval/match (chosen from
 * the sweep over the corpus, see BENCHMARKS.md) */
#define MG_DEFAULT_THRESHOLD 66
/* gimpset (--measure set): chosen on the visible corpus (docs/spec/gimpset.md "Evaluation") */
#define MG_DEFAULT_THRESHOLD_SET 35
#define MG_DEFAULT_MEASURE MEASURE_SET

/* progress.c: "what: done/total files, rate, ETA" on stderr, only when
 * stderr is a terminal (NULL then; every call accepts NULL).  Thread-safe. */
typedef struct progress progress;
progress *progress_new(const char *what, size_t total);
void progress_tick(progress *p);
/* erase the line before output goes to the same terminal */
void progress_pause(progress *p);
void progress_done(progress *p);
/* erase the line (stdout a terminal or not) before an error goes to stderr:
 * progress_clear(p), or the line of whichever progress is running */
void progress_clear(progress *p);
void progress_clear_active(void);

/* info_dotnet.c: the .NET lines of `info` (nothing for other files) and
 * the JSON "dotnet" member (null unless pe and .NET), of the file's bytes
 * data[0..size), into o */
void text_dotnet(FILE *o, const void *data, size_t size);
void json_dotnet(FILE *o, const void *data, size_t size, bool pe);
/* info_packer.c: the `packer:` line of `info` and the JSON "packer"
 * member (null when the file was not packed) */
void text_packer(FILE *o, const mg_image *im);
void json_packer(FILE *o, const mg_image *im);
/* info_types.c: "build_id", "moduledata", "function_table" of image i */
void json_info_types(FILE *o, const mg_file *f, size_t i);

/* "malgopher: PATH: reason" on stderr (or o), escaped as text_line does */
void report_error(const char *path, const char *reason);
void report_error_to(FILE *o, const char *path, const char *reason);
/* "malgopher: reason" on stderr, for a failure that belongs to no file */
void report_problem(const char *reason);

/* Text output escapes what comes from a file or the file system as sha256sum
 * escapes file names: a line holding a backslash, a control character (C0,
 * DEL, C1, so ESC, CR, newline) or invalid UTF-8 is printed with a leading
 * backslash, and those bytes as \\, \n, \r, \t or \xHH.  Our own text
 * holds none of them, so escaping the whole line escapes exactly its fields. */
bool text_needs_escape(const char *s, size_t n);
void text_escaped(FILE *o, const char *s, size_t n);
/* one line (newline added), escaped when it needs it */
void text_line(FILE *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_line_n(FILE *o, const char *s, size_t n);
/* usage error: message + hint, returns EXIT_USAGE */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* true when arg is -h or --help */
bool is_help(const char *arg);

/* JSON string literal (with quotes) of s[0..n); invalid UTF-8 becomes U+FFFD */
void json_str(FILE *o, const char *s, size_t n);
static inline void json_cstr(FILE *o, const char *s) { json_str(o, s, __builtin_strlen(s)); }
/* CSV field, quoted when needed; a cell that would start a formula (= + - @
 * tab CR first) gets a ' before it */
void csv_field(FILE *o, const char *s);

/* Call fn for each regular file named by paths (directories expanded when
 * recursive).  fn returns false to count a failure.  Returns the number of
 * failures (unreadable directories count too). */
typedef bool (*file_fn)(const char *path, void *ctx);
size_t walk_paths(char **paths, int n, bool recursive, file_fn fn, void *ctx);
/* file_jobs.c: fn over every file walk_paths names, with jobs threads and a
 * progress line ("what: done/total files") on a terminal.  fn writes the
 * file's output to out and its error lines to err; they are printed in
 * input order whatever the threads.  Returns the failures. */
typedef bool (*file_out_fn)(const char *path, void *ctx, FILE *out, FILE *err);
size_t run_files(char **paths, int n, bool recursive, unsigned jobs, file_out_fn fn, void *ctx,
                 const char *what);
/* the files walk_paths names, collected (a file_fn: ctx is the list) */
typedef struct pathlist {
    char **v;
    size_t n, cap;
} pathlist;
bool pathlist_add(const char *path, void *ctx);
/* the operands as named on the command line (not found by a walk): -q
 * forgives a non-Go file found in a directory, never one named */
typedef struct named_paths {
    char **v; /* sorted, pointing into the operands */
    size_t n;
} named_paths;
bool named_paths_init(named_paths *np, char **args, int n);
bool named_paths_has(const named_paths *np, const char *path);
void named_paths_free(named_paths *np);

/* file_id.c: reading a sample, once, and the file as the world knows it */
struct stat;
/* open path for reading without blocking (a FIFO is refused, not waited
 * on); -1 with *why = "not a regular file", "is a directory (use -r)" or
 * strerror */
int open_regular(const char *path, struct stat *st, const char **why);
/* NULL when path is a regular file (following links), else the reason */
const char *regular_file_problem(const char *path);
typedef struct file_id {
    char sha256[65];         /* lower-case hex, as sha256sum prints it */
    unsigned long long size; /* bytes, as stat gives it */
} file_id;
/* map path read-only (open_regular, then src/io/map.c): the one way the CLI
 * reads a file's bytes; false with *why set ("empty file", ...) */
bool sample_map(const char *path, mg_map *m, const char **why);
/* the sha256 and size of data[0..size) */
bool bytes_identity(const void *data, size_t size, file_id *id);
/* sample_map + bytes_identity, for a file whose analysis is not wanted */
bool path_identity(const char *path, file_id *id, const char **why);
/* one file read once: its mapping, its identity and its analysis */
typedef struct sample_file {
    mg_map map;  /* the bytes; f and everything it gives point into them */
    file_id id;  /* filled when asked (want_id) */
    mg_file *f;  /* mg_file_open_mem_limits(map, opts) */
} sample_file;
/* map path, take its identity (when want_id) and analyse it with opts;
 * false after an error line on err (s is then closed) */
bool sample_file_open(const char *path, unsigned opts, bool want_id, sample_file *s, FILE *err);
void sample_file_close(sample_file *s);

/* sample_open.c: what a sample argument names */
/* an ssdeep digest (BLOCKSIZE:SIG1:SIG2) that libfuzzy accepts */
bool is_ssdeep_digest(const char *arg);
/* a gimpset digest (gs1:K:BASE64) that mg_gimpset_decode accepts */
bool is_gimpset_digest(const char *arg);
/* arg names an existing file (FILE, or FILE:ARCH whose FILE exists) */
bool sample_exists(const char *arg);
/* open the Go image arg names (FILE: its first; FILE:ARCH: that slice):
 * *f open (mg_file_open_ex opts), *img its index; false with *why set */
bool open_sample(const char *arg, unsigned opts, mg_file **f, size_t *img, const char **why);

/* grow.c: v with room for element n (*cap elements of elem bytes, doubled
 * when full), or NULL when out of memory (v is then still valid) */
void *grow_array(void *v, size_t n, size_t *cap, size_t elem);

/* atomic_out.c: an output file the analyst named (jit-unpack -o, --html),
 * written whole or not at all.  why OUT may not be written (NULL: it may):
 * a symbolic link, anything but a regular file, or read-only without force */
const char *atomic_out_problem(const char *path, bool force);
/* the same for the OUT of a command that reads IN (jit-unpack, unpack):
 * also refused when it is IN itself (the same inode) */
const char *atomic_out_problem_for(const char *in, const char *out, bool force);
/* the first steps of an "IN -o OUT" command (unpack, jit-unpack): OUT
 * checked against IN, then IN mapped once and no larger than max_in; on a
 * failure the one-line error is reported, *status set (usage or failure)
 * and false returned, with nothing left mapped */
bool in_out_begin(const char *in, const char *out, bool force, size_t max_in, mg_map *m, int *status);
/* its last step: data written to OUT atomically, a failure reported */
bool in_out_write(const char *out, bool force, const void *data, size_t n);
typedef struct atomic_out {
    const char *path;
    bool force;
    FILE *f;     /* write the content here (kept in memory until commit) */
    char *buf;
    size_t len;
} atomic_out;
/* checks path (atomic_out_problem); false with *why set */
bool atomic_out_open(const char *path, bool force, atomic_out *ao, const char **why);
/* the content written beside the target, every write checked, synced and
 * renamed over it; false with *why (the target untouched, nothing left) */
bool atomic_out_commit(atomic_out *ao, const char **why);
/* the content dropped, the target untouched */
void atomic_out_abort(atomic_out *ao);
/* open + write data + commit in one call */
bool atomic_out_write(const char *path, bool force, const void *data, size_t n, const char **why);

/* Standard output's writes are checked once, at the end: out_flush(stdout)
 * where a command flushes (it keeps the first failure's reason), and
 * out_finish in main's exit path, which flushes and closes stdout and, when
 * any write failed, says "malgopher: write error: REASON" and turns a 0
 * status into 1. */
bool out_flush(FILE *o);
/* true when standard output has already failed (a long writer may stop) */
bool out_failed(void);
int out_finish(int status);

/* known_ref.c: the known-programs reference (docs/known.md) */
typedef struct mg_known mg_known;
typedef struct mg_known_hit mg_known_hit;
/* --no-known: the reference is never read */
void known_switch_off(void);
bool known_is_off(void);
/* where the reference is, told to the library (scan: the go.known field
 * reads it there, on first use) */
void known_setup(void);
/* the reference, read on first use (NULL: off, none, or it failed to load,
 * which is said once on standard error) */
const mg_known *known_ref(void);
/* the local reference's file (MALGOPHER_KNOWN_LOCAL, else
 * $XDG_DATA_HOME/malgopher/known.jsonl, else ~/.local/share/...) */
bool known_local_path(char *out, size_t cap);
/* the programs image im is (0, 1 or 2 hits: a runner-up close to the
 * first); sha256 may be NULL */
int known_lookup(const mg_image *im, const char *sha256, mg_known_hit *out);
/* the same from a sample's digests, identity (mg_known_identity; "" or NULL: none) and the
 * names its gimpset stands on (-1: not known) */
int known_lookup_digests(const char *gimphash, const char *gimpset, const char *module, long names,
                         mg_known_hit *out);
/* "rclone (debian:bookworm rclone 1.60.1, gimpset 93)", " or " between two */
void known_text(const mg_known_hit *h, int n, char *out, size_t cap);
/* the JSON value: null, or {"name",...,"score","measure"} with the
 * runner-up in "also" */
void known_json(FILE *o, const mg_known_hit *h, int n);

/* label for image i of a file: "" for thin files, ":arm64" style for slices */
const char *slice_suffix(const mg_file *f, size_t i, char *buf, size_t bufsz);

#endif
