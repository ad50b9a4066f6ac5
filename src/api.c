/* api.c - the public entry points: open a file, run each image through the
 * layers (container -> Go metadata -> fingerprints) and keep the results. */
#include "malgopher.h"
#include "util/alloc.h"

#include "exe/image.h"
#include "fp/gimphash.h"
#include "fp/gimpset.h"
#include "go/buildinfo.h"
#include "go/moduledata.h"
#include "go/obfuscation.h"
#include "go/pclntab.h"
#include "go/types.h"
#include "go/version.h"
#include "unpack/upx.h"
#include "unpack/upx_lazy.h"
#include "io/map.h"
#include "util/arena.h"
#include "util/budget.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUNC_COST 16u /* work units per function read, besides its name bytes */

struct mg_file {
    mg_map map;
    mg_img *imgs;
    size_t nimgs;
    mg_image *images;
    mg_pcln *pclns; /* each Go image's located table (for mg_file_types) */
    mg_arena arena;
    mg_budget budget; /* the whole file's: all slices together */
    uint8_t *unpacked; /* a packed file's program (src/unpack), analysed instead */
    mg_upx_lazy *lazy; /* MG_OPT_UNPACK_LAZY: its blocks decoded as they are read */
    mg_packer_info packer;
};

static void warn(mg_image *im, const char *msg)
{
    if (!im->warning[0])
        snprintf(im->warning, sizeof im->warning, "%s", msg);
}

/* append s to the string in buf (size bytes), cut to what fits */
static void append_cut(char *buf, size_t size, const char *s)
{
    size_t at = strlen(buf), n = strlen(s);
    if (n > size - 1 - at)
        n = size - 1 - at;
    memcpy(buf + at, s, n);
    buf[at + n] = 0;
}

/* add a warning after those already there (as much as fits) */
static void warn_more(mg_image *im, const char *msg)
{
    size_t at = strlen(im->warning);
    if (!msg[0] || at + 3 >= sizeof im->warning)
        return;
    if (at)
        append_cut(im->warning, sizeof im->warning, "; ");
    append_cut(im->warning, sizeof im->warning, msg);
}

/* no pclntab: why the candidates that looked like one were turned down */
static void note_rejects(mg_image *im, const mg_pcln_rejects *rj, uint64_t slice_offset)
{
    if (!rj->count)
        return;
    char msg[sizeof im->warning];
    snprintf(msg, sizeof msg, "pclntab candidate%s rejected (%u), first at 0x%llx: %.100s", rj->count > 1 ? "s" : "",
             rj->count, (unsigned long long)(rj->first_off + slice_offset), rj->first_why);
    warn_more(im, msg);
}

static bool is_dotnet(const mg_img *img)
{
    return img->kind == MG_CONT_PE && img->pe_ndirs > 14 && img->pe_dir_rva[14];
}

static const char *setting(const mg_buildinfo *bi, const char *key)
{
    for (size_t i = 0; i < bi->nsettings; i++)
        if (strcmp(bi->settings[i].key, key) == 0)
            return bi->settings[i].value;
    return NULL;
}

/* false: out of memory */
static bool read_version(const mg_img *img, unsigned opts, mg_image *im, mg_arena *a)
{
    bool partial = false, nomem = false;
    if (mg_buildinfo_read(img, a, &im->buildinfo, &partial)) {
        if (partial) {
            im->flags |= MG_FLAG_PARTIAL;
            warn(im, "build info larger than the bound; module list cut");
        }
        if (im->buildinfo.go_version[0]) {
            snprintf(im->go_version, sizeof im->go_version, "%s", im->buildinfo.go_version);
            im->version_source = MG_VSRC_BUILDINFO;
        }
        const char *goos = setting(&im->buildinfo, "GOOS");
        const char *goarch = setting(&im->buildinfo, "GOARCH");
        if (goos && goos[0])
            im->os = goos;
        if (goarch && goarch[0] && !im->arch[0])
            im->arch = goarch;
    }
    if (im->version_source == MG_VSRC_NONE && !(opts & MG_OPT_NO_VERSION_SCAN) &&
        mg_go_version_fallback(img, im->go_version, sizeof im->go_version, &im->version_source, &nomem))
        return !a->failed;
    if (im->version_source == MG_VSRC_NONE && im->pclntab_gen != MG_PCLN_NONE)
        im->version_source = MG_VSRC_PCLNTAB;
    return !nomem && !a->failed;
}

