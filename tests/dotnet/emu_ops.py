#!/usr/bin/env python3
"""emu_ops.py - writes EmuOps.il: one static method per case, each returning
an int64 (an int32, native int or float result is widened or bit-cast inside
the method), and a Main printing "name value" for every case.  mono running
it is the oracle for the CIL emulator (emu_run prints the same lines).
Cases are grouped by opcode family; the ones raising exceptions catch them
and return a sentinel, so exception handling is exercised too.
usage: emu_ops.py OUT.il"""
import sys

CASES = {
    # int32 arithmetic: wrap-around, division toward zero, remainder sign, shifts
    "i4_add_wrap": "ldc.i4 0x7fffffff ldc.i4.1 add conv.i8",
    "i4_sub_wrap": "ldc.i4 0x80000000 ldc.i4.1 sub conv.i8",
    "i4_mul_wrap": "ldc.i4 0x12345678 ldc.i4 0x9abcdef mul conv.i8",
    "i4_div_neg": "ldc.i4 -7 ldc.i4.2 div conv.i8",
    "i4_rem_neg": "ldc.i4 -7 ldc.i4.2 rem conv.i8",
    "i4_div_un": "ldc.i4 -7 ldc.i4.2 div.un conv.u8",
    "i4_rem_un": "ldc.i4 -7 ldc.i4 10 rem.un conv.u8",
    "i4_shl": "ldc.i4 0x81234567 ldc.i4.4 shl conv.i8",
    "i4_shr": "ldc.i4 0x81234567 ldc.i4.4 shr conv.i8",
    "i4_shr_un": "ldc.i4 0x81234567 ldc.i4.4 shr.un conv.i8",
    "i4_logic": "ldc.i4 0xf0f0 ldc.i4 0x0ff0 and ldc.i4 0x1 or ldc.i4 0xffff xor not conv.i8",
    "i4_neg": "ldc.i4 0x80000000 neg conv.i8",
    # int64
    "i8_mul_wrap": "ldc.i8 0x123456789abcdef ldc.i8 0x1000 mul",
    "i8_div": "ldc.i8 -9000000000 ldc.i8 7 div",
    "i8_shr_un": "ldc.i8 -1 ldc.i4 60 shr.un",
    "i8_shl": "ldc.i8 3 ldc.i4 62 shl",
    # native int
    "ni_add": "ldc.i4 -1 conv.i ldc.i4.2 add conv.i8",
    "ni_conv_u": "ldc.i4 -1 conv.u conv.u8 ldc.i4 32 shr.un",
    # conversions
    "conv_i1": "ldc.i4 0x1ff conv.i1 conv.i8",
    "conv_u1": "ldc.i4 -1 conv.u1 conv.i8",
    "conv_i2": "ldc.i4 0x18000 conv.i2 conv.i8",
    "conv_u2": "ldc.i4 -2 conv.u2 conv.i8",
    "conv_u4_i8": "ldc.i8 0x1ffffffff conv.u4 conv.u8",
    "conv_i4_u8": "ldc.i4 -5 conv.u8",
    "conv_i4_i8": "ldc.i4 -5 conv.i8",
    "conv_r_un": "ldc.i4 -1 conv.r.un conv.r8 ldc.r8 2.0 div conv.u8",
    "conv_r8_i4": "ldc.r8 -3.75 conv.i4 conv.i8",
    "conv_r8_u4": "ldc.r8 4000000000.5 conv.u4 conv.u8",
    "conv_r4": "ldc.r8 16777217.0 conv.r4 conv.r8 conv.i8",
    "conv_ovf_i1": "ldc.i4 200 conv.ovf.i1 conv.i8",
    "conv_ovf_u4": "ldc.i4 -1 conv.ovf.u4 conv.i8",
    "conv_ovf_u4_un": "ldc.i4 -1 conv.ovf.u4.un conv.u8",
    "conv_ovf_i4_un": "ldc.i4 -1 conv.ovf.i4.un conv.i8",
    "add_ovf": "ldc.i4 0x7fffffff ldc.i4.1 add.ovf conv.i8",
    "add_ovf_un": "ldc.i4 -1 ldc.i4.1 add.ovf.un conv.i8",
    "mul_ovf_i8": "ldc.i8 0x100000000 ldc.i8 0x100000000 mul.ovf",
    "sub_ovf_un": "ldc.i4.1 ldc.i4.2 sub.ovf.un conv.i8",
    # floating point (bits of the double)
    "f_arith": "ldc.r8 1.5 ldc.r8 2.25 mul ldc.r8 0.5 sub ldc.r8 3.0 div FBITS",
    "f_rem": "ldc.r8 -7.5 ldc.r8 2.0 rem FBITS",
    "f_neg": "ldc.r8 0.0 neg FBITS",
    "f_div_zero": "ldc.r8 1.0 ldc.r8 0.0 div FBITS",
    "f_nan_cmp": "ldc.r8 0.0 ldc.r8 0.0 div dup clt.un conv.i8",
    "f_nan_clt": "ldc.r8 0.0 ldc.r8 0.0 div ldc.r8 1.0 clt conv.i8",
    # comparisons
    "cmp_un": "ldc.i4 -1 ldc.i4.1 cgt.un conv.i8",
    "cmp_signed": "ldc.i4 -1 ldc.i4.1 cgt conv.i8",
    "ceq_i8": "ldc.i8 5 ldc.i8 5 ceq conv.i8",
    # division exceptions (caught, sentinel returned)
    "div_zero": "ldc.i4.1 ldc.i4.0 div conv.i8",
    "div_minus_one": "ldc.i4 0x80000000 ldc.i4.m1 div conv.i8",
    "ovf_r8_i4": "ldc.r8 3e10 conv.ovf.i4 conv.i8",
}

