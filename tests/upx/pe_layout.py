#!/usr/bin/env python3
"""pe_layout.py FILE [--reorder OUT] - what the UPX tests compare between a
PE and its unpacked copy: the file size, then per section its name, virtual
size, RVA, raw size, raw offset and the sha256 of its file bytes.

With --reorder OUT: write a copy of FILE whose .idata and .reloc sections
(adjacent in the file) trade places in the file, their RVAs kept, so the
sections' file order is no longer their RVA order (tests/upx/
test_upx_own.sh: the unpacker's in-place layout refuses such a table and
copies; docs/upx.md "Performance")."""
import hashlib
import struct
import sys


def sections(raw):
    pe = struct.unpack_from("<I", raw, 0x3c)[0]
    n, opt = struct.unpack_from("<H", raw, pe + 6)[0], struct.unpack_from("<H", raw, pe + 20)[0]
    st = pe + 24 + opt
    return st, [list(struct.unpack_from("<8sIIII", raw, st + 40 * i)) for i in range(n)]


def reorder(raw):
    st, secs = sections(raw)
    names = [s[0].rstrip(b"\0") for s in secs]
    i, r = names.index(b".idata"), names.index(b".reloc")
    idata, reloc = secs[i], secs[r]
    if idata[4] + idata[3] != reloc[4]:
        raise ValueError(".idata and .reloc are not adjacent in the file")
    a = bytes(raw[idata[4]:idata[4] + idata[3]])
    b = bytes(raw[reloc[4]:reloc[4] + reloc[3]])
    base = idata[4]
    raw[base:base + len(b)] = b
    raw[base + len(b):base + len(b) + len(a)] = a
    struct.pack_into("<I", raw, st + 40 * r + 20, base)
    struct.pack_into("<I", raw, st + 40 * i + 20, base + len(b))
    return raw


def main():
    raw = bytearray(open(sys.argv[1], "rb").read())
    if len(sys.argv) == 4 and sys.argv[2] == "--reorder":
        open(sys.argv[3], "wb").write(reorder(raw))
        return 0
    print(len(raw))
    for name, vs, va, rs, rp in sections(raw)[1]:
        print(name.rstrip(b"\0").decode(), vs, va, rs, rp, hashlib.sha256(raw[rp:rp + rs]).hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
