#!/usr/bin/env python3
"""craft_types.py - a hostile type graph for the bounds test.

Usage: craft_types.py IN OUT INFO.json   (an ELF64 little-endian Go file and
its `malgopher info --json`: moduledata's address, types, etypes and
typelinks count)

Overwrites the whole [types, etypes) section with copies of one struct
descriptor (80 bytes, 8-aligned) whose name is a valid nameOff, whose only
referenced type is itself (a field of its own type: a cycle at every
address), whose fields slice claims as many fields as fit in the rest of
the section (all pointing back into the section), and whose ptrToThis is
the next copy: every slot of the section validates and references others.
The typelinks are pointed at the copies and the itabs' first words kept
(so moduledata still validates).
"""
import json
import struct
import sys

src, dst = sys.argv[1], sys.argv[2]
md = json.loads(open(sys.argv[3]).readline())["moduledata"]
types, etypes, mdaddr, ntl = int(md["types"], 16), int(md["etypes"], 16), int(md["address"], 16), md["typelinks"]
data = bytearray(open(src, "rb").read())
# ELF64 LE program headers: map the section's address to a file offset
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
loads = []
for i in range(phnum):
    p_type, _, p_off, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
    if p_type == 1:
        loads.append((p_vaddr, p_off, p_filesz))


def file_off(addr, size):
    for v, o, n in loads:
        if v <= addr and addr + size <= v + n:
            return o + addr - v
    sys.exit("0x%x not in one PT_LOAD" % addr)


off = file_off(types, etypes - types)
orig = bytes(data)
span = etypes - types
# a name at offset 0: flag 1, varint length 1, "X"
data[off:off + 3] = b"\x01\x01X"
start = 8
n = (span - start) // 80
for k in range(n):
    a = types + start + 80 * k
    nfields = max(0, (span - (start + 80 * (k + 1))) // 24)
    hdr = struct.pack("<QQIBBBBQQii", 8, 8, 0, 0, 8, 8, 25, 0, 0, 0, start + 80 * ((k + 1) % n))
    body = struct.pack("<QQQQ", 0, a + 80, nfields, nfields)
    o = off + start + 80 * k
    data[o:o + 80] = hdr + body
# moduledata's typelinks slice: the (ptr, n, n) words with n the count
mdo = file_off(mdaddr, 8 * 80)
words = struct.unpack_from("<80Q", data, mdo)
tl = next(words[k] for k in range(78) if words[k + 1] == ntl and words[k + 2] == ntl and words[k])
tlo = file_off(tl, 4 * ntl)
# the itabs live in the section too: keep their first words (interface, type)
k = next(k for k in range(78) if words[k] == tl)
il, nil = words[k + 3], words[k + 4]
for i in range(nil):
    it, = struct.unpack_from("<Q", orig, file_off(il + 8 * i, 8))
    o = file_off(it, 16)
    data[o:o + 16] = orig[o:o + 16]
for i in range(ntl):
    struct.pack_into("<I", data, tlo + 4 * i, start + 80 * (i % n))
open(dst, "wb").write(data)
print("crafted %d struct descriptors over %d bytes" % (n, span))