HT = "class [mscorlib]System.Collections.Hashtable"
HSET = "callvirt instance void [mscorlib]System.Collections.Hashtable::set_Item(object, object)"
HGET = "callvirt instance object [mscorlib]System.Collections.Hashtable::get_Item(object)"
HHAS = "callvirt instance bool [mscorlib]System.Collections.Hashtable::ContainsKey(object)"
HNEW = "newobj instance void [mscorlib]System.Collections.Hashtable::.ctor()"
RAW = {
    # Hashtable (hashed in the emulator): 3000 int keys (the table grows
    # several times), one overwritten, all read back; absent keys; strings
    # equal by content; an int32 key is not the int64 key of the same value
    "hash_ints": f"""
        .locals init ({HT} h, int32 i, int64 s)
        {HNEW} stloc.0
    L1: ldloc.0 ldloc.1 box [mscorlib]System.Int32 ldloc.1 ldc.i4.3 mul box [mscorlib]System.Int32 {HSET}
        ldloc.1 ldc.i4.1 add stloc.1 ldloc.1 ldc.i4 3000 blt L1
        ldloc.0 ldc.i4 1500 box [mscorlib]System.Int32 ldc.i4.7 box [mscorlib]System.Int32 {HSET}
        ldc.i4.0 stloc.1
    L2: ldloc.2 ldloc.0 ldloc.1 box [mscorlib]System.Int32 {HGET} unbox.any [mscorlib]System.Int32 conv.i8 add stloc.2
        ldloc.1 ldc.i4.1 add stloc.1 ldloc.1 ldc.i4 3000 blt L2
        ldloc.0 ldc.i4 3000 box [mscorlib]System.Int32 {HHAS} brtrue.s B
        ldloc.0 ldc.i4 -1 box [mscorlib]System.Int32 {HGET} brtrue.s B
        ldloc.2 ret
    B:  ldc.i8 -1 ret""",
    "hash_keys": f"""
        .locals init ({HT} h, int64 s)
        {HNEW} stloc.0
        ldloc.0 ldstr "alpha" ldc.i4.1 box [mscorlib]System.Int32 {HSET}
        ldloc.0 ldstr "beta" ldc.i4.2 box [mscorlib]System.Int32 {HSET}
        ldloc.0 ldstr "alpha" ldc.i4.3 box [mscorlib]System.Int32 {HSET}
        ldloc.0 ldc.i4.5 box [mscorlib]System.Int32 ldc.i4.4 box [mscorlib]System.Int32 {HSET}
        ldloc.0 ldc.i8 5 box [mscorlib]System.Int64 ldc.i4.6 box [mscorlib]System.Int32 {HSET}
        ldloc.0 ldstr "alpha" {HGET} unbox.any [mscorlib]System.Int32 conv.i8
        ldloc.0 ldstr "beta" {HGET} unbox.any [mscorlib]System.Int32 conv.i8 ldc.i8 10 mul add
        ldloc.0 ldc.i4.5 box [mscorlib]System.Int32 {HGET} unbox.any [mscorlib]System.Int32 conv.i8 ldc.i8 100 mul add
        ldloc.0 ldc.i8 5 box [mscorlib]System.Int64 {HGET} unbox.any [mscorlib]System.Int32 conv.i8 ldc.i8 1000 mul add
        ldloc.0 ldstr "gamma" {HHAS} conv.i8 ldc.i8 10000 mul add
        ret""",
    # branches and switch
    "branch_loop": """
        .locals init (int32 i, int64 s)
        ldc.i4.0 stloc.0
    L1: ldloc.0 ldc.i4 10 bge.s L2
        ldloc.1 ldloc.0 conv.i8 add stloc.1
        ldloc.0 ldc.i4.1 add stloc.0 br.s L1
    L2: ldloc.1 ret""",
    "branch_un": """
        ldc.i4 -1 ldc.i4.1 bgt.un.s A
        ldc.i8 1 ret
    A:  ldc.i8 2 ret""",
    "switch_sum": """
        .locals init (int32 i, int64 s)
    L:  ldloc.0 switch (C0, C1, C2)
        br.s D
    C0: ldloc.1 ldc.i8 1 add stloc.1 br.s N
    C1: ldloc.1 ldc.i8 10 add stloc.1 br.s N
    C2: ldloc.1 ldc.i8 100 add stloc.1 br.s N
    N:  ldloc.0 ldc.i4.1 add stloc.0 br.s L
    D:  ldloc.1 ldloc.0 conv.i8 ldc.i8 1000 mul add ret""",
    # calls: recursion, arguments
    "call_fib": """
        ldc.i4 15 call int32 EmuOps::Fib(int32) conv.i8 ret""",
    "call_args": """
        ldc.i4 7 ldc.i8 100 ldc.r8 0.5 call int64 EmuOps::Mix(int32, int64, float64) ret""",
    # arrays and pointers
    "array_bytes": """
        .locals init (uint8[] a, int32 i, int64 s)
        ldc.i4 16 newarr [mscorlib]System.Byte stloc.0
    L:  ldloc.1 ldc.i4 16 bge.s D
        ldloc.0 ldloc.1 ldloc.1 ldc.i4 37 mul stelem.i1
        ldloc.1 ldc.i4.1 add stloc.1 br.s L
    D:  ldloc.0 ldc.i4 15 ldelem.u1 conv.i8 ldloc.0 ldc.i4 7 ldelem.i1 conv.i8 ldc.i4 16 shl add
        ldloc.0 ldlen conv.i8 ldc.i4 32 shl add ret""",
    "array_i4_i8": """
        .locals init (int32[] a, int64[] b)
        ldc.i4.4 newarr [mscorlib]System.Int32 stloc.0
        ldc.i4.2 newarr [mscorlib]System.Int64 stloc.1
        ldloc.0 ldc.i4.3 ldc.i4 -9 stelem.i4
        ldloc.1 ldc.i4.1 ldc.i8 0x1122334455 stelem.i8
        ldloc.0 ldc.i4.3 ldelem.i4 conv.i8 ldloc.1 ldc.i4.1 ldelem.i8 add ret""",
    # more objects than the emulator's first object table holds (1024)
    "box_many": """
        .locals init (int32 i, int64 s)
    L:  ldloc.0 ldc.i4 1500 bge.s D
        ldloc.1 ldloc.0 conv.i8 box [mscorlib]System.Int64 unbox.any [mscorlib]System.Int64 add stloc.1
        ldloc.0 ldc.i4.1 add stloc.0 br.s L
    D:  ldloc.1 ret""",
    "array_bounds": """
        ldc.i4.2 newarr [mscorlib]System.Byte ldc.i4.2 ldelem.u1 conv.i8 ret""",
    "pinned_qword_xor": """
        .locals init (uint8[] a, uint8& pinned p, int32 i)
        ldc.i4 16 newarr [mscorlib]System.Byte stloc.0
    L:  ldloc.2 ldc.i4 16 bge.s D
        ldloc.0 ldloc.2 ldloc.2 ldc.i4 17 mul stelem.i1
        ldloc.2 ldc.i4.1 add stloc.2 br.s L
    D:  ldloc.0 ldc.i4.0 ldelema [mscorlib]System.Byte stloc.1
        ldloc.1 conv.u ldc.i4.8 add dup ldind.i8 ldc.i4 1542152529 conv.i8 xor stind.i8
        ldloc.1 conv.u ldc.i4.3 add dup ldind.u2 ldc.i4 0x0101 add stind.i2
        ldc.i4.0 conv.u stloc.1
        ldloc.0 ldc.i4.8 call int64 [mscorlib]System.BitConverter::ToInt64(uint8[], int32)
        ldloc.0 ldc.i4.0 call int32 [mscorlib]System.BitConverter::ToInt32(uint8[], int32) conv.i8 xor ret""",
    "local_pointer": """
        .locals init (int64 v)
        ldc.i8 0x1111111111111111 stloc.0
        ldloca.s 0 conv.u ldc.i4 0x22222222 stind.i4
        ldloc.0 ret""",
    # exception handling: finally order, nested catch, rethrow
    "eh_finally": """
        .locals init (int64 s)
        .try {
          .try { ldc.i8 1 stloc.0 leave.s X }
          finally { ldloc.0 ldc.i8 10 mul ldc.i8 2 add stloc.0 endfinally }
      X: leave.s Y
        } finally { ldloc.0 ldc.i8 10 mul ldc.i8 3 add stloc.0 endfinally }
    Y:  ldloc.0 ret""",
    "eh_rethrow": """
        .locals init (int64 s)
        .try {
          .try { ldc.i4.1 ldc.i4.0 div pop leave.s X }
          catch [mscorlib]System.DivideByZeroException { pop ldc.i8 5 stloc.0 rethrow }
      X: leave.s Y
        } catch [mscorlib]System.Exception { pop ldloc.0 ldc.i8 100 add stloc.0 leave.s Y }
    Y:  ldloc.0 ret""",
}

