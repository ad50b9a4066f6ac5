#!/usr/bin/env python3
"""upxpack.py - the project's own packer that writes UPX 3.x/4.x's on-disk
format, so that tests can make packed files of formats, methods and tampering
that ../shared/upx/ lacks (there is no UPX in Debian).

Owns: packing a Linux ELF (i386, amd64, arm, arm64, mips, mipsel) or a PE32 /
PE32+ executable with NRV2B/NRV2D/NRV2E (libucl) or LZMA (liblzma), UPX's
filters, the header chain (l_info, p_info, b_info, PackHeader, the PE section
layout and extra_info), the tampering Go malware applies, and deliberate
corruptions for refusal tests.

The layout follows UPX 4.2.3's writers (p_unix.cpp, p_lx_elf.cpp, pefile.cpp,
packhead.cpp; read for facts only). The stub is NOT UPX's: a placeholder of a
few instructions that exit(0), plus our own ident strings. What differs from
real UPX output is listed in docs/upx-packer.md; test_upxpack_format.py
checks the rest field by field against files packed by UPX 4.2.3.

usage: upxpack.py IN OUT [--method nrv2b|nrv2d|nrv2e|lzma] [--best]
         [--filter auto|none|0xNN] [--tamper magic,pinfo,sections,version]
         [--corrupt bsize|checksum|overlap|bomb] [--lzma-preset N] [--blocksize N]
       upxpack.py --batch FILE     (one such command line per line of FILE)
"""
import argparse
import os
import struct
import sys

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import upxcodec as C  # noqa: E402

UPX_MAGIC = b"UPX!"
MAGIC_REPLACEMENT = b"\x7fGO!"      # what --tamper magic writes instead of UPX!
ODD_VERSION = 0x2b                  # what --tamper version writes
BOMB_BLOCK = 16 << 20               # --corrupt bomb: size of each zero block
IDENT = (b"\0$Info: packed by malgopher's test packer upxpack.py, UPX format $\n"
         b"\0$Id: upxpack test stub, not UPX's code $\n\0")

# (UPX format id, little-endian?, bits, default filters, NRV bit-buffer width)
ELF_ARCH = {
    (3, 32, "<"): ("i386", 12, (0x46, 0x49), 32),
    (62, 64, "<"): ("amd64", 22, (0x49,), 32),
    (40, 32, "<"): ("arm", 23, (0x50,), 8),
    (183, 64, "<"): ("arm64", 42, (0x52,), 32),
    (8, 32, ">"): ("mips", 137, (), 32),
    (8, 32, "<"): ("mipsel", 30, (), 32),
}
# a placeholder stub per machine: exit(0) with the kernel's calling convention
STUB_CODE = {
    "amd64": bytes.fromhex("b83c00000031ff0f05"),            # mov eax,60; xor edi,edi; syscall
    "i386": bytes.fromhex("b80100000031dbcd80"),             # mov eax,1; xor ebx,ebx; int 0x80
    "arm": struct.pack("<III", 0xe3a07001, 0xe3a00000, 0xef000000),      # mov r7,#1; mov r0,#0; svc 0
    "arm64": struct.pack("<III", 0xd2800ba8, 0xd2800000, 0xd4000001),    # mov x8,#93; mov x0,#0; svc 0
    "mips": struct.pack(">III", 0x24020fa1, 0x00002025, 0x0000000c),     # li v0,4001; move a0,zero; syscall
    "mipsel": struct.pack("<III", 0x24020fa1, 0x00002025, 0x0000000c),
    "pe": bytes.fromhex("31c0c3"),                           # xor eax,eax; ret
}
METHODS = {"nrv2b": (C.M_NRV2B_LE32, C.M_NRV2B_8), "nrv2d": (C.M_NRV2D_LE32, C.M_NRV2D_8),
           "nrv2e": (C.M_NRV2E_LE32, C.M_NRV2E_8), "lzma": (C.M_LZMA, C.M_LZMA)}


def up(x, a):
    return (x + a - 1) & ~(a - 1)


