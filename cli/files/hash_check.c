/* hash_check.c - `malgopher hash -c FILE`, as `sha256sum -c`: read the
 * `GIMPHASH  GIMPFUZZY  PATH` lines that `hash` printed (a leading backslash
 * marks an escaped PATH), hash each PATH (or PATH:ARCH slice) again and say
 * `PATH: OK` or `PATH: FAILED`; the counts of mismatches, unreadable files
 * and malformed lines go to stderr. */
#include "files/files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* undo text_escaped in place; false on a bad escape */
static bool unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        switch (*++r) {
        case '\\': *w++ = '\\'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'x': {
            unsigned v;
            if (sscanf(r + 1, "%2x", &v) != 1 || !r[1] || !r[2] || !v)
                return false; /* \x00: no path holds a NUL */
            *w++ = (char)v;
            r += 2;
            break;
        }
        default: return false;
        }
    }
    *w = 0;
    return true;
}

/* split a `hash` line into its three fields; false when it is not one */
static bool parse_line(char *line, char **gh, char **gf, char **path)
{
    bool escaped = line[0] == '\\';
    char *p = line + escaped;
    if (strspn(p, "0123456789abcdef") != 64 || strncmp(p + 64, "  ", 2))
        return false;
    *gh = p;
    p[64] = 0;
    *gf = p + 66;
    char *sep = strstr(*gf, "  ");
    if (!sep || sep == *gf || !sep[2])
        return false;
    *sep = 0;
    *path = sep + 2;
    return !escaped || unescape(*path);
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int hash_check(const char *file, bool quiet)
{
    bool std = !strcmp(file, "-");
    FILE *in = std ? stdin : fopen(file, "r");
    if (!in) {
        report_error(file, strerror(errno));
        return EXIT_USAGE;
    }
    char *line = NULL;
    size_t cap = 0, good = 0, bad_lines = 0, mismatched = 0, unreadable = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        if (len && line[len - 1] == '\n')
            line[--len] = 0;
        char *gh, *gf, *path;
        /* a NUL would end the path early: checked as a shorter one */
        if (memchr(line, 0, (size_t)len) || !parse_line(line, &gh, &gf, &path)) {
            bad_lines++;
            continue;
        }
        good++;
        mg_file *f;
        size_t img;
        const char *why;
        /* only the two digests are compared: nothing else is computed */
        if (!open_sample(path, MG_OPT_NO_OBFUSCATION | MG_OPT_NO_ENTRIES | MG_OPT_NO_GIMPSET | MG_OPT_UNPACK_LAZY | MG_OPT_NO_STRIPPED |
                                   MG_OPT_NO_VERSION_SCAN,
                         &f, &img, &why)) {
            report_error(path, why);
            text_line(stdout, "%s: FAILED open or read", path);
            unreadable++;
            continue;
        }
        const mg_image *im = mg_file_image(f, img);
        bool same = !strcmp(im->gimphash, gh) && !strcmp(im->gimpfuzzy, gf);
        mg_file_close(f);
        if (!same)
            mismatched++;
        if (!same || !quiet)
            text_line(stdout, "%s: %s", path, same ? "OK" : "FAILED");
    }
    free(line);
    if (!std)
        fclose(in);
    out_flush(stdout);
    if (!good) {
        report_error(file, "no properly formatted `malgopher hash` lines found");
        return EXIT_USAGE;
    }
    char msg[160];
    if (bad_lines) {
        snprintf(msg, sizeof msg, "WARNING: %zu %s improperly formatted", bad_lines,
                 plural(bad_lines, "line is", "lines are"));
        report_problem(msg);
    }
    if (unreadable) {
        snprintf(msg, sizeof msg, "WARNING: %zu listed %s could not be read", unreadable,
                 plural(unreadable, "file", "files"));
        report_problem(msg);
    }
    if (mismatched) {
        snprintf(msg, sizeof msg, "WARNING: %zu computed %s did NOT match", mismatched,
                 plural(mismatched, "fingerprint", "fingerprints"));
        report_problem(msg);
    }
    return mismatched || unreadable ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
