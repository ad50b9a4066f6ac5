/* emu_meta.c - what the emulator needs from the metadata: the names and
 * signatures of the methods and fields a token names (MethodDef, MemberRef,
 * MethodSpec, Field), type names, method bodies with their local variable
 * kinds, field owners and RVAs, P/Invoke import names and array element
 * sizes.  Every read is bounds-checked; a blob that does not parse is
 * "unknown", never a guess. */
#include "util/alloc.h"
#include "dotnet/emu/emu.h"

#include "util/error.h"

#include <stdio.h>
#include <string.h>

#define TOK_TABLE(t) ((t) >> 24)
#define TOK_ROW(t) ((t) & 0xffffffu)

bool emu_blob_u(const uint8_t *p, uint32_t n, uint32_t *pos, uint32_t *v)
{
    if (*pos >= n)
        return false;
    uint8_t b = p[*pos];
    if (!(b & 0x80)) {
        *v = b;
        *pos += 1;
    } else if ((b & 0xc0) == 0x80) {
        if (n - *pos < 2)
            return false;
        *v = ((uint32_t)(b & 0x3f) << 8) | p[*pos + 1];
        *pos += 2;
    } else if ((b & 0xe0) == 0xc0) {
        if (n - *pos < 4)
            return false;
        *v = ((uint32_t)(b & 0x1f) << 24) | ((uint32_t)p[*pos + 1] << 16) |
             ((uint32_t)p[*pos + 2] << 8) | p[*pos + 3];
        *pos += 4;
    } else
        return false;
    return true;
}

static bool blob(emu *E, uint32_t idx, const uint8_t **p, uint32_t *n)
{
    uint64_t off;
    return mg_cli_blob(E->cli, idx, &off, n) && mg_rd_bytes(&E->cli->img.r, off, *n, p);
}

static bool str(emu *E, uint32_t idx, const char **s)
{
    size_t n;
    return mg_cli_string(E->cli, idx, s, &n);
}

/* one type in a signature: its stack kind; *tok the valuetype/class token */
static bool sig_type(const uint8_t *p, uint32_t n, uint32_t *pos, uint8_t *kind, uint32_t *tok,
                     unsigned depth)
{
    if (depth > 16 || *pos >= n)
        return false;
    uint8_t e = p[(*pos)++];
    uint32_t v;
    *tok = 0;
    switch (e) {
    case 0x01: *kind = V_NONE; return true;              /* void */
    case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: case 0x09:
        *kind = V_I4; return true;                       /* bool char i1 u1 i2 u2 i4 u4 */
    case 0x0a: case 0x0b: *kind = V_I8; return true;
    case 0x0c: case 0x0d: *kind = V_F; return true;
    case 0x18: case 0x19: *kind = V_NI; return true;
    case 0x0e: case 0x1c: case 0x16: *kind = V_REF; return true; /* string object typedbyref */
    case 0x0f: case 0x10: case 0x1d: {                   /* pointer, byref, szarray */
        uint8_t k;
        uint32_t t;
        *kind = e == 0x0f ? V_NI : e == 0x10 ? V_BYREF : V_REF;
        return sig_type(p, n, pos, &k, &t, depth + 1);      /* the element type */
    }
    case 0x11: case 0x12: {                              /* valuetype / class */
        if (!emu_blob_u(p, n, pos, &v))
            return false;
        static const uint8_t tabs[3] = {0x02, 0x01, 0x1b};
        if ((v & 3) > 2)
            return false;
        *tok = ((uint32_t)tabs[v & 3] << 24) | (v >> 2);
        *kind = V_REF; /* value types are held in a box of their own (see emu_exec.c) */
        return true;
    }
    case 0x13: case 0x1e:                                /* var, mvar */
        *kind = V_REF;
        return emu_blob_u(p, n, pos, &v);
    case 0x14: {                                         /* array */
        uint8_t k;
        uint32_t t, rank, ns, nl, x;
        if (!sig_type(p, n, pos, &k, &t, depth + 1) || !emu_blob_u(p, n, pos, &rank) ||
            !emu_blob_u(p, n, pos, &ns))
            return false;
        for (uint32_t i = 0; i < ns; i++)
            if (!emu_blob_u(p, n, pos, &x))
                return false;
        if (!emu_blob_u(p, n, pos, &nl))
            return false;
        for (uint32_t i = 0; i < nl; i++)
            if (!emu_blob_u(p, n, pos, &x))
                return false;
        *kind = V_REF;
        return true;
    }
    case 0x15: {                                         /* genericinst */
        uint8_t k;
        uint32_t t, cnt;
        if (!sig_type(p, n, pos, &k, &t, depth + 1) || !emu_blob_u(p, n, pos, &cnt) || cnt > 64)
            return false;
        for (uint32_t i = 0; i < cnt; i++)
            if (!sig_type(p, n, pos, &k, &t, depth + 1))
                return false;
        *kind = V_REF;
        *tok = 0;
        return true;
    }
    case 0x1f: case 0x20:                                /* custom modifiers */
        if (!emu_blob_u(p, n, pos, &v))
            return false;
        return sig_type(p, n, pos, kind, tok, depth + 1);
    case 0x45:                                           /* pinned */
        return sig_type(p, n, pos, kind, tok, depth + 1);
    default:
        return false;
    }
}

