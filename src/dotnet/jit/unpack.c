/* unpack.c - jit-unpack: restores a JIT-hook packed assembly statically.
 * Stage A works on the input: it checks the packer's evidence, gives every
 * method that will be written and shares its body with another method its
 * own copy of the body (in a new section), and writes each stored IL back
 * over the 0x87 stub.  Stage B re-reads the result as an assembly and
 * neutralises the module initializer, then drops the IL resources when
 * asked.  Nothing is returned unless every step succeeded. */
#include "dotnet/jit/jitpack.h"
#include "util/alloc.h"
#include "dotnet/reactor/reactor.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define SECTION_NAME ".mgil\0\0"
#define SECTION_FLAGS 0x60000020u /* code, execute, read */

typedef struct user {
    uint32_t rva, row;
} user;

typedef struct copy {
    uint32_t row, rva; /* the method and the RVA of its copy */
    uint64_t off;      /* file offset of the copy in the output */
    mg_body body;      /* the body copied (from the input) */
} copy;

typedef struct plan {
    uint32_t *copy_of;   /* per MethodDef row (index row - 1): 1 + its copy, 0: stays */
    copy *copies;
    uint32_t ncopies, cap, split_bodies;
    uint64_t bytes;      /* size of the copies, each 4-byte aligned */
} plan;

