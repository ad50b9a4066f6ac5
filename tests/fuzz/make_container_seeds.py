#!/usr/bin/env python3
"""make_container_seeds.py - writes small fuzzing seeds: minimal ELF (32/64,
LE/BE), PE32/PE32+, Mach-O (32/64), fat Mach-O and XCOFF64 files, each
holding a small pclntab (from make_pcln_seeds) in a named section and a Go
build info blob, so the container targets reach the Go layer in a few KB.

usage: make_container_seeds.py OUTDIR PCLN_SEED_DIR
"""
import os
import struct
import sys

out, pdir = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def pcln(gen, be, ps):
    with open(os.path.join(pdir, f"seed-{gen}-{'be' if be else 'le'}-{ps}"), "rb") as f:
        return f.read()


def buildinfo(ps, be):
    """inline-strings build info (Go 1.18+ format)"""
    hdr = b"\xff Go buildinf:" + bytes([ps, 2 | (1 if be else 0)]) + b"\0" * 16
    mod = (b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"
           b"path\texample.com/x\nmod\texample.com/x\t(devel)\t\n"
           b"dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n=>\t../sys\t\n"
           b"build\t-ldflags=\"-s -w\"\nbuild\tGOOS=linux\n"
           b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")
    def uv(n):
        b = b""
        while n >= 0x80:
            b += bytes([n & 0x7f | 0x80])
            n >>= 7
        return b + bytes([n])
    v = b"go1.21.6"
    return hdr + uv(len(v)) + v + uv(len(mod)) + mod


def align(b, n):
    return b + b"\0" * (-len(b) % n)


def elf(is64, be, ps):
    e = ">" if be else "<"
    tab, bi = pcln(120, be, ps), buildinfo(ps, be)
    shstr = b"\0.gopclntab\0.go.buildinfo\0.shstrtab\0"
    ehsz, phsz, shsz = (64, 56, 64) if is64 else (52, 32, 40)
    data_off = 0x1000
    body = align(tab, 16) + bi
    bi_off = data_off + len(align(tab, 16))
    str_off = data_off + len(body)
    sh_off = (str_off + len(shstr) + 7) & ~7
    base = 0x400000
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if be else 1, 1, 0]) + b"\0" * 8
    machine = {True: 62, False: 3}[is64] if not be else (22 if is64 else 8)
    if is64:
        hdr = ident + struct.pack(e + "HHIQQQIHHHHHH", 2, machine, 1, base, ehsz, sh_off, 0,
                                  ehsz, phsz, 1, shsz, 4, 3)
        ph = struct.pack(e + "IIQQQQQQ", 1, 5, 0, base, base, str_off, str_off, 0x1000)
    else:
        hdr = ident + struct.pack(e + "HHIIIIIHHHHHH", 2, machine, 1, base, ehsz, sh_off, 0,
                                  ehsz, phsz, 1, shsz, 4, 3)
        ph = struct.pack(e + "IIIIIIII", 1, 0, base, base, str_off, str_off, 5, 0x1000)
    img = bytearray(align(hdr + ph, data_off)) + body + shstr
    img = align(bytes(img), 8)

    def sh(name, typ, flags, addr, off, size):
        if is64:
            return struct.pack(e + "IIQQQQIIQQ", name, typ, flags, addr, off, size, 0, 0, 1, 0)
        return struct.pack(e + "IIIIIIIIII", name, typ, flags, addr, off, size, 0, 0, 1, 0)
    shs = (sh(0, 0, 0, 0, 0, 0) + sh(1, 1, 2, base + data_off, data_off, len(tab)) +
           sh(12, 1, 3, base + bi_off, bi_off, len(bi)) + sh(26, 3, 0, 0, str_off, len(shstr)))
    return img + shs


