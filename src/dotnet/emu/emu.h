/* emu.h - a sandboxed CIL interpreter (ECMA-335 partition III) over one
 * assembly, used to run a protector's initializer without running the
 * sample.  Nothing here reaches the host: no native code, no P/Invoke, no
 * files, no network.  The image lives in a virtual address space of its own
 * (emu_mem.c), objects on a capped heap (emu_heap.c); calls into the
 * assembly's own methods are interpreted (emu_exec.c), framework methods are
 * answered by a table of models (emu_bcl.c) and anything else stops the run
 * with a message naming the method.  Every limit (instructions, call depth,
 * heap bytes, array length) is a refusal, never a hang or a big allocation.
 */
#ifndef MG_DOTNET_EMU_H
#define MG_DOTNET_EMU_H

#include "dotnet/metadata/dotnet.h"
#include "util/budget.h"

/* hard caps.  The work cap counts units: one per instruction, one per
 * EMU_BYTES_PER_UNIT bytes a bulk operation moves, fills, compares or hashes
 * (cpblk, initblk, Array.Copy, Buffer.BlockCopy, Marshal.Copy, string
 * building, stream reads), EMU_CALL_UNITS per call resolved and one per
 * method a virtual call searches; the time limit bounds the whole run
 * (emu_cost.c).  Either is a "too costly" refusal. */
#define EMU_MAX_INSNS 50000000ull     /* work units of a run (emu_run, tests) */
#define EMU_INIT_WORK 10000000ull     /* work units of a protector's initializer */
#define EMU_BYTES_PER_UNIT 16u
#define EMU_CALL_UNITS 16u
#define EMU_MAX_SECONDS 10.0          /* wall clock of a run, unless the caller's budget */
#define EMU_MAX_DEPTH 96u
#define EMU_MAX_HEAP (96ull << 20)
#define EMU_MAX_ARRAY (16u << 20)
#define EMU_MAX_OBJECTS (1u << 20)
#define EMU_MAX_VALUES (1u << 18) /* locals, arguments and evaluation stacks */
#define EMU_MAX_IMAGE (64u << 20)

/* stack value kinds (III.1.1) */
enum { V_NONE = 0, V_I4, V_I8, V_NI, V_F, V_REF, V_BYREF };

typedef struct emu_val {
    uint8_t k;
    uint32_t ref;          /* V_REF: object index, 0 is null */
    int64_t i;             /* V_I4 (sign-extended), V_I8, V_NI; V_BYREF without p: address */
    double f;              /* V_F */
    struct emu_val *p;     /* V_BYREF to a value slot (local, argument, field, element) */
} emu_val;

/* object kinds */
enum {
    O_ARRAY = 1,   /* raw elements (primitive element type), addressable */
    O_VARRAY,      /* elements are values (references, structs) */
    O_STRING,      /* UTF-16 code units in raw */
    O_FIELDS,      /* an instance of a type of the assembly (or a boxed struct) */
    O_BOX,         /* a boxed primitive: vals[0] */
    O_STREAM,      /* MemoryStream / resource stream: raw, len, pos */
    O_READER,      /* BinaryReader over the stream a */
    O_HASH,        /* Hashtable: vals as key, value pairs, frow their hash index (emu_heap.c) */
    O_MODEL,       /* an opaque framework object named by tag (Type, Assembly, ...) */
    O_DELEGATE     /* delegate: target a, method token b */
};

typedef struct emu_obj {
    uint8_t kind;
    uint8_t esz;           /* O_ARRAY element size */
    char ek;               /* O_ARRAY element kind: 'i' signed, 'u' unsigned, 'f' float, 'c' char */
    uint32_t type;         /* TypeDef/TypeRef token (O_FIELDS, arrays: element type) */
    const char *tag;       /* O_MODEL: framework type name */
    uint32_t len;          /* elements (arrays, strings), bytes (streams) */
    uint32_t cap;          /* O_HASH, O_FIELDS: value slots allocated (O_HASH: and index slots) */
    uint8_t *raw;
    emu_val *vals;
    uint32_t *frow;        /* O_FIELDS: Field row of each slot; O_HASH: the index */
    uint64_t vaddr;        /* O_ARRAY, O_STRING: address of element 0 */
    int64_t a, b;          /* stream position, reader's stream, delegate target/method */
} emu_obj;

