/* metadata.c - a .NET assembly's entry into the metadata: the CLI header
 * (PE data directory 14), the metadata root ("BSJB"), its stream headers
 * and the heaps (#Strings, #US, #GUID, #Blob); hands the table stream
 * (#~ or #-) to tables.c.  ECMA-335 II.24 and II.25.3.3. */
#include "dotnet/metadata/dotnet.h"

#include "util/error.h"

#include <string.h>

#define CLI_DIR 14u
#define CLI_HEADER_SIZE 72u
/* IMAGE_COR20_HEADER field offsets (ECMA-335 II.25.3.3) */
enum {
    CLI_CB = 0, CLI_RT_MAJOR = 4, CLI_RT_MINOR = 6, CLI_MD_RVA = 8, CLI_MD_SIZE = 12, CLI_FLAGS = 16,
    CLI_ENTRY_TOKEN = 20, CLI_RES_RVA = 24, CLI_RES_SIZE = 28,
};
#define MD_SIGNATURE 0x424a5342u /* "BSJB" */
#define MAX_STREAMS 16u
#define MAX_STRING 1024u

bool mg_cli_rva(const mg_cli *cli, uint32_t rva, uint64_t len, uint64_t *off)
{
    return mg_img_addr_to_off(&cli->img, cli->img.image_base + rva, len, off);
}

static mg_status bad(mg_error *err, const char *what)
{
    return mg_fail(err, MG_ERR_MALFORMED, "malformed .NET metadata: %s", what);
}

/* one stream header at *pos (inside the metadata view md); advances *pos */
static mg_status read_stream(mg_cli *cli, const mg_reader *md, uint64_t *pos, mg_error *err)
{
    uint32_t off, size;
    const char *name;
    size_t len;
    uint64_t hdr = *pos;
    if (!mg_rd_u32(md, hdr, &off) || !mg_rd_u32(md, hdr + 4, &size) ||
        !mg_rd_cstr(md, hdr + 8, 31, &name, &len))
        return bad(err, "stream header truncated");
    *pos = hdr + 8 + ((len + 4) & ~(uint64_t)3); /* name, NUL, padded to 4 */
    if (!mg_rd_has(md, off, size))
        return bad(err, "stream outside the metadata");
    mg_stream *s = NULL;
    if (!strcmp(name, "#~") || !strcmp(name, "#-")) {
        s = &cli->tables;
        if (!s->present)
            cli->uncompressed = name[1] == '-';
    } else if (!strcmp(name, "#Strings"))
        s = &cli->strings;
    else if (!strcmp(name, "#US"))
        s = &cli->us;
    else if (!strcmp(name, "#GUID"))
        s = &cli->guid;
    else if (!strcmp(name, "#Blob"))
        s = &cli->blob;
    if (s && !s->present) { /* the first of duplicates counts */
        s->present = true;
        s->off = cli->md_off + off;
        s->size = size;
        s->hdr_off = cli->md_off + hdr;
    }
    return MG_OK;
}

static mg_status read_root(mg_cli *cli, mg_error *err)
{
    const mg_reader *r = &cli->img.r;
    mg_reader md;
    uint32_t sig, vlen;
    uint16_t nstreams;
    if (!mg_rd_sub(r, cli->md_off, cli->md_size, &md))
        return bad(err, "metadata outside the file");
    if (!mg_rd_u32(&md, 0, &sig) || sig != MD_SIGNATURE)
        return bad(err, "no BSJB signature");
    if (!mg_rd_u32(&md, 12, &vlen) || vlen > 256 || !mg_rd_has(&md, 16, vlen))
        return bad(err, "version string truncated");
    size_t n = 0;
    for (; n < vlen && n + 1 < sizeof cli->version && md.data[16 + n]; n++)
        cli->version[n] = (md.data[16 + n] >= 0x20 && md.data[16 + n] < 0x7f)
                              ? (char)md.data[16 + n] : '?';
    cli->version[n] = 0;
    if (!mg_rd_u16(&md, 16 + (uint64_t)vlen + 2, &nstreams))
        return bad(err, "stream count truncated");
    if (nstreams > MAX_STREAMS)
        return bad(err, "too many streams");
    uint64_t pos = 16 + (uint64_t)vlen + 4;
    for (unsigned i = 0; i < nstreams; i++) {
        mg_status st = read_stream(cli, &md, &pos, err);
        if (st != MG_OK)
            return st;
    }
    if (!cli->tables.present)
        return bad(err, "no table stream");
    return MG_OK;
}