def pack_header(E, version, fmt, method, level, u_adler, c_adler, u_len, c_len, u_file_size,
                filt, cto):
    """The 32-byte PackHeader: LE formats (< 128) and BE formats order fields
    differently; the last byte is the sum of bytes 4..30 mod 251."""
    if fmt < 128:
        body = struct.pack("<BBBBIIIIIBBB", version, fmt, method, level, u_adler, c_adler,
                           u_len, c_len, u_file_size, filt, cto, 0)
    else:
        body = struct.pack(">BBBBIIIIIBBB", version, fmt, method, level, u_len, c_len,
                           u_adler, c_adler, u_file_size, filt, cto, 0)
    return UPX_MAGIC + body + bytes([sum(body) % 251])


class Opts:
    def __init__(self, method="nrv2e", best=False, filt="auto", tamper=(), corrupt=None,
                 lzma_preset=6, blocksize=0):
        self.method, self.best, self.filter = method, best, filt
        self.tamper, self.corrupt = set(tamper), corrupt
        self.lzma_preset, self.blocksize = lzma_preset, blocksize


class Compressor:
    """One method for the whole file (as UPX's stub has one decompressor)."""

    def __init__(self, method, level, lzma_preset):
        self.method, self.level, self.preset = method, level, lzma_preset

    def __call__(self, data, level=None):
        return C.compress(data, self.method, level or self.level, self.preset)


# ================================================================ ELF
class Elf:
    def __init__(self, raw):
        if raw[:4] != b"\x7fELF" or raw[4] not in (1, 2) or raw[5] not in (1, 2):
            raise ValueError("not an ELF file")
        self.raw = raw
        self.bits = 64 if raw[4] == 2 else 32
        self.E = "<" if raw[5] == 1 else ">"
        E = self.E
        if self.bits == 64:
            (self.type, self.machine, _, self.entry, self.phoff, self.shoff, _, self.ehsize,
             self.phentsize, self.phnum) = struct.unpack_from(E + "HHIQQQIHHH", raw, 16)
        else:
            (self.type, self.machine, _, self.entry, self.phoff, self.shoff, _, self.ehsize,
             self.phentsize, self.phnum) = struct.unpack_from(E + "HHIIIIIHHH", raw, 16)
        if self.phoff != self.ehsize:
            raise ValueError("program headers do not follow the ELF header")
        self.phdrs = [self.phdr(i) for i in range(self.phnum)]

    def phdr(self, i):
        o = self.phoff + i * self.phentsize
        if self.bits == 64:
            t, fl, off, va, pa, fs, ms, al = struct.unpack_from(self.E + "IIQQQQQQ", self.raw, o)
        else:
            t, off, va, pa, fs, ms, fl, al = struct.unpack_from(self.E + "IIIIIIII", self.raw, o)
        return dict(type=t, flags=fl, offset=off, vaddr=va, paddr=pa, filesz=fs, memsz=ms, align=al)

    def phdr_bytes(self, p):
        if self.bits == 64:
            return struct.pack(self.E + "IIQQQQQQ", p["type"], p["flags"], p["offset"], p["vaddr"],
                               p["paddr"], p["filesz"], p["memsz"], p["align"])
        return struct.pack(self.E + "IIIIIIII", p["type"], p["offset"], p["vaddr"], p["paddr"],
                           p["filesz"], p["memsz"], p["flags"], p["align"])


def load_gap(loads, k, file_size):
    """Bytes after PT_LOAD k up to the next PT_LOAD's offset (or EOF)."""
    hi = loads[k]["offset"] + loads[k]["filesz"]
    lo = file_size
    for j, q in enumerate(loads):
        if j != k and hi <= q["offset"] < lo:
            lo = q["offset"]
    return lo - hi