static mg_status read_funcs(mg_img *img, const mg_pcln *p, unsigned opts, mg_image *im)
{
    mg_budget *b = img->budget;
    uint64_t text = p->gen >= MG_PCLN_118 ? p->text_start : 0;
    if (!(opts & MG_OPT_NO_ENTRIES) && !mg_text_start(img, p, &text))
        warn(im, "text start unknown; entry addresses are offsets");
    mg_pcln q = *p;
    q.text_start = text;
    im->text_start = text;
    if (p->nfunc_from_moduledata) {
        char w[sizeof im->warning];
        snprintf(w, sizeof w,
                 "pclntab header nfunc disagrees with moduledata (header %llu, moduledata %llu); "
                 "using moduledata's",
                 (unsigned long long)p->header_nfunc, (unsigned long long)p->nfunc);
        warn(im, w);
    }
    /* the function bound is the file's, shared by its slices */
    uint64_t want = q.nfunc;
    if (q.nfunc > b->funcs_left) {
        q.nfunc = b->funcs_left;
        q.funcs_capped = true;
    }
    b->funcs_left -= q.nfunc;
    im->funcs = mg_malloc((q.nfunc ? q.nfunc : 1) * sizeof *im->funcs);
    if (!im->funcs)
        return MG_ERR_NOMEM;
    mg_gimp *g = mg_gimp_new(!(opts & MG_OPT_NO_FUZZY));
    bool want_set = !(opts & MG_OPT_NO_GIMPSET);
    mg_gset *gs = want_set ? mg_gset_new() : NULL;
    if (!g || (want_set && !gs)) {
        mg_gimp_free(g);
        mg_gset_free(gs);
        free(im->funcs);
        im->funcs = NULL;
        return MG_ERR_NOMEM;
    }
    size_t n = 0, unreadable = 0;
    if (q.funcs_capped) {
        im->flags |= MG_FLAG_PARTIAL;
        warn(im, want > q.nfunc && q.nfunc < MG_MAX_FUNCS
                     ? "function count exceeds the file's bound (4,000,000 over all slices); list cut"
                     : "function count exceeds the bound; list cut");
    }
    for (uint64_t i = 0; i < q.nfunc; i++) {
        mg_func *f = &im->funcs[n];
        bool cut;
        if (!mg_pcln_func(&q, i, &f->entry, &f->name, &f->name_len, &cut)) {
            im->flags |= MG_FLAG_PARTIAL;
            if (n == 0)
                im->flags |= MG_FLAG_BAD_NAMES;
            warn(im, "function table ends early; list cut");
            break;
        }
        if (cut) {
            im->flags |= MG_FLAG_PARTIAL;
            warn(im, "function name longer than the bound; name cut");
        }
        if (f->name_len > b->name_bytes_left) {
            im->flags |= MG_FLAG_PARTIAL;
            warn(im, "function names exceed the total-size bound; list cut");
            break;
        }
        b->name_bytes_left -= f->name_len;
        if (!mg_budget_spend(b, FUNC_COST + f->name_len, "function table"))
            break;
        f->file = NULL;
        f->file_len = 0;
        if (opts & MG_OPT_FILES)
            mg_pcln_func_file(&q, i, &f->file, &f->file_len);
        /* Go names are never empty: an empty one could not be read */
        if (f->name_len == 0)
            unreadable++;
        else {
            mg_gimp_add(g, f->name, f->name_len);
            if (gs)
                mg_gset_add(gs, f->name, f->name_len);
        }
        n++;
    }
    if (gs && mg_gset_failed(gs)) {
        mg_gimp_free(g);
        mg_gset_free(gs);
        free(im->funcs);
        im->funcs = NULL;
        return MG_ERR_NOMEM;
    }
    im->nfuncs = n;
    im->gimp_names = mg_gimp_finish(g, im->gimphash, (opts & MG_OPT_NO_FUZZY) ? NULL : im->gimpfuzzy);
    mg_gimp_free(g);
    im->gimpset_names = gs ? mg_gset_finish(gs, im->gimpset) : 0;
    mg_gset_free(gs);
    if (unreadable || q.names_unchecked) {
        char w[sizeof im->warning];
        snprintf(w, sizeof w, "function names unreadable: %zu of %zu; not a fingerprint",
                 unreadable, n);
        im->flags |= MG_FLAG_PARTIAL | MG_FLAG_BAD_NAMES;
        warn(im, unreadable || n == 0 ? w
                                      : "pclntab accepted without its name checks (sampled names unreadable); "
                                        "not a fingerprint");
    }
    if (im->gimp_names == 0)
        im->flags |= MG_FLAG_NO_NAMES;
    return MG_OK;
}

