/* buildinfo.c - the "\xff Go buildinf:" blob (Go 1.13+): Go version and
 * module information, in both the inline (1.18+) and the pointer format.
 *
 * Header (32 bytes): 14-byte magic, pointer size, flags (bit 0 big-endian,
 * bit 1 strings inline).  Inline: two uvarint-prefixed strings follow the
 * header.  Pointer format: two pointers to Go string headers (ptr, len).
 * The module text is wrapped in 16-byte sentinels and holds lines
 * path / mod / dep / => / build, tab-separated.
 */
#include "go/buildinfo.h"

#include <stdlib.h>
#include <string.h>

#define BI_MAGIC "\xff Go buildinf:"
#define BI_MAGIC_LEN 14u
#define BI_MAX_VERSION 256u

/* a build info magic with room for its 32-byte header: stop there */
static bool header_hit(const mg_img *img, const mg_section *s, uint64_t at, void *ctx)
{
    (void)img;
    if (s->off + s->filesz - at < 32)
        return false;
    *(uint64_t *)ctx = at;
    return true;
}

static bool find_magic(const mg_img *img, uint64_t *at)
{
    static const char *const hints[] = {".go.buildinfo", "__DATA,__go_buildinfo"};
    for (size_t i = 0; i < sizeof hints / sizeof *hints; i++) {
        const mg_section *s = mg_img_section(img, hints[i]);
        const uint8_t *b;
        if (s && s->filesz && mg_rd_bytes(&img->r, s->off, 32, &b) &&
            memcmp(b, BI_MAGIC, BI_MAGIC_LEN) == 0) {
            *at = s->off;
            return true;
        }
    }
    /* scan writable data first, then read-only data, then code (the blob is
     * data: code is searched last, and a lazily unpacked program decodes
     * it only when the blob is nowhere else).  An ELF's blob is writable
     * data only: Go's linker puts .go.buildinfo among the writable
     * sections of the data segment (every corpus ELF with the section,
     * Go 1.16-1.19, has it there), so a renamed or missing one is searched for
     * there and the read-only and code segments are never read for it
     * (docs/upx.md "Cost model: what is decoded when") */
    int passes = img->kind == MG_CONT_ELF ? 1 : 3;
    for (int pass = 0; pass < passes; pass++)
        for (size_t i = 0; i < img->nmaps; i++) {
            const mg_section *s = &img->maps[i];
            bool wr = (s->flags & MG_SEC_WRITE) || img->kind == MG_CONT_RAW;
            int want = wr ? 0 : (s->flags & MG_SEC_EXEC) ? 2 : 1;
            if (!(s->flags & MG_SEC_DATA) || want != pass)
                continue;
            if (mg_img_scan_section(img, s, BI_MAGIC, BI_MAGIC_LEN, header_hit, at))
                return true;
        }
    return false;
}

/* Go string header at addr -> bytes */
static bool go_string(const mg_img *img, const mg_reader *r, uint64_t hdr_addr,
                      const char **s, uint64_t *len, uint64_t max)
{
    uint64_t hoff, ptr, off;
    if (!mg_img_addr_to_off(img, hdr_addr, 2 * r->ptrsize, &hoff))
        return false;
    if (!mg_img_read_ptr_at(img, hdr_addr, &ptr) || !mg_rd_ptr(r, hoff + r->ptrsize, len))
        return false;
    if (*len == 0) {
        *s = "";
        return true;
    }
    if (*len > max || !mg_img_addr_to_off(img, ptr, *len, &off))
        return false;
    *s = (const char *)img->r.data + off;
    return true;
}

static bool uvarint_string(const mg_reader *r, uint64_t *off, const char **s, uint64_t *len,
                           uint64_t max)
{
    const uint8_t *b;
    if (!mg_rd_uvarint(r, off, len) || *len > max || !mg_rd_bytes(r, *off, *len, &b))
        return false;
    *s = (const char *)b;
    *off += *len;
    return true;
}

/* strconv.Unquote subset: returns decoded length or -1 */
static long unquote(const char *s, size_t n, char *out)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return -1;
    size_t o = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        char c = s[i];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (++i + 1 >= n)
            return -1;
        switch (s[i]) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'a': out[o++] = '\a'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'v': out[o++] = '\v'; break;
        case '\\': out[o++] = '\\'; break;
        case '"': out[o++] = '"'; break;
        case '\'': out[o++] = '\''; break;
        case 'x': {
            unsigned v = 0;
            for (int k = 0; k < 2; k++) {
                if (++i + 1 >= n)
                    return -1;
                char h = s[i];
                v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0'
                                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                        : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 99);
                if (v > 255)
                    return -1;
            }
            out[o++] = (char)v;
            break;
        }
        default:
            /* \u, \U and octal escapes are kept verbatim */
            out[o++] = '\\';
            out[o++] = s[i];
        }
    }
    return (long)o;
}

static const char *dup_field(mg_arena *a, const char *s, size_t n)
{
    char *tmp = mg_arena_alloc(a, n + 1);
    if (!tmp)
        return "";
    long u = unquote(s, n, tmp);
    if (u >= 0) {
        tmp[u] = 0;
        return tmp;
    }
    memcpy(tmp, s, n);
    tmp[n] = 0;
    return tmp;
}

