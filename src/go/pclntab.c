/* pclntab.c - validates a pclntab header in any of the four layouts and
 * decodes function entries, names and source files from it.
 *
 * Layout facts (docs/design.md "pclntab layouts"): magic, two zero bytes, instruction
 * quantum, pointer size, then pointer-sized header words w(i) at
 * 8 + i*ptrsize.  Nothing read here is trusted: every offset is checked
 * against the region the header sits in.
 */
#include "go/pclntab.h"

#include <string.h>

static uint32_t gen_magic(mg_pclntab_gen g)
{
    switch (g) {
    case MG_PCLN_12: return 0xfffffffbu;
    case MG_PCLN_116: return 0xfffffffau;
    case MG_PCLN_118: return 0xfffffff0u;
    case MG_PCLN_120: return 0xfffffff1u;
    default: return 0;
    }
}

static mg_pclntab_gen magic_gen(uint32_t m)
{
    switch (m) {
    case 0xfffffffbu: return MG_PCLN_12;
    case 0xfffffffau: return MG_PCLN_116;
    case 0xfffffff0u: return MG_PCLN_118;
    case 0xfffffff1u: return MG_PCLN_120;
    }
    return MG_PCLN_NONE;
}

static bool hdr_word(const mg_pcln *p, unsigned i, uint64_t *out)
{
    return mg_rd_ptr(&p->r, 8 + (uint64_t)i * p->r.ptrsize, out);
}

/* size of one functab pair */
static unsigned ftab_entsize(const mg_pcln *p)
{
    return p->gen >= MG_PCLN_118 ? 8 : 2 * p->r.ptrsize;
}

/* raw functab pair i: (entry or entryoff, func offset) */
static bool ftab_pair(const mg_pcln *p, uint64_t i, uint64_t *entry, uint64_t *funcoff)
{
    uint64_t e = p->ftab_off + i * ftab_entsize(p);
    if (p->gen >= MG_PCLN_118) {
        uint32_t a, b;
        if (!mg_rd_u32(&p->r, e, &a) || !mg_rd_u32(&p->r, e + 4, &b))
            return false;
        *entry = a;
        *funcoff = b;
        return true;
    }
    return mg_rd_ptr(&p->r, e, entry) && mg_rd_ptr(&p->r, e + p->r.ptrsize, funcoff);
}

/* offset of the _func of pair i, relative to the header */
static bool func_off(const mg_pcln *p, uint64_t funcoff, uint64_t *out)
{
    uint64_t base = p->gen == MG_PCLN_12 ? 0 : p->pcln_off;
    return mg_add_ok(base, funcoff, out) && out[0] < p->r.size;
}

static bool read_name(const mg_pcln *p, uint64_t func, uint64_t maxlen, const char **name,
                      uint32_t *len)
{
    uint32_t nameoff;
    uint64_t at = func + (p->gen >= MG_PCLN_118 ? 4 : p->r.ptrsize);
    if (!mg_rd_u32(&p->r, at, &nameoff) || (int32_t)nameoff < 0)
        return false;
    uint64_t o = (p->gen == MG_PCLN_12 ? 0 : p->funcname_off) + nameoff;
    size_t n;
    if (!mg_rd_cstr(&p->r, o, maxlen, name, &n))
        return false;
    *len = (uint32_t)n;
    return true;
}

/* Check entry i: the _func it points at must repeat its entry, and its name
 * must start inside the table with a printable byte.  (The name's end is not
 * searched here: that keeps validation O(1), and a hostile over-long name
 * is cut later instead of hiding the table.) */
/* validation fails: why, for the caller's report */
static bool reject(mg_pcln *p, const char *why)
{
    p->reject = why;
    return false;
}

/* NULL when entry i checks out, else why not.  names false: a _func that
 * cannot be read is let pass (one that can must still agree), and the name
 * is not looked at. */
static const char *check_entry(const mg_pcln *p, uint64_t i, bool names)
{
    uint64_t entry, funcoff, fo, fentry, o;
    uint32_t nameoff;
    uint8_t c;
    const char *outside = names ? "a function record lies outside the table" : NULL;
    if (!ftab_pair(p, i, &entry, &funcoff))
        return "a function record lies outside the table";
    if (!func_off(p, funcoff, &fo))
        return outside;
    if (p->gen >= MG_PCLN_118) {
        uint32_t e32;
        if (!mg_rd_u32(&p->r, fo, &e32))
            return outside;
        fentry = e32;
    } else if (!mg_rd_ptr(&p->r, fo, &fentry)) {
        return outside;
    }
    if (fentry != entry)
        return "a function's entry differs from its functab entry";
    if (!names)
        return NULL;
    uint64_t at = fo + (p->gen >= MG_PCLN_118 ? 4 : p->r.ptrsize);
    if (!mg_rd_u32(&p->r, at, &nameoff) || (int32_t)nameoff < 0 ||
        !mg_add_ok(p->gen == MG_PCLN_12 ? 0 : p->funcname_off, nameoff, &o))
        return "a function name offset is out of range";
    if (!mg_rd_u8(&p->r, o, &c) || c <= 0x20 || c >= 0x7f)
        return "a function name does not start with a printable character";
    return NULL;
}