/* method signature: parameter count, this, return kind */
static bool method_sig(emu *E, uint32_t idx, emu_ref *r)
{
    const uint8_t *p;
    uint32_t n, pos = 1, cnt, tok, gen;
    if (!blob(E, idx, &p, &n) || n < 2)
        return false;
    r->has_this = (p[0] & 0x20) && !(p[0] & 0x40);
    if ((p[0] & 0x10) && !emu_blob_u(p, n, &pos, &gen))
        return false;
    if (!emu_blob_u(p, n, &pos, &cnt) || cnt > 255)
        return false;
    r->nparams = (uint16_t)cnt;
    uint8_t k;
    if (!sig_type(p, n, &pos, &k, &tok, 0))
        return false;
    r->ret_void = k == V_NONE;
    r->ret_kind = k;
    return true;
}

bool emu_type_name(emu *E, uint32_t token, char *out, size_t n)
{
    uint32_t tab = TOK_TABLE(token), row = TOK_ROW(token), ns = 0, nm = 0;
    const char *sns = "", *snm = "";
    out[0] = 0;
    if (tab == MG_T_TYPEDEF || tab == MG_T_TYPEREF) {
        if (!mg_tbl_get(E->cli, tab, row, 1, &nm) || !mg_tbl_get(E->cli, tab, row, 2, &ns) ||
            !str(E, nm, &snm) || !str(E, ns, &sns))
            return false;
        snprintf(out, n, "%s%s%s", sns, sns[0] ? "." : "", snm);
        return true;
    }
    if (tab == MG_T_TYPESPEC) {
        /* a generic instance or an array: the name of its base type */
        uint32_t b;
        const uint8_t *p;
        uint32_t len, pos = 0, v;
        if (!mg_tbl_get(E->cli, tab, row, 0, &b) || !blob(E, b, &p, &len) || len < 1)
            return false;
        static const char *const prim[0x1d] = {
            [0x02] = "System.Boolean", [0x03] = "System.Char",   [0x04] = "System.SByte",
            [0x05] = "System.Byte",    [0x06] = "System.Int16",  [0x07] = "System.UInt16",
            [0x08] = "System.Int32",   [0x09] = "System.UInt32", [0x0a] = "System.Int64",
            [0x0b] = "System.UInt64",  [0x0c] = "System.Single", [0x0d] = "System.Double",
            [0x0e] = "System.String",  [0x18] = "System.IntPtr", [0x19] = "System.UIntPtr",
            [0x1c] = "System.Object"};
        if (p[0] < 0x1d && prim[p[0]]) {
            snprintf(out, n, "%s", prim[p[0]]);
            return true;
        }
        if (p[0] == 0x15)
            pos = 2;
        else if (p[0] == 0x1d) {
            snprintf(out, n, "[]");
            return true;
        } else
            return false;
        if (!emu_blob_u(p, len, &pos, &v) || (v & 3) > 1)
            return false;
        return emu_type_name(E, ((v & 3) ? 0x01000000u : 0x02000000u) | (v >> 2), out, n);
    }
    return false;
}

uint32_t emu_method_owner_row(emu *E, uint32_t mrow)
{
    return mg_method_owner(E->cli, mrow);
}

