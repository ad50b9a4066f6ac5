/* detect.c - identifies the container of a byte buffer and hands it to the
 * right parser; splits fat (universal) Mach-O files into one image per
 * slice; falls back to a raw image for unknown blobs (memory dumps). */
#include "exe/image.h"
#include "util/alloc.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mg_raw_make(const uint8_t *data, uint64_t size, mg_img *img)
{
    memset(img, 0, sizeof *img);
    img->r = mg_reader_make(data, size, false, 8);
    img->kind = MG_CONT_RAW;
    img->kind_name = "raw";
    img->arch = "";
    img->os = "";
    /* one region covering the blob at address 0 */
    static const char name[] = "raw";
    img->maps = mg_calloc(1, sizeof *img->maps);
    if (img->maps) {
        memcpy(img->maps[0].name, name, sizeof name);
        img->maps[0].size = img->maps[0].filesz = size;
        img->maps[0].flags = MG_SEC_DATA;
        img->nmaps = 1;
    }
}

/* after a parser: the cost rules every image obeys (regions.c, relocs.c) */
static mg_status finish(mg_img *img, mg_status st, mg_error *err)
{
    if (st != MG_OK)
        return st;
    st = mg_img_regions_normalise(img, err);
    if (st == MG_OK)
        st = mg_img_index_relocs(img, err);
    if (st != MG_OK)
        mg_img_free(img);
    return st;
}

