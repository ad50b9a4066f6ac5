/* emu_heap.c - the emulator's heap: objects, arrays, strings, boxes and
 * hashtables, every byte counted against EMU_MAX_HEAP and every array
 * length against EMU_MAX_ARRAY (a refusal, not a big allocation).  Arrays
 * and strings get addresses in the virtual address space (emu_mem.c) so
 * that pinned pointers into them work. */
#include "util/alloc.h"
#include "dotnet/emu/emu.h"

#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mg_status emu_refuse(emu *E, const char *fmt, ...)
{
    if (E->nomem)
        return mg_fail(E->err, MG_ERR_NOMEM, "out of memory");
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* names come from the file: only printable ASCII reaches the message */
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
    char where[160];
    emu_ref r;
    if (E->where_row && emu_member(E, 0x06000000u | E->where_row, &r)) {
        snprintf(where, sizeof where, "%.60s::%.60s (0x%08x)", r.cls, r.name,
                 0x06000000u | E->where_row);
        for (char *c = where; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                *c = '?';
        return mg_fail(E->err, MG_ERR_UNSUPPORTED, "emulator: %s (in %s at IL_%04x)", msg, where,
                       E->pc);
    }
    return mg_fail(E->err, MG_ERR_UNSUPPORTED, "emulator: %s", msg);
}

static void *heap_alloc(emu *E, uint64_t n)
{
    if (n > EMU_MAX_HEAP || E->heap_bytes > EMU_MAX_HEAP - n)
        return NULL;
    void *p = mg_calloc(1, n ? n : 1);
    if (p)
        E->heap_bytes += n;
    else
        E->nomem = true;
    return p;
}

mg_status emu_heap_full(emu *E)
{
    if (E->nomem)
        return emu_refuse(E, "out of memory");
    char what[64];
    snprintf(what, sizeof what, "heap cap (%llu MiB) reached", (unsigned long long)(EMU_MAX_HEAP >> 20));
    return emu_too_costly(E, what);
}

emu_obj *emu_o(emu *E, uint32_t ref)
{
    return ref && ref < E->nobj ? E->obj[ref] : NULL;
}

uint32_t emu_new(emu *E, uint8_t kind)
{
    if (E->nobj >= EMU_MAX_OBJECTS)
        return 0;
    if (E->nobj == E->capobj) {
        uint32_t nc = E->capobj ? E->capobj * 2 : 1024;
        emu_obj **no = mg_realloc(E->obj, nc * sizeof *no);
        if (!no) {
            E->nomem = true;
            return 0;
        }
        E->obj = no;
        E->capobj = nc;
    }
    emu_obj *o = heap_alloc(E, sizeof *o);
    if (!o)
        return 0;
    o->kind = kind;
    E->obj[E->nobj] = o;
    return E->nobj++;
}

static bool index_addr(emu *E, uint32_t ref, uint64_t bytes)
{
    emu_obj *o = E->obj[ref];
    if (E->naddr == E->capaddr) {
        uint32_t nc = E->capaddr ? E->capaddr * 2 : 1024;
        uint32_t *ni = mg_realloc(E->addr_index, nc * sizeof *ni);
        if (!ni) {
            E->nomem = true;
            return false;
        }
        E->addr_index = ni;
        E->capaddr = nc;
    }
    o->vaddr = E->next_addr;
    E->next_addr += (bytes + 0x1f) & ~(uint64_t)0xf; /* gaps between arrays */
    if (E->next_addr >= 0x70000000u)
        return false; /* stays a positive 32-bit address */
    E->addr_index[E->naddr++] = ref;
    return true;
}

uint32_t emu_new_array(emu *E, uint32_t len, uint8_t esz, char ek, uint32_t type)
{
    if (len > EMU_MAX_ARRAY || !esz)
        return 0;
    uint32_t r = emu_new(E, O_ARRAY);
    if (!r)
        return 0;
    emu_obj *o = E->obj[r];
    o->raw = heap_alloc(E, (uint64_t)len * esz);
    if (!o->raw)
        return 0;
    o->len = len;
    o->esz = esz;
    o->ek = ek;
    o->type = type;
    if (!index_addr(E, r, (uint64_t)len * esz))
        return 0;
    return r;
}

uint32_t emu_new_varray(emu *E, uint32_t len)
{
    if (len > EMU_MAX_ARRAY)
        return 0;
    uint32_t r = emu_new(E, O_VARRAY);
    if (!r)
        return 0;
    emu_obj *o = E->obj[r];
    o->vals = heap_alloc(E, (uint64_t)len * sizeof(emu_val));
    if (!o->vals)
        return 0;
    for (uint32_t i = 0; i < len; i++)
        o->vals[i].k = V_REF;
    o->len = len;
    return r;
}

uint32_t emu_new_string16(emu *E, const uint8_t *u16, uint32_t nunits)
{
    uint32_t r = emu_new_array(E, nunits, 2, 'c', 0);
    if (!r)
        return 0;
    E->obj[r]->kind = O_STRING;
    if (nunits)
        memcpy(E->obj[r]->raw, u16, (size_t)nunits * 2);
    return r;
}

uint32_t emu_new_string(emu *E, const char *s, size_t n)
{
    if (n > EMU_MAX_ARRAY)
        return 0;
    uint32_t r = emu_new_array(E, (uint32_t)n, 2, 'c', 0);
    if (!r)
        return 0;
    E->obj[r]->kind = O_STRING;
    for (size_t i = 0; i < n; i++)
        E->obj[r]->raw[2 * i] = (uint8_t)s[i];
    return r;
}

uint32_t emu_new_bytes(emu *E, const uint8_t *p, uint32_t n)
{
    uint32_t r = emu_new_array(E, n, 1, 'u', 0);
    if (r && n)
        memcpy(E->obj[r]->raw, p, n);
    return r;
}

uint32_t emu_box(emu *E, emu_val v)
{
    if (v.k == V_REF)
        return v.ref;
    uint32_t r = emu_new(E, O_BOX);
    if (!r)
        return 0;
    emu_obj *o = E->obj[r];
    o->vals = heap_alloc(E, sizeof(emu_val));
    if (!o->vals)
        return 0;
    o->vals[0] = v;
    o->len = 1;
    return r;
}

emu_val *emu_field_slot(emu *E, uint32_t objref, uint32_t field_row)
{
    emu_obj *o = emu_o(E, objref);
    if (!o || (o->kind != O_FIELDS && o->kind != O_DELEGATE && o->kind != O_MODEL))
        return NULL;
    for (uint32_t i = 0; i < o->len; i++)
        if (o->frow[i] == field_row)
            return &o->vals[i];
    if (!o->cap) { /* 64 fields per object, allocated once: slots never move */
        o->vals = heap_alloc(E, 64 * sizeof *o->vals);
        o->frow = heap_alloc(E, 64 * sizeof *o->frow);
        if (!o->vals || !o->frow)
            return NULL;
        o->cap = 64;
    }
    if (o->len == o->cap)
        return NULL;
    o->frow[o->len] = field_row;
    emu_val *s = &o->vals[o->len++];
    s->k = emu_field_kind(E, field_row);
    return s;
}

/* ---- Hashtable, SortedList: key/value pairs in insertion order (vals)
 * and an open-addressing index over them (frow: cap slots, each 0 or 1 +
 * the pair's index; at most cap / 2 pairs, so the index is at most half
 * full).  Keys are equal as the framework's Equals says for the keys the
 * models make: strings by content, boxed numbers by value, other objects
 * by identity; each key is hashed the same way.  Hashing and comparing
 * strings is charged to the work budget (by bytes). */

/* a key as compared: a boxed number unboxed; *s its string, or NULL */
static emu_val key_of(emu *E, emu_val k, emu_obj **s)
{
    emu_obj *o = k.k == V_REF ? emu_o(E, k.ref) : NULL;
    if (o && o->kind == O_BOX)
        k = o->vals[0], o = NULL;
    *s = o && o->kind == O_STRING ? o : NULL;
    return k;
}

static bool key_eq(emu *E, emu_val a, emu_val b)
{
    emu_obj *sa, *sb;
    a = key_of(E, a, &sa);
    b = key_of(E, b, &sb);
    if (sa && sb) {
        if (sa->len != sb->len)
            return false;
        E->insns += 2ull * sa->len / EMU_BYTES_PER_UNIT; /* checked at the next instruction */
        return !memcmp(sa->raw, sb->raw, (size_t)sa->len * 2);
    }
    if (a.k == V_REF || b.k == V_REF)
        return a.k == b.k && a.ref == b.ref;
    if (a.k == V_F || b.k == V_F)
        return a.k == b.k && a.f == b.f;
    return a.i == b.i && (a.k == V_I8) == (b.k == V_I8);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t key_hash(emu *E, emu_val k)
{
    emu_obj *s;
    k = key_of(E, k, &s);
    if (s) { /* FNV-1a over the UTF-16 units */
        uint64_t h = 0xcbf29ce484222325ull;
        for (uint64_t i = 0; i < 2ull * s->len; i++)
            h = (h ^ s->raw[i]) * 0x100000001b3ull;
        E->insns += 2ull * s->len / EMU_BYTES_PER_UNIT;
        return mix(h ^ 1);
    }
    if (k.k == V_REF)
        return mix(((uint64_t)k.ref << 2) | 2);
    if (k.k == V_F) {
        uint64_t bits;
        double f = k.f == 0 ? 0.0 : k.f; /* -0.0 equals 0.0 */
        memcpy(&bits, &f, 8);
        return mix(bits ^ 3);
    }
    return mix((uint64_t)k.i ^ (k.k == V_I8 ? 0x5555555555555555ull : 0));
}

/* the index slot of key in o: where it is, or the empty one where it goes */
static uint32_t hash_slot(emu *E, emu_obj *o, emu_val key, uint64_t h)
{
    uint32_t mask = o->cap - 1, i = (uint32_t)h & mask;
    while (o->frow[i] && !key_eq(E, o->vals[2 * (o->frow[i] - 1)], key))
        i = (i + 1) & mask;
    return i;
}

emu_val *emu_hash_get(emu *E, uint32_t h, emu_val key)
{
    emu_obj *o = emu_o(E, h);
    if (!o || o->kind != O_HASH || !o->len)
        return NULL;
    uint32_t i = hash_slot(E, o, key, key_hash(E, key));
    return o->frow[i] ? &o->vals[2 * (o->frow[i] - 1) + 1] : NULL;
}

/* room for one more pair: value slots and index slots doubled (cap of each) */
static bool hash_grow(emu *E, emu_obj *o)
{
    uint32_t nc = o->cap ? o->cap * 2 : 64;
    if (nc > EMU_MAX_ARRAY)
        return false;
    emu_val *nv = heap_alloc(E, (uint64_t)nc * sizeof *nv);
    uint32_t *ni = nv ? heap_alloc(E, (uint64_t)nc * sizeof *ni) : NULL;
    if (!ni) {
        free(nv);
        return false;
    }
    if (o->len)
        memcpy(nv, o->vals, o->len * sizeof *nv);
    free(o->vals);
    free(o->frow);
    o->vals = nv;
    o->frow = ni;
    o->cap = nc;
    for (uint32_t p = 0; 2 * p < o->len; p++) /* keys are distinct: no compare */
        for (uint32_t i = (uint32_t)key_hash(E, o->vals[2 * p]) & (nc - 1);; i = (i + 1) & (nc - 1))
            if (!ni[i]) {
                ni[i] = p + 1;
                break;
            }
    return true;
}

bool emu_hash_put(emu *E, uint32_t h, emu_val key, emu_val val)
{
    emu_obj *o = emu_o(E, h);
    if (!o || o->kind != O_HASH)
        return false;
    emu_val *slot = emu_hash_get(E, h, key);
    if (slot) {
        *slot = val;
        return true;
    }
    if (o->len + 2 > o->cap && !hash_grow(E, o))
        return false;
    o->frow[hash_slot(E, o, key, key_hash(E, key))] = o->len / 2 + 1;
    o->vals[o->len++] = key;
    o->vals[o->len++] = val;
    return true;
}

void emu_free(emu *E)
{
    for (uint32_t i = 1; i < E->nobj; i++) {
        if (!E->obj[i])
            continue;
        free(E->obj[i]->raw);
        free(E->obj[i]->vals);
        free(E->obj[i]->frow);
        free(E->obj[i]);
    }
    free(E->obj);
    free(E->addr_index);
    free(E->vals);
    free(E->statics);
    free(E->cctor_state);
    free(E->field_owner);
    free(E->mcache);
    free(E->mloaded);
    free(E->vimg);
    memset(E, 0, sizeof *E);
}