static mg_status analyze(mg_img *img, unsigned opts, mg_arena *a, mg_image *im, mg_pcln *keep)
{
    im->container = img->kind;
    im->container_name = img->kind_name;
    im->arch = img->arch ? img->arch : "";
    im->os = img->os ? img->os : "";
    im->bits = img->bits;
    im->big_endian = img->r.big_endian;
    im->slice_offset = img->slice_offset;
    im->slice_size = img->r.size;
    im->stripped = img->symtab.kind == MG_SYMTAB_NONE || img->symtab.count == 0;
    im->buildinfo.go_version = im->buildinfo.path = "";
    im->buildinfo.main = (mg_module){"", "", "", "", ""};

    mg_pcln p;
    mg_found_by how;
    mg_pcln_rejects rj;
    bool located = mg_pcln_locate_why(img, &p, &how, &rj);
    if (mg_budget_out(img->budget))
        return MG_ERR_TOO_COSTLY;
    if (!located) {
        /* not Go; still note a Go version if build info exists (e.g. damaged pclntab) */
        bool partial;
        bool bi = mg_buildinfo_read(img, a, &im->buildinfo, &partial);
        if (bi)
            warn(im, "Go build info present but no valid pclntab");
        /* candidates are spoken of only where Go was plausible: not in a
         * .NET assembly (a PE with a CLI header) without Go build info */
        if (bi || !is_dotnet(img))
            note_rejects(im, &rj, img->slice_offset);
        return a->failed ? MG_ERR_NOMEM : MG_OK;
    }
    im->is_go = true;
    *keep = p;
    /* a Go binary is stripped when its symbol table has no Go symbols (a
     * stripped Mach-O still lists the dynamic imports) */
    uint64_t v;
    if (!(opts & MG_OPT_NO_STRIPPED))
        im->stripped = im->stripped || !mg_img_symbol(img, "runtime.main", &v);
    im->pclntab_gen = p.gen;
    im->pclntab_found_by = how;
    im->pclntab_offset = p.file_off + img->slice_offset;
    if (!p.magic_ok)
        im->flags |= MG_FLAG_RECOVERED;
    if (img->kind == MG_CONT_RAW) {
        /* the pclntab header tells what the container could not */
        img->r.ptrsize = p.r.ptrsize;
        img->r.big_endian = p.r.big_endian;
        im->bits = p.r.ptrsize * 8;
        im->big_endian = p.r.big_endian;
    }
    mg_status st = read_funcs(img, &p, opts, im);
    if (st != MG_OK)
        return st;
    if (mg_budget_out(img->budget))
        return MG_ERR_TOO_COSTLY;
    if (!read_version(img, opts, im, a))
        return MG_ERR_NOMEM; /* the build info or the version is incomplete */
    if (!(opts & MG_OPT_NO_OBFUSCATION))
        mg_obfuscation_score(im);
    /* 1.18 and 1.20 tables share one layout: with a damaged magic the
     * version tells them apart */
    if (!p.magic_ok && im->pclntab_gen == MG_PCLN_120 &&
        (strncmp(im->go_version, "go1.18", 6) == 0 || strncmp(im->go_version, "go1.19", 6) == 0))
        im->pclntab_gen = MG_PCLN_118;
    return MG_OK;
}

/* a UPX-packed file: its program is what is analysed (the budget grows by
 * the default share of the unpacked bytes unless the caller set it) */
static mg_status unpack_packed(mg_file *f, unsigned opts, const mg_limits *lim, const uint8_t **data, size_t *size,
                               mg_error *err)
{
    bool packed;
    size_t n;
    mg_status st = mg_upx_unpack(f->map.data, f->map.size, &f->budget, &f->unpacked, &n,
                                 opts & MG_OPT_UNPACK_LAZY ? &f->lazy : NULL, &f->packer, &packed, err);
    if (!packed)
        return MG_OK;
    if (st != MG_OK)
        return st;
    if (!(lim && lim->max_work)) {
        uint64_t more = (uint64_t)n * MG_WORK_PER_BYTE;
        f->budget.left += more;
        f->budget.limit += more;
    }
    *data = f->unpacked;
    *size = n;
    return MG_OK;
}

/* a lazily unpacked file whose block could not be had: its error, which
 * goes before whatever the analysis made of the failed reads */