static mg_status parse_thin(const uint8_t *data, uint64_t size, mg_lazy *lazy, mg_img *img, mg_error *err)
{
    if (size >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0)
        return finish(img, mg_elf_parse(data, size, lazy, img, err), err);
    if (size >= 2 && data[0] == 'M' && data[1] == 'Z')
        return finish(img, mg_pe_parse(data, size, img, err), err);
    uint32_t m = size >= 4 ? mg_ld32(data, false) : 0;
    if (m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe || m == 0xcffaedfe)
        return finish(img, mg_macho_parse(data, size, img, err), err);
    if (size >= 2 && data[0] == 0x01 && (data[1] == 0xdf || data[1] == 0xf7))
        return finish(img, mg_xcoff_parse(data, size, img, err), err);
    mg_raw_make(data, size, img);
    if (!img->maps)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

/* fat header: big-endian magic, count, then fat_arch (20 bytes) or
 * fat_arch_64 (32 bytes) entries */
static bool is_fat(const uint8_t *data, uint64_t size, uint32_t *n, bool *wide)
{
    if (size < 8)
        return false;
    uint32_t m = mg_ld32(data, true);
    if (m != 0xcafebabe && m != 0xcafebabf)
        return false;
    *wide = m == 0xcafebabf;
    *n = mg_ld32(data + 4, true);
    return *n >= 1 && *n <= MG_MAX_FAT_SLICES;
}

/* Field offsets of fat_header and fat_arch / fat_arch_64 (<mach-o/fat.h>) */
enum {
    FAT_HEADER_SIZE = 8,
    FAT_OFFSET = 8, FAT_SIZE = 12, FAT_ARCH_SIZE = 20,
    FAT64_OFFSET = 8, FAT64_SIZE = 16, FAT64_ARCH_SIZE = 32,
};

mg_status mg_exe_detect(const uint8_t *data, uint64_t size, mg_lazy *lazy, mg_img **imgs, size_t *nimgs,
                        mg_error *err)
{
    *imgs = NULL;
    *nimgs = 0;
    /* only the ELF parser reads a lazy buffer; anything else gets it whole */
    mg_reader all = mg_reader_make(data, size, false, 4);
    all.lazy = lazy;
    if (lazy && (!mg_rd_has(&all, 0, size < 4 ? size : 4) || size < 4 || memcmp(data, "\x7f" "ELF", 4) != 0)) {
        if (!mg_rd_has(&all, 0, size))
            return mg_fail(err, MG_ERR_MALFORMED, "unpacked image unreadable");
        lazy = NULL;
    }
    uint32_t n = 0;
    bool wide = false;
    if (is_fat(data, size, &n, &wide)) {
        mg_reader r = mg_reader_make(data, size, true, 4);
        uint64_t es = wide ? FAT64_ARCH_SIZE : FAT_ARCH_SIZE;
        if (!mg_rd_has(&r, FAT_HEADER_SIZE, n * es))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed fat Mach-O: arch table truncated");
        mg_img *v = mg_calloc(n, sizeof *v);
        if (!v)
            return mg_fail(err, MG_ERR_NOMEM, "out of memory");
        size_t got = 0;
        mg_status last = MG_OK;
        char dropped[sizeof v->slice_warning] = "";
        /* slices sharing bytes: the same (offset, size) is parsed once;
         * overlapping ones only while all slices together stay within
         * twice the file (legitimate slices are disjoint) */
        uint64_t offs[MG_MAX_FAT_SLICES], szs[MG_MAX_FAT_SLICES], covered = 0;
        unsigned repeats = 0, skipped = 0;
        for (uint32_t i = 0; i < n; i++) {
            mg_rec fa;
            if (!mg_rec_at(&r, FAT_HEADER_SIZE + i * es, es, &fa))
                break; /* cannot happen: the table was checked above */
            uint64_t off = wide ? mg_rec_u64(&fa, FAT64_OFFSET) : mg_rec_u32(&fa, FAT_OFFSET);
            uint64_t sz = wide ? mg_rec_u64(&fa, FAT64_SIZE) : mg_rec_u32(&fa, FAT_SIZE);
            bool same = false, overlaps = false;
            for (size_t k = 0; k < got && mg_rd_has(&r, off, sz); k++) { /* off + sz cannot wrap */
                same = same || (offs[k] == off && szs[k] == sz);
                overlaps = overlaps || (off < offs[k] + szs[k] && offs[k] < off + sz);
            }
            if (same) {
                repeats++;
                continue;
            }
            if (overlaps && covered + sz > 2 * size + MG_REGION_SLACK) {
                skipped++;
                continue;
            }
            if (!mg_rd_has(&r, off, sz) || sz == 0)
                last = mg_fail(err, MG_ERR_MALFORMED, "malformed fat Mach-O: slice %u out of range", i);
            else
                last = finish(&v[got], mg_macho_parse(data + off, sz, &v[got], err), err);
            if (last == MG_ERR_NOMEM) {
                for (size_t k = 0; k < got; k++)
                    mg_img_free(&v[k]);
                free(v);
                return last;
            }
            if (last != MG_OK) {
                /* the slice is left out; the file's first image says so */
                size_t at = strlen(dropped);
                if (at + 3 < sizeof dropped)
                    snprintf(dropped + at, sizeof dropped - at, "%sslice %u dropped (%.120s)", at ? "; " : "", i,
                             err ? err->msg : mg_status_reason(last));
                continue;
            }
            v[got].slice_offset = off;
            offs[got] = off;
            szs[got] = sz;
            covered += sz;
            got++;
        }
        if (repeats || skipped) {
            size_t at = strlen(dropped);
            if (at + 3 < sizeof dropped)
                snprintf(dropped + at, sizeof dropped - at,
                         "%sfat Mach-O: %u arch entries repeat a slice (parsed once), %u overlap others "
                         "past the cost bound (skipped)", at ? "; " : "", repeats, skipped);
        }
        if (got == 0) {
            free(v);
            return last != MG_OK ? last : mg_fail(err, MG_ERR_MALFORMED, "malformed fat Mach-O");
        }
        memcpy(v[0].slice_warning, dropped, sizeof dropped);
        *imgs = v;
        *nimgs = got;
        return MG_OK;
    }
    mg_img *v = mg_calloc(1, sizeof *v);
    if (!v)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mg_status st = parse_thin(data, size, lazy, v, err);
    if (st != MG_OK) {
        free(v);
        return st;
    }
    *imgs = v;
    *nimgs = 1;
    return MG_OK;
}