typedef struct emu_method {
    uint32_t row;
    mg_body body;
    const uint8_t *code;
    uint32_t owner;        /* TypeDef row declaring it */
    uint16_t nargs;        /* this included */
    bool has_this, ret_void;
    uint16_t nlocals;
    uint8_t local_kind[256]; /* V_* default of each local (first 256) */
    uint32_t local_type[256]; /* valuetype token of each local (0 otherwise) */
} emu_method;

typedef struct emu {
    const mg_cli *cli;
    unsigned ptr;          /* IntPtr.Size the sandbox presents: 4 or 8 */
    /* virtual image */
    uint8_t *vimg;
    uint64_t vbase, vsize;
    /* heap */
    emu_obj **obj;         /* obj[0] unused (null) */
    uint32_t nobj, capobj;
    uint64_t heap_bytes;
    uint64_t next_addr;    /* next array address */
    uint32_t *addr_index;  /* O_ARRAY/O_STRING objects in address order */
    uint32_t naddr, capaddr;
    /* values */
    emu_val *vals;
    uint32_t nvals;
    emu_val *statics;      /* one per Field row */
    uint8_t *cctor_state;  /* per TypeDef row: 0 not run, 1 running/done */
    uint32_t *field_owner; /* per Field row: its TypeDef row (emu_field_owners) */
    /* method cache */
    emu_method *mcache;    /* per MethodDef row (lazily filled) */
    uint8_t *mloaded;
    /* counters */
    uint64_t insns, max_insns; /* work units spent and the cap (EMU_MAX_INSNS unless lowered) */
    uint64_t check_at;     /* units at which emu_cost_check next looks at the cap and clock */
    uint64_t billed;       /* units already charged to budget */
    mg_budget own;         /* the run's own time limit (EMU_MAX_SECONDS) */
    mg_budget *budget;     /* &own, or the caller's (the whole jit-unpack's) */
    void (*trace)(struct emu *E, uint32_t row, uint32_t pc, uint8_t op); /* debugging hook */
    uint32_t pc;           /* offset of the instruction being executed */
    unsigned depth;
    /* the exception in flight (object index) */
    uint32_t exc;
    /* stop */
    bool stopped;          /* the stop point was reached (not an error) */
    uint32_t stop_method;  /* MethodDef row of the P/Invoke that stopped the run */
    uint32_t where_row;    /* MethodDef row being executed, for messages */
    uint32_t hook_rows[8]; /* P/Invoke import names that stop the run */
    /* native modules and functions handed out by LoadLibrary/GetProcAddress
     * models: fake handles that point at nothing */
    char native[32][64];
    uint32_t nnative;
    /* what the models observed */
    uint32_t resource_row; /* manifest resource opened */
    bool nomem;            /* a host allocation failed: the run ends in MG_ERR_NOMEM */
    mg_error *err;
} emu;

/* status of interpreter steps beyond mg_status: an exception in flight */
#define EMU_THROW ((mg_status)100)
#define EMU_STOP ((mg_status)101)

/* emu_cost.c: charge bytes of bulk work (and EMU_CALL_UNITS-like fixed
 * costs through emu_charge_units); a "too costly" refusal past the cap or
 * the time limit.  emu_cost_check is the slow path of the instruction loop. */
mg_status emu_charge(emu *E, uint64_t bytes);
mg_status emu_charge_units(emu *E, uint64_t units);
mg_status emu_cost_check(emu *E);
/* MG_ERR_TOO_COSTLY "too costly: emulator: WHAT (in METHOD at IL_xxxx)" */
mg_status emu_too_costly(emu *E, const char *what);
/* the run's limits: max work units (0: EMU_MAX_INSNS) and the budget whose
 * deadline bounds it (NULL: its own EMU_MAX_SECONDS) */
void emu_set_limits(emu *E, uint64_t max_units, mg_budget *budget);

/* emu_mem.c */
mg_status emu_mem_init(emu *E, mg_error *err);
/* a pointer to len bytes at address a (image or array memory), or NULL */
uint8_t *emu_mem(emu *E, uint64_t a, uint64_t len);

