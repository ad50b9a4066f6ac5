/* upx_pe_layout.c - the rebuilt PE's sections moved from their places in
 * the decoded image (RVA - first RVA) to their file offsets inside the
 * image's own buffer, so that no second buffer of the file's size is
 * needed (docs/upx.md "Performance").
 *
 * Workload: one PE per unpacking, at most 96 sections; the moves are
 * memmove over the file's size.  The layout is done in place only when it
 * is safe whatever the section table says: sorted by file offset, the
 * sections' file ranges and their image ranges are both disjoint and in
 * the same order.  Then the sections that move down are moved lowest
 * first and those that move up highest first, and no move overwrites a
 * source not yet moved (a section moving down lands below its source and
 * above every earlier section's file range, which lies above that
 * section's own source when it moves up; symmetrically for the others).
 * Otherwise the caller copies into a new buffer, as before. */
#include "unpack/upx_pe.h"

#include <string.h>

static bool layout_ordered(const mg_upx_pe_sec *s, unsigned n, uint64_t hdr_end, uint64_t total)
{
    for (unsigned i = 0; i < n; i++) {
        if (s[i].dst < hdr_end || s[i].dst > total || s[i].n > total - s[i].dst)
            return false;
        if (i && (s[i - 1].dst + s[i - 1].n > s[i].dst || s[i - 1].src + s[i - 1].n > s[i].src))
            return false;
    }
    return true;
}

bool mg_upx_pe_inplace(uint8_t *buf, uint64_t hdr_end, uint64_t total, const mg_upx_pe_sec *in, unsigned n)
{
    mg_upx_pe_sec s[MG_UPX_PE_MAX_SECS];
    unsigned k = 0;
    if (n > MG_UPX_PE_MAX_SECS)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (!in[i].n)
            continue;
        unsigned j = k++; /* insertion by file offset */
        for (; j && s[j - 1].dst > in[i].dst; j--)
            s[j] = s[j - 1];
        s[j] = in[i];
    }
    if (!layout_ordered(s, k, hdr_end, total))
        return false;
    for (unsigned i = 0; i < k; i++)
        if (s[i].dst < s[i].src)
            memmove(buf + s[i].dst, buf + s[i].src, s[i].n);
    for (unsigned i = k; i-- > 0;)
        if (s[i].dst > s[i].src)
            memmove(buf + s[i].dst, buf + s[i].src, s[i].n);
    /* what no section covers is zero, as in a new buffer */
    uint64_t at = hdr_end;
    for (unsigned i = 0; i < k; i++) {
        memset(buf + at, 0, s[i].dst - at);
        at = s[i].dst + s[i].n;
    }
    memset(buf + at, 0, total - at);
    return true;
}
