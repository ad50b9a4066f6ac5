/* scan_targets.c - the targets of `malgopher scan` and the threads that scan
 * them.  As the yara command: a directory is scanned for its regular files
 * (its subdirectories too with -r; symbolic links followed), a PATH that is
 * not a directory is scanned as a file (or as a process when it cannot be
 * opened and is all digits).  An error on a file found in a directory is
 * reported and does not change the exit status; an error on a file named on
 * the command line makes it 1.  All targets share -p threads and the -a
 * deadline.  Directory entries are visited in sorted order, so with -p 1 the
 * output order is reproducible.  -N skips the symbolic links found in
 * directories, -z the files there larger than its size; --scan-list reads
 * the targets from files, one a line. */
#include "scan/scan.h"
#include "common/cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct job {
    char *path;
    bool named; /* named on the command line, not found in a directory */
} job;

typedef struct run {
    YR_RULES *rules;
    const scan_opts *o;
    job *jobs;
    size_t njobs, cap, next;
    bool bare_count; /* one file target: -c prints just the number */
    time_t deadline;
    pthread_mutex_t lock;
    int failed;      /* a named file could not be scanned */
} run;

static bool add_job(run *r, const char *path, bool named)
{
    if (r->njobs == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        job *j = realloc(r->jobs, cap * sizeof *j);
        if (!j)
            return false;
        r->jobs = j;
        r->cap = cap;
    }
    if (!(r->jobs[r->njobs].path = strdup(path)))
        return false;
    r->jobs[r->njobs++].named = named;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the directories being walked, to stop at a symbolic link loop */
typedef struct dir_stack {
    dev_t dev;
    ino_t ino;
    const struct dir_stack *up;
} dir_stack;

static bool on_stack(const dir_stack *s, const struct stat *st)
{
    for (; s; s = s->up)
        if (s->dev == st->st_dev && s->ino == st->st_ino)
            return true;
    return false;
}

static bool walk_dir(run *r, const char *dir, const dir_stack *up)
{
    struct stat st;
    if (stat(dir, &st) != 0 || on_stack(up, &st))
        return true;
    dir_stack here = {st.st_dev, st.st_ino, up};
    DIR *dp = opendir(dir);
    if (!dp)
        return true; /* yara skips an unreadable directory silently */
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    for (struct dirent *de; ok && (de = readdir(dp));) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **v = realloc(names, cap * sizeof *v);
            ok = v != NULL;
            if (ok)
                names = v;
        }
        if (ok) {
            names[n] = strdup(de->d_name);
            ok = names[n] != NULL;
            n += ok;
        }
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *full = malloc(len);
        ok = ok && full;
        if (ok) {
            snprintf(full, len, "%s/%s", dir, names[i]);
            char target[2];
            bool dot_link = lstat(full, &st) == 0 && S_ISLNK(st.st_mode) &&
                            readlink(full, target, sizeof target) == 1 && target[0] == '.';
            bool skip_link = r->o->no_follow && S_ISLNK(st.st_mode); /* -N */
            if (!dot_link && !skip_link && stat(full, &st) == 0) {
                if (S_ISREG(st.st_mode) && r->o->skip_larger > 0 && st.st_size > r->o->skip_larger)
                    text_line(stderr, "skipping %s (%lld bytes) because it's larger than %ld bytes.",
                            full, (long long)st.st_size, r->o->skip_larger); /* -z */
                else if (S_ISREG(st.st_mode))
                    ok = add_job(r, full, false);
                else if (S_ISDIR(st.st_mode) && r->o->recursive && strcmp(names[i], ".") &&
                         strcmp(names[i], ".."))
                    ok = walk_dir(r, full, &here);
            }
        }
        free(full);
        free(names[i]);
    }
    free(names);
    return ok;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int scan_path(YR_SCANNER *sc, const job *j)
{
    int fd = open(j->path, O_RDONLY);
    if (fd < 0) {
        long pid = atol(j->path);
        if (j->named && all_digits(j->path) && pid > 0)
            return yr_scanner_scan_proc(sc, (int)pid);
        return ERROR_COULD_NOT_OPEN_FILE;
    }
    int res = yr_scanner_scan_fd(sc, fd);
    close(fd);
    return res;
}

