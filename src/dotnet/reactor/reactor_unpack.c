/* reactor_unpack.c - jit-unpack for .NET Reactor (NecroBit): the
 * initializer runs in the CIL emulator up to its JIT-hook installation;
 * the table it built (code address -> IL) and the header patches it wrote
 * into the virtual image give every real body.  Each restored body (the
 * patched header with the real code size, the IL, the exception sections
 * that followed the stub) goes into a new section and its MethodDef RVA
 * points there; the injected initializer calls become nops, the
 * initializer and the "unregistered version" nag return at once, and the
 * nag's calls become nops. */
#include "util/alloc.h"
#include "dotnet/reactor/reactor.h"
#include "dotnet/jit/jitpack.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define SECTION_NAME ".mgil\0\0"
#define SECTION_FLAGS 0x60000020u /* code, execute, read */
#define MAX_SECTION (128u << 20) /* restored bodies (shared bodies are copied) */

typedef struct rbody {
    uint32_t row;
    const uint8_t *il;
    uint32_t il_len;
    uint8_t hdr[12];
    uint32_t hdr_len;
    const uint8_t *sects; /* exception sections, from the virtual image */
    uint32_t sects_len;
    uint32_t size;        /* header + IL + padding + sections */
} rbody;

/* the IL array of a table entry's value: the byte[] field of the object */
static emu_obj *entry_il(emu *E, emu_val v)
{
    emu_obj *o = v.k == V_REF ? emu_o(E, v.ref) : NULL;
    if (!o || o->kind != O_FIELDS)
        return NULL;
    for (uint32_t i = 0; i < o->len; i++) {
        emu_obj *f = o->vals[i].k == V_REF ? emu_o(E, o->vals[i].ref) : NULL;
        if (f && f->kind == O_ARRAY && f->esz == 1)
            return f;
    }
    return NULL;
}

/* the hashtable with the most (code address -> IL) entries */
static uint32_t body_table(emu *E)
{
    uint32_t best = 0, best_n = 0;
    for (uint32_t i = 1; i < E->nobj; i++) {
        emu_obj *o = E->obj[i];
        if (o->kind != O_HASH)
            continue;
        uint32_t n = 0;
        for (uint32_t j = 0; j + 1 < o->len; j += 2)
            n += entry_il(E, o->vals[j + 1]) != NULL;
        if (n > best_n)
            best = i, best_n = n;
    }
    return best;
}

static int64_t key_addr(emu *E, emu_val k)
{
    emu_obj *o = k.k == V_REF ? emu_o(E, k.ref) : NULL;
    if (o && o->kind == O_BOX)
        k = o->vals[0];
    return k.k == V_I4 ? (int64_t)(uint32_t)k.i : k.i;
}

/* the table's keys as code addresses, sorted (equal ones in insertion
 * order) so that each method's body is found by binary search */
typedef struct tkey {
    uint64_t addr;
    uint32_t pair;
} tkey;

static int cmp_tkey(const void *a, const void *b)
{
    const tkey *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->pair < y->pair ? -1 : x->pair > y->pair;
}

static tkey *table_keys(emu *E, uint32_t table, uint32_t *n)
{
    emu_obj *t = E->obj[table];
    *n = t->len / 2;
    tkey *k = mg_malloc(((size_t)*n ? *n : 1) * sizeof *k);
    if (!k)
        return NULL;
    for (uint32_t j = 0; j < *n; j++)
        k[j] = (tkey){(uint64_t)key_addr(E, t->vals[2 * j]), j};
    qsort(k, *n, sizeof *k, cmp_tkey);
    return k;
}

