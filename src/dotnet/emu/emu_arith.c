/* emu_arith.c - numeric instructions of the CIL emulator (see emu_arith.h).
 * int32 results wrap at 32 bits, native int at IntPtr.Size, int64 at 64;
 * the .ovf forms and conversions raise System.OverflowException, division
 * by zero System.DivideByZeroException and MinValue / -1
 * System.ArithmeticException, as the CLR does.  Float to integer
 * conversions out of range give the x86/x64 JIT's answers (the sentinel
 * 0x80000000 / 0x8000000000000000; conv.u4 through int64). */
#include "dotnet/emu/emu_arith.h"

#include <math.h>
#include <stdint.h>

/* the result kind of a binary integer operation (III.1.5 table 2) */
static uint8_t int_kind(emu_val a, emu_val b)
{
    if (a.k == V_BYREF || b.k == V_BYREF)
        return V_BYREF;
    if (a.k == V_I8 || b.k == V_I8)
        return V_I8;
    if (a.k == V_NI || b.k == V_NI)
        return V_NI;
    return V_I4;
}

static unsigned width(emu *E, uint8_t k)
{
    return k == V_I4 ? 32 : k == V_I8 ? 64 : E->ptr * 8u;
}

static int64_t sx(int64_t x, unsigned w)
{
    return w == 32 ? (int64_t)(int32_t)x : x;
}

static uint64_t zx(int64_t x, unsigned w)
{
    return w == 32 ? (uint64_t)(uint32_t)x : (uint64_t)x;
}

static emu_val mk(emu *E, uint8_t k, int64_t x, emu_val like)
{
    emu_val v = {0};
    v.k = k;
    v.i = sx(x, width(E, k == V_BYREF ? V_NI : k));
    if (k == V_BYREF)
        v.p = like.p;
    return v;
}

mg_status emu_binop(emu *E, uint8_t op, emu_val a, emu_val b, emu_val *r)
{
    if (a.k == V_F || b.k == V_F) {
        if (a.k != V_F || b.k != V_F)
            return emu_refuse(E, "arithmetic on F and an integer");
        double x = a.f, y = b.f, z;
        switch (op) {
        case 0x58: z = x + y; break;
        case 0x59: z = x - y; break;
        case 0x5a: z = x * y; break;
        case 0x5b: z = x / y; break;
        case 0x5d: z = fmod(x, y); break;
        default: return emu_refuse(E, "integer operator 0x%02x on F", op);
        }
        *r = vf(z);
        return MG_OK;
    }
    if (a.k == V_REF || b.k == V_REF || a.k == V_NONE || b.k == V_NONE)
        return emu_refuse(E, "arithmetic on an object reference");
    if ((a.k == V_BYREF && a.p) || (b.k == V_BYREF && b.p)) {
        if ((op == 0x58 || op == 0x59) && (b.i == 0 || a.i == 0)) { /* p + 0 */
            *r = a.k == V_BYREF ? a : b;
            return MG_OK;
        }
        return emu_refuse(E, "pointer arithmetic on a managed reference to a variable");
    }
    uint8_t k = int_kind(a, b);
    if (op >= 0x62 && op <= 0x64) { /* shifts: the kind of the value shifted */
        unsigned w = width(E, a.k == V_BYREF ? V_NI : a.k);
        unsigned s = (unsigned)b.i & (w - 1);
        int64_t x;
        if (op == 0x62)
            x = (int64_t)(zx(a.i, w) << s);
        else if (op == 0x63)
            x = sx(a.i, w) >> s;
        else
            x = (int64_t)(zx(a.i, w) >> s);
        *r = mk(E, a.k == V_BYREF ? V_NI : a.k, x, a);
        return MG_OK;
    }
    unsigned w = width(E, k == V_BYREF ? V_NI : k);
    int64_t x = sx(a.i, w), y = sx(b.i, w);
    uint64_t ux = zx(a.i, w), uy = zx(b.i, w);
    int64_t z;
    switch (op) {
    case 0x58: z = (int64_t)(ux + uy); break;
    case 0x59: z = (int64_t)(ux - uy); break;
    case 0x5a: z = (int64_t)(ux * uy); break;
    case 0x5b:
    case 0x5d:
        if (y == 0)
            return emu_throw(E, "System.DivideByZeroException");
        if (y == -1 && x == (w == 32 ? INT32_MIN : INT64_MIN))
            return emu_throw(E, "System.ArithmeticException");
        z = op == 0x5b ? x / y : x % y;
        break;
    case 0x5c:
    case 0x5e:
        if (uy == 0)
            return emu_throw(E, "System.DivideByZeroException");
        z = (int64_t)(op == 0x5c ? ux / uy : ux % uy);
        break;
    case 0x5f: z = x & y; break;
    case 0x60: z = x | y; break;
    case 0x61: z = x ^ y; break;
    case 0xd6: /* add.ovf */
    case 0xda: /* sub.ovf */
    case 0xd8: { /* mul.ovf */
        int64_t t;
        bool o;
        if (w == 32) {
            int64_t wide = op == 0xd6 ? x + y : op == 0xda ? x - y : x * y;
            o = wide < INT32_MIN || wide > INT32_MAX;
            t = wide;
        } else
            o = op == 0xd6 ? __builtin_add_overflow(x, y, &t)
                : op == 0xda ? __builtin_sub_overflow(x, y, &t)
                             : __builtin_mul_overflow(x, y, &t);
        if (o)
            return emu_throw(E, "System.OverflowException");
        z = t;
        break;
    }
    case 0xd7: /* add.ovf.un */
    case 0xdb: /* sub.ovf.un */
    case 0xd9: { /* mul.ovf.un */
        uint64_t t;
        bool o;
        if (w == 32) {
            uint64_t wide = op == 0xd7 ? ux + uy : op == 0xdb ? ux - uy : ux * uy;
            o = op == 0xdb ? ux < uy : wide > UINT32_MAX;
            t = wide;
        } else
            o = op == 0xd7 ? __builtin_add_overflow(ux, uy, &t)
                : op == 0xdb ? __builtin_sub_overflow(ux, uy, &t)
                             : __builtin_mul_overflow(ux, uy, &t);
        if (o)
            return emu_throw(E, "System.OverflowException");
        z = (int64_t)t;
        break;
    }
    default:
        return emu_refuse(E, "operator 0x%02x", op);
    }
    *r = mk(E, k, z, a.k == V_BYREF ? a : b);
    return MG_OK;
}