bool mg_pcln_validate_header(const mg_reader *region, uint64_t off, mg_pclntab_gen gen, mg_pcln *p)
{
    memset(p, 0, sizeof *p);
    const uint8_t *h;
    if (!mg_rd_bytes(region, off, 16, &h))
        return reject(p, "header runs past the end");
    if (h[4] != 0 || h[5] != 0 || (h[6] != 1 && h[6] != 2 && h[6] != 4) ||
        (h[7] != 4 && h[7] != 8))
        return reject(p, "bad header bytes 4-7 (padding, quantum, pointer size)");
    bool be;
    uint32_t mle = mg_ld32(h, false), mbe = mg_ld32(h, true);
    if (gen == MG_PCLN_NONE) {
        if (magic_gen(mle) != MG_PCLN_NONE) {
            gen = magic_gen(mle);
            be = false;
        } else if (magic_gen(mbe) != MG_PCLN_NONE) {
            gen = magic_gen(mbe);
            be = true;
        } else {
            return reject(p, "no pclntab magic");
        }
        p->magic_ok = true;
    } else {
        /* forced layout: byte order must be recovered from the words */
        be = region->big_endian;
        p->magic_ok = (be ? mbe : mle) == gen_magic(gen);
    }
    p->gen = gen;
    p->quantum = h[6];
    p->file_off = off;
    if (!mg_rd_sub(region, off, region->size - off, &p->r))
        return reject(p, "header runs past the end");
    p->r.big_endian = be;
    p->r.ptrsize = h[7];
    unsigned ps = h[7];

    if (!hdr_word(p, 0, &p->header_nfunc))
        return reject(p, "header runs past the end");
    switch (gen) {
    case MG_PCLN_12:
        p->ftab_off = 8 + ps;
        break;
    case MG_PCLN_116:
        if (!hdr_word(p, 1, &p->nfiles) || !hdr_word(p, 2, &p->funcname_off) ||
            !hdr_word(p, 3, &p->cu_off) || !hdr_word(p, 4, &p->filetab_off) ||
            !hdr_word(p, 5, &p->pctab_off) || !hdr_word(p, 6, &p->pcln_off))
            return reject(p, "header runs past the end");
        p->ftab_off = p->pcln_off;
        break;
    case MG_PCLN_118:
    case MG_PCLN_120:
        if (!hdr_word(p, 1, &p->nfiles) || !hdr_word(p, 2, &p->text_start) ||
            !hdr_word(p, 3, &p->funcname_off) || !hdr_word(p, 4, &p->cu_off) ||
            !hdr_word(p, 5, &p->filetab_off) || !hdr_word(p, 6, &p->pctab_off) ||
            !hdr_word(p, 7, &p->pcln_off))
            return reject(p, "header runs past the end");
        p->ftab_off = p->pcln_off;
        break;
    default:
        return reject(p, "unknown layout");
    }
    if (gen != MG_PCLN_12) {
        /* the tables follow the header in this order */
        uint64_t hdr_end = 8 + (gen == MG_PCLN_116 ? 7 : 8) * (uint64_t)ps;
        if (p->funcname_off < hdr_end || p->cu_off < p->funcname_off ||
            p->filetab_off < p->cu_off || p->pctab_off < p->filetab_off ||
            p->pcln_off < p->pctab_off || p->pcln_off >= p->r.size)
            return reject(p, "header table offsets out of order or out of range");
    }
    return true;
}

bool mg_pcln_validate_funcs(mg_pcln *p, uint64_t nfunc, bool names)
{
    p->funcs_capped = false;
    if (nfunc == 0)
        return reject(p, "no functions");
    if (nfunc > MG_MAX_FUNCS) {
        nfunc = MG_MAX_FUNCS; /* reported as partial by the caller */
        p->funcs_capped = true;
    }
    p->nfunc = nfunc;
    /* functab: nfunc pairs plus the end value must fit */
    uint64_t tabsz;
    if (!mg_mul_ok(nfunc + 1, ftab_entsize(p), &tabsz) || !mg_rd_has(&p->r, p->ftab_off, tabsz))
        return reject(p, "function table runs past the end");
    /* sample entries: first few, last, and strictly increasing entries */
    uint64_t prev = 0;
    uint64_t checks[] = {0, 1, 2, nfunc / 2, nfunc - 1};
    for (size_t k = 0; k < sizeof checks / sizeof *checks; k++) {
        uint64_t i = checks[k];
        if (i >= nfunc)
            continue;
        const char *why = check_entry(p, i, names);
        if (why)
            return reject(p, why);
    }
    for (uint64_t i = 0; i < nfunc && i < 64; i++) {
        uint64_t e, f;
        /* without the _func checks, entries must strictly increase */
        if (!ftab_pair(p, i, &e, &f) || (i > 0 && (e < prev || (!names && e == prev))))
            return reject(p, "function entries not in increasing order");
        prev = e;
    }
    return true;
}