static bool lazy_failed(const mg_file *f, mg_status *st, mg_error *err)
{
    if (!f->lazy || f->lazy->failed == MG_OK)
        return false;
    *st = mg_fail(err, f->lazy->failed, "%s", f->lazy->why);
    return true;
}

static mg_status open_common(mg_file *f, unsigned opts, const mg_limits *lim, mg_error *err)
{
    mg_budget_init(&f->budget, f->map.size, lim ? lim->max_work : 0, lim ? lim->seconds : 0);
    const uint8_t *data = f->map.data;
    size_t size = f->map.size;
    mg_status st = unpack_packed(f, opts, lim, &data, &size, err);
    if (st != MG_OK)
        return st;
    st = mg_exe_detect(data, size, f->lazy ? &f->lazy->lz : NULL, &f->imgs, &f->nimgs, err);
    if (lazy_failed(f, &st, err))
        return st;
    bool fell_back = false;
    char why[sizeof err->msg] = "";
    if (st == MG_ERR_MALFORMED) {
        /* damaged container: still look for Go metadata in the raw bytes */
        snprintf(why, sizeof why, "%s", err ? err->msg : "malformed container");
        if (f->lazy && !mg_upx_lazy_all(f->lazy) && lazy_failed(f, &st, err)) /* raw bytes: all of them */
            return st;
        f->imgs = mg_calloc(1, sizeof *f->imgs);
        if (!f->imgs)
            return mg_fail(err, MG_ERR_NOMEM, "out of memory");
        mg_raw_make(data, size, f->imgs);
        if (!f->imgs->maps)
            return mg_fail(err, MG_ERR_NOMEM, "out of memory");
        f->nimgs = 1;
        fell_back = true;
    } else if (st != MG_OK) {
        return st;
    }
    f->images = mg_calloc(f->nimgs, sizeof *f->images);
    f->pclns = f->images ? mg_calloc(f->nimgs, sizeof *f->pclns) : NULL;
    if (!f->images || !f->pclns)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->nimgs; i++) {
        f->images[i].struct_size = sizeof(mg_image);
        f->images[i].packer = f->packer;
        f->imgs[i].budget = &f->budget;
        st = analyze(&f->imgs[i], opts, &f->arena, &f->images[i], &f->pclns[i]);
        if (lazy_failed(f, &st, err))
            return st;
        if (st == MG_ERR_TOO_COSTLY)
            return mg_fail(err, st, "too costly: %s (bound: %llu work units for %llu bytes%s)",
                           f->budget.what, (unsigned long long)f->budget.limit,
                           (unsigned long long)f->map.size,
                           f->budget.deadline > 0 ? ", or the time limit" : "");
        if (st != MG_OK)
            return mg_fail(err, st, "%s", mg_status_reason(st));
    }
    warn_more(&f->images[0], f->imgs[0].slice_warning); /* fat Mach-O slices left out */
    if (fell_back) {
        if (!f->images[0].is_go)
            return mg_fail(err, MG_ERR_MALFORMED, "%s", why);
        warn(&f->images[0], why);
    }
    return MG_OK;
}

mg_status mg_file_open_mem(const void *data, size_t size, unsigned opts, mg_file **out,
                           mg_error *err)
{
    return mg_file_open_mem_limits(data, size, opts, NULL, out, err);
}

mg_status mg_file_open_mem_limits(const void *data, size_t size, unsigned opts,
                                  const mg_limits *lim, mg_file **out, mg_error *err)
{
    *out = NULL;
    if (!data && size)
        return mg_fail(err, MG_ERR_ARG, "no data");
    if (size == 0)
        return mg_fail(err, MG_ERR_EMPTY, "empty file");
    mg_file *f = mg_calloc(1, sizeof *f);
    if (!f)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    f->map.data = data;
    f->map.size = size;
    mg_status st = open_common(f, opts, lim, err);
    if (st != MG_OK) {
        mg_file_close(f);
        return st;
    }
    *out = f;
    return MG_OK;
}

mg_status mg_file_open_ex(const char *path, unsigned opts, mg_file **out, mg_error *err)
{
    *out = NULL;
    if (!path)
        return mg_fail(err, MG_ERR_ARG, "no path");
    mg_file *f = mg_calloc(1, sizeof *f);
    if (!f)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_map_open(path, &f->map, err);
    if (st == MG_OK)
        st = open_common(f, opts, NULL, err);
    if (st != MG_OK) {
        mg_file_close(f);
        return st;
    }
    *out = f;
    return MG_OK;
}