mg_status emu_unop(emu *E, uint8_t op, emu_val a, emu_val *r)
{
    if (a.k == V_F) {
        if (op != 0x65)
            return emu_refuse(E, "not on F");
        *r = vf(-a.f);
        return MG_OK;
    }
    if (a.k != V_I4 && a.k != V_I8 && a.k != V_NI)
        return emu_refuse(E, "arithmetic on a reference");
    unsigned w = width(E, a.k);
    uint64_t u = zx(a.i, w);
    *r = mk(E, a.k, op == 0x65 ? (int64_t)(0 - u) : (int64_t)~u, a);
    return MG_OK;
}

/* the target of a conversion: bits, signed, overflow-checked, source unsigned */
typedef struct conv_t {
    uint8_t bits; /* 8 16 32 64, 0 native, 255 float */
    bool sign, ovf, un;
    bool r4;
} conv_t;

static bool conv_of(uint8_t op, conv_t *c)
{
    *c = (conv_t){0};
    switch (op) {
    case 0x67: c->bits = 8; c->sign = true; return true;
    case 0x68: c->bits = 16; c->sign = true; return true;
    case 0x69: c->bits = 32; c->sign = true; return true;
    case 0x6a: c->bits = 64; c->sign = true; return true;
    case 0x6b: c->bits = 255; c->r4 = true; return true;
    case 0x6c: c->bits = 255; return true;
    case 0x6d: c->bits = 32; return true;
    case 0x6e: c->bits = 64; return true;
    case 0x76: c->bits = 255; c->un = true; return true;
    case 0xd1: c->bits = 16; return true;
    case 0xd2: c->bits = 8; return true;
    case 0xd3: c->bits = 0; c->sign = true; return true;
    case 0xe0: c->bits = 0; return true;
    case 0xb3: c->bits = 8; c->sign = true; c->ovf = true; return true;
    case 0xb4: c->bits = 8; c->ovf = true; return true;
    case 0xb5: c->bits = 16; c->sign = true; c->ovf = true; return true;
    case 0xb6: c->bits = 16; c->ovf = true; return true;
    case 0xb7: c->bits = 32; c->sign = true; c->ovf = true; return true;
    case 0xb8: c->bits = 32; c->ovf = true; return true;
    case 0xb9: c->bits = 64; c->sign = true; c->ovf = true; return true;
    case 0xba: c->bits = 64; c->ovf = true; return true;
    case 0xd4: c->bits = 0; c->sign = true; c->ovf = true; return true;
    case 0xd5: c->bits = 0; c->ovf = true; return true;
    default:
        if (op >= 0x82 && op <= 0x8b) {
            static const uint8_t b[] = {8, 16, 32, 64, 8, 16, 32, 64, 0, 0};
            c->bits = b[op - 0x82];
            c->sign = op <= 0x85 || op == 0x8a;
            c->ovf = c->un = true;
            return true;
        }
        return false;
    }
}