static int cmp_user(const void *a, const void *b)
{
    const user *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static bool restorable(const mg_jit_method *m)
{
    return m && (m->state == MG_JM_STUBBED || m->state == MG_JM_DIFFERENT);
}

/* rows that will be written to: restored methods and the module initializer */
static bool writes(const mg_jit_scan *s, uint32_t row)
{
    return row == s->cctor || restorable(mg_jit_find(s, row));
}

static void plan_free(plan *p)
{
    free(p->copy_of);
    free(p->copies);
}

/* one more copy (at most one per method, so the growth is bounded) */
static mg_status add_copy(const mg_cli *cli, plan *p, const user *u, mg_error *err)
{
    if (p->ncopies == p->cap) {
        uint32_t cap = p->cap ? 2 * p->cap : 16;
        copy *c = mg_realloc(p->copies, (size_t)cap * sizeof *c);
        if (!c)
            return mg_fail(err, MG_ERR_NOMEM, "out of memory");
        p->copies = c;
        p->cap = cap;
    }
    copy *c = &p->copies[p->ncopies];
    mg_status st = mg_body_parse(cli, u->rva, &c->body, err);
    if (st != MG_OK)
        return st;
    c->row = u->row;
    p->copy_of[u->row - 1] = ++p->ncopies;
    p->bytes += (c->body.total + 3u) & ~3u;
    return MG_OK;
}

/* Which rows need their own copy of a shared body. */
static mg_status make_plan(const mg_cli *cli, const mg_jit_scan *s, plan *p, mg_error *err)
{
    size_t n = s->nmethods ? s->nmethods : 1;
    user *u = mg_malloc(n * sizeof *u);
    p->copy_of = mg_calloc(n, sizeof *p->copy_of);
    if (!u || !p->copy_of) {
        free(u);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    uint32_t nu = 0;
    for (uint32_t row = 1; row <= s->nmethods; row++)
        if (s->rva[row - 1])
            u[nu++] = (user){s->rva[row - 1], row};
    qsort(u, nu, sizeof *u, cmp_user);
    mg_status st = MG_OK;
    for (uint32_t i = 0; i < nu && st == MG_OK;) {
        uint32_t j = i + 1, nw = 0;
        while (j < nu && u[j].rva == u[i].rva)
            j++;
        for (uint32_t k = i; k < j; k++)
            nw += writes(s, u[k].row);
        /* a body read by a method we leave alone stays; else the first writer keeps it */
        bool keep_first = j - i > 1 && nw == j - i;
        bool split = false;
        for (uint32_t k = i; k < j && j - i > 1; k++) {
            if (!writes(s, u[k].row) || (keep_first && k == i))
                continue;
            if ((st = add_copy(cli, p, &u[k], err)) != MG_OK)
                break;
            split = true;
        }
        p->split_bodies += split;
        i = j;
    }
    free(u);
    return st;
}

/* Stage A: the output bytes with copies placed and IL restored. */
static mg_status stage_a(const mg_cli *in, const mg_jit_scan *s, plan *p, uint8_t **outp,
                         size_t *out_size, mg_jit_report *rep, mg_error *err)
{
    const mg_reader *r = &in->img.r;
    mg_pe_newsect ns = {0};
    uint64_t size = r->size;
    if (p->ncopies) {
        if (p->bytes > UINT32_MAX)
            return mg_fail(err, MG_ERR_UNSUPPORTED, "image too large for a new section");
        mg_status st = mg_pe_plan_section(&in->img, (uint32_t)p->bytes, &ns, err);
        if (st != MG_OK)
            return st;
        size = ns.file_size;
    }
    if (size > SIZE_MAX)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    uint8_t *out = mg_calloc(1, (size_t)size);
    if (!out)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    memcpy(out, r->data, (size_t)r->size);
    if (p->ncopies) {
        if (!mg_pe_add_section(out, &in->img, &ns, SECTION_NAME, SECTION_FLAGS)) {
            free(out);
            return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
        }
        uint64_t off = ns.raw_off;
        uint32_t rva = ns.rva;
        for (uint32_t i = 0; i < p->ncopies; i++) {
            copy *c = &p->copies[i];
            uint64_t cell;
            memcpy(out + off, r->data + c->body.off, c->body.total); /* parsed: inside the input */
            mg_tbl_cell_off(in, MG_T_METHODDEF, c->row, MG_METHOD_RVA, &cell);
            mg_put32(out + cell, rva);
            c->rva = rva;
            c->off = off;
            off += (c->body.total + 3u) & ~3u;
            rva += (c->body.total + 3u) & ~3u;
        }
        memcpy(rep->section, SECTION_NAME, 8);
        rep->section_rva = ns.rva;
        rep->section_size = ns.vsize;
        rep->split_methods = p->ncopies;
        rep->split_bodies = p->split_bodies;
    }
    for (size_t i = 0; i < s->n; i++) {
        const mg_jit_method *m = &s->m[i];
        if (!restorable(m))
            continue;
        uint32_t c = p->copy_of[m->row - 1];
        uint64_t code = c ? p->copies[c - 1].off + m->body.hdr_size : m->body.code_off;
        memcpy(out + code, r->data + m->il_off, m->il_len);
        rep->restored++;
    }
    rep->intact = s->count[MG_JM_INTACT];
    *outp = out;
    *out_size = (size_t)size;
    return MG_OK;
}

/* IL resources of the output (every embedded resource naming a method with a body) */
static mg_status strip(const mg_cli *o, uint8_t *out, mg_jit_report *rep, mg_error *err)
{
    uint32_t nres = o->t.rows[MG_T_MANIFESTRESOURCE];
    bool *drop = mg_calloc((size_t)nres + 1, sizeof *drop);
    if (!drop)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (uint32_t row = 1; row <= nres; row++) {
        mg_resource res;
        uint32_t m, rva;
        drop[row] = mg_resource_get(o, row, &res) && res.embedded &&
                    mg_resource_method_token(&res, o, &m) &&
                    mg_tbl_get(o, MG_T_METHODDEF, m, MG_METHOD_RVA, &rva) && rva;
    }
    mg_status st = mg_strip_resources(o, out, drop, &rep->stripped, err);
    free(drop);
    return st;
}

/* Stage B: on the restored image, the initializer and the resources. */
static mg_status stage_b(const mg_jit_scan *s, uint8_t *out, size_t size, unsigned flags,
                         mg_jit_report *rep, mg_error *err)
{
    mg_cli o;
    mg_status st = mg_cli_open(out, size, &o, err);
    if (st != MG_OK)
        return st;
    const mg_jit_method *cm = mg_jit_find(s, s->cctor);
    st = mg_init_neutralise(&o, out, s->cctor, cm != NULL, &rep->init, &rep->init_calls, err);
    if (st == MG_OK && (flags & MG_JIT_STRIP))
        st = strip(&o, out, rep, err);
    if (st == MG_OK) {
        rep->signature_dropped = mg_pe_drop_signature(out, &o.img);
        mg_pe_update_checksum(out, size, &o.img);
    }
    mg_cli_close(&o);
    return st;
}

static mg_status refuse(const mg_jit_scan *s, mg_error *err)
{
    if (!s->n)
        return mg_fail(err, MG_ERR_UNSUPPORTED,
                       "not JIT-hook packed (no IL resources named after method tokens)");
    return mg_fail(err, MG_ERR_UNSUPPORTED, "not JIT-hook packed (no stubbed method bodies)");
}

/* grow the headers first when the section table is full, then start over */
static mg_status run(const void *data, size_t size, unsigned flags, bool grown, mg_budget *b,
                     uint8_t **outp, size_t *out_size, mg_jit_report *rep, mg_error *err);

static mg_status run_grown(const mg_cli *in, unsigned flags, mg_budget *b, uint8_t **outp,
                           size_t *out_size, mg_jit_report *rep, mg_error *err)
{
    uint8_t *g;
    size_t gsize;
    uint32_t delta;
    mg_status st = mg_pe_grow_headers(&in->img, &g, &gsize, &delta, err);
    if (st != MG_OK)
        return st;
    st = run(g, gsize, flags, true, b, outp, out_size, rep, err);
    rep->headers_grown = delta;
    free(g);
    return st;
}

static mg_status run(const void *data, size_t size, unsigned flags, bool grown, mg_budget *b,
                     uint8_t **outp, size_t *out_size, mg_jit_report *rep, mg_error *err)
{
    mg_cli in;
    mg_status st = mg_cli_open(data, size, &in, err);
    if (st != MG_OK)
        return st;
    if ((st = mg_pe_check_complete(&in.img, err)) != MG_OK) {
        mg_cli_close(&in);
        return st;
    }
    mg_jit_scan s;
    st = mg_jit_scan_run(&in, &s, err);
    if (st != MG_OK) {
        mg_cli_close(&in);
        return st;
    }
    uint8_t *buf = NULL;
    size_t n = 0;
    plan p = {0};
    mg_reactor_info ri;
    if (!mg_jit_packed(&s) && mg_reactor_detect(&in, &ri) && ri.detected) {
        if (!grown && !mg_pe_has_slot(&in.img))
            st = run_grown(&in, flags, b, &buf, &n, rep, err);
        else
            st = mg_reactor_unpack(&in, b, &buf, &n, rep, err);
    } else if (!mg_jit_packed(&s))
        st = refuse(&s, err);
    else if (s.problem[0])
        st = mg_fail(err, MG_ERR_MALFORMED, "cannot restore %s", s.problem);
    else if ((st = make_plan(&in, &s, &p, err)) == MG_OK) {
        if (p.ncopies && !grown && !mg_pe_has_slot(&in.img))
            st = run_grown(&in, flags, b, &buf, &n, rep, err);
        else if ((st = stage_a(&in, &s, &p, &buf, &n, rep, err)) == MG_OK)
            st = stage_b(&s, buf, n, flags, rep, err);
    }
    plan_free(&p);
    mg_jit_scan_free(&s);
    mg_cli_close(&in);
    if (st != MG_OK) {
        free(buf);
        return st;
    }
    *outp = buf;
    *out_size = n;
    return MG_OK;
}

mg_status mg_dotnet_jit_unpack(const void *data, size_t size, unsigned flags, void **out,
                               size_t *out_size, mg_jit_report *rep, mg_error *err)
{
    mg_jit_report dummy;
    if (!rep)
        rep = &dummy;
    memset(rep, 0, sizeof *rep);
    if (!out || !out_size || (!data && size))
        return mg_fail(err, MG_ERR_ARG, "bad argument");
    *out = NULL;
    *out_size = 0;
    uint8_t *buf;
    size_t n;
    mg_budget b; /* the wall clock of the whole unpack (the emulator's work has its own cap) */
    mg_budget_init(&b, size, UINT64_MAX, MG_JIT_SECONDS);
    mg_status st = run(data, size, flags, false, &b, &buf, &n, rep, err);
    if (st != MG_OK) {
        memset(rep, 0, sizeof *rep);
        return st;
    }
    *out = buf;
    *out_size = n;
    return MG_OK;
}

void mg_dotnet_free(void *p)
{
    free(p);
}
