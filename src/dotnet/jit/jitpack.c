/* jitpack.c - the evidence of a JIT-hook packer: embedded resources named
 * after MethodDef tokens whose bytes are the method's IL, method bodies whose
 * code is that IL overwritten with 0x87 (conv.ovf.u2.un) outside branch
 * targets, bodies shared by several methods, a module initializer
 * (<Module>::.cctor) and P/Invokes of the JIT's getJit export. */
#include "dotnet/jit/jitpack.h"
#include "util/alloc.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STUB_BYTE 0x87u

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_method(const void *a, const void *b)
{
    const mg_jit_method *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->res_row < y->res_row ? -1 : x->res_row > y->res_row;
}

static mg_jm_state compare_code(const mg_reader *r, const mg_body *b, uint64_t il, uint32_t n)
{
    const uint8_t *code, *orig;
    if (b->code_size != n)
        return MG_JM_BADLEN;
    if (!mg_rd_bytes(r, b->code_off, n, &code) || !mg_rd_bytes(r, il, n, &orig))
        return MG_JM_BADBODY;
    if (memcmp(code, orig, n) == 0)
        return MG_JM_INTACT;
    for (uint32_t i = 0; i < n; i++)
        if (code[i] != orig[i] && code[i] != STUB_BYTE)
            return MG_JM_DIFFERENT;
    return MG_JM_STUBBED;
}

static void note(mg_jit_scan *s, uint32_t row, const char *detail)
{
    if (!s->problem[0])
        snprintf(s->problem, sizeof s->problem, "method 0x%08x: %.140s", 0x06000000u | row, detail);
}

/* one method named by an IL resource */
static void examine(const mg_cli *cli, mg_jit_scan *s, mg_jit_method *m, const mg_resource *res)
{
    mg_error e;
    m->il_off = res->data_off;
    m->il_len = res->data_len;
    if (!res->data_ok) {
        m->state = MG_JM_BADDATA;
        note(s, m->row, "IL resource outside the Resources directory");
    } else if (mg_body_parse(cli, m->rva, &m->body, &e) != MG_OK) {
        m->state = MG_JM_BADBODY;
        note(s, m->row, e.msg);
    } else {
        m->state = compare_code(&cli->img.r, &m->body, m->il_off, m->il_len);
        if (m->state == MG_JM_BADLEN)
            note(s, m->row, "IL resource and method body differ in length");
        else if (m->state == MG_JM_BADBODY)
            note(s, m->row, "code unreadable");
    }
    s->count[m->state]++;
}

static mg_status scan_resources(const mg_cli *cli, mg_jit_scan *s, mg_error *err)
{
    mg_budget b; /* the bytes compared: MG_WORK_PER_BYTE per byte of the file, and a time limit */
    mg_budget_init(&b, cli->img.r.size, 0, MG_JIT_SECONDS);
    uint32_t nres = cli->t.rows[MG_T_MANIFESTRESOURCE];
    /* count bounded by the table stream size (checked by the table parser) */
    s->m = mg_calloc(nres ? nres : 1, sizeof *s->m);
    if (!s->m)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (uint32_t row = 1; row <= nres; row++) {
        mg_resource res;
        uint32_t mrow;
        if (!mg_resource_get(cli, row, &res))
            return mg_fail(err, MG_ERR_MALFORMED,
                           "malformed .NET metadata: ManifestResource row %u unreadable", row);
        if (!res.embedded || !mg_resource_method_token(&res, cli, &mrow) || !s->rva[mrow - 1])
            continue;
        s->m[s->n++] = (mg_jit_method){.row = mrow, .res_row = row, .rva = s->rva[mrow - 1]};
    }
    qsort(s->m, s->n, sizeof *s->m, cmp_method);
    size_t k = 0; /* one resource per method: the first */
    for (size_t i = 0; i < s->n; i++)
        if (k == 0 || s->m[k - 1].row != s->m[i].row)
            s->m[k++] = s->m[i];
    s->n = k;
    for (size_t i = 0; i < s->n; i++) {
        mg_resource res;
        mg_resource_get(cli, s->m[i].res_row, &res); /* read once already */
        if (!mg_budget_spend(&b, res.data_len + 1u, "comparing the IL resources with the method bodies"))
            return mg_fail(err, MG_ERR_TOO_COSTLY, "too costly: %s (%u resources)", b.what, (unsigned)s->n);
        examine(cli, s, &s->m[i], &res);
    }
    return MG_OK;
}