class ElfWriter:
    def __init__(self, elf, o):
        self.elf, self.o, self.E = elf, o, elf.E
        key = (elf.machine, elf.bits, elf.E)
        if key not in ELF_ARCH:
            raise ValueError("ELF machine %d (%d-bit %s) is not one UPX packs here"
                             % (elf.machine, elf.bits, "LE" if elf.E == "<" else "BE"))
        self.arch, self.format, self.filters, nrv_bits = ELF_ARCH[key]
        m32, m8 = METHODS[o.method]
        self.method = m8 if nrv_bits == 8 else m32
        size = len(elf.raw)
        self.level = 10 if o.best else (8 if size < 512 * 1024 else 7)
        self.comp = Compressor(self.method, self.level, o.lzma_preset)
        self.out = bytearray()
        self.blocks = []          # (offset of b_info, sz_unc, sz_cpr) in output order
        self.u_adler = 1
        self.c_adler = 1

    def binfo(self, unc, cpr, method, ftid, cto):
        return struct.pack(self.E + "IIBBBB", unc, cpr, method, ftid, cto, 0)

    def put_block(self, data, filt=None, level=None, force_method=False, spoil=False):
        """One b_info and its data; stored when compression does not gain.
        spoil: the stream written is that of the data with one byte changed,
        the checksums are those of the true data (a block corrupted in transit)."""
        ftid, cto, src = 0, 0, data
        if filt is not None:
            ftid, src, cto = filt
        c = self.comp(src, level)
        if len(c) < len(data) or force_method:
            self.blocks.append((len(self.out), len(data), len(c)))
            self.c_adler = C.adler32(c, self.c_adler)
            if spoil:
                bad = bytearray(src)
                bad[len(bad) // 2] ^= 0x5a
                c = self.comp(bytes(bad), level)
            self.out += self.binfo(len(data), len(c), self.method, ftid, cto) + c
        else:
            self.blocks.append((len(self.out), len(data), len(data)))
            self.out += self.binfo(len(data), len(data), 0, 0, 0) + data
            self.c_adler = C.adler32(data, self.c_adler)
        self.u_adler = C.adler32(data, self.u_adler)

    def choose_filter(self, text):
        """UPX tries its filters on the text and keeps the smallest result."""
        if self.o.filter == "none" or not self.filters:
            return None
        ids = self.filters if self.o.filter == "auto" else (int(self.o.filter, 0),)
        best = None
        for fid in ids:
            try:
                fdata, cto = C.apply_filter(text, fid)
            except ValueError:
                if self.o.filter != "auto":
                    raise
                continue             # UPX skips a filter that cannot apply
            if len(ids) > 1:
                n = len(self.comp(fdata))
                if best is None or n < best[0]:
                    best = (n, (fid, fdata, cto))
            else:
                best = (0, (fid, fdata, cto))
        return best[1] if best else None

    def extent(self, data, filt=None):
        bs = self.blocksize
        if filt is not None or len(data) <= bs:
            self.put_block(data, filt)
            return
        for i in range(0, len(data), bs):
            self.put_block(data[i:i + bs])

    def pack(self):
        elf, E, raw = self.elf, self.E, self.elf.raw
        size = len(raw)
        loads = [p for p in elf.phdrs if p["type"] == 1]
        if not loads or loads[0]["offset"] != 0:
            raise ValueError("the first PT_LOAD does not map the ELF header")
        max_load = max(p["filesz"] for p in loads)
        max_off = max(p["offset"] + p["filesz"] for p in loads)
        self.blocksize = self.o.blocksize or max(max_load, size - max_off)
        self.bomb_size = 0
        if self.o.corrupt == "bomb":      # 16 MiB zero blocks, > 64x the input in all
            self.bomb_size = max(4, (64 * size) // BOMB_BLOCK + 1) * BOMB_BLOCK
            self.blocksize = max(self.blocksize, BOMB_BLOCK)
        gnu_stack = [p for p in elf.phdrs if p["type"] == 0x6474e551]
        nph = 2 + len(gnu_stack)
        phsz = 56 if elf.bits == 64 else 32
        sz_elf_hdrs = elf.ehsize + nph * phsz
        self.out += b"\0" * sz_elf_hdrs
        linfo_off = len(self.out)
        self.out += b"\0" * 12                                   # l_info, filled below
        pinfo_off = len(self.out)
        pfs, pbs = (0, 0) if "pinfo" in self.o.tamper else (size + self.bomb_size, self.blocksize)
        self.out += struct.pack(E + "III", 0, pfs, pbs)
        # block 1: the original ELF header and program headers, alone
        hdr_len = elf.ehsize + elf.phnum * elf.phentsize
        hdr = bytearray(raw[:hdr_len])
        if self.o.corrupt == "overlap" and len(loads) > 1:
            self.overlap_phdrs(hdr, loads)
        self.put_block(bytes(hdr), level=10, force_method=True)
        # the PT_LOADs in program-header order; only the largest PF_X one is filtered
        text_k = max((i for i, p in enumerate(loads) if p["flags"] & 1),
                     key=lambda i: loads[i]["filesz"], default=-1)
        for k, p in enumerate(loads):
            start = p["offset"] + (hdr_len if k == 0 else 0)
            data = raw[start:p["offset"] + p["filesz"]]
            if not data:
                continue
            filt = self.choose_filter(data) if k == text_k else None
            if self.o.corrupt == "checksum" and k == 1:
                self.put_block(data, spoil=True)
                continue
            self.extent(data, filt)
            if filt is not None:
                self.filt = filt
        ft = getattr(self, "filt", (0, b"", 0))
        # sz_pack2a, the alignment word, two offsets, then the stub
        self.out += b"\0" * (up(len(self.out), 4) - len(self.out))
        sz_pack2a = len(self.out)
        if sz_pack2a & 4:
            self.out += b"\0" * 4
        self.out += struct.pack(E + "I", sz_elf_hdrs + 24)
        self.out += struct.pack(E + "I", len(self.out))
        sz_pack2 = len(self.out)
        stub = self.stub()
        self.out += stub
        lsize = up(len(stub) + sz_pack2 - sz_pack2a, 4)
        self.out += b"\0" * (up(len(self.out), 4) - len(self.out))
        # the gaps between and after the PT_LOADs (debug info, symbols, ...)
        for k, p in enumerate(loads):
            g = load_gap(loads, k, size)
            if g:
                a = p["offset"] + p["filesz"]
                self.extent(raw[a:a + g])
        if self.bomb_size:
            self.bomb()
        self.out += struct.pack(E + "II", 0, 0)[:4] + UPX_MAGIC + b"\0" * 4   # end of blocks
        self.out += b"\0" * (up(len(self.out), 4) - len(self.out))
        c_len = len(self.out)
        u_len = size + self.bomb_size
        ph = pack_header(E, 14, self.format, self.method, self.level, self.u_adler, self.c_adler,
                         u_len, c_len, u_len, ft[0], ft[2])
        self.out += ph + struct.pack(E + "I", pinfo_off)
        # l_info and the ELF header for the (placeholder) loader
        lchk = C.adler32(stub)
        self.out[linfo_off:linfo_off + 12] = (struct.pack(E + "I", lchk) + UPX_MAGIC
                                              + struct.pack(E + "HBB", lsize, 14, self.format))
        self.write_headers(loads, gnu_stack, sz_pack2, len(stub), nph)
        if self.o.corrupt == "bsize":
            # the last block claims more compressed bytes than the file holds
            off, unc, cpr = self.blocks[-1]
            struct.pack_into(E + "I", self.out, off + 4, len(self.out))
        return self.out

    def overlap_phdrs(self, hdr, loads):
        """PT_LOAD[1] moved down so that it overlaps PT_LOAD[0] in the file."""
        elf = self.elf
        for i in range(elf.phnum):
            p = elf.phdr(i)
            if p["type"] == 1 and p["offset"] != 0:
                p["offset"] = max(0, loads[0]["filesz"] - 0x1000) & ~0xfff
                o = elf.phoff + i * elf.phentsize
                hdr[o:o + elf.phentsize] = elf.phdr_bytes(p)
                return

    def bomb(self):
        """Zero blocks after the tail: a file consistent in every size and
        checksum whose unpacked size is far above the unpacker's caps
        relative to the input (p_filesize, u_len and u_file_size count them)."""
        zero = bytes(BOMB_BLOCK)
        c = C.lzma_compress(zero, 0) if self.method == C.M_LZMA else self.comp(zero, 1)
        for _ in range(self.bomb_size // BOMB_BLOCK):
            self.blocks.append((len(self.out), BOMB_BLOCK, len(c)))
            self.out += self.binfo(BOMB_BLOCK, len(c), self.method, 0, 0) + c
            self.c_adler = C.adler32(c, self.c_adler)
            self.u_adler = C.adler32(zero, self.u_adler)

    def stub(self):
        code = STUB_CODE[self.arch]
        return code + b"\0" * (up(len(code), 4) - len(code)) + IDENT

    def write_headers(self, loads, gnu_stack, sz_pack2, lsize, nph):
        elf, E = self.elf, self.E
        page = 0x1000 if self.arch in ("amd64", "i386") else 0x10000
        lo = min(p["vaddr"] for p in loads)
        brk = max(p["vaddr"] + p["memsz"] for p in loads)
        text_va = up(brk, page)
        base = dict(type=1, flags=6, offset=0, vaddr=lo, paddr=lo, filesz=0x1000,
                    memsz=brk - lo, align=page)
        text = dict(type=1, flags=5, offset=0, vaddr=text_va, paddr=text_va,
                    filesz=sz_pack2 + lsize, memsz=sz_pack2 + lsize, align=page)
        phs = [base, text] + gnu_stack[:1]
        entry = text_va + sz_pack2
        head = bytearray(elf.raw[:elf.ehsize])
        if elf.bits == 64:
            struct.pack_into(E + "QQQ", head, 24, entry, elf.ehsize, 0)
            struct.pack_into(E + "HHHH", head, 56, nph, 0, 0, 0)
        else:
            struct.pack_into(E + "III", head, 24, entry, elf.ehsize, 0)
            struct.pack_into(E + "HHHH", head, 44, nph, 0, 0, 0)
        self.out[:elf.ehsize] = head
        o = elf.ehsize
        for p in phs:
            b = elf.phdr_bytes(p)
            self.out[o:o + len(b)] = b
            o += len(b)


# ================================================================ PE
class Pe:
    def __init__(self, raw):
        if raw[:2] != b"MZ":
            raise ValueError("not a PE file")
        self.raw = raw
        self.pe_off = struct.unpack_from("<I", raw, 0x3c)[0]
        if raw[self.pe_off:self.pe_off + 4] != b"PE\0\0":
            raise ValueError("no PE signature")
        coff = self.pe_off + 4
        self.machine, self.nsec, _, _, _, self.optsz, self.flags = struct.unpack_from("<HHIIIHH", raw, coff)
        self.opt = coff + 20
        magic = struct.unpack_from("<H", raw, self.opt)[0]
        if magic not in (0x10b, 0x20b):
            raise ValueError("unknown optional header magic %#x" % magic)
        self.is64 = magic == 0x20b
        self.codesize = struct.unpack_from("<I", raw, self.opt + 4)[0]
        self.entry, self.codebase = struct.unpack_from("<II", raw, self.opt + 16)
        self.objalign, self.filealign = struct.unpack_from("<II", raw, self.opt + 32)
        self.imagebase = struct.unpack_from("<Q" if self.is64 else "<I", raw,
                                            self.opt + (24 if self.is64 else 28))[0]
        self.dd = self.opt + (112 if self.is64 else 96)
        self.ht_size = 24 + (0xf0 if self.is64 else 0xe0)   # PE signature + COFF + optional header
        self.sec_off = self.opt + self.optsz
        self.sections = []
        for i in range(self.nsec):
            o = self.sec_off + 40 * i
            name, vs, va, rs, rp = struct.unpack_from("<8sIIII", raw, o)
            self.sections.append(dict(name=name, vsize=vs, vaddr=va, rsize=rs, rptr=rp, hdr=raw[o:o + 40]))

    def ddir(self, i):
        return struct.unpack_from("<II", self.raw, self.dd + 8 * i)


def pe_relocs(pe, image, rvamin):
    """The base relocations as UPX's optimized list: deltas from -4 between
    sorted positions (1 byte below 0xf0, else 0xf0|hi4 + le16, or 0xf0 0 0 +
    le32), then a 0 byte. The words at those positions hold the target
    minus (image base + rvamin), stored big-endian (UPX's bswap for
    compression); the relocation directory itself is cleared."""
    rva, size = pe.ddir(5)
    if not rva or not size or (pe.flags & 1):
        return None
    want = 10 if pe.is64 else 3
    blob = image[rva - rvamin:rva - rvamin + size]
    pos, i = [], 0
    while i + 8 <= len(blob):
        page, bsz = struct.unpack_from("<II", blob, i)
        if bsz < 8:
            break
        for j in range(i + 8, i + bsz, 2):
            e = struct.unpack_from("<H", blob, j)[0]
            if e >> 12 == want:
                pos.append(page + (e & 0xfff) - rvamin)
            elif e >> 12 != 0:
                raise ValueError("relocation type %d is not supported by upxpack" % (e >> 12))
        i += bsz
    pos.sort()
    out, pc = bytearray(), -4
    w = 8 if pe.is64 else 4
    for p in pos:
        d = p - pc
        if d < 4:
            raise ValueError("overlapping relocations")
        if d < 0xf0:
            out.append(d)
        elif d < 0x100000:
            out += bytes([0xf0 | (d >> 16)]) + struct.pack("<H", d & 0xffff)
        else:
            out += b"\xf0\0\0" + struct.pack("<I", d)
        fmt = "Q" if pe.is64 else "I"
        v = struct.unpack_from("<" + fmt, image, p)[0]
        struct.pack_into(">" + fmt, image, p, (v - pe.imagebase - rvamin) % (1 << (8 * w)))
        pc = p
    out.append(0)
    image[rva - rvamin:rva - rvamin + size] = bytes(size)     # rebuilt from the list
    return bytes(out)


def pack_pe(raw, o):
    pe = Pe(raw)
    fmt = 36 if pe.is64 else 9
    method = METHODS[o.method][0]
    level = 10 if o.best else (8 if len(raw) < 512 * 1024 else 7)
    comp = Compressor(method, level, o.lzma_preset)
    secs = pe.sections
    rvamin = secs[0]["vaddr"]
    oam1 = pe.objalign - 1
    newvsize = (secs[-1]["vaddr"] + secs[-1]["vsize"] + oam1) & ~oam1
    image = bytearray(newvsize - rvamin)
    for s in secs:
        n = min(s["rsize"], s["vsize"] if s["vsize"] else s["rsize"])
        n = min(n, len(raw) - s["rptr"], len(image) - (s["vaddr"] - rvamin))
        if s["rptr"] and n > 0:
            image[s["vaddr"] - rvamin:s["vaddr"] - rvamin + n] = raw[s["rptr"]:s["rptr"] + n]
    # imports: UPX's preprocessed list; ours is the empty list (4 zero bytes),
    # the original import data stays in the image
    imports = b"\0\0\0\0" if pe.ddir(1)[0] else None
    relocs = pe_relocs(pe, image, rvamin)
    payload = bytearray(image)
    extra = bytearray(raw[pe.pe_off:pe.pe_off + pe.ht_size])
    for s in secs:
        extra += s["hdr"]
    if imports is not None:
        extra += struct.pack("<II", len(payload), 0)
        payload += imports
    if relocs is not None:
        extra += struct.pack("<IB", len(payload), 0)
        payload += relocs
    if pe.ddir(2)[1]:
        extra += struct.pack("<H", 0)
    skip = len(payload)
    payload += extra + struct.pack("<I", skip)
    u_len = len(payload)
    # filter the code (x86 only: 0x26 on PE32, 0x49 on PE32+), as UPX's compressWithFilters
    fid, cto, fdata, cdata = 0, 0, None, None
    if o.filter != "none" and pe.machine in (0x14c, 0x8664):
        ids = ((0x49,) if pe.is64 else (0x26,)) if o.filter == "auto" else (int(o.filter, 0),)
        a = pe.codebase - rvamin
        code = bytes(payload[a:a + pe.codesize])
        try:
            fdata, fcto = C.apply_filter(code, ids[0])
        except ValueError:
            if o.filter != "auto":
                raise
            fdata = None             # UPX packs unfiltered when the filter cannot apply
    if fdata is not None:
        filtered = bytearray(payload)
        filtered[a:a + pe.codesize] = fdata
        if o.filter == "auto":      # UPX keeps the filter only when it makes the result smaller
            plain = comp(bytes(payload))
            cdata = comp(bytes(filtered))
            if len(cdata) < len(plain):
                payload, fid, cto = filtered, ids[0], fcto
            else:
                cdata = plain
        else:
            payload, fid, cto = filtered, ids[0], fcto
            cdata = comp(bytes(payload))
    if cdata is None:
        cdata = comp(bytes(payload))
    c_adler = C.adler32(cdata)
    u_adler = C.adler32(bytes(payload))          # PE: over the filtered data, as UPX checks it
    ph = pack_header("<", 13, fmt, method, level, u_adler, c_adler, u_len, len(cdata),
                     len(raw), fid, cto)
    return pe_layout(pe, o, ph, cdata, rvamin, newvsize, u_len)


def pe_layout(pe, o, ph, cdata, rvamin, newvsize, u_len):
    """Headers, UPX0 (no raw data, the whole image's span), UPX1 (ident,
    PackHeader, compressed data, stub) and UPX2 (the stub's own tiny data)."""
    raw = pe.raw
    fa = min(pe.filealign, 0x200)
    oam1 = pe.objalign - 1
    ident = b"4.23\0" + ph                         # UPX1HEAD: version string and PackHeader
    code = STUB_CODE["pe"] + IDENT
    hdr_end = pe.pe_off + pe.ht_size + 3 * 40
    split = 0 if hdr_end % fa == 0 else (len(ident) if ((hdr_end + len(ident)) ^ hdr_end) < fa
                                         else up(hdr_end, fa) - hdr_end)
    ic = len(ident) - split
    c_len = len(cdata)
    if (c_len + ic) & 15:
        c_len += 16 - ((c_len + ic) & 15)
    cdata = cdata + b"\0" * (c_len - len(cdata))
    overlap = 2048 + (u_len >> 3)                   # room for in-place decompression
    nv = (u_len + rvamin + overlap + oam1) & ~oam1
    s1size = up(ic + c_len + len(code), 8 if pe.is64 else 4)
    s1addr = (max(nv, newvsize) - (ic + c_len) + oam1) & ~oam1
    ncsection = (s1addr + s1size + oam1) & ~oam1
    entry = s1addr + ic + c_len
    raw1 = up(hdr_end, fa)
    names = ([b".text", b".data", b".rsrc"] if "sections" in o.tamper else [b"UPX0", b"UPX1", b"UPX2"])
    s1raw = up(s1size, fa)
    sec = []
    sec.append((names[0], s1addr - rvamin, rvamin, 0, raw1, 0xe0000080))
    sec.append((names[1], up(s1raw, oam1 + 1), s1addr, s1raw, raw1, 0xe0000040))
    sec.append((names[2], oam1 + 1, ncsection, fa, raw1 + s1raw, 0xc0000040))
    imagesize = ncsection + oam1 + 1
    head = bytearray(raw[:pe.pe_off + pe.ht_size])
    opt = pe.opt
    struct.pack_into("<H", head, pe.pe_off + 6, 3)
    struct.pack_into("<III", head, opt + 4, sec[1][1], sec[2][1], sec[0][1])   # code, data, bss size
    struct.pack_into("<II", head, opt + 16, entry, s1addr)                     # entry, base of code
    struct.pack_into("<I", head, opt + 56, imagesize)
    struct.pack_into("<I", head, opt + 60, raw1)                               # SizeOfHeaders
    struct.pack_into("<I", head, opt + 36, fa)
    struct.pack_into("<I", head, opt + 64, 0)                                  # checksum
    for i in range(16):                                                        # no directories
        struct.pack_into("<II", head, pe.dd + 8 * i, 0, 0)
    for name, vs, va, rs, rp, fl in sec:
        head += struct.pack("<8sIIIIIIHHI", name, vs, va, rs, rp, 0, 0, 0, 0, fl)
    out = bytearray(head)
    out += ident[:split]
    out += b"\0" * (raw1 - len(out))
    out += ident[split:] + cdata + code
    out += b"\0" * (raw1 + s1raw - len(out))
    out += b"\0" * fa                                                          # UPX2
    return out


# ================================================================ tamper
def tamper(out, o, is_elf):
    """As done to real samples after packing: the PackHeader's checksum is
    left as it was (it covers the version byte; the stub never reads it)."""
    if "version" in o.tamper:
        if is_elf:
            out[len(out) - 36 + 4] = ODD_VERSION           # PackHeader, before overlay_offset
            j = bytes(out).find(UPX_MAGIC)                 # l_info's magic comes first
            if 0 <= j < 0x200:
                out[j + 6] = ODD_VERSION
        else:
            i = bytes(out).find(UPX_MAGIC)                 # PE: the PackHeader after "4.23\0"
            out[i + 4] = ODD_VERSION
    if "magic" in o.tamper:
        s = bytes(out).replace(UPX_MAGIC, MAGIC_REPLACEMENT)
        for banner in (b"$Info:", b"$Id:"):
            k = s.find(banner)
            while k >= 0:
                e = s.find(b"$", k + 1)
                s = s[:k] + b"\0" * (e + 1 - k) + s[e + 1:]
                k = s.find(banner)
        out[:] = s
    return out


def pack(raw, o):
    if raw[:4] == b"\x7fELF":
        out = ElfWriter(Elf(raw), o).pack()
        return tamper(out, o, True)
    if raw[:2] == b"MZ":
        if o.corrupt:
            raise ValueError("--corrupt is implemented for ELF only")
        return tamper(pack_pe(raw, o), o, False)
    raise ValueError("neither ELF nor PE")


def batch(path):
    """One process for many packs (tests): each line holds one command line."""
    import shlex
    rc = 0
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                rc |= main(shlex.split(line))
    return rc


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--batch":
        return batch(argv[1])
    ap = argparse.ArgumentParser(description="write UPX 4.x's format (test packer)")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--method", choices=sorted(METHODS), default="nrv2e")
    ap.add_argument("--best", action="store_true", help="level 10 (UPX --best)")
    ap.add_argument("--filter", default="auto", help="auto, none or a filter id (0x49 ...)")
    ap.add_argument("--tamper", default="", help="comma list: magic,pinfo,sections,version")
    ap.add_argument("--corrupt", choices=["bsize", "checksum", "overlap", "bomb"])
    ap.add_argument("--lzma-preset", type=int, default=6)
    ap.add_argument("--blocksize", type=int, default=0)
    a = ap.parse_args(argv)
    tam = [t for t in a.tamper.split(",") if t]
    bad = set(tam) - {"magic", "pinfo", "sections", "version"}
    if bad:
        ap.error("unknown tamper: %s" % ",".join(sorted(bad)))
    o = Opts(a.method, a.best, a.filter, tam, a.corrupt, a.lzma_preset, a.blocksize)
    with open(a.input, "rb") as f:
        raw = f.read()
    try:
        out = pack(raw, o)
    except ValueError as e:
        print("upxpack: %s: %s" % (a.input, e), file=sys.stderr)
        return 1
    tmp = a.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.chmod(tmp, 0o755)
    os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