mg_status emu_conv(emu *E, uint8_t op, emu_val a, emu_val *r)
{
    conv_t c;
    if (!conv_of(op, &c))
        return emu_refuse(E, "conversion 0x%02x", op);
    if (a.k == V_REF && a.ref == 0 && c.bits != 255)
        a = vni(E, 0);
    if (a.k == V_BYREF && a.p) {
        /* a pointer to a variable stays one through conv.i / conv.u */
        if (op == 0xd3 || op == 0xe0 || op == 0x6e || op == 0x6a) {
            *r = a;
            return MG_OK;
        }
        return emu_refuse(E, "conversion of a managed reference to a variable");
    }
    if (a.k != V_I4 && a.k != V_I8 && a.k != V_NI && a.k != V_F && a.k != V_BYREF)
        return emu_refuse(E, "conversion of an object reference");
    unsigned w = width(E, a.k == V_BYREF ? V_NI : a.k);
    if (c.bits == 255) { /* to F */
        double d;
        if (a.k == V_F)
            d = a.f;
        else if (c.un)
            d = (double)zx(a.i, w);
        else
            d = (double)sx(a.i, w);
        if (c.r4)
            d = (double)(float)d;
        *r = vf(d);
        return MG_OK;
    }
    unsigned tb = c.bits ? c.bits : E->ptr * 8u;
    uint8_t kind = c.bits == 64 ? V_I8 : c.bits == 0 ? V_NI : V_I4;
    int64_t out;
    if (a.k == V_F) {
        double d = a.f;
        if (c.ovf) {
            double lo = c.sign ? -ldexp(1, (int)tb - 1) : 0, hi = c.sign ? ldexp(1, (int)tb - 1)
                                                                        : ldexp(1, (int)tb);
            double t = trunc(d);
            if (isnan(d) || t < lo || t >= hi)
                return emu_throw(E, "System.OverflowException");
            out = c.sign ? (int64_t)t : (int64_t)(uint64_t)t;
        } else if (tb == 64 && !c.sign) {
            /* conv.u8: values at or over 2^63 through the unsigned path */
            if (isnan(d) || d <= -1.0 || d >= 18446744073709551616.0)
                out = INT64_MIN;
            else if (d >= 9223372036854775808.0)
                out = (int64_t)(uint64_t)d;
            else
                out = (int64_t)d;
        } else if (tb == 32 && !c.sign) {
            /* conv.u4 as the x64 JIT does it: through int64, then truncated */
            int64_t t = (isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
                            ? INT64_MIN : (int64_t)d;
            out = (int64_t)(uint32_t)t;
        } else {
            double lim = ldexp(1, (int)(tb == 64 ? 63 : 31));
            int64_t t;
            if (tb == 64)
                t = (isnan(d) || d >= lim || d < -lim) ? INT64_MIN : (int64_t)d;
            else
                t = (isnan(d) || d >= lim || d < -lim) ? INT32_MIN : (int64_t)d;
            out = t;
        }
    } else {
        int64_t s = sx(a.i, w);
        uint64_t u = zx(a.i, w);
        if (c.ovf) {
            bool src_unsigned = c.un;
            if (c.sign) {
                int64_t lo = tb == 64 ? INT64_MIN : -((int64_t)1 << (tb - 1));
                int64_t hi = tb == 64 ? INT64_MAX : ((int64_t)1 << (tb - 1)) - 1;
                if (src_unsigned ? u > (uint64_t)hi : (s < lo || s > hi))
                    return emu_throw(E, "System.OverflowException");
            } else {
                uint64_t hi = tb == 64 ? UINT64_MAX : ((uint64_t)1 << tb) - 1;
                if (src_unsigned ? u > hi : (s < 0 || (uint64_t)s > hi))
                    return emu_throw(E, "System.OverflowException");
            }
        }
        out = s;
        if (!c.sign && !c.ovf && a.k == V_I4 && tb == 64)
            out = (int64_t)u; /* conv.u8 of an int32 zero-extends */
        if (!c.sign && c.ovf)
            out = (int64_t)u;
    }
    /* truncate to the target and extend to the stack width */
    int64_t v;
    if (tb == 8)
        v = c.sign ? (int8_t)out : (uint8_t)out;
    else if (tb == 16)
        v = c.sign ? (int16_t)out : (uint16_t)out;
    else if (tb == 32)
        v = c.sign ? (int32_t)out : (int64_t)(uint32_t)out;
    else
        v = out;
    emu_val res = {0};
    res.k = kind;
    if (kind == V_I4)
        res.i = (int32_t)v;
    else if (kind == V_NI)
        res.i = E->ptr == 4 ? (c.sign ? (int64_t)(int32_t)v : (int64_t)(int32_t)(uint32_t)v) : v;
    else
        res.i = v;
    *r = res;
    return MG_OK;
}

mg_status emu_compare(emu *E, int how, emu_val a, emu_val b, bool *res)
{
    if (a.k == V_F || b.k == V_F) {
        if (a.k != V_F || b.k != V_F)
            return emu_refuse(E, "comparison of F and an integer");
        double x = a.f, y = b.f;
        bool unord = isnan(x) || isnan(y);
        switch (how) {
        case CMP_EQ: *res = x == y; break;
        case CMP_NE_UN: *res = unord || x != y; break;
        case CMP_GT: *res = !unord && x > y; break;
        case CMP_GT_UN: *res = unord || x > y; break;
        case CMP_LT: *res = !unord && x < y; break;
        case CMP_LT_UN: *res = unord || x < y; break;
        case CMP_GE: *res = !unord && x >= y; break;
        case CMP_GE_UN: *res = unord || x >= y; break;
        case CMP_LE: *res = !unord && x <= y; break;
        default: *res = unord || x <= y; break;
        }
        return MG_OK;
    }
    if (a.k == V_REF || b.k == V_REF) {
        /* references: equality and the cgt.un "not null" idiom */
        uint64_t x = a.k == V_REF ? a.ref : (uint64_t)a.i, y = b.k == V_REF ? b.ref : (uint64_t)b.i;
        if ((a.k != V_REF && a.i) || (b.k != V_REF && b.i))
            return emu_refuse(E, "comparison of a reference with a number");
        switch (how) {
        case CMP_EQ: *res = x == y; return MG_OK;
        case CMP_NE_UN: *res = x != y; return MG_OK;
        case CMP_GT_UN: *res = x && !y; return MG_OK;
        case CMP_LT_UN: *res = !x && y; return MG_OK;
        default: return emu_refuse(E, "ordered comparison of object references");
        }
    }
    if ((a.k == V_BYREF && a.p) || (b.k == V_BYREF && b.p)) {
        if (how == CMP_EQ || how == CMP_NE_UN) {
            bool eq = a.k == b.k && a.p == b.p && a.i == b.i;
            *res = how == CMP_EQ ? eq : !eq;
            return MG_OK;
        }
        return emu_refuse(E, "ordered comparison of managed references to variables");
    }
    uint8_t k = int_kind(a, b);
    unsigned w = width(E, k == V_BYREF ? V_NI : k);
    int64_t x = sx(a.i, w), y = sx(b.i, w);
    uint64_t ux = zx(a.i, w), uy = zx(b.i, w);
    switch (how) {
    case CMP_EQ: *res = x == y; break;
    case CMP_NE_UN: *res = x != y; break;
    case CMP_GT: *res = x > y; break;
    case CMP_GT_UN: *res = ux > uy; break;
    case CMP_LT: *res = x < y; break;
    case CMP_LT_UN: *res = ux < uy; break;
    case CMP_GE: *res = x >= y; break;
    case CMP_GE_UN: *res = ux >= uy; break;
    case CMP_LE: *res = x <= y; break;
    default: *res = ux <= uy; break;
    }
    return MG_OK;
}
