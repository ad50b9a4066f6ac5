/* jitpack.h - evidence of a JIT-hook packer in a .NET assembly (jitpack.c)
 * and the pieces jit-unpack is built from: restoring and splitting bodies
 * (unpack.c), adding a section to the PE (pewrite.c), neutralising the
 * module initializer (initfix.c) and dropping the IL resources (strip.c). */
#ifndef MG_DOTNET_JITPACK_H
#define MG_DOTNET_JITPACK_H

#include "dotnet/metadata/dotnet.h"
#include "util/budget.h"

/* the wall clock of a whole jit-unpack, and of the scan in `info` */
#define MG_JIT_SECONDS 10.0

typedef enum mg_jm_state {
    MG_JM_STUBBED = 0, /* code is the IL with bytes overwritten by 0x87 */
    MG_JM_INTACT,      /* code already equals the IL */
    MG_JM_DIFFERENT,   /* same length, other differences */
    MG_JM_BADLEN,      /* the IL and the code differ in length */
    MG_JM_BADBODY,     /* the method body cannot be read */
    MG_JM_BADDATA      /* the resource's bytes are outside the Resources directory */
} mg_jm_state;

/* a method with an IL resource named after its token */
typedef struct mg_jit_method {
    uint32_t row;     /* MethodDef row */
    uint32_t res_row; /* ManifestResource row */
    uint32_t rva;
    uint64_t il_off;  /* file offset of the stored IL */
    uint32_t il_len;
    mg_body body;
    mg_jm_state state;
} mg_jit_method;

typedef struct mg_jit_scan {
    uint32_t nmethods, ntypes, nresources;
    mg_jit_method *m; /* ascending MethodDef row, one per method */
    size_t n;
    uint32_t count[MG_JM_BADDATA + 1];
    uint32_t *rva;    /* RVA of every MethodDef row (index row - 1) */
    uint32_t shared_bodies, shared_methods;
    uint32_t cctor;   /* MethodDef row of <Module>::.cctor, 0 when none */
    uint32_t getjit;  /* ImplMap rows importing getJit */
    uint32_t getjit_method;
    char getjit_module[64];
    char problem[160]; /* the first method that cannot be restored */
} mg_jit_scan;

mg_status mg_jit_scan_run(const mg_cli *cli, mg_jit_scan *s, mg_error *err);
void mg_jit_scan_free(mg_jit_scan *s);
bool mg_jit_packed(const mg_jit_scan *s);
/* the scan entry of MethodDef row, or NULL */
const mg_jit_method *mg_jit_find(const mg_jit_scan *s, uint32_t row);

/* v little-endian at p (a header or table cell of the output) */
static inline void mg_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* pewrite.c: a new section at the end of the image */
typedef struct mg_pe_newsect {
    uint32_t rva, vsize, raw_size;
    uint64_t raw_off;   /* file offset of its data */
    uint64_t file_size; /* size of the output file */
} mg_pe_newsect;
/* every section's file data is inside the file (a truncated file is refused) */
mg_status mg_pe_check_complete(const mg_img *img, mg_error *err);
/* is there a free, zeroed slot for one more section header? */
bool mg_pe_has_slot(const mg_img *img);
/* a copy of the file whose headers have room for one more section header:
 * the section data moves down by *grown bytes (a FileAlignment multiple) */
mg_status mg_pe_grow_headers(const mg_img *img, uint8_t **out, size_t *out_size, uint32_t *grown,
                             mg_error *err);
mg_status mg_pe_plan_section(const mg_img *img, uint32_t need, mg_pe_newsect *ns, mg_error *err);
/* out holds the input image followed by zeroes up to ns->file_size; false
 * when the input's headers cannot be read (then out is unchanged) */
bool mg_pe_add_section(uint8_t *out, const mg_img *img, const mg_pe_newsect *ns, const char name[8],
                       uint32_t characteristics);
/* zero the security directory (a signature no longer valid); true when it was set */
bool mg_pe_drop_signature(uint8_t *out, const mg_img *img);
/* recompute the optional header's CheckSum when it was not zero */
void mg_pe_update_checksum(uint8_t *out, size_t size, const mg_img *img);

/* initfix.c: stop <Module>::.cctor from installing the hook.  cli reads
 * out (a complete image).  restored: the initializer got its IL back from
 * a resource (so it is the original's code). */
mg_status mg_init_neutralise(const mg_cli *cli, uint8_t *out, uint32_t cctor, bool restored,
                             mg_jit_init *action, uint32_t *calls, mg_error *err);

/* strip.c: drop ManifestResource rows (drop[row] true), their custom
 * attributes and their bytes; rewrites the table stream in place. */
mg_status mg_strip_resources(const mg_cli *cli, uint8_t *out, const bool *drop, uint32_t *dropped,
                             mg_error *err);

#endif