/* emu_heap.c */
uint32_t emu_new(emu *E, uint8_t kind);
uint32_t emu_new_array(emu *E, uint32_t len, uint8_t esz, char ek, uint32_t type);
uint32_t emu_new_varray(emu *E, uint32_t len);
uint32_t emu_new_string(emu *E, const char *ascii, size_t n);
uint32_t emu_new_string16(emu *E, const uint8_t *u16, uint32_t nunits);
uint32_t emu_new_bytes(emu *E, const uint8_t *p, uint32_t n);
uint32_t emu_box(emu *E, emu_val v);
emu_val *emu_field_slot(emu *E, uint32_t objref, uint32_t field_row);
bool emu_hash_put(emu *E, uint32_t h, emu_val key, emu_val val);
emu_val *emu_hash_get(emu *E, uint32_t h, emu_val key);
emu_obj *emu_o(emu *E, uint32_t ref);
void emu_free(emu *E);
mg_status emu_refuse(emu *E, const char *fmt, ...);
/* a refusal once E->nomem is set (and for emu_throw) is MG_ERR_NOMEM "out of
 * memory"; emu_heap_full is the refusal when an emu_new* gave 0 */
mg_status emu_heap_full(emu *E);

/* emu_meta.c */
typedef struct emu_ref {
    char cls[160];         /* "System.IO.BinaryReader" */
    char name[96];
    uint16_t nparams;      /* without this */
    bool has_this, ret_void;
    uint8_t ret_kind;      /* V_* */
    uint32_t cls_token;    /* TypeDef/TypeRef/TypeSpec token of the class */
} emu_ref;
bool emu_member(emu *E, uint32_t token, emu_ref *r);
bool emu_type_name(emu *E, uint32_t token, char *out, size_t n);
mg_status emu_method_load(emu *E, uint32_t row, emu_method **m);
uint8_t emu_field_kind(emu *E, uint32_t field_row);
uint32_t emu_field_owner(emu *E, uint32_t field_row);
bool emu_field_owners(emu *E); /* fills E->field_owner; false: out of memory */
uint32_t emu_method_row(emu *E, const char *cls, const char *name);
bool emu_field_rva(emu *E, uint32_t field_row, uint32_t *rva);
bool emu_blob_u(const uint8_t *p, uint32_t n, uint32_t *pos, uint32_t *v);
bool emu_is_pinvoke(emu *E, uint32_t row, char *import, size_t n);
/* size and kind of elements of type token t in an array (0: values) */
uint8_t emu_elem_size(emu *E, uint32_t t, char *ek);

/* emu_exec.c */
mg_status emu_call(emu *E, uint32_t row, emu_val *args, uint32_t nargs, emu_val *ret);
mg_status emu_init(emu *E, const mg_cli *cli, mg_error *err);
mg_status emu_throw(emu *E, const char *cls);
/* run the type initializer of TypeDef row t if it has one not run yet */
mg_status emu_type_init(emu *E, uint32_t t);

/* emu_bcl.c */
/* call the model of framework method r (args[0] is this for instance
 * methods; newobj: is_ctor, *ret receives the new object) */
mg_status emu_bcl_call(emu *E, const emu_ref *r, emu_val *args, uint32_t nargs, bool is_ctor,
                       emu_val *ret);
mg_status emu_bcl_field(emu *E, const emu_ref *r, emu_val *out);
/* a Windows API function called by P/Invoke import name or through a
 * delegate over a GetProcAddress result: modelled, the hook point, or refused */
mg_status emu_native_call(emu *E, const char *name, emu_val *args, uint32_t nargs, emu_val *ret);
#define EMU_NATIVE_MODULE 0x7d000000u
#define EMU_NATIVE_FUNC 0x7e000000u

static inline emu_val vi4(int32_t x) { emu_val v = {0}; v.k = V_I4; v.i = x; return v; }
static inline emu_val vi8(int64_t x) { emu_val v = {0}; v.k = V_I8; v.i = x; return v; }
static inline emu_val vni(emu *E, int64_t x)
{
    emu_val v = {0};
    v.k = V_NI;
    v.i = E->ptr == 4 ? (int64_t)(int32_t)x : x;
    return v;
}
static inline emu_val vref(uint32_t r) { emu_val v = {0}; v.k = V_REF; v.ref = r; return v; }
static inline emu_val vf(double f) { emu_val v = {0}; v.k = V_F; v.f = f; return v; }

#endif
