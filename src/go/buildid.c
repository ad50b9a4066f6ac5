/* buildid.c - the Go build ID, as `go tool buildid` prints it.
 *
 * ELF: the note section .note.go.buildid (or, renamed, the note in the
 * first 64 KiB: namesz 4, descsz, type 4, name
 * "Go\0\0", then the ID as the descriptor).  Other containers (and an ELF
 * without that section): the linker writes
 * "\xff Go build ID: \"ID\"\n \xff" at the start of the text, so the
 * first 4 KiB of the code are searched for it.
 */
#include "go/types.h"

#include <string.h>

#define BUILDID_MAX 200u

/* the Go note at file offset off */
static bool note_at(const mg_img *img, uint64_t off, char *out, size_t outsz)
{
    mg_rec r;
    if (!mg_rec_at(&img->r, off, 16, &r))
        return false;
    uint32_t namesz = mg_rec_u32(&r, 0), descsz = mg_rec_u32(&r, 4), type = mg_rec_u32(&r, 8);
    const uint8_t *d;
    if (namesz != 4 || type != 4 || memcmp(r.p + 12, "Go\0", 3) != 0 || descsz == 0 || descsz > BUILDID_MAX ||
        descsz >= outsz || !mg_rd_bytes(&img->r, off + 16, descsz, &d))
        return false;
    memcpy(out, d, descsz);
    out[descsz] = 0;
    return true;
}

static bool from_note(const mg_img *img, char *out, size_t outsz)
{
    const mg_section *s = mg_img_section(img, ".note.go.buildid");
    if (s && note_at(img, s->off, out, outsz))
        return true;
    if (img->kind != MG_CONT_ELF)
        return false;
    /* a renamed or unnamed note (some strip tools rewrite the section
     * names; the loader's PT_NOTE still holds it): the note's type 4 and
     * name "Go\0\0" within the first 64 KiB, where the linker puts it */
    uint8_t pat[8] = {0, 0, 0, 0, 'G', 'o', 0, 0};
    pat[img->r.big_endian ? 3 : 0] = 4;
    uint64_t n = img->r.size < 65536 ? img->r.size : 65536;
    const uint8_t *p = img->r.data, *h;
    if (!mg_rd_has(&img->r, 0, n))
        return false;
    for (uint64_t at = 0; at < n && (h = mg_memfind(p + at, (size_t)(n - at), pat, sizeof pat)); at = (uint64_t)(h - p) + 1)
        if (h - p >= 8 && note_at(img, (uint64_t)(h - p) - 8, out, outsz))
            return true;
    return false;
}

static bool from_text(const mg_img *img, const mg_section *s, char *out, size_t outsz)
{
    static const char head[] = "\xff Go build ID: \"";
    uint64_t n = s->filesz < 4096 ? s->filesz : 4096;
    const uint8_t *p;
    if (!mg_rd_bytes(&img->r, s->off, n, &p))
        return false;
    const uint8_t *h = mg_memfind(p, n, head, sizeof head - 1);
    if (!h)
        return false;
    const uint8_t *id = h + sizeof head - 1, *end = p + n;
    for (const uint8_t *q = id; q < end && (size_t)(q - id) < outsz && q - id <= BUILDID_MAX; q++) {
        if (*q == '"') {
            if (q == id)
                return false;
            memcpy(out, id, (size_t)(q - id));
            out[q - id] = 0;
            return true;
        }
        if (*q < 0x20 || *q >= 0x7f)
            return false;
    }
    return false;
}

bool mg_img_build_id(const mg_img *img, char *out, size_t outsz)
{
    if (outsz == 0)
        return false;
    out[0] = 0;
    if (from_note(img, out, outsz))
        return true;
    static const char *const names[] = {".text", "__TEXT,__text"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const mg_section *s = mg_img_section(img, names[i]);
        if (s && from_text(img, s, out, outsz))
            return true;
    }
    for (size_t i = 0; i < img->nmaps; i++)
        if ((img->maps[i].flags & MG_SEC_EXEC) && from_text(img, &img->maps[i], out, outsz))
            return true;
    return false;
}
