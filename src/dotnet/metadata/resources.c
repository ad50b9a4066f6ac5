/* resources.c - manifest resources (ECMA-335 II.22.24): a ManifestResource
 * row's name and, for resources embedded in this file, where its bytes are
 * (the CLI header's Resources directory at the row's offset: a uint32
 * length, then the data); and resource names that spell a MethodDef token. */
#include "dotnet/metadata/dotnet.h"

#include <string.h>

bool mg_resource_get(const mg_cli *cli, uint32_t row, mg_resource *res)
{
    uint32_t name, impl;
    memset(res, 0, sizeof *res);
    res->row = row;
    if (!mg_tbl_get(cli, MG_T_MANIFESTRESOURCE, row, MG_MRES_OFFSET, &res->offset) ||
        !mg_tbl_get(cli, MG_T_MANIFESTRESOURCE, row, MG_MRES_NAME, &name) ||
        !mg_tbl_get(cli, MG_T_MANIFESTRESOURCE, row, MG_MRES_IMPL, &impl) ||
        !mg_cli_string(cli, name, &res->name, &res->name_len))
        return false;
    /* the coded index is nil when its row part is 0 */
    res->embedded = (impl >> mg_ci_tagbits(MG_CI_IMPLEMENTATION)) == 0;
    mg_reader dir;
    uint32_t len;
    if (res->embedded && cli->res_size &&
        mg_rd_sub(&cli->img.r, cli->res_off, cli->res_size, &dir) &&
        mg_rd_u32(&dir, res->offset, &len) && mg_rd_has(&dir, (uint64_t)res->offset + 4, len)) {
        res->data_ok = true;
        res->data_off = cli->res_off + res->offset + 4;
        res->data_len = len;
    }
    return true;
}

bool mg_resource_method_token(const mg_resource *res, const mg_cli *cli, uint32_t *method_row)
{
    if (res->name_len != 8)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < 8; i++) {
        char c = res->name[i];
        if (c >= '0' && c <= '9')
            v = v << 4 | (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v << 4 | (uint32_t)(c - 'a' + 10);
        else
            return false;
    }
    uint32_t row = v & 0xffffffu;
    if (v >> 24 != MG_T_METHODDEF || row == 0 || row > cli->t.rows[MG_T_METHODDEF])
        return false;
    *method_row = row;
    return true;
}
