#!/usr/bin/env python3
"""pclntab_names.py FILE -- owns a second, independent reader of Go function
names: scans the raw bytes of FILE for a pclntab header (any of the four
magics, either byte order), validates it, and prints the function names in
functab order, one per line.  Works on stripped files of any container,
which `go tool nm` cannot read, and on tables newer than Debian's Go
1.19 debug/gosym knows.  Written from the layout table of docs/design.md "pclntab layouts" only
(not from malgopher's C code):

  bytes 0-3 magic, 4-5 zero, 6 quantum (1, 2, 4), 7 pointer size (4, 8);
  w(i) = pointer-sized word at 8 + i*ptrsize;
  1.2  (0xfffffffb): nfunc = w0, functab at 8+ptrsize: nfunc pairs of
       ptrsize (entry, funcoff from the table start); _func: entry
       (ptrsize) then nameoff (int32 from the table start);
  1.16 (0xfffffffa): funcnametab = w2, pclntab = w6; pairs of ptrsize at w6,
       funcoff from w6; _func: entry (ptrsize), nameoff (int32 into
       funcnametab);
  1.18 (0xfffffff0) and 1.20 (0xfffffff1): funcnametab = w3, pclntab = w7;
       pairs of uint32 at w7, funcoff from w7; _func: entryoff (uint32),
       nameoff (int32 into funcnametab).
A candidate counts only when every name offset lands inside the data on a
NUL-terminated string and the functab entries never decrease."""
import struct
import sys

MAGICS = {0xfffffffb: "1.2", 0xfffffffa: "1.16", 0xfffffff0: "1.18", 0xfffffff1: "1.20"}


def names_at(data, base, order):
    q, ps = data[base + 6], data[base + 7]
    if data[base + 4:base + 6] != b"\0\0" or q not in (1, 2, 4) or ps not in (4, 8):
        return None
    gen = MAGICS[struct.unpack_from(order + "I", data, base)[0]]
    wfmt = order + ("Q" if ps == 8 else "I")

    def w(i):
        return struct.unpack_from(wfmt, data, base + 8 + i * ps)[0]

    def u32(off):
        return struct.unpack_from(order + "I", data, off)[0]

    def i32(off):
        return struct.unpack_from(order + "i", data, off)[0]

    nfunc = w(0)
    if nfunc == 0 or nfunc > 4000000:
        return None
    if gen == "1.2":
        tab, pair, names_base = base + 8 + ps, 2 * ps, base
    elif gen == "1.16":
        tab, pair, names_base = base + w(6), 2 * ps, base + w(2)
    else:
        tab, pair, names_base = base + w(7), 8, base + w(3)
    if tab + (nfunc + 1) * pair > len(data):
        return None
    out, last = [], -1
    for i in range(nfunc):
        e = tab + i * pair
        if pair == 8 and gen in ("1.18", "1.20"):
            entry, funcoff = u32(e), u32(e + 4)
        else:
            entry = struct.unpack_from(wfmt, data, e)[0]
            funcoff = struct.unpack_from(wfmt, data, e + ps)[0]
        if entry < last:
            return None
        last = entry
        fo = tab + funcoff if gen != "1.2" else base + funcoff
        noff_at = fo + (4 if gen in ("1.18", "1.20") else ps)
        if noff_at + 4 > len(data):
            return None
        n = names_base + i32(noff_at)
        end = data.find(b"\0", n)
        if n < base or end < 0 or end - n > 65536:
            return None
        out.append(data[n:end])
    return out


def pclntab_names(path):
    data = open(path, "rb").read()
    for magic in MAGICS:
        for order in "<>":
            pat = struct.pack(order + "I", magic)
            i = data.find(pat)
            while i >= 0:
                if i + 64 <= len(data):
                    try:
                        got = names_at(data, i, order)
                    except struct.error:
                        got = None
                    if got:
                        return got
                i = data.find(pat, i + 1)
    return None


if __name__ == "__main__":
    names = pclntab_names(sys.argv[1])
    if names is None:
        sys.exit("pclntab_names.py: %s: no pclntab" % sys.argv[1])
    out = sys.stdout.buffer
    for n in names:
        out.write(n + b"\n")
