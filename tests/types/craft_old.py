#!/usr/bin/env python3
"""craft_old.py - a small ELF executable in the Go 1.5 or 1.6 runtime layout
that describes the types of old_spec.py.

Usage: craft_old.py OUT {5|6} {32|64} [--big-endian] [--no-version] [--addresses FILE.json]

Written from the layouts of the Go 1.5/1.6 sources, not from malgopher:
  - pclntab (Go 1.2-1.15 table, docs/design.md "pclntab layouts"): magic
    0xfffffffb, two zero bytes, quantum, pointer size, nfunc (word), then
    (entry, funcoff) word pairs, the end PC, the filetab offset (4 bytes);
    each _func is entry (word) then nameoff, args, frame, pcsp, pcfile,
    pcln, npcdata, nfuncdata (4 bytes each);
  - moduledata (runtime/symtab.go): pclntable, ftab, filetab slices,
    findfunctab, minpc, maxpc, text, etext, noptrdata, enoptrdata, data,
    edata, bss, ebss, noptrbss, enoptrbss, end, gcdata, gcbss, typelinks
    ([]*_type), modulename, modulehashes, gcdatamask, gcbssmask, next;
  - _type (runtime/type.go, reflect.rtype): size, ptrdata, hash (4), an
    unused byte, align, fieldAlign, kind, alg, gcdata, string (*string),
    uncommon (*uncommonType), ptrToThis, and in Go 1.5 only, zero;
  - kind-specific words after it (reflect/type.go): array elem, slice, len;
    chan elem, dir; func dotdotdot (padded to a word), in, out []*rtype;
    interface []imethod{name, pkgPath *string, typ}; map key, elem, bucket,
    hmap then the key/value/bucket sizes and flags (8 bytes); ptr and
    slice elem; struct []structField{name, pkgPath, typ, tag, offset};
  - uncommonType{name, pkgPath *string, []method}, method{name, pkgPath,
    mtyp, typ, ifn, tfn}; a nil name for embedded fields, a nil pkgPath for
    exported methods and fields.
The uncommon type follows the kind-specific words, as the compiler lays
it out.  The runtime.buildVersion string header ("go1.N") sits in
.noptrdata unless --no-version (then the reader must find the layout by
validation).  --addresses writes {type string: descriptor address}.
Little-endian files are x86 (amd64, 386); --big-endian gives a ppc64 one
(64-bit only: Go 1.5/1.6 had no 32-bit big-endian port).
"""
import json
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from old_spec import KIND, TYPES  # noqa: E402

TEXT, RODATA, PCLN, DATA = 0x401000, 0x500000, 0x600000, 0x700000
SEGSZ = 0x10000
BO = "<"  # byte order of every multi-byte field (craft() sets it)


class Seg:
    def __init__(self, base, ps):
        self.base, self.ps, self.b = base, ps, bytearray()

    def alloc(self, n, align=None):
        align = align or self.ps
        while len(self.b) % align:
            self.b.append(0)
        a = self.base + len(self.b)
        self.b += bytes(n)
        return a

    def w(self, addr, v):
        struct.pack_into(BO + ("Q" if self.ps == 8 else "I"), self.b, addr - self.base, v)

    def u32(self, addr, v):
        struct.pack_into(BO + "I", self.b, addr - self.base, v)

    def put(self, addr, data):
        self.b[addr - self.base:addr - self.base + len(data)] = data


def kind_words(t, ps):
    """bytes after the header for this kind (Go 1.5/1.6 reflect)"""
    return {"array": 3 * ps, "chan": 2 * ps, "func": 7 * ps, "interface": 3 * ps,
            "map": 4 * ps + 8, "ptr": ps, "slice": ps, "struct": 3 * ps}.get(t["kind"], 0)


def has_uncommon(name, t):
    return t["pkg_path"] is not None or bool(t["methods"])


