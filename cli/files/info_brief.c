/* info_brief.c - owns the analyst's first glance of `malgopher info`: the
 * kind of a file (Go, Go/UPX, .NET, not Go), its identity (module@version
 * from the build info, else the program's own package prefix inferred from
 * its packages), the one-line-per-file `--brief` view and the shortening
 * of long digests in the default text view. */
#include "files/files.h"
#include "known/known.h"

#include <stdlib.h>
#include <string.h>

/* the brief view's columns: kind, os/arch, Go version, known program,
 * identity (last: padded to W_IDENT_PAD, a longer one pushes the path and
 * is cut at W_IDENT), then the path: at most 10+15+10+16+96+5 = 152
 * columns before the path */
enum { W_KIND = 10, W_OSARCH = 15, W_GO = 10, W_KNOWN = 16, W_IDENT_PAD = 44, W_IDENT = 96 };

void info_kind(const mg_image *im, const mg_dotnet_info *d, char *out, size_t cap)
{
    const char *base = im->is_go ? "Go" : d && d->is_dotnet ? ".NET" : im->packer.name[0] ? "packed" : "not Go";
    if (im->packer.name[0])
        snprintf(out, cap, "%s/%s", base, im->packer.name);
    else if (d && d->is_dotnet && (d->jit_packed || d->reactor))
        snprintf(out, cap, ".NET/%s", d->reactor ? "Reactor" : "JIT");
    else
        snprintf(out, cap, "%s", base);
}

void info_identity(const mg_image *im, char *out, size_t cap)
{
    const mg_module *m = &im->buildinfo.main;
    if (cap)
        out[0] = 0;
    if (!im->is_go || !cap)
        return;
    if (im->buildinfo.present && m->path[0]) {
        snprintf(out, cap, "%s@%s", m->path, m->version[0] ? m->version : "?");
        return;
    }
    char raw[512];
    size_t n = mg_image_own_prefix(im, raw, sizeof raw);
    if (n)
        mg_package_unescape(raw, n, out, cap);
    else if (im->nfuncs)
        snprintf(out, cap, "main");
}

/* s cut to at most w display columns: the first w - 1 and an ellipsis,
 * cut at a UTF-8 character boundary */
static void fit(char *s, size_t w)
{
    size_t cols = 0, i = 0, cut = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (cols == w - 1)
                cut = i;
            cols++;
        }
    if (cols > w)
        strcpy(s + cut, "\u2026");
}

void info_brief_line(FILE *o, const char *path, const mg_image *im, size_t slices, const void *data,
                     size_t size)
{
    mg_dotnet_info d = {0};
    mg_error e;
    if (im->container == MG_CONT_PE && !im->is_go)
        (void)mg_dotnet_inspect_mem(data, size, &d, &e); /* is_dotnet is set even when damaged */
    char kind[32], osarch[64], ver[64], ident[W_IDENT * 4 + 4];
    info_kind(im, &d, kind, sizeof kind);
    snprintf(osarch, sizeof osarch, "%s/%s", im->os[0] ? im->os : "?", im->arch[0] ? im->arch : "?");
    if (im->container == MG_CONT_RAW && !im->is_go)
        snprintf(osarch, sizeof osarch, "-");
    snprintf(ver, sizeof ver, "%s",
             im->is_go ? (im->go_version[0] ? im->go_version : "?") : d.is_dotnet && d.runtime_version[0] ? d.runtime_version : "-");
    info_identity(im, ident, sizeof ident);
    if (!ident[0])
        strcpy(ident, "-");
    char known[W_KNOWN * 4 + 4] = "-";
    mg_known_hit kh[2];
    int nk = known_lookup(im, NULL, kh);
    if (nk)
        snprintf(known, sizeof known, "%s%s", kh[0].rec->name, nk > 1 ? "?" : "");
    fit(known, W_KNOWN);
    fit(osarch, W_OSARCH);
    fit(ver, W_GO);
    fit(ident, W_IDENT);
    /* printf's widths count bytes: pad by display columns */
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (!m)
        return;
    const char *cols[] = {kind, osarch, ver, known, ident};
    const size_t widths[] = {W_KIND, W_OSARCH, W_GO, W_KNOWN, W_IDENT_PAD};
    for (size_t c = 0; c < 5; c++) {
        size_t w = 0;
        for (const char *p = cols[c]; *p; p++)
            w += ((unsigned char)*p & 0xC0) != 0x80;
        fputs(cols[c], m);
        do /* one blank at least */
            putc(' ', m);
        while (++w <= widths[c]);
    }
    fputs(path, m);
    if (slices > 1)
        fprintf(m, ":%s", im->arch[0] ? im->arch : "unknown");
    fclose(m);
    text_line_n(o, buf, n);
    free(buf);
}

const char *info_short_digest(const char *digest, bool full, char *buf, size_t cap)
{
    size_t n = strlen(digest);
    if (full || n <= 140) /* with its 16-column label, a line of at most 156 */
        return digest;
    snprintf(buf, cap, "%.40s\u2026 (%zu chars; --full)", digest, n);
    return buf;
}