# refusals: run by emu_run only (X_*), never by Main; each must stop with
# the message named in test_emu_ops.sh, not hang or allocate
REFUSALS = {
    "loop_forever": "L: br.s L",
    "recurse_forever": "call int64 EmuOps::X_recurse_forever() ret",
    "huge_array": "ldc.i4 0x7fffffff newarr [mscorlib]System.Byte ldlen conv.i8 ret",
    "unmodelled": "call void [mscorlib]System.Console::Beep() ldc.i8 0 ret",
    "pinvoke": "call int32 EmuOps::GetTickCount() conv.i8 ret",
    "wild_pointer": "ldc.i4 0x1234 conv.i ldind.i4 conv.i8 ret",
}

SENTINEL = "-777"


def body(ops):
    toks = ops.replace("FBITS", "call int64 [mscorlib]System.BitConverter::DoubleToInt64Bits(float64)")
    return toks


def main():
    out = []
    out.append(".assembly extern mscorlib {}\n.assembly EmuOps {}\n.module EmuOps.exe\n")
    out.append(".class public auto ansi EmuOps extends [mscorlib]System.Object {\n")
    out.append("""  .method public static int32 Fib(int32 n) cil managed {
    ldarg.0 ldc.i4.2 bge.s R ldarg.0 ret
  R: ldarg.0 ldc.i4.1 sub call int32 EmuOps::Fib(int32) ldarg.0 ldc.i4.2 sub call int32 EmuOps::Fib(int32) add ret }
  .method public static int64 Mix(int32 a, int64 b, float64 c) cil managed {
    ldarg.0 conv.i8 ldarg.1 mul ldarg.2 ldc.r8 1000.0 mul conv.i8 add ret }
""")
    names = []
    for name, ops in CASES.items():
        names.append(name)
        out.append(f"""  .method public static int64 T_{name}() cil managed {{
    .maxstack 8
    .locals init (int64 r)
    .try {{ {body(ops)} stloc.0 leave.s E }}
    catch [mscorlib]System.Exception {{ pop ldc.i8 {SENTINEL} stloc.0 leave.s E }}
  E: ldloc.0 ret }}
""")
    for name, text in RAW.items():
        names.append(name)
        if name == "array_bounds":
            text = f""".locals init (int64 r)
        .try {{ {text.replace('ret', 'stloc.0 leave.s E')} }}
        catch [mscorlib]System.IndexOutOfRangeException {{ pop ldc.i8 {SENTINEL} stloc.0 leave.s E }}
    E:  ldloc.0 ret"""
        out.append(f"  .method public static int64 T_{name}() cil managed {{\n    .maxstack 8\n{text}\n  }}\n")
    out.append('  .method public static pinvokeimpl("kernel32.dll" winapi) int32 GetTickCount() cil managed preservesig {}\n')
    for name, text in REFUSALS.items():
        out.append(f"  .method public static int64 X_{name}() cil managed {{\n    .maxstack 8\n    {text}\n  }}\n")
    out.append("  .method public static void Main() cil managed {\n    .entrypoint\n    .maxstack 8\n")
    for name in names:
        out.append(f'    ldstr "{name} " call int64 EmuOps::T_{name}() box [mscorlib]System.Int64\n'
                   f'    call string [mscorlib]System.String::Concat(object, object)\n'
                   f'    call void [mscorlib]System.Console::WriteLine(string)\n')
    out.append("    ret\n  }\n}\n")
    with open(sys.argv[1], "w") as f:
        f.write("".join(out))


if __name__ == "__main__":
    main()