mg_status mg_file_open(const char *path, mg_file **out, mg_error *err)
{
    return mg_file_open_ex(path, 0, out, err);
}

void mg_file_close(mg_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nimgs; i++) {
        mg_img_free(&f->imgs[i]);
        if (f->images)
            free(f->images[i].funcs);
    }
    free(f->imgs);
    free(f->images);
    free(f->pclns);
    mg_arena_free(&f->arena);
    mg_upx_lazy_free(f->lazy);
    free(f->unpacked);
    mg_map_close(&f->map);
    free(f);
}

size_t mg_file_image_count(const mg_file *f)
{
    return f ? f->nimgs : 0;
}

const mg_image *mg_file_image(const mg_file *f, size_t i)
{
    return f && i < f->nimgs ? &f->images[i] : NULL;
}

bool mg_file_is_go(const mg_file *f)
{
    for (size_t i = 0; f && i < f->nimgs; i++)
        if (f->images[i].is_go)
            return true;
    return false;
}

/* the mg_types and the arena that holds its strings */
typedef struct types_box {
    mg_types pub; /* first: mg_types_free casts back */
    mg_arena arena;
} types_box;

mg_status mg_file_types(const mg_file *f, size_t i, mg_types **out, mg_error *err)
{
    return mg_file_types_ex(f, i, 0, out, err);
}

mg_status mg_file_types_ex(const mg_file *f, size_t i, unsigned flags, mg_types **out, mg_error *err)
{
    *out = NULL;
    if (!f || i >= f->nimgs)
        return mg_fail(err, MG_ERR_ARG, "no such image");
    if (!f->images[i].is_go)
        return mg_fail(err, MG_ERR_NOT_GO, "%s", mg_status_reason(MG_ERR_NOT_GO));
    types_box *b = mg_calloc(1, sizeof *b);
    if (!b)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_types_read(&f->imgs[i], &f->pclns[i], f->images[i].go_version, flags, &b->pub,
                                 &b->arena);
    if (lazy_failed(f, &st, err)) {
        mg_types_free(&b->pub);
        return st;
    }
    if (st != MG_OK) {
        mg_types_free(&b->pub);
        if (st == MG_ERR_TOO_COSTLY)
            return mg_fail(err, st, "too costly: %s", f->budget.what ? f->budget.what : "types");
        return mg_fail(err, st, "%s", mg_status_reason(st));
    }
    b->pub.pclntab = 0;
    uint64_t a;
    if (mg_img_off_to_addr(&f->imgs[i], f->pclns[i].file_off, &a))
        b->pub.pclntab = a;
    *out = &b->pub;
    return MG_OK;
}

void mg_types_free(mg_types *t)
{
    if (!t)
        return;
    types_box *b = (types_box *)t;
    free(t->types);
    mg_arena_free(&b->arena);
    free(b);
}

bool mg_file_build_id(const mg_file *f, size_t i, char *out, size_t outsz)
{
    return f && i < f->nimgs && mg_img_build_id(&f->imgs[i], out, outsz);
}

const char *mg_version(void)
{
    return MG_VERSION_STRING;
}

unsigned mg_version_number(void)
{
    return MG_VERSION_NUMBER;
}

const char *mg_pclntab_gen_name(mg_pclntab_gen g)
{
    switch (g) {
    case MG_PCLN_12: return "1.2-1.15";
    case MG_PCLN_116: return "1.16-1.17";
    case MG_PCLN_118: return "1.18-1.19";
    case MG_PCLN_120: return "1.20+";
    default: return "none";
    }
}

const char *mg_found_by_name(mg_found_by f)
{
    switch (f) {
    case MG_FOUND_SECTION: return "section";
    case MG_FOUND_SYMBOL: return "symbol";
    case MG_FOUND_SCAN: return "scan";
    case MG_FOUND_MODULEDATA: return "moduledata";
    case MG_FOUND_HEADER_ONLY: return "header-recovery";
    default: return "none";
    }
}

const char *mg_version_source_name(mg_version_source s)
{
    switch (s) {
    case MG_VSRC_BUILDINFO: return "buildinfo";
    case MG_VSRC_BUILDVERSION: return "runtime.buildVersion";
    case MG_VSRC_STRING: return "string";
    case MG_VSRC_PCLNTAB: return "pclntab";
    default: return "none";
    }
}