def pe(is64):
    ps = 8 if is64 else 4
    tab, bi = pcln(120, False, ps), buildinfo(ps, False)
    base = 0x400000
    fa = 0x200
    rdata = align(tab, fa)
    data = align(bi, fa)
    opt_sz = 240 if is64 else 224
    pe_off = 0x80
    dos = b"MZ" + b"\0" * 58 + struct.pack("<I", pe_off)
    dos = align(dos, pe_off)
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x8664 if is64 else 0x14c, 2, 0, 0, 0, opt_sz, 0x22)
    if is64:
        opt = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20b, 0, 0, 0, 0, 0, 0x1000, 0x1000,
                          base, 0x1000, fa, 6, 0, 0, 0, 6, 0, 0, 0x3000, fa, 0, 3, 0,
                          0, 0, 0, 0, 0, 16)
    else:
        opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10b, 0, 0, 0, 0, 0, 0x1000, 0x1000,
                          0x1000, base, 0x1000, fa, 6, 0, 0, 0, 6, 0, 0, 0x3000, fa, 0, 3, 0,
                          0, 0, 0, 0, 0, 16)
    opt = opt + b"\0" * (opt_sz - len(opt))
    hdr_end = len(dos) + len(coff) + len(opt) + 2 * 40
    first = (hdr_end + fa - 1) // fa * fa

    def sec(name, va, raw, ptr, ch):
        return struct.pack("<8sIIIIIIHHI", name, len(raw), va, len(raw), ptr, 0, 0, 0, 0, ch)
    secs = (sec(b".rdata", 0x1000, rdata, first, 0x40000040) +
            sec(b".data", 0x2000, data, first + len(rdata), 0xc0000040))
    return align(dos + coff + opt + secs, fa)[:first] + rdata + data


def macho(is64):
    ps = 8 if is64 else 4
    tab, bi = pcln(120, False, ps), buildinfo(ps, False)
    magic = 0xfeedfacf if is64 else 0xfeedface
    cpu = 0x01000007 if is64 else 7
    hsz = 32 if is64 else 28
    secsz = 80 if is64 else 68
    segsz = (72 if is64 else 56) + 2 * secsz
    off = 0x1000
    tab_a, bi_off = align(tab, 16), off + len(align(tab, 16))
    body = tab_a + bi
    vm = 0x100000000 if is64 else 0x1000
    w = "Q" if is64 else "I"

    def sect(name, seg, addr, size, offset):
        return (struct.pack("<16s16s", name, seg) + struct.pack("<" + w + w, addr, size) +
                struct.pack("<IIIIIII", offset, 4, 0, 0, 0, 0, 0) + (b"\0" * 4 if is64 else b""))
    seg = struct.pack("<II16s", 0x19 if is64 else 1, segsz, b"__DATA") + struct.pack(
        "<" + w * 4 + "iiII", vm, 0x2000, off, len(body), 3, 3, 2, 0)
    seg += sect(b"__gopclntab", b"__DATA", vm, len(tab), off)
    seg += sect(b"__go_buildinfo", b"__DATA", vm + (bi_off - off), len(bi), bi_off)
    hdr = struct.pack("<IIIIIII", magic, cpu, 3, 2, 1, len(seg), 0) + (b"\0" * 4 if is64 else b"")
    return align(hdr + seg, off) + body


def fat(a, b):
    o1 = 0x1000
    o2 = (o1 + len(a) + 0x3fff) & ~0x3fff
    h = struct.pack(">II", 0xcafebabe, 2) + struct.pack(">iiIII", 0x01000007, 3, o1, len(a), 12)
    h += struct.pack(">iiIII", 0x0100000c, 0, o2, len(b), 14)
    return align(h, o1) + align(a, 0x4000)[: o2 - o1] + b


def xcoff():
    tab = pcln(120, True, 8)
    hdr = struct.pack(">HHiQHHi", 0x01f7, 1, 0, 0, 0, 0, 0)
    off = 0x100
    sh = struct.pack(">8sQQQQQQIII4x", b".data", 0x20000000, 0x20000000, len(tab), off, 0, 0, 0, 0, 0x40)
    return align(hdr + sh, off) + tab


seeds = {}
for is64 in (False, True):
    for be in (False, True):
        seeds[f"elf{64 if is64 else 32}-{'be' if be else 'le'}"] = elf(is64, be, 8 if is64 else 4)
    seeds[f"pe{'32plus' if is64 else '32'}"] = pe(is64)
    seeds[f"macho{64 if is64 else 32}"] = macho(is64)
seeds["macho-fat"] = fat(seeds["macho64"], seeds["macho64"])
seeds["xcoff64"] = xcoff()
for name, data in seeds.items():
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(data)