/* the IL of the first entry of the table whose key is addr */
static emu_obj *lookup(emu *E, uint32_t table, const tkey *k, uint32_t n, uint64_t addr)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (k[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && k[lo].addr == addr ? entry_il(E, E->obj[table]->vals[2 * k[lo].pair + 1]) : NULL;
}

/* exception sections after code of code_size at code_rva in the image */
static bool eh_sections(emu *E, uint32_t code_rva, uint32_t code_size, const uint8_t **p,
                        uint32_t *len)
{
    uint64_t pos = ((uint64_t)code_rva + code_size + 3u) & ~(uint64_t)3u, start = pos;
    for (unsigned n = 0; n < MG_MAX_EH_SECTS; n++) {
        if (pos + 4 > E->vsize)
            return false;
        const uint8_t *s = E->vimg + pos;
        uint32_t size = (s[0] & 0x40) ? (uint32_t)s[1] | (uint32_t)s[2] << 8 | (uint32_t)s[3] << 16
                                      : s[1];
        if (size < 4 || pos + size > E->vsize)
            return false;
        pos += size;
        if (!(s[0] & 0x80))
            break;
        pos = (pos + 3u) & ~(uint64_t)3u;
    }
    *p = E->vimg + start;
    *len = (uint32_t)(pos - start);
    return true;
}

/* one body: header, code size and sections as the initializer patched them */
static mg_status plan_body(emu *E, uint32_t table, const tkey *keys, uint32_t nkeys, uint32_t row,
                           uint32_t rva, rbody *b, bool *found, mg_error *err)
{
    *found = false;
    if (rva >= E->vsize || E->vsize - rva < 12)
        return MG_OK;
    const uint8_t *h = E->vimg + rva;
    uint32_t hdr, code_size;
    bool fat = (h[0] & 3) == 3;
    if ((h[0] & 3) == 2) {
        hdr = 1;
        code_size = h[0] >> 2;
    } else if (fat) {
        hdr = (uint32_t)(h[1] >> 4) * 4;
        code_size = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
                    (uint32_t)h[7] << 24;
        if (hdr != 12)
            return mg_fail(err, MG_ERR_MALFORMED, "cannot restore method 0x%08x: fat header of %u bytes",
                           0x06000000u | row, hdr);
    } else
        return MG_OK;
    emu_obj *il = lookup(E, table, keys, nkeys, E->vbase + rva + hdr);
    if (!il)
        return MG_OK;
    *found = true;
    memset(b, 0, sizeof *b);
    b->row = row;
    b->il = il->raw;
    b->il_len = il->len;
    if (fat) {
        memcpy(b->hdr, h, 12);
        mg_put32(b->hdr + 4, il->len);
        b->hdr_len = 12;
        if ((h[0] & 0x08) &&
            !eh_sections(E, rva + 12, code_size, &b->sects, &b->sects_len))
            return mg_fail(err, MG_ERR_MALFORMED,
                           "cannot restore method 0x%08x: exception sections unreadable",
                           0x06000000u | row);
    } else if (il->len < 64) {
        b->hdr[0] = (uint8_t)(il->len << 2 | 2);
        b->hdr_len = 1;
    } else { /* a tiny stub whose IL needs a fat header */
        b->hdr[0] = 0x03;
        b->hdr[1] = 0x30;
        b->hdr[2] = 8;
        mg_put32(b->hdr + 4, il->len);
        b->hdr_len = 12;
    }
    uint32_t size = b->hdr_len + b->il_len;
    if (b->sects_len)
        size = ((size + 3u) & ~3u) + b->sects_len;
    b->size = (size + 3u) & ~3u;
    return MG_OK;
}

/* the method whose body calls System.Windows.Forms.MessageBox::Show (the
 * nag); each body read is charged to budget (bodies may be shared) */
static uint32_t find_nag(emu *E, mg_budget *budget)
{
    const mg_cli *cli = E->cli;
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_METHODDEF]; row++) {
        uint32_t rva;
        mg_body b;
        mg_error e;
        mg_reader code;
        if (!mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) || !rva ||
            mg_body_parse(cli, rva, &b, &e) != MG_OK ||
            !mg_rd_sub(&cli->img.r, b.code_off, b.code_size, &code))
            continue;
        if (!mg_budget_spend(budget, b.code_size + 1u, "looking for the nag"))
            return 0;
        for (uint64_t off = 0; off < b.code_size;) {
            uint32_t len, tok;
            uint16_t op;
            emu_ref r;
            if (!mg_il_insn(&code, off, &len, &op))
                break;
            if (op == MG_IL_CALL && mg_rd_u32(&code, off + 1, &tok) && tok >> 24 == MG_T_MEMBERREF &&
                emu_member(E, tok, &r) && !strcmp(r.cls, "System.Windows.Forms.MessageBox") &&
                !strcmp(r.name, "Show"))
                return row;
            off += len;
        }
    }
    return 0;
}

/* calls of method row target in code [p, p+n) become nops */
static uint32_t nop_calls(uint8_t *p, uint32_t n, uint32_t target)
{
    mg_reader r = mg_reader_make(p, n, false, 4);
    uint32_t count = 0;
    for (uint64_t off = 0; off < n;) {
        uint32_t len, tok;
        uint16_t op;
        if (!mg_il_insn(&r, off, &len, &op))
            break;
        if (op == MG_IL_CALL && mg_rd_u32(&r, off + 1, &tok) && tok == (0x06000000u | target)) {
            memset(p + off, 0, 5);
            count++;
        }
        off += len;
    }
    return count;
}

/* the code of method row in the output (restored or original) */
static bool out_code(const mg_cli *o, uint32_t row, uint64_t *off, uint32_t *size)
{
    uint32_t rva;
    mg_body b;
    mg_error e;
    if (!mg_tbl_get(o, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) || !rva ||
        mg_body_parse(o, rva, &b, &e) != MG_OK)
        return false;
    *off = b.code_off;
    *size = b.code_size;
    return true;
}

