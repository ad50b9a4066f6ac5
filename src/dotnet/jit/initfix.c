/* initfix.c - neutralising the module initializer (<Module>::.cctor) that
 * installs a JIT hook.  The hook is every method of a type that P/Invokes
 * getJit, and every method that calls into those (a few rounds deep).  In
 * the initializer, each `call` of a hook method taking nothing and returning
 * void becomes five `nop`s; if the hook is reached any other way, or the
 * initializer was written by the packer and calls no hook method we can see,
 * its body becomes a lone `ret`. */
#include "dotnet/jit/jitpack.h"
#include "util/alloc.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define ROUNDS 4
#define MAX_GETJIT 16
#define TOKEN_METHODDEF 0x06u

/* call-like opcodes whose operand is a method token */
static bool calls_method(uint16_t op)
{
    return op == 0x27 || op == 0x28 || op == 0x6f || op == 0x73 || op == 0xfe06 || op == 0xfe07;
}

/* MethodDef row of the token operand at off, or 0 */
static uint32_t operand_method(const mg_reader *code, uint64_t off, uint32_t len, const mg_cli *cli)
{
    uint32_t tok;
    if (len < 4 || !mg_rd_u32(code, off + len - 4, &tok) || tok >> 24 != TOKEN_METHODDEF)
        return 0;
    tok &= 0xffffffu;
    return tok && tok <= cli->t.rows[MG_T_METHODDEF] ? tok : 0;
}

static bool code_view(const mg_cli *cli, uint32_t row, mg_body *b, mg_reader *code)
{
    uint32_t rva;
    mg_error e;
    return mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) && rva &&
           mg_body_parse(cli, rva, b, &e) == MG_OK &&
           mg_rd_sub(&cli->img.r, b->code_off, b->code_size, code);
}

/* does row's code call a method marked in hook[]? */
static bool calls_hook(const mg_cli *cli, uint32_t row, const uint8_t *hook)
{
    mg_body b;
    mg_reader code;
    if (!code_view(cli, row, &b, &code))
        return false;
    for (uint64_t off = 0; off < code.size;) {
        uint32_t len, m;
        uint16_t op;
        if (!mg_il_insn(&code, off, &len, &op))
            return false;
        if (calls_method(op) && (m = operand_method(&code, off, len, cli)) && hook[m])
            return true;
        off += len;
    }
    return false;
}

/* mark the hook: types holding a getJit P/Invoke, then their callers */
static void mark_hook(const mg_cli *cli, uint8_t *hook)
{
    unsigned bits = mg_ci_tagbits(MG_CI_MEMBERFORWARDED), seen = 0;
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_IMPLMAP] && seen < MAX_GETJIT; row++) {
        uint32_t name, member, a, b, m;
        const char *s;
        size_t len;
        if (!mg_tbl_get(cli, MG_T_IMPLMAP, row, MG_IMPLMAP_NAME, &name) ||
            !mg_cli_string(cli, name, &s, &len) || len != 6 || memcmp(s, "getJit", 6) ||
            !mg_tbl_get(cli, MG_T_IMPLMAP, row, MG_IMPLMAP_MEMBER, &member) ||
            mg_ci_table(MG_CI_MEMBERFORWARDED, member & ((1u << bits) - 1)) != MG_T_METHODDEF)
            continue;
        seen++; /* the owner lookup may scan MethodPtr: bound the number of lookups */
        uint32_t owner = mg_method_owner(cli, member >> bits);
        if (owner > 1 && mg_type_methods(cli, owner, &a, &b))
            for (uint32_t i = a; i < b; i++)
                if (mg_method_at(cli, i, &m))
                    hook[m] = 1;
        if ((member >> bits) && (member >> bits) <= cli->t.rows[MG_T_METHODDEF])
            hook[member >> bits] = 1;
    }
    for (int round = 0; round < ROUNDS; round++) {
        bool grew = false;
        for (uint32_t row = 1; row <= cli->t.rows[MG_T_METHODDEF]; row++)
            if (!hook[row] && calls_hook(cli, row, hook)) {
                hook[row] = 2;
                grew = true;
            }
        if (!grew)
            break;
    }
}

/* static, no parameters, returns void: the call leaves the stack as it was */
static bool void_no_args(const mg_cli *cli, uint32_t row)
{
    uint32_t sig, len;
    uint64_t off;
    const uint8_t *p;
    return mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_SIG, &sig) &&
           mg_cli_blob(cli, sig, &off, &len) && len == 3 && mg_rd_bytes(&cli->img.r, off, 3, &p) &&
           p[0] == 0x00 && p[1] == 0x00 && p[2] == 0x01;
}

mg_status mg_init_neutralise(const mg_cli *cli, uint8_t *out, uint32_t cctor, bool restored,
                             mg_jit_init *action, uint32_t *calls, mg_error *err)
{
    *action = MG_JIT_INIT_NONE;
    *calls = 0;
    if (!cctor)
        return MG_OK;
    mg_body b;
    mg_reader code;
    if (!code_view(cli, cctor, &b, &code) || b.total < 2)
        return mg_fail(err, MG_ERR_MALFORMED,
                       "malformed .NET metadata: module initializer body unreadable");
    uint8_t *hook = mg_calloc((size_t)cli->t.rows[MG_T_METHODDEF] + 1, 1);
    if (!hook)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mark_hook(cli, hook);
    hook[cctor] = 0;
    bool other = false; /* the hook reached some other way */
    uint64_t off = 0;
    while (off < code.size) {
        uint32_t len, m;
        uint16_t op;
        if (!mg_il_insn(&code, off, &len, &op)) {
            other = true;
            break;
        }
        if (calls_method(op) && (m = operand_method(&code, off, len, cli)) && hook[m]) {
            if (op == MG_IL_CALL && void_no_args(cli, m)) {
                memset(out + b.code_off + off, MG_IL_NOP, len);
                ++*calls;
            } else {
                other = true;
            }
        }
        off += len;
    }
    free(hook);
    if (other || (!*calls && !restored)) {
        out[b.off] = (uint8_t)(1u << 2 | 0x2u); /* tiny header, one byte of code */
        out[b.off + 1] = MG_IL_RET;
        *action = MG_JIT_INIT_REPLACED;
    } else {
        *action = *calls ? MG_JIT_INIT_CALLS_NOPPED : MG_JIT_INIT_KEPT;
    }
    return MG_OK;
}
