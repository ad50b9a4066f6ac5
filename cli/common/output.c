/* output.c - output helpers shared by the subcommands: error lines, the
 * escaping of text lines (sha256sum's leading-backslash convention), JSON and
 * CSV escaping. */
#include "common/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void report_error_to(FILE *o, const char *path, const char *reason)
{
    if (o == stderr)
        progress_clear_active(); /* the error starts its own line */
    text_line(o, "malgopher: %s: %s", path, reason);
}

void report_error(const char *path, const char *reason)
{
    report_error_to(stderr, path, reason);
}

void report_problem(const char *reason)
{
    text_line(stderr, "malgopher: %s", reason);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "malgopher %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'malgopher %s --help'.\n", cmd);
    va_end(ap);
    return EXIT_USAGE;
}

bool is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* length of a valid UTF-8 sequence at s (n bytes left), 0 when invalid */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    size_t k;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf)
        k = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        k = 3;
        if (b == 0xe0) lo = 0xa0;
        if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        k = 4;
        if (b == 0xf0) lo = 0x90;
        if (b == 0xf4) hi = 0x8f;
    } else
        return 0;
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return k;
}

/* how many bytes of s[0..n) are printed as they are: valid UTF-8 with no
 * control character (C0, DEL, C1) and no backslash */
static size_t plain_len(const unsigned char *s, size_t n, size_t i)
{
    size_t k = 1;
    if (s[i] == '\\' || s[i] < 0x20 || s[i] == 0x7f)
        return 0;
    if (s[i] >= 0x80 && (!(k = utf8_len(s + i, n - i)) || (s[i] == 0xc2 && s[i + 1] < 0xa0)))
        return 0;
    return k;
}

bool text_needs_escape(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = plain_len(s, n, i)))
            return true;
    return false;
}

void text_escaped(FILE *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        size_t k = plain_len(s, n, i);
        if (k) {
            fwrite(s + i, 1, k, o);
            i += k;
            continue;
        }
        unsigned char c = s[i++];
        if (c == '\\')
            fputs("\\\\", o);
        else if (c == '\n')
            fputs("\\n", o);
        else if (c == '\r')
            fputs("\\r", o);
        else if (c == '\t')
            fputs("\\t", o);
        else
            fprintf(o, "\\x%02x", c);
    }
}

void text_line_n(FILE *o, const char *s, size_t n)
{
    if (text_needs_escape(s, n)) {
        putc('\\', o);
        text_escaped(o, s, n);
    } else
        fwrite(s, 1, n, o);
    putc('\n', o);
}

void text_line(FILE *o, const char *fmt, ...)
{
    char small[1024], *buf = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof small) {
        if (!(buf = malloc((size_t)n + 1)))
            return;
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    text_line_n(o, buf, (size_t)n);
    if (buf != small)
        free(buf);
}

void json_str(FILE *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    putc('"', o);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t run = 0; /* printable ASCII needs no escape: one fwrite a run */
        while (i + run < n && s[i + run] >= 0x20 && s[i + run] < 0x7f && s[i + run] != '"' &&
               s[i + run] != '\\')
            run++;
        if (run) {
            fwrite(s + i, 1, run, o);
            i += run;
        } else if (c == '"' || c == '\\') {
            putc('\\', o);
            putc(c, o);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(o, "\\u%04x", c);
            i++;
        } else {
            size_t k = utf8_len(s + i, n - i);
            if (k) {
                fwrite(s + i, 1, k, o);
                i += k;
            } else {
                fputs("\\ufffd", o);
                i++;
            }
        }
    }
    putc('"', o);
}

/* A cell that begins with = + - @ (or a tab or CR) would be a formula in a
 * spreadsheet: it gets the usual ' before it (OWASP's CSV injection rule).
 * None of our own cells (numbers, digests, yes/no) starts so. */
void csv_field(FILE *o, const char *s)
{
    bool formula = *s && strchr("=+-@\t\r", *s);
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    if (quote)
        putc('"', o);
    if (formula)
        putc('\'', o);
    for (; *s; s++) {
        if (quote && *s == '"')
            putc('"', o);
        putc(*s, o);
    }
    if (quote)
        putc('"', o);
}

const char *slice_suffix(const mg_file *f, size_t i, char *buf, size_t bufsz)
{
    if (mg_file_image_count(f) <= 1)
        return "";
    const mg_image *im = mg_file_image(f, i);
    snprintf(buf, bufsz, ":%s", im->arch[0] ? im->arch : "unknown");
    return buf;
}

/* the reason of the first failed flush of standard output (0: none seen) */
static int out_errno;

bool out_flush(FILE *o)
{
    errno = 0;
    if (fflush(o) == 0 && !ferror(o))
        return true;
    if (o == stdout && !out_errno)
        out_errno = errno;
    return false;
}

bool out_failed(void)
{
    return ferror(stdout) || out_errno;
}

int out_finish(int status)
{
    bool bad = !out_flush(stdout) || out_errno;
    errno = 0;
    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        out_errno = errno;
    }
    if (!bad)
        return status;
    if (out_errno)
        fprintf(stderr, "malgopher: write error: %s\n", strerror(out_errno));
    else
        fputs("malgopher: write error\n", stderr);
    return status ? status : EXIT_SOME_FAILED;
}
