/* types.h - shared state of the runtime type reader (src/go/types_*.c).
 *
 * Layout eras (Go minor version; 0 = unknown, read by validation):
 *   names: 1.7-1.16 big-endian 16-bit lengths, 1.17+ uvarint lengths;
 *   struct field embedded flag: 1.7-1.8 empty name, 1.9-1.18 bit 0 of
 *   offset<<1, 1.19+ bit 3 of the name's flag byte;
 *   uncommon type: 1.7 8 bytes (16-bit moff), 1.8+ 16 bytes;
 *   map type size: per era (only needed to find a named map's methods);
 *   1.5-1.6 (types_old.c): *string names, pointer references, no types
 *   section (the descriptors' rodata section stands for it), no itabs.
 * Every read goes through the image's bounds-checked reader; every
 * descriptor is validated (kind, size against kind, alignment, name)
 * before it is kept.
 */
#ifndef MG_GO_TYPES_H
#define MG_GO_TYPES_H

#include "go/pclntab.h"

#include "util/arena.h"

/* caps on what one image may make us do */
#define MG_TYPES_MAX 1000000u        /* descriptors kept */
#define MG_TYPES_MAX_FIELDS 65536u   /* fields of one struct */
#define MG_TYPES_MAX_PARAMS 4096u    /* func params */
#define MG_TYPES_MAX_NAME 65536u     /* bytes of one name or tag */
#define MG_TYPES_MAX_BYTES (192ull << 20) /* strings, arrays and descriptor records of one image */
#define MG_TYPES_MAX_SECTION (1ull << 29) /* [types, etypes) span (its bitmap: 16 MiB) */
#define MG_TYPES_MAX_ITABS 1000000u

/* kinds (reflect.Kind) */
enum {
    MG_K_BOOL = 1, MG_K_INT = 2, MG_K_UINTPTR = 12, MG_K_COMPLEX128 = 16, MG_K_ARRAY = 17,
    MG_K_CHAN = 18, MG_K_FUNC = 19, MG_K_INTERFACE = 20, MG_K_MAP = 21, MG_K_PTR = 22,
    MG_K_SLICE = 23, MG_K_STRING = 24, MG_K_STRUCT = 25, MG_K_UNSAFEPTR = 26
};
#define MG_TF_UNCOMMON 0x1u
#define MG_TF_EXTRASTAR 0x2u
#define MG_TF_NAMED 0x4u

/* moduledata's fields this reader needs */
typedef struct mg_modinfo {
    uint64_t md, text, etext, types, etypes;
    uint64_t typelinks, ntypelinks; /* []int32 offsets from types; 1.5-1.6: []*_type */
    uint64_t itablinks, nitablinks; /* []*itab */
    bool itab_region;               /* 1.27+: no links; itabs back to back in */
    uint64_t itabs_at, itabs_len;   /* [itabs_at, itabs_at + itabs_len) */
} mg_modinfo;

typedef struct mg_tctx {
    const mg_img *img;
    unsigned ps;
    int minor;            /* Go 1.minor; 0 unknown */
    bool varint_names;    /* 1.17+ */
    mg_modinfo mi;
    mg_reader sec;        /* the file bytes of [types, etypes) */
    mg_arena *arena;
    uint64_t arena_bytes;
    bool capped;
    bool saw_embed_bit;   /* a field name had flag 8 (1.19+ encoding) */
    bool old;             /* the 1.5-1.6 layout (types_old.c) */
    unsigned old_hdr;     /* its header size: 1.5 has one word (zero) more than 1.6 */
} mg_tctx;

/* types_moduledata.c: moduledata's fields; false when not found */
bool mg_types_moduledata(const mg_img *img, const mg_pcln *p, mg_modinfo *mi);

/* types_old.c: Go 1.5-1.6.  The moduledata's typelinks ([]*_type) and
 * the section holding their descriptors (as types/etypes); false when not found */