/* split line into up to 4 tab-separated fields */
static size_t fields(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n && k < max; i++)
        if (i == n || s[i] == '\t') {
            f[k] = s + start;
            fl[k++] = i - start;
            start = i + 1;
        }
    return k;
}

static void set_module(mg_arena *a, mg_module *m, const char **f, const size_t *fl, size_t k)
{
    m->path = k > 1 ? dup_field(a, f[1], fl[1]) : "";
    m->version = k > 2 ? dup_field(a, f[2], fl[2]) : "";
    m->sum = k > 3 ? dup_field(a, f[3], fl[3]) : "";
    m->replace_path = "";
    m->replace_version = "";
}

static void parse_modinfo(const char *s, size_t n, mg_arena *a, mg_buildinfo *bi)
{
    if (n >= 33 && s[n - 17] == '\n') {
        s += 16;
        n -= 32;
    }
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    bi->deps = mg_arena_alloc(a, lines * sizeof *bi->deps);
    bi->settings = mg_arena_alloc(a, lines * sizeof *bi->settings);
    if (!bi->deps || !bi->settings) {
        bi->deps = NULL;
        bi->settings = NULL;
        return;
    }
    mg_module *last = NULL;
    size_t i = 0;
    while (i < n) {
        const char *line = s + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) : n - i;
        i += len + 1;
        const char *f[4];
        size_t fl[4];
        size_t k = fields(line, len, f, fl, 4);
        if (k < 2)
            continue;
#define IS(word) (fl[0] == sizeof(word) - 1 && memcmp(f[0], word, fl[0]) == 0)
        if (IS("path")) {
            bi->path = dup_field(a, f[1], len - 5);
        } else if (IS("go")) {
            if (!bi->go_version[0])
                bi->go_version = dup_field(a, f[1], fl[1]);
        } else if (IS("mod")) {
            set_module(a, &bi->main, f, fl, k);
            last = &bi->main;
        } else if (IS("dep")) {
            last = &bi->deps[bi->ndeps++];
            set_module(a, last, f, fl, k);
        } else if (IS("=>")) {
            if (last) {
                last->replace_path = dup_field(a, f[1], fl[1]);
                last->replace_version = k > 2 ? dup_field(a, f[2], fl[2]) : "";
            }
        } else if (IS("build")) {
            /* key=value, either side possibly strconv-quoted */
            const char *kv = f[1];
            size_t kvlen = len - 6, eq = 0;
            if (kvlen == 0)
                continue;  /* "build\t" at the very end: nothing to read */
            if (kv[0] == '"') {
                for (eq = 1; eq < kvlen; eq++)
                    if (kv[eq] == '\\')
                        eq++;
                    else if (kv[eq] == '"')
                        break;
                eq++;
            } else {
                while (eq < kvlen && kv[eq] != '=')
                    eq++;
            }
            if (eq >= kvlen || kv[eq] != '=')
                continue;
            mg_setting *st = &bi->settings[bi->nsettings++];
            st->key = dup_field(a, kv, eq);
            st->value = dup_field(a, kv + eq + 1, kvlen - eq - 1);
        }
#undef IS
    }
}

bool mg_buildinfo_read(const mg_img *img, mg_arena *a, mg_buildinfo *bi, bool *partial)
{
    static mg_module empty_mod = {"", "", "", "", ""};
    memset(bi, 0, sizeof *bi);
    bi->go_version = "";
    bi->path = "";
    bi->main = empty_mod;
    *partial = false;
    uint64_t at;
    if (!find_magic(img, &at))
        return false;
    const uint8_t *h = img->r.data + at;
    unsigned ps = h[14];
    bool be = h[15] & 1, inl = h[15] & 2;
    const char *ver = NULL, *mod = NULL;
    uint64_t vlen = 0, mlen = 0;
    mg_reader r = img->r;
    r.big_endian = be;
    if (inl) {
        uint64_t off = at + 32;
        if (!uvarint_string(&r, &off, &ver, &vlen, BI_MAX_VERSION))
            return false;
        if (!uvarint_string(&r, &off, &mod, &mlen, img->r.size)) {
            mod = NULL;
            mlen = 0;
        }
    } else {
        if (ps != 4 && ps != 8)
            return false;
        r.ptrsize = ps;
        uint64_t vp, mp;
        if (!mg_rd_ptr(&r, at + 16, &vp) || !mg_rd_ptr(&r, at + 16 + ps, &mp))
            return false;
        if (!go_string(img, &r, vp, &ver, &vlen, BI_MAX_VERSION))
            return false;
        if (!go_string(img, &r, mp, &mod, &mlen, img->r.size)) {
            mod = NULL;
            mlen = 0;
        }
    }
    if (mlen > MG_MAX_MODINFO) {
        mlen = MG_MAX_MODINFO;
        *partial = true;
    }
    bi->present = true;
    bi->go_version = mg_arena_strndup(a, ver, (size_t)vlen);
    if (!bi->go_version)
        bi->go_version = "";
    if (mod && mlen)
        parse_modinfo(mod, (size_t)mlen, a, bi);
    return true;
}