static mg_status scan_sharing(mg_jit_scan *s, mg_error *err)
{
    uint32_t *v = mg_malloc((s->nmethods ? s->nmethods : 1) * sizeof *v);
    if (!v)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    memcpy(v, s->rva, s->nmethods * sizeof *v);
    qsort(v, s->nmethods, sizeof *v, cmp_u32);
    for (uint32_t i = 0; i < s->nmethods;) {
        uint32_t j = i + 1;
        while (j < s->nmethods && v[j] == v[i])
            j++;
        if (v[i] && j - i > 1) {
            s->shared_bodies++;
            s->shared_methods += j - i;
        }
        i = j;
    }
    free(v);
    return MG_OK;
}

static void scan_cctor(const mg_cli *cli, mg_jit_scan *s)
{
    uint32_t a, b;
    if (!cli->t.rows[MG_T_TYPEDEF] || !mg_type_methods(cli, 1, &a, &b))
        return;
    for (uint32_t i = a; i < b; i++) {
        uint32_t row, name;
        const char *str;
        size_t len;
        if (mg_method_at(cli, i, &row) &&
            mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &name) &&
            mg_cli_string(cli, name, &str, &len) && len == 6 && !memcmp(str, ".cctor", 6)) {
            s->cctor = row;
            return;
        }
    }
}

static void scan_getjit(const mg_cli *cli, mg_jit_scan *s)
{
    unsigned bits = mg_ci_tagbits(MG_CI_MEMBERFORWARDED);
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_IMPLMAP]; row++) {
        uint32_t name, member, scope, modname;
        const char *str;
        size_t len;
        if (!mg_tbl_get(cli, MG_T_IMPLMAP, row, MG_IMPLMAP_NAME, &name) ||
            !mg_cli_string(cli, name, &str, &len) || len != 6 || memcmp(str, "getJit", 6))
            continue;
        s->getjit++;
        if (s->getjit > 1)
            continue;
        if (mg_tbl_get(cli, MG_T_IMPLMAP, row, MG_IMPLMAP_MEMBER, &member) &&
            mg_ci_table(MG_CI_MEMBERFORWARDED, member & ((1u << bits) - 1)) == MG_T_METHODDEF)
            s->getjit_method = member >> bits;
        if (mg_tbl_get(cli, MG_T_IMPLMAP, row, MG_IMPLMAP_SCOPE, &scope) &&
            mg_tbl_get(cli, MG_T_MODULEREF, scope, 0, &modname) &&
            mg_cli_string(cli, modname, &str, &len))
            snprintf(s->getjit_module, sizeof s->getjit_module, "%.*s", (int)len, str);
    }
}

mg_status mg_jit_scan_run(const mg_cli *cli, mg_jit_scan *s, mg_error *err)
{
    memset(s, 0, sizeof *s);
    s->nmethods = cli->t.rows[MG_T_METHODDEF];
    s->ntypes = cli->t.rows[MG_T_TYPEDEF];
    s->nresources = cli->t.rows[MG_T_MANIFESTRESOURCE];
    s->rva = mg_calloc(s->nmethods ? s->nmethods : 1, sizeof *s->rva);
    if (!s->rva)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (uint32_t row = 1; row <= s->nmethods; row++)
        mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &s->rva[row - 1]); /* in range */
    mg_status st = scan_sharing(s, err);
    if (st == MG_OK)
        st = scan_resources(cli, s, err);
    if (st != MG_OK) {
        mg_jit_scan_free(s);
        return st;
    }
    scan_cctor(cli, s);
    scan_getjit(cli, s);
    return MG_OK;
}

void mg_jit_scan_free(mg_jit_scan *s)
{
    free(s->m);
    free(s->rva);
    s->m = NULL;
    s->rva = NULL;
    s->n = 0;
}

bool mg_jit_packed(const mg_jit_scan *s)
{
    return s->n > 0 && s->count[MG_JM_STUBBED] > 0;
}

const mg_jit_method *mg_jit_find(const mg_jit_scan *s, uint32_t row)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->m[mid].row == row)
            return &s->m[mid];
        if (s->m[mid].row < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