bool emu_member(emu *E, uint32_t token, emu_ref *r)
{
    uint32_t tab = TOK_TABLE(token), row = TOK_ROW(token), nm, sig, parent;
    const char *s;
    memset(r, 0, sizeof *r);
    if (tab == MG_T_METHODSPEC) {
        uint32_t m;
        if (!mg_tbl_get(E->cli, tab, row, 0, &m))
            return false;
        return emu_member(E, ((m & 1) ? 0x0a000000u : 0x06000000u) | (m >> 1), r);
    }
    if (tab == MG_T_METHODDEF) {
        uint32_t t = mg_method_owner(E->cli, row);
        if (!mg_tbl_get(E->cli, tab, row, MG_METHOD_NAME, &nm) ||
            !mg_tbl_get(E->cli, tab, row, MG_METHOD_SIG, &sig) || !str(E, nm, &s))
            return false;
        snprintf(r->name, sizeof r->name, "%s", s);
        r->cls_token = 0x02000000u | t;
        emu_type_name(E, r->cls_token, r->cls, sizeof r->cls);
        return method_sig(E, sig, r);
    }
    if (tab == MG_T_FIELD) {
        uint32_t t = emu_field_owner(E, row);
        if (!mg_tbl_get(E->cli, tab, row, 1, &nm) || !str(E, nm, &s))
            return false;
        snprintf(r->name, sizeof r->name, "%s", s);
        r->cls_token = 0x02000000u | t;
        emu_type_name(E, r->cls_token, r->cls, sizeof r->cls);
        r->ret_kind = emu_field_kind(E, row);
        return true;
    }
    if (tab != MG_T_MEMBERREF || !mg_tbl_get(E->cli, tab, row, 0, &parent) ||
        !mg_tbl_get(E->cli, tab, row, 1, &nm) || !mg_tbl_get(E->cli, tab, row, 2, &sig) ||
        !str(E, nm, &s))
        return false;
    snprintf(r->name, sizeof r->name, "%s", s);
    int pt = mg_ci_table(MG_CI_MEMBERREFPARENT, parent & 7);
    if (pt < 0)
        return false;
    r->cls_token = ((uint32_t)pt << 24) | (parent >> 3);
    if (pt == MG_T_TYPEDEF || pt == MG_T_TYPEREF || pt == MG_T_TYPESPEC)
        emu_type_name(E, r->cls_token, r->cls, sizeof r->cls);
    const uint8_t *p;
    uint32_t n;
    if (!blob(E, sig, &p, &n) || n < 1)
        return false;
    if (p[0] == 0x06) { /* a field */
        uint32_t pos = 1, tok;
        uint8_t k;
        if (!sig_type(p, n, &pos, &k, &tok, 0))
            return false;
        r->ret_kind = k;
        return true;
    }
    return method_sig(E, sig, r);
}

/* the owner of every field: the last TypeDef whose field list starts at
 * or before it (what a linear scan of TypeDef would say, in one pass) */
bool emu_field_owners(emu *E)
{
    uint32_t nf = E->cli->t.rows[MG_T_FIELD], fl;
    E->field_owner = mg_calloc((size_t)nf + 1, sizeof *E->field_owner);
    if (!E->field_owner)
        return false;
    for (uint32_t t = 1; t <= E->cli->t.rows[MG_T_TYPEDEF]; t++)
        if (mg_tbl_get(E->cli, MG_T_TYPEDEF, t, 4, &fl) && fl && fl <= nf)
            E->field_owner[fl] = t; /* t ascends: the last one wins */
    for (uint32_t f = 2; f <= nf; f++)
        if (E->field_owner[f] < E->field_owner[f - 1])
            E->field_owner[f] = E->field_owner[f - 1];
    return true;
}

uint32_t emu_field_owner(emu *E, uint32_t field_row)
{
    if (!E->field_owner || !field_row || field_row > E->cli->t.rows[MG_T_FIELD])
        return 0;
    return E->field_owner[field_row];
}

uint8_t emu_field_kind(emu *E, uint32_t field_row)
{
    uint32_t sig, n, pos = 1, tok;
    const uint8_t *p;
    uint8_t k;
    if (!mg_tbl_get(E->cli, MG_T_FIELD, field_row, 2, &sig) || !blob(E, sig, &p, &n) || n < 2 ||
        !sig_type(p, n, &pos, &k, &tok, 0))
        return V_REF;
    return k == V_NONE ? V_REF : k;
}

bool emu_field_rva(emu *E, uint32_t field_row, uint32_t *rva)
{
    for (uint32_t i = 1; i <= E->cli->t.rows[0x1d]; i++) {
        uint32_t f;
        if (mg_tbl_get(E->cli, 0x1d, i, 1, &f) && f == field_row)
            return mg_tbl_get(E->cli, 0x1d, i, 0, rva);
    }
    return false;
}

bool emu_is_pinvoke(emu *E, uint32_t row, char *import, size_t n)
{
    uint32_t flags;
    if (!mg_tbl_get(E->cli, MG_T_METHODDEF, row, MG_METHOD_FLAGS, &flags) || !(flags & 0x2000))
        return false;
    import[0] = 0;
    for (uint32_t i = 1; i <= E->cli->t.rows[MG_T_IMPLMAP]; i++) {
        uint32_t mf, nm;
        const char *s;
        if (mg_tbl_get(E->cli, MG_T_IMPLMAP, i, MG_IMPLMAP_MEMBER, &mf) && (mf & 1) &&
            (mf >> 1) == row && mg_tbl_get(E->cli, MG_T_IMPLMAP, i, MG_IMPLMAP_NAME, &nm) &&
            str(E, nm, &s)) {
            snprintf(import, n, "%s", s);
            break;
        }
    }
    return true;
}

