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

/* "malgopher: PATH: reason" on stderr */
void report_error(const char *path, const char *reason);
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
/* the same with a progress line ("what: done/total files") on a terminal */
size_t walk_paths_progress(char **paths, int n, bool recursive, file_fn fn, void *ctx, const char *what);
/* the files walk_paths names, collected (a file_fn: ctx is the list) */
typedef struct pathlist {
    char **v;
    size_t n, cap;
} pathlist;
bool pathlist_add(const char *path, void *ctx);

/* label for image i of a file: "" for thin files, ":arm64" style for slices */
const char *slice_suffix(const mg_file *f, size_t i, char *buf, size_t bufsz);

#endif
