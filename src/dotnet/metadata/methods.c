/* methods.c - CIL method bodies (ECMA-335 II.25.4): the tiny (1-byte) and
 * fat (12-byte) headers, the code, and the extra data sections that follow
 * it 4-byte aligned (exception-handling tables in small and fat format).
 * A body must lie inside one section; its total size covers everything a
 * copy of the body has to carry. */
#include "dotnet/metadata/dotnet.h"

#include "util/error.h"

#define TINY 0x2u
#define FAT 0x3u
#define MORE_SECTS 0x08u
#define SECT_EH 0x01u
#define SECT_FAT 0x40u
#define SECT_MORE 0x80u

static mg_status bad_body(mg_error *err, uint32_t rva, const char *what)
{
    return mg_fail(err, MG_ERR_MALFORMED, "malformed .NET metadata: method body at RVA 0x%x: %s",
                   rva, what);
}

/* one extra section header at rva pos: kind, data size (header included) */
static bool sect_header(const mg_cli *cli, uint64_t pos, uint8_t *kind, uint32_t *size)
{
    uint64_t off;
    if (pos > UINT32_MAX || !mg_cli_rva(cli, (uint32_t)pos, 4, &off) ||
        !mg_rd_u8(&cli->img.r, off, kind))
        return false;
    uint32_t w;
    if (!mg_rd_u32(&cli->img.r, off, &w))
        return false;
    *size = (*kind & SECT_FAT) ? w >> 8 : (w >> 8) & 0xff;
    return *size >= 4;
}

mg_status mg_body_parse(const mg_cli *cli, uint32_t rva, mg_body *b, mg_error *err)
{
    const mg_reader *r = &cli->img.r;
    uint8_t first;
    *b = (mg_body){0};
    b->rva = rva;
    if (!mg_cli_rva(cli, rva, 1, &b->off) || !mg_rd_u8(r, b->off, &first))
        return bad_body(err, rva, "outside the sections");
    if ((first & 3) == TINY) {
        b->hdr_size = 1;
        b->code_size = first >> 2;
        b->max_stack = 8;
        b->flags = TINY;
    } else if ((first & 3) == FAT) {
        uint16_t fl;
        uint64_t off;
        if (!mg_cli_rva(cli, rva, 12, &off) || !mg_rd_u16(r, off, &fl) ||
            !mg_rd_u16(r, off + 2, &b->max_stack) || !mg_rd_u32(r, off + 4, &b->code_size) ||
            !mg_rd_u32(r, off + 8, &b->local_sig))
            return bad_body(err, rva, "fat header truncated");
        if ((fl >> 12) < 3)
            return bad_body(err, rva, "fat header too small");
        b->fat = true;
        b->flags = fl & 0xfff;
        b->hdr_size = (uint32_t)(fl >> 12) * 4;
    } else {
        return bad_body(err, rva, "unknown header format");
    }
    uint64_t code_rva = (uint64_t)rva + b->hdr_size, end;
    if (!mg_add_ok(code_rva, b->code_size, &end) || end > UINT32_MAX ||
        !mg_cli_rva(cli, (uint32_t)code_rva, b->code_size, &b->code_off))
        return bad_body(err, rva, "code runs past its section");
    if (b->fat && (b->flags & MORE_SECTS)) {
        uint64_t pos = (end + 3) & ~(uint64_t)3;
        for (;;) {
            uint8_t kind;
            uint32_t size;
            uint64_t soff;
            if (b->nsects >= MG_MAX_EH_SECTS)
                return bad_body(err, rva, "too many data sections");
            if (!sect_header(cli, pos, &kind, &size) ||
                !mg_cli_rva(cli, (uint32_t)pos, size, &soff))
                return bad_body(err, rva, "data section truncated");
            if (b->nsects == 0)
                b->eh_off = soff;
            b->nsects++;
            if (kind & SECT_EH) {
                b->nclauses += (size - 4) / ((kind & SECT_FAT) ? 24 : 12);
                b->fat_eh |= (kind & SECT_FAT) != 0;
            }
            end = pos + size;
            if (!(kind & SECT_MORE))
                break;
            pos = (end + 3) & ~(uint64_t)3;
        }
    }
    uint64_t total = end - rva, whole;
    if (total > UINT32_MAX || !mg_cli_rva(cli, rva, total, &whole) || whole != b->off)
        return bad_body(err, rva, "body crosses a section boundary");
    b->total = (uint32_t)total;
    return MG_OK;
}

bool mg_body_clause(const mg_cli *cli, const mg_body *b, uint32_t i, mg_eh_clause *c)
{
    const mg_reader *r = &cli->img.r;
    if (!b->nsects || i >= b->nclauses)
        return false;
    uint64_t pos = ((uint64_t)b->rva + b->hdr_size + b->code_size + 3) & ~(uint64_t)3;
    for (uint32_t s = 0; s < b->nsects; s++) {
        uint8_t kind;
        uint32_t size;
        uint64_t off;
        if (!sect_header(cli, pos, &kind, &size) || !mg_cli_rva(cli, (uint32_t)pos, size, &off))
            return false;
        if (kind & SECT_EH) {
            bool fat = kind & SECT_FAT;
            uint32_t n = (size - 4) / (fat ? 24 : 12);
            if (i < n) {
                uint64_t e = off + 4 + (uint64_t)i * (fat ? 24 : 12);
                if (fat)
                    return mg_rd_u32(r, e, &c->flags) && mg_rd_u32(r, e + 4, &c->try_off) &&
                           mg_rd_u32(r, e + 8, &c->try_len) &&
                           mg_rd_u32(r, e + 12, &c->handler_off) &&
                           mg_rd_u32(r, e + 16, &c->handler_len) &&
                           mg_rd_u32(r, e + 20, &c->class_or_filter);
                uint16_t fl, to, ho;
                uint8_t tl, hl;
                if (!mg_rd_u16(r, e, &fl) || !mg_rd_u16(r, e + 2, &to) ||
                    !mg_rd_u8(r, e + 4, &tl) ||
                    !mg_rd_u16(r, e + 5, &ho) || !mg_rd_u8(r, e + 7, &hl) ||
                    !mg_rd_u32(r, e + 8, &c->class_or_filter))
                    return false;
                *c = (mg_eh_clause){fl, to, tl, ho, hl, c->class_or_filter};
                return true;
            }
            i -= n;
        }
        pos = (pos + size + 3) & ~(uint64_t)3;
    }
    return false;
}