static mg_status open_cli(const uint8_t *data, uint64_t size, mg_cli *cli, mg_error *err)
{
    if (size == 0)
        return mg_fail(err, MG_ERR_EMPTY, "empty file");
    if (size < 2 || data[0] != 'M' || data[1] != 'Z')
        return mg_fail(err, MG_ERR_UNSUPPORTED, "not a .NET assembly (not a PE file)");
    mg_status st = mg_pe_parse(data, size, &cli->img, err);
    if (st != MG_OK)
        return st;
    const mg_img *img = &cli->img;
    if (img->pe_ndirs <= CLI_DIR || img->pe_dir_rva[CLI_DIR] == 0)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "not a .NET assembly (no CLI header)");
    const mg_reader *r = &img->r;
    mg_rec h;
    if (!mg_cli_rva(cli, img->pe_dir_rva[CLI_DIR], CLI_HEADER_SIZE, &cli->hdr_off) ||
        !mg_rec_at(r, cli->hdr_off, CLI_HEADER_SIZE, &h) || mg_rec_u32(&h, CLI_CB) < CLI_HEADER_SIZE)
        return bad(err, "CLI header outside the sections");
    cli->hdr_size = mg_rec_u32(&h, CLI_CB);
    cli->rt_major = mg_rec_u16(&h, CLI_RT_MAJOR);
    cli->rt_minor = mg_rec_u16(&h, CLI_RT_MINOR);
    cli->md_rva = mg_rec_u32(&h, CLI_MD_RVA);
    cli->md_size = mg_rec_u32(&h, CLI_MD_SIZE);
    cli->flags = mg_rec_u32(&h, CLI_FLAGS);
    cli->entry_token = mg_rec_u32(&h, CLI_ENTRY_TOKEN);
    cli->res_rva = mg_rec_u32(&h, CLI_RES_RVA);
    cli->res_size = mg_rec_u32(&h, CLI_RES_SIZE);
    if (!cli->md_rva || !mg_cli_rva(cli, cli->md_rva, cli->md_size, &cli->md_off))
        return bad(err, "metadata outside the sections");
    if (cli->res_size && !mg_cli_rva(cli, cli->res_rva, cli->res_size, &cli->res_off))
        return bad(err, "resources outside the sections");
    st = read_root(cli, err);
    if (st == MG_OK)
        st = mg_tables_parse(r, cli->tables.off, cli->tables.size, &cli->t, err);
    return st;
}

mg_status mg_cli_open(const uint8_t *data, uint64_t size, mg_cli *cli, mg_error *err)
{
    memset(cli, 0, sizeof *cli);
    mg_status st = open_cli(data, size, cli, err);
    if (st != MG_OK)
        mg_cli_close(cli);
    return st;
}

void mg_cli_close(mg_cli *cli)
{
    mg_img_free(&cli->img);
}

bool mg_cli_string(const mg_cli *cli, uint32_t idx, const char **s, size_t *len)
{
    mg_reader h;
    if (!cli->strings.present || !mg_rd_sub(&cli->img.r, cli->strings.off, cli->strings.size, &h))
        return false;
    return mg_rd_cstr(&h, idx, MAX_STRING, s, len);
}

bool mg_cli_blob(const mg_cli *cli, uint32_t idx, uint64_t *off, uint32_t *len)
{
    mg_reader h;
    uint8_t b0, b1, b2, b3;
    if (!cli->blob.present || !mg_rd_sub(&cli->img.r, cli->blob.off, cli->blob.size, &h) ||
        !mg_rd_u8(&h, idx, &b0))
        return false;
    uint64_t p = idx;
    uint32_t n;
    if (!(b0 & 0x80)) {
        n = b0;
        p += 1;
    } else if ((b0 & 0xc0) == 0x80) {
        if (!mg_rd_u8(&h, p + 1, &b1))
            return false;
        n = (uint32_t)(b0 & 0x3f) << 8 | b1;
        p += 2;
    } else if ((b0 & 0xe0) == 0xc0) {
        if (!mg_rd_u8(&h, p + 1, &b1) || !mg_rd_u8(&h, p + 2, &b2) || !mg_rd_u8(&h, p + 3, &b3))
            return false;
        n = (uint32_t)(b0 & 0x1f) << 24 | (uint32_t)b1 << 16 | (uint32_t)b2 << 8 | b3;
        p += 4;
    } else {
        return false;
    }
    if (!mg_rd_has(&h, p, n))
        return false;
    *off = cli->blob.off + p;
    *len = n;
    return true;
}