bool mg_pcln_validate(const mg_reader *region, uint64_t off, mg_pclntab_gen gen, mg_pcln *p)
{
    return mg_pcln_validate_header(region, off, gen, p) &&
           mg_pcln_validate_funcs(p, p->header_nfunc, true);
}

bool mg_pcln_func(const mg_pcln *p, uint64_t i, uint64_t *entry, const char **name,
                  uint32_t *name_len, bool *name_cut)
{
    uint64_t e, funcoff, fo;
    *name_cut = false;
    if (i >= p->nfunc || !ftab_pair(p, i, &e, &funcoff) || !func_off(p, funcoff, &fo))
        return false;
    *entry = p->gen >= MG_PCLN_118 ? p->text_start + e : e;
    if (read_name(p, fo, MG_MAX_NAME_LEN, name, name_len))
        return true;
    /* no NUL within the bound: keep the first MG_MAX_NAME_LEN bytes */
    uint32_t nameoff;
    uint64_t at = fo + (p->gen >= MG_PCLN_118 ? 4 : p->r.ptrsize), o;
    const uint8_t *b;
    if (mg_rd_u32(&p->r, at, &nameoff) && (int32_t)nameoff >= 0 &&
        mg_add_ok(p->gen == MG_PCLN_12 ? 0 : p->funcname_off, nameoff, &o) &&
        mg_rd_bytes(&p->r, o, MG_MAX_NAME_LEN, &b)) {
        *name = (const char *)b;
        *name_len = MG_MAX_NAME_LEN;
        *name_cut = true;
        return true;
    }
    *name = "";
    *name_len = 0;
    return true;
}

bool mg_pcln_first_last(const mg_pcln *p, uint64_t *first, uint64_t *end)
{
    uint64_t f;
    return ftab_pair(p, 0, first, &f) && ftab_pair(p, p->nfunc, end, &f);
}

/* first value of a pcvalue table: starts at -1, first varint is a zigzag delta */
static bool pcvalue_first(const mg_pcln *p, uint64_t off, int64_t *val)
{
    uint64_t u;
    if (off == 0 || !mg_rd_uvarint(&p->r, &off, &u) || (u >> 1) > INT32_MAX)
        return false; /* file numbers are small; this also keeps the sum in range */
    int64_t d = (u & 1) ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
    *val = -1 + d;
    return true;
}

bool mg_pcln_func_file(const mg_pcln *p, uint64_t i, const char **file, uint32_t *len)
{
    uint64_t e, funcoff, fo;
    uint32_t pcfile, ucu, nameoff;
    int64_t fileno;
    size_t n;
    if (i >= p->nfunc || !ftab_pair(p, i, &e, &funcoff) || !func_off(p, funcoff, &fo))
        return false;
    uint64_t fields = fo + (p->gen >= MG_PCLN_118 ? 4 : p->r.ptrsize); /* at nameoff */
    if (!mg_rd_u32(&p->r, fields + 16, &pcfile))
        return false;
    if (p->gen == MG_PCLN_12) {
        if (!pcvalue_first(p, pcfile, &fileno) || fileno < 1)
            return false;
        /* after the functab: uint32 offset of the file table */
        uint32_t ft, nfiles;
        uint64_t at = p->ftab_off + (p->nfunc * 2 + 1) * p->r.ptrsize;
        if (!mg_rd_u32(&p->r, at, &ft) || !mg_rd_u32(&p->r, ft, &nfiles) ||
            (uint64_t)fileno >= nfiles || !mg_rd_u32(&p->r, ft + 4 * (uint64_t)fileno, &nameoff))
            return false;
        if (!mg_rd_cstr(&p->r, nameoff, MG_MAX_NAME_LEN, file, &n))
            return false;
    } else {
        if (pcfile == 0 || !pcvalue_first(p, p->pctab_off + pcfile, &fileno) || fileno < 0 ||
            !mg_rd_u32(&p->r, fields + 28, &ucu))
            return false;
        uint64_t at = p->cu_off + 4 * ((uint64_t)ucu + (uint64_t)fileno);
        if (at >= p->filetab_off || !mg_rd_u32(&p->r, at, &nameoff) || nameoff == UINT32_MAX)
            return false;
        if (!mg_rd_cstr(&p->r, p->filetab_off + nameoff, MG_MAX_NAME_LEN, file, &n))
            return false;
    }
    *len = (uint32_t)n;
    return true;
}