static void *worker(void *arg)
{
    run *r = arg;
    YR_SCANNER *sc;
    scan_target t = {NULL, 0};
    if (yr_scanner_create(r->rules, &sc) != ERROR_SUCCESS) {
        pthread_mutex_lock(&r->lock);
        r->failed = 1;
        pthread_mutex_unlock(&r->lock);
        return NULL;
    }
    yr_scanner_set_callback(sc, scan_callback, &t);
    for (;;) {
        pthread_mutex_lock(&r->lock);
        const job *j = r->next < r->njobs ? &r->jobs[r->next++] : NULL;
        pthread_mutex_unlock(&r->lock);
        time_t now = time(NULL);
        if (!j || now >= r->deadline)
            break;
        t.path = j->path;
        t.count = 0;
        yr_scanner_set_timeout(sc, (int)(r->deadline - now));
        int res = scan_path(sc, j);
        if (!j->named || res == ERROR_SUCCESS) {
            if (r->o->count_only) {
                scan_lock();
                if (r->bare_count)
                    printf("%d\n", t.count);
                else
                    text_line(stdout, "%s: %d", j->path, t.count);
                scan_unlock();
            }
        }
        if (res != ERROR_SUCCESS) {
            scan_print_error(sc, j->path, res);
            if (j->named) {
                pthread_mutex_lock(&r->lock);
                r->failed = 1;
                pthread_mutex_unlock(&r->lock);
            }
        }
    }
    yr_scanner_destroy(sc);
    return NULL;
}

/* --scan-list: every line of the file is a target, as a file found in a
 * directory is (errors reported, status unchanged); a directory line is
 * walked.  false on a list that cannot be read (status 1, yara's message). */
static bool add_list(run *r, const char *list, bool *nomem)
{
    FILE *fh = fopen(list, "r");
    if (!fh) {
        text_line(stderr, "error: could not open file \"%s\".", list);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!*nomem && (len = getline(&line, &cap, fh)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        struct stat st;
        if (stat(line, &st) == 0 && S_ISDIR(st.st_mode))
            *nomem = !walk_dir(r, line, NULL);
        else
            *nomem = !add_job(r, line, false);
    }
    free(line);
    fclose(fh);
    return true;
}

int scan_run(YR_RULES *rules, const scan_opts *o, char **paths, int npaths)
{
    run r = {.rules = rules, .o = o, .deadline = time(NULL) + o->timeout};
    pthread_mutex_init(&r.lock, NULL);
    int status = 0;
    bool any_dir = false;
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        bool ok;
        if (o->scan_list) {
            bool nomem = false;
            if (!add_list(&r, paths[i], &nomem))
                status = 1;
            ok = !nomem;
            any_dir = true; /* -c prints PATH: N for listed files */
        } else if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            any_dir = true;
            ok = walk_dir(&r, paths[i], NULL);
        } else {
            ok = add_job(&r, paths[i], true);
        }
        if (!ok) {
            scan_print_yr_error(ERROR_INSUFFICIENT_MEMORY);
            status = 1;
            break;
        }
    }
    r.bare_count = npaths == 1 && !any_dir;
    size_t nthreads = (size_t)o->threads;
    if (nthreads > r.njobs)
        nthreads = r.njobs ? r.njobs : 1;
    if (status == 0) {
        pthread_t tid[YR_MAX_THREADS];
        size_t started = 0;
        for (; started < nthreads; started++)
            if (pthread_create(&tid[started], NULL, worker, &r) != 0)
                break;
        if (started == 0)
            worker(&r);
        for (size_t k = 0; k < started; k++)
            pthread_join(tid[k], NULL);
        status = r.failed;
    }
    for (size_t k = 0; k < r.njobs; k++)
        free(r.jobs[k].path);
    free(r.jobs);
    pthread_mutex_destroy(&r.lock);
    out_flush(stdout);
    return status;
}
