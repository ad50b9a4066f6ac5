/* types_name.c - bytes by address and the runtime's encoded names.
 *
 * A name (Go 1.7+, reflect's `name`) is a flag byte (1 exported, 2 a tag
 * follows, 4 a package path nameOff follows, 8 embedded field, 1.19+), a
 * length (big-endian 16 bits before 1.17, uvarint from 1.17), the bytes,
 * then, with flag 2, the tag's length and bytes in the same encoding.
 * nameOff and typeOff are int32 offsets from moduledata.types.
 */
#include "go/types.h"

#include "util/alloc.h"

#include <string.h>

bool mg_tc_bytes(const mg_tctx *c, uint64_t addr, uint64_t len, const uint8_t **out)
{
    const mg_modinfo *m = &c->mi;
    if (addr >= m->types && mg_rd_bytes(&c->sec, addr - m->types, len, out))
        return true;
    uint64_t off;
    return mg_img_addr_to_off(c->img, addr, len, &off) && mg_rd_bytes(&c->img->r, off, len, out);
}

bool mg_tc_ptr(const mg_tctx *c, uint64_t addr, uint64_t *v)
{
    const mg_modinfo *m = &c->mi;
    if (addr >= m->types && addr - m->types <= c->sec.size && mg_rd_ptr(&c->sec, addr - m->types, v) &&
        (*v != 0 || c->img->nrelocs == 0))
        return true;
    return mg_img_read_ptr_at(c->img, addr, v);
}

bool mg_tc_u32(const mg_tctx *c, uint64_t addr, uint32_t *v)
{
    const uint8_t *p;
    if (!mg_tc_bytes(c, addr, 4, &p))
        return false;
    *v = mg_ld32(p, c->sec.big_endian);
    return true;
}

bool mg_tc_off(const mg_tctx *c, int32_t off, uint64_t *addr)
{
    if (off < 0 || (uint64_t)off >= c->mi.etypes - c->mi.types)
        return false;
    *addr = c->mi.types + (uint64_t)off;
    return true;
}

/* one length at *at: 16-bit big-endian or uvarint */
static bool name_len(const mg_tctx *c, uint64_t *at, uint64_t *len)
{
    const uint8_t *p;
    if (!c->varint_names) {
        if (!mg_tc_bytes(c, *at, 2, &p))
            return false;
        *len = (uint64_t)p[0] << 8 | p[1];
        *at += 2;
        return true;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < 4; i++) { /* lengths past 2^28 are not names */
        if (!mg_tc_bytes(c, *at + i, 1, &p))
            return false;
        v |= (uint64_t)(p[0] & 0x7f) << (7 * i);
        if (!(p[0] & 0x80)) {
            *at += i + 1;
            *len = v;
            return true;
        }
    }
    return false;
}

bool mg_tc_name(const mg_tctx *c, uint64_t addr, mg_tname *n)
{
    const uint8_t *p;
    if (!mg_tc_bytes(c, addr, 1, &p))
        return false;
    *n = (mg_tname){.flags = p[0], .tag = (const uint8_t *)""};
    uint64_t at = addr + 1;
    if (!name_len(c, &at, &n->len) || n->len > MG_TYPES_MAX_NAME || !mg_tc_bytes(c, at, n->len, &n->s))
        return false;
    at += n->len;
    if (n->flags & 2) {
        if (!name_len(c, &at, &n->tag_len) || n->tag_len > MG_TYPES_MAX_NAME ||
            !mg_tc_bytes(c, at, n->tag_len, &n->tag))
            return false;
    }
    return true;
}

void *mg_tc_alloc(mg_tctx *c, size_t size)
{
    if (c->arena_bytes + size > MG_TYPES_MAX_BYTES) {
        c->capped = true;
        return NULL;
    }
    c->arena_bytes += size;
    return mg_arena_alloc(c->arena, size ? size : 1);
}

const char *mg_tc_str(mg_tctx *c, const uint8_t *s, uint64_t len)
{
    if (len == 0)
        return "";
    if (c->arena_bytes + len + 1 > MG_TYPES_MAX_BYTES) {
        c->capped = true;
        return NULL;
    }
    c->arena_bytes += len + 1;
    return mg_arena_strndup(c->arena, (const char *)s, len);
}

/* the str of the descriptor at addr, decoded both ways: a type string is
 * never empty, so a 16-bit length whose high byte is 0 and a varint
 * of 0 tell the encodings apart */
void mg_tc_detect_names(mg_tctx *c)
{
    if (c->minor) {
        c->varint_names = c->minor >= 17;
        return;
    }
    unsigned old = 0, var = 0;
    uint64_t lo;
    if (!mg_img_addr_to_off(c->img, c->mi.typelinks, c->mi.ntypelinks * 4, &lo))
        return;
    for (uint64_t i = 0; i < c->mi.ntypelinks && i < 64; i++) {
        uint32_t t, str;
        uint64_t a;
        const uint8_t *p;
        if (!mg_rd_u32(&c->img->r, lo + i * 4, &t) || !mg_tc_u32(c, c->mi.types + t + 4 * c->ps + 8, &str) ||
            !mg_tc_off(c, (int32_t)str, &a) || !mg_tc_bytes(c, a, 3, &p))
            continue;
        if (p[1] == 0 && p[2] != 0)
            old++;
        else if (p[1] != 0)
            var++;
    }
    c->varint_names = var >= old;
}
