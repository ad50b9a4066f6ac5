/* cli.h - shared declarations of the malgopher command-line front end. */
#ifndef MG_CLI_H
#define MG_CLI_H

#include "malgopher.h"

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
int cmd_scan(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_db(int argc, char **argv); /* cli/db/ */
int cmd_diff(int argc, char **argv);
int cmd_types(int argc, char **argv);

/* families: default similarity threshold of cluster/eval/match (chosen from
 * the sweep over the corpus, see BENCHMARKS.md) */
#define MG_DEFAULT_THRESHOLD 66
/* gimpset (--measure set): chosen on the visible corpus (README "gimpset") */
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

/* info_dotnet.c: the .NET lines of `info` (nothing for other files) and
 * the JSON "dotnet" member (null unless pe and .NET) */
void text_dotnet(const char *path);
void json_dotnet(const char *path, bool pe);
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
/* CSV field, quoted when needed */
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

/* file_id.c: the file as the world knows it */
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
bool file_identity(const char *path, file_id *id, const char **why);

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

/* open path for one record of info/hash: its file_id first when want_id
 * (JSON, CSV), then the file; false after an error line on err */
bool open_record(const char *path, bool want_id, file_id *id, mg_file **f, FILE *err);

/* grow.c: v with room for element n (*cap elements of elem bytes, doubled
 * when full), or NULL when out of memory (v is then still valid) */
void *grow_array(void *v, size_t n, size_t *cap, size_t elem);

/* label for image i of a file: "" for thin files, ":arm64" style for slices */
const char *slice_suffix(const mg_file *f, size_t i, char *buf, size_t bufsz);

#endif