def craft(minor, ps, with_version, big=False):
    global BO
    BO = ">" if big else "<"
    ro, data = Seg(RODATA, ps), Seg(DATA, ps)
    hdr = 7 * ps + 8 + (ps if minor == 5 else 0)   # 2 words, hash and 4 bytes, 5 words (+ zero)
    strs = {}

    def gostring(s):
        """address of a Go string header (data, len) for s"""
        if s not in strs:
            raw = s.encode()
            d = ro.alloc(len(raw) + 1, 1)
            ro.put(d, raw)
            h = ro.alloc(2 * ps)
            ro.w(h, d)
            ro.w(h + ps, len(raw))
            strs[s] = h
        return strs[s]

    alg = ro.alloc(2 * ps)      # stands for the alg table
    gcdata = ro.alloc(ps)       # stands for a GC mask
    zero = data.alloc(64)       # 1.5's zero value (zeroed memory)
    addr, unc = {}, {}
    for name, t in TYPES.items():           # descriptors first: references resolve
        addr[name] = ro.alloc(hdr + kind_words(t, ps) + (5 * ps if has_uncommon(name, t) else 0))
        if has_uncommon(name, t):
            unc[name] = addr[name] + hdr + kind_words(t, ps)
            while unc[name] % ps:
                unc[name] += 1
    for name, t in TYPES.items():
        a, size = addr[name], t["size"](ps)
        pointers = t["kind"] in ("ptr", "map", "chan", "func", "slice", "string", "interface") or \
            (t["kind"] == "struct" and name != "main.Base")
        ptrdata = 0 if not pointers else (2 * ps if t["kind"] == "interface" else max(ps, size // ps * ps - ps))
        ro.w(a, size)
        ro.w(a + ps, min(ptrdata, size // ps * ps))
        ro.u32(a + 2 * ps, (0x9e3779b1 * (a & 0xffff)) & 0xffffffff)
        align = t["align"](ps)
        flags = (32 if t["kind"] in ("ptr", "map", "chan", "func") else 0) | (0 if pointers else 128)
        ro.put(a + 2 * ps + 4, bytes([0, align, align, KIND[t["kind"]] | flags]))
        w = a + 2 * ps + 8                    # the pointer words after kind
        ro.w(w, alg)
        ro.w(w + ps, gcdata)
        ro.w(w + 2 * ps, gostring(name))
        ro.w(w + 3 * ps, unc.get(name, 0))
        ro.w(w + 4 * ps, addr[t["ptr_to"]] if t["ptr_to"] else 0)
        if minor == 5:
            ro.w(w + 5 * ps, zero)
        base = a + hdr
        k = t["kind"]
        if k in ("ptr", "slice"):
            ro.w(base, addr[t["elem"]])
        elif k == "array":
            ro.w(base, addr[t["elem"]])
            ro.w(base + ps, addr[t["slice"]])
            ro.w(base + 2 * ps, t["len"])
        elif k == "chan":
            ro.w(base, addr[t["elem"]])
            ro.w(base + ps, t["len"])
        elif k == "map":
            ro.w(base, addr[t["key"]])
            ro.w(base + ps, addr[t["elem"]])
            ro.w(base + 2 * ps, addr["[]uint8"])   # stands for the bucket type
            ro.w(base + 3 * ps, addr["[]uint8"])   # and the hmap type
            ro.put(base + 4 * ps, bytes([2 * ps, 0, ps, 0, 0x50, 0, 1, 0]))
        elif k == "func":
            ro.put(base, bytes([1 if t["variadic"] else 0]))
            for j, lst in ((1, t["ins"]), (4, t["outs"])):
                arr = ro.alloc(ps * len(lst)) if lst else 0
                for i, p in enumerate(lst):
                    ro.w(arr + i * ps, addr[p])
                ro.w(base + j * ps, arr)
                ro.w(base + (j + 1) * ps, len(lst))
                ro.w(base + (j + 2) * ps, len(lst))
        elif k == "interface":
            arr = ro.alloc(3 * ps * len(t["imethods"]))
            for i, (mn, mt, exp) in enumerate(t["imethods"]):
                e = arr + 3 * ps * i
                ro.w(e, gostring(mn))
                ro.w(e + ps, 0 if exp else gostring("main"))
                ro.w(e + 2 * ps, addr[mt])
            ro.w(base, arr)
            ro.w(base + ps, len(t["imethods"]))
            ro.w(base + 2 * ps, len(t["imethods"]))
        elif k == "struct":
            arr = ro.alloc(5 * ps * len(t["fields"]))
            for i, (fn, ft, tag, off, emb) in enumerate(t["fields"]):
                e = arr + 5 * ps * i
                ro.w(e, 0 if emb else gostring(fn))
                ro.w(e + ps, 0 if fn[0].isupper() else gostring("main"))
                ro.w(e + 2 * ps, addr[ft])
                ro.w(e + 3 * ps, gostring(tag) if tag else 0)
                ro.w(e + 4 * ps, off(ps))
            ro.w(base, arr)
            ro.w(base + ps, len(t["fields"]))
            ro.w(base + 2 * ps, len(t["fields"]))
        if name in unc:
            u = unc[name]
            ro.w(u, gostring(name.split(".")[-1]) if t["pkg_path"] is not None else 0)
            ro.w(u + ps, gostring(t["pkg_path"]) if t["pkg_path"] else 0)
            arr = ro.alloc(6 * ps * len(t["methods"])) if t["methods"] else 0
            for i, (mn, mt, exp) in enumerate(t["methods"]):
                e = arr + 6 * ps * i
                ro.w(e, gostring(mn))
                ro.w(e + ps, 0 if exp else gostring("main"))
                ro.w(e + 2 * ps, addr[mt])
                ro.w(e + 3 * ps, addr[mt])          # typ (with receiver): not kept apart here
                ro.w(e + 4 * ps, TEXT + 0x40)
                ro.w(e + 5 * ps, TEXT + 0x40)
            ro.w(u + 2 * ps, arr)
            ro.w(u + 3 * ps, len(t["methods"]))
            ro.w(u + 4 * ps, len(t["methods"]))
    links = sorted(n for n, t in TYPES.items() if t["link"])   # sorted by type string
    tl = ro.alloc(ps * len(links))
    for i, n in enumerate(links):
        ro.w(tl + i * ps, addr[n])
    version = b"go1.%d" % minor
    vs = ro.alloc(len(version), 1)
    ro.put(vs, version)

    pcln, nfunc, text_end = pclntab(ps, 4 if big else 1)
    md = data.alloc(38 * ps)
    words = [PCLN, len(pcln), len(pcln), PCLN + 8 + ps, nfunc + 1, nfunc + 1, PCLN + filetab_off(ps, nfunc), 2, 2,
             0, TEXT, text_end, TEXT, text_end, DATA, DATA + SEGSZ, DATA, DATA, DATA, DATA, DATA, DATA,
             DATA + SEGSZ, gcdata, gcdata, tl, len(links), len(links)]
    for i, v in enumerate(words):
        data.w(md + i * ps, v)
    if with_version:
        bv = data.alloc(2 * ps)
        data.w(bv, vs)
        data.w(bv + ps, len(version))
    text = bytes([0xc3] * (text_end - TEXT))
    return elf(ps, big, [(".text", TEXT, text, 5), (".rodata", RODATA, bytes(ro.b), 4),
                    (".gopclntab", PCLN, pcln, 4), (".noptrdata", DATA, bytes(data.b), 6)]), addr


NAMES = ["main.main", "main.Base.Hello", "main.(*Counter).inc"]


def filetab_off(ps, nfunc):
    return 8 + ps + (2 * nfunc + 1) * ps


def pclntab(ps, quantum):
    """a Go 1.2 table for three functions at TEXT, 0x40 bytes each"""
    n = len(NAMES)
    b = Seg(0, ps)
    b.alloc(8 + ps + (2 * n + 1) * ps + 4, 1)
    b.put(0, struct.pack(BO + "IBBBB", 0xfffffffb, 0, 0, quantum, ps))
    b.w(8, n)
    ftab = 8 + ps
    fsz = ps + 8 * 4
    funcs = b.alloc(n * fsz)
    names = []
    for s in NAMES:
        o = b.alloc(len(s) + 1, 1)
        b.put(o, s.encode())
        names.append(o)
    filetab = b.alloc(8, 4)
    fname = b.alloc(5, 1)
    b.put(fname, b"a.go")
    pcfile = b.alloc(2, 1)
    b.put(pcfile, b"\x04\x10")     # zigzag(+2): file -1 + 2 = 1 up to pc 0x10
    b.u32(filetab, 2)
    b.u32(filetab + 4, fname)
    for i in range(n):
        entry = TEXT + 0x40 * i
        b.w(ftab + 2 * i * ps, entry)
        b.w(ftab + (2 * i + 1) * ps, funcs + i * fsz)
        b.w(funcs + i * fsz, entry)
        b.u32(funcs + i * fsz + ps, names[i])
        b.u32(funcs + i * fsz + ps + 16, pcfile)
    b.w(ftab + 2 * n * ps, TEXT + 0x40 * n)
    b.u32(filetab_off(ps, n), filetab)
    return bytes(b.b), n, TEXT + 0x40 * n


def elf(ps, big, secs):
    """ELF (x86-64, 386 or ppc64): one PT_LOAD per section, each at file
    offset 0x1000 * (i + 1), and a section header table"""
    e64 = ps == 8
    shstr = b"\0" + b"".join(n.encode() + b"\0" for n, _, _, _ in secs) + b".shstrtab\0"
    out = bytearray(0x1000)
    offs = []
    for i, (_, _, b, _) in enumerate(secs):
        assert len(b) <= SEGSZ
        while len(out) % 0x1000:
            out.append(0)
        offs.append(len(out))
        out += b
    shstr_off = len(out)
    out += shstr
    while len(out) % 8:
        out.append(0)
    shoff = len(out)
    ehsz, phsz, shsz = (64, 56, 64) if e64 else (52, 32, 40)
    nph, nsh = len(secs), len(secs) + 2
    ident = b"\x7fELF" + bytes([2 if e64 else 1, 2 if big else 1, 1]) + bytes(9)
    fmt = BO + ("HHIQQQIHHHHHH" if e64 else "HHIIIIIHHHHHH")
    machine = 21 if big else 62 if e64 else 3
    out[0:ehsz] = ident + struct.pack(fmt, 2, machine, 1, TEXT, ehsz, shoff, 0, ehsz, phsz, nph, shsz,
                                      nsh, nsh - 1)
    for i, (_, va, b, fl) in enumerate(secs):
        o = ehsz + i * phsz
        if e64:
            struct.pack_into(BO + "IIQQQQQQ", out, o, 1, fl, offs[i], va, va, len(b), len(b), 0x1000)
        else:
            struct.pack_into(BO + "IIIIIIII", out, o, 1, offs[i], va, va, len(b), len(b), fl, 0x1000)
    shdrs = [bytes(shsz)]
    name_at = 1
    for i, (n, va, b, fl) in enumerate(secs):
        flags = 2 | (1 if fl & 2 else 0) | (4 if fl & 1 else 0)
        shdrs.append(shdr(e64, name_at, 1, flags, va, offs[i], len(b), 16))
        name_at += len(n) + 1
    shdrs.append(shdr(e64, name_at, 3, 0, 0, shstr_off, len(shstr), 1))
    out += b"".join(shdrs)
    return bytes(out)


def shdr(e64, name, typ, flags, addr, off, size, align):
    if e64:
        return struct.pack(BO + "IIQQQQIIQQ", name, typ, flags, addr, off, size, 0, 0, align, 0)
    return struct.pack(BO + "IIIIIIIIII", name, typ, flags, addr, off, size, 0, 0, align, 0)


def main(argv):
    out, minor, bits = argv[1], int(argv[2]), int(argv[3])
    blob, addr = craft(minor, bits // 8, "--no-version" not in argv, "--big-endian" in argv)
    open(out, "wb").write(blob)
    if "--addresses" in argv:
        json.dump({n: "0x%x" % a for n, a in addr.items()}, open(argv[argv.index("--addresses") + 1], "w"))


if __name__ == "__main__":
    main(sys.argv)
