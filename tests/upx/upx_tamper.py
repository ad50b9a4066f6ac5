#!/usr/bin/env python3
"""upx_tamper.py IN OUT - a copy of a file packed by a real UPX, tampered
the way Go malware is (issue 19): every "UPX!" overwritten, the $Info:/$Id:
banners blanked, p_info's two sizes zeroed (ELF, Mach-O: l_info found from
the file's own headers, not by the string), PE sections named UPX* renamed.
Prints what it did; exit 1 when the file does not have the expected layout
(so the test cannot pass on a tamper that did nothing)."""
import struct
import sys


def elf_linfo(d):
    is64 = d[4] == 2
    end = ">" if d[5] == 2 else "<"
    if is64:
        phoff, = struct.unpack_from(end + "Q", d, 32)
        phent, phnum = struct.unpack_from(end + "HH", d, 54)
    else:
        phoff, = struct.unpack_from(end + "I", d, 28)
        phent, phnum = struct.unpack_from(end + "HH", d, 42)
    return phoff + phent * phnum


def macho_linfo(d):
    """the first section's file offset of the packed Mach-O (l_info)"""
    is64 = d[0] == 0xcf
    ncmds, = struct.unpack_from("<I", d, 16)
    off = 32 if is64 else 28
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", d, off)
        if cmd == (0x19 if is64 else 0x1):
            nsects, = struct.unpack_from("<I", d, off + (64 if is64 else 48))
            if nsects:
                return struct.unpack_from("<I", d, off + (72 + 48 if is64 else 56 + 40))[0]
        off += size
    return None


def rename_pe(d, done):
    pe, = struct.unpack_from("<I", d, 0x3c)
    nsec, = struct.unpack_from("<H", d, pe + 6)
    optsz, = struct.unpack_from("<H", d, pe + 20)
    tab = pe + 24 + optsz
    for i in range(nsec):
        o = tab + 40 * i
        if d[o:o + 3] == b"UPX":
            d[o:o + 8] = (".mg%d" % i).encode().ljust(8, b"\0")
            done.append("section %d renamed" % i)


def main():
    d = bytearray(open(sys.argv[1], "rb").read())
    done = []
    li = None
    if d[:4] == b"\x7fELF":
        li = elf_linfo(d)
    elif d[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        li = macho_linfo(d)
    elif d[:2] == b"MZ":
        rename_pe(d, done)
    if li is not None:
        if d[li + 4:li + 8] not in (b"UPX!", b"!XPU"):
            sys.exit("no l_info at 0x%x" % li)
        d[li + 16:li + 24] = bytes(8)
        done.append("p_info sizes zeroed")
    n = 0
    for magic in (b"UPX!", b"!XPU"):
        i = d.find(magic)
        while i >= 0:
            d[i:i + 4] = b"MG??"
            n += 1
            i = d.find(magic, i + 4)
    done.append("%d magics" % n)
    for banner in (b"$Info:", b"$Id:"):
        i = d.find(banner)
        while i >= 0:
            j = d.find(b"$", i + 1)
            j = j if 0 < j - i < 200 else i + len(banner)
            d[i:j + 1] = bytes(j + 1 - i)
            done.append("banner blanked")
            i = d.find(banner, j + 1)
    if n == 0 or (d[:2] == b"MZ" and not any(x.startswith("section") for x in done)):
        sys.exit("nothing to tamper: " + ", ".join(done))
    open(sys.argv[2], "wb").write(d)
    print(", ".join(done))


main()