bool mg_types_moduledata_old(const mg_img *img, const mg_pcln *p, mg_modinfo *mi);
/* the header size (1.5 or 1.6) for minor 5, 6 or 0 (voted from the typelinks) */
void mg_tc_old_header(mg_tctx *c);
bool mg_type_plausible_old(const mg_tctx *c, uint64_t addr);
bool mg_type_decode_old(mg_tctx *c, uint64_t addr, mg_gotype *t, uint64_t *refs, size_t *nrefs);
typedef void (*mg_tpush_fn)(void *ctx, uint64_t addr);
bool mg_type_members_old(mg_tctx *c, uint64_t addr, mg_gotype *t, mg_tpush_fn push, void *pctx);
/* the size a type of this kind must have (0: any); types_desc.c */
uint64_t mg_type_kind_size(unsigned kind, unsigned ps);

/* types_name.c */
/* bytes at addr (in the types section or any mapped region) */
bool mg_tc_bytes(const mg_tctx *c, uint64_t addr, uint64_t len, const uint8_t **out);
bool mg_tc_ptr(const mg_tctx *c, uint64_t addr, uint64_t *v);
bool mg_tc_u32(const mg_tctx *c, uint64_t addr, uint32_t *v);
/* decode the name at addr: flag byte, name, tag (may be NULL) */
typedef struct mg_tname {
    uint8_t flags;
    const uint8_t *s, *tag;
    uint64_t len, tag_len;
} mg_tname;
bool mg_tc_name(const mg_tctx *c, uint64_t addr, mg_tname *n);
/* a nameOff / typeOff resolved against types (false when out of range) */
bool mg_tc_off(const mg_tctx *c, int32_t off, uint64_t *addr);
/* NUL-terminated arena copy (counts against MG_TYPES_MAX_BYTES) */
const char *mg_tc_str(mg_tctx *c, const uint8_t *s, uint64_t len);
void *mg_tc_alloc(mg_tctx *c, size_t size);
/* decide the name encoding from the typelinks when the version is unknown */
void mg_tc_detect_names(mg_tctx *c);

/* types_desc.c: the header of the descriptor at addr passes the checks */
bool mg_type_plausible(const mg_tctx *c, uint64_t addr);
/* decode descriptor addr into *t; refs[] receives the descriptors it
 * references (at most *nrefs on entry, count on return) */
bool mg_type_decode(mg_tctx *c, uint64_t addr, mg_gotype *t, uint64_t *refs, size_t *nrefs);
/* the kind-specific words both layouts keep right after the common header
 * (elem; array: slice type, len; chan: dir; map: key, elem): fills t->elem,
 * t->key and t->len, appends the descriptors referenced to refs[n..cap) and
 * returns the new n.  aligned: a reference must also be pointer-aligned
 * (the 1.5/1.6 reader's rule) */
size_t mg_type_composite(const mg_tctx *c, uint64_t base, bool aligned, mg_gotype *t, uint64_t *refs,
                         size_t n, size_t cap);
#define MG_TYPE_REFS_MAX 16u /* refs from one descriptor besides fields/params/methods */

/* types_members.c: fields, methods, interface methods, func params; each
 * referenced descriptor is passed to push */
bool mg_type_members(mg_tctx *c, uint64_t addr, mg_gotype *t, mg_tpush_fn push, void *pctx);
/* the uncommon type's address for a descriptor of kind/tflag, or 0 */
uint64_t mg_type_uncommon_at(const mg_tctx *c, uint64_t addr, unsigned kind, unsigned tflag);

/* types_walk.c: fill *out (types array malloc'd, strings in arena) */
mg_status mg_types_read(const mg_img *img, const mg_pcln *p, const char *go_version, unsigned flags,
                        mg_types *out, mg_arena *arena);

/* buildid.c */
bool mg_img_build_id(const mg_img *img, char *out, size_t outsz);

#endif