uint8_t emu_elem_size(emu *E, uint32_t t, char *ek)
{
    static const struct {
        const char *name;
        uint8_t size;
        char kind;
    } prim[] = {{"System.Byte", 1, 'u'},   {"System.SByte", 1, 'i'},  {"System.Boolean", 1, 'u'},
                {"System.Int16", 2, 'i'},  {"System.UInt16", 2, 'u'}, {"System.Char", 2, 'c'},
                {"System.Int32", 4, 'i'},  {"System.UInt32", 4, 'u'}, {"System.Int64", 8, 'i'},
                {"System.UInt64", 8, 'u'}, {"System.Single", 4, 'f'}, {"System.Double", 8, 'f'},
                {"System.IntPtr", 0, 'i'}, {"System.UIntPtr", 0, 'u'}};
    char name[160];
    if (!emu_type_name(E, t, name, sizeof name))
        return 0;
    for (size_t i = 0; i < sizeof prim / sizeof prim[0]; i++)
        if (!strcmp(name, prim[i].name)) {
            *ek = prim[i].kind;
            return prim[i].size ? prim[i].size : (uint8_t)E->ptr;
        }
    return 0;
}

mg_status emu_method_load(emu *E, uint32_t row, emu_method **out)
{
    if (!row || row > E->cli->t.rows[MG_T_METHODDEF])
        return emu_refuse(E, "call of MethodDef row %u out of range", row);
    emu_method *m = &E->mcache[row];
    *out = m;
    if (E->mloaded[row])
        return MG_OK;
    memset(m, 0, sizeof *m);
    m->row = row;
    m->owner = mg_method_owner(E->cli, row);
    uint32_t rva, sig;
    emu_ref r;
    if (!mg_tbl_get(E->cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) ||
        !mg_tbl_get(E->cli, MG_T_METHODDEF, row, MG_METHOD_SIG, &sig) || !method_sig(E, sig, &r))
        return emu_refuse(E, "method 0x%08x: unreadable signature", 0x06000000u | row);
    if (!rva)
        return emu_refuse(E, "method 0x%08x has no body", 0x06000000u | row);
    m->has_this = r.has_this;
    m->ret_void = r.ret_void;
    m->nargs = (uint16_t)(r.nparams + (r.has_this ? 1 : 0));
    mg_error e2;
    if (mg_body_parse(E->cli, rva, &m->body, &e2) != MG_OK ||
        !mg_rd_bytes(&E->cli->img.r, m->body.code_off, m->body.code_size, &m->code))
        return emu_refuse(E, "method 0x%08x: unreadable body", 0x06000000u | row);
    if (m->body.local_sig) {
        uint32_t st = m->body.local_sig;
        uint32_t b, n, pos = 1, cnt;
        const uint8_t *p;
        if (TOK_TABLE(st) != MG_T_STANDALONESIG ||
            !mg_tbl_get(E->cli, MG_T_STANDALONESIG, TOK_ROW(st), 0, &b) || !blob(E, b, &p, &n) ||
            n < 2 || p[0] != 0x07 || !emu_blob_u(p, n, &pos, &cnt) || cnt > 256)
            return emu_refuse(E, "method 0x%08x: unreadable locals", 0x06000000u | row);
        m->nlocals = (uint16_t)cnt;
        for (uint32_t i = 0; i < cnt; i++) {
            uint8_t k;
            uint32_t tok;
            uint32_t save = pos;
            if (!sig_type(p, n, &pos, &k, &tok, 0))
                return emu_refuse(E, "method 0x%08x: unreadable local %u", 0x06000000u | row, i);
            m->local_kind[i] = k == V_NONE ? V_REF : k;
            /* a value type of the assembly: remember its token */
            uint32_t q = save;
            while (q < n && (p[q] == 0x45 || p[q] == 0x1f || p[q] == 0x20))
                q++;
            m->local_type[i] = (q < n && p[q] == 0x11) ? tok : 0;
        }
    }
    E->mloaded[row] = 1;
    return MG_OK;
}

uint32_t emu_method_row(emu *E, const char *cls, const char *name)
{
    for (uint32_t i = 1; i <= E->cli->t.rows[MG_T_METHODDEF]; i++) {
        emu_ref r;
        if (emu_member(E, 0x06000000u | i, &r) && !strcmp(r.name, name) && !strcmp(r.cls, cls))
            return i;
    }
    return 0;
}