static mg_status finish(uint8_t *out, size_t size, uint32_t init, uint32_t nag, mg_budget *budget,
                        mg_jit_report *rep, mg_error *err)
{
    mg_cli o;
    mg_status st = mg_cli_open(out, size, &o, err);
    if (st != MG_OK)
        return st;
    for (uint32_t row = 1; row <= o.t.rows[MG_T_METHODDEF]; row++) {
        uint64_t off;
        uint32_t n;
        if (row == init || row == nag || !out_code(&o, row, &off, &n))
            continue;
        if (!mg_budget_spend(budget, n + 1u, "removing the initializer calls"))
            break;
        rep->init_calls += nop_calls(out + off, n, init);
        if (nag)
            rep->nag_calls += nop_calls(out + off, n, nag);
    }
    /* the initializer and the nag return at once (both take nothing and return void) */
    uint64_t off;
    uint32_t n;
    if (out_code(&o, init, &off, &n) && n)
        out[off] = MG_IL_RET;
    if (nag && out_code(&o, nag, &off, &n) && n)
        out[off] = MG_IL_RET;
    rep->init = MG_JIT_INIT_CALLS_NOPPED;
    rep->signature_dropped = mg_pe_drop_signature(out, &o.img);
    mg_pe_update_checksum(out, size, &o.img);
    mg_cli_close(&o);
    return MG_OK;
}

mg_status mg_reactor_unpack(const mg_cli *in, mg_budget *budget, uint8_t **outp, size_t *out_size,
                            mg_jit_report *rep, mg_error *err)
{
    emu *E = mg_calloc(1, sizeof *E);
    if (!E)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_reactor_emulate(in, E, budget, err);
    uint32_t nm = in->t.rows[MG_T_METHODDEF];
    rbody *bodies = NULL;
    uint32_t nb = 0, nkeys = 0;
    uint64_t total = 0;
    tkey *keys = NULL;
    uint8_t *out = NULL;
    if (st != MG_OK)
        goto done;
    uint32_t table = body_table(E);
    if (!table) {
        st = mg_fail(err, MG_ERR_UNSUPPORTED, "emulator: the initializer built no table of method bodies");
        goto done;
    }
    bodies = mg_calloc((size_t)nm + 1, sizeof *bodies);
    keys = table_keys(E, table, &nkeys);
    if (!bodies || !keys) {
        st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (uint32_t row = 1; row <= nm; row++) {
        uint32_t rva;
        bool found;
        if (!mg_tbl_get(in, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) || !rva)
            continue;
        if ((st = plan_body(E, table, keys, nkeys, row, rva, &bodies[nb], &found, err)) != MG_OK)
            goto done;
        if (found)
            total += bodies[nb++].size;
        if (total > MAX_SECTION) {
            st = mg_fail(err, MG_ERR_TOO_COSTLY, "too costly: the restored bodies take over %u MiB",
                         MAX_SECTION >> 20);
            goto done;
        }
    }
    if (!nb) {
        st = mg_fail(err, MG_ERR_UNSUPPORTED, nb ? "image too large for a new section"
                                                 : "emulator: no method body matched the table");
        goto done;
    }
    mg_pe_newsect ns;
    if ((st = mg_pe_plan_section(&in->img, (uint32_t)total, &ns, err)) != MG_OK)
        goto done;
    if (ns.file_size > SIZE_MAX || !(out = mg_calloc(1, (size_t)ns.file_size))) {
        st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(out, in->img.r.data, (size_t)in->img.r.size);
    mg_pe_add_section(out, &in->img, &ns, SECTION_NAME, SECTION_FLAGS);
    uint64_t off = ns.raw_off;
    uint32_t rva = ns.rva;
    for (uint32_t i = 0; i < nb; i++) {
        rbody *b = &bodies[i];
        uint64_t cell;
        memcpy(out + off, b->hdr, b->hdr_len);
        memcpy(out + off + b->hdr_len, b->il, b->il_len);
        if (b->sects_len)
            memcpy(out + off + ((b->hdr_len + b->il_len + 3u) & ~3u), b->sects, b->sects_len);
        if (mg_tbl_cell_off(in, MG_T_METHODDEF, b->row, MG_METHOD_RVA, &cell))
            mg_put32(out + cell, rva);
        off += b->size;
        rva += b->size;
    }
    rep->restored = nb;
    memcpy(rep->section, SECTION_NAME, 8);
    rep->section_rva = ns.rva;
    rep->section_size = ns.vsize;
    rep->reactor = true;
    uint32_t nag = find_nag(E, budget);
    st = finish(out, (size_t)ns.file_size, mg_reactor_initializer(in), nag, budget, rep, err);
    if (st == MG_OK && mg_budget_out(budget))
        st = mg_fail(err, MG_ERR_TOO_COSTLY, "too costly: %s (%s)", budget->what,
                     "jit-unpack of a .NET Reactor sample");
    if (st == MG_OK) {
        *outp = out;
        *out_size = (size_t)ns.file_size;
        out = NULL;
    }
done:
    free(out);
    free(keys);
    free(bodies);
    emu_free(E);
    free(E);
    return st;
}
