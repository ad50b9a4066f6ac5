"""craft.py - builds the hostile files of issue 15 from any Go ELF (amd64,
Go 1.18+ pclntab) of the fixture matrix, at test time.

Every builder takes the bytes of a real Go executable (or nothing, for the
synthetic ones) and returns the bytes of the crafted file.  The layouts
written here come from the ELF, PE, Mach-O and fat Mach-O specifications and
from the Go runtime's pcHeader/moduledata layout (docs/design.md "Go runtime metadata"); none
of it goes through malgopher.
"""
import random
import struct

PT_LOAD = 1
SHT_RELA = 4
R_X86_64_RELATIVE = 8


# ---------------------------------------------------------------- ELF reading
class Elf64:
    """The few ELF64 little-endian facts the recipes need."""

    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a 64-bit little-endian ELF")
        self.data = data
        (self.phoff, self.shoff) = struct.unpack_from("<QQ", data, 32)
        (self.phentsize, self.phnum, self.shentsize, self.shnum,
         self.shstrndx) = struct.unpack_from("<HHHHH", data, 54)
        self.sections = []
        strtab = self._shdr(self.shstrndx)
        for i in range(self.shnum):
            s = self._shdr(i)
            end = data.index(b"\0", strtab["off"] + s["name"])
            s["sname"] = data[strtab["off"] + s["name"]:end].decode()
            self.sections.append(s)

    def _shdr(self, i):
        e = self.shoff + i * self.shentsize
        name, typ, flags, addr, off, size, link, info, align, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", self.data, e)
        return dict(index=i, at=e, name=name, type=typ, flags=flags, addr=addr,
                    off=off, size=size, link=link, entsize=entsize)

    def section(self, name):
        for s in self.sections:
            if s["sname"] == name:
                return s
        raise KeyError(name)

    def pclntab(self):
        return self.section(".gopclntab")

    def moduledata_off(self):
        """File offset of moduledata: the word in .noptrdata holding the
        pclntab address, followed by the funcnametab pointer."""
        p = self.pclntab()
        nd = self.section(".noptrdata")
        funcname_off = struct.unpack_from("<Q", self.data, p["off"] + 8 + 3 * 8)[0]
        pat = struct.pack("<QQ", p["addr"], p["addr"] + funcname_off)
        at = self.data.find(pat, nd["off"], nd["off"] + nd["size"])
        if at < 0:
            raise ValueError("moduledata not found")
        return at


def _put(buf, off, fmt, *vals):
    struct.pack_into(fmt, buf, off, *vals)


def without_buildinfo(data):
    """The build info magic wiped: the Go version must then be searched for
    through every data region (the costly path)."""
    at = data.find(b"\xff Go buildinf:")
    if at < 0:
        return data
    return data[:at] + b"\0" * 14 + data[at + 14:]


# ------------------------------------------------------------ cost recipes
def elf_overlapping_loads(data, count=4096, distinct=False):
    """count PT_LOAD entries, each covering the whole file, appended as a new
    program header table; no section headers."""
    Elf64(data)
    out = bytearray(without_buildinfo(data))
    while len(out) % 8:
        out.append(0)
    phoff = len(out)
    size = phoff + count * 56
    for i in range(count):
        vaddr = 0x400000 + (i * 0x1000000 if distinct else 0)
        out += struct.pack("<IIQQQQQQ", PT_LOAD, 6, 0, vaddr, vaddr, size, size, 0x1000)
    _put(out, 32, "<QQ", phoff, 0)          # e_phoff, e_shoff
    _put(out, 56, "<H", count)              # e_phnum
    _put(out, 58, "<HHH", 64, 0, 0)         # e_shentsize, e_shnum, e_shstrndx
    return bytes(out)


def _macho_segment(name, vmaddr, vmsize, fileoff, filesize, prot):
    return struct.pack("<II16sQQQQiiII", 0x19, 72, name, vmaddr, vmsize, fileoff, filesize,
                       prot, prot, 0, 0)


def _macho_header(ncmds, sizeofcmds):
    # 64-bit little-endian, CPU_TYPE_X86_64, MH_EXECUTE
    return struct.pack("<IiiIIIII", 0xfeedfacf, 0x01000007, 3, 2, ncmds, sizeofcmds, 0, 0)


def _fat(slices):
    """fat header (big-endian) with one fat_arch per (offset, size)."""
    out = struct.pack(">II", 0xcafebabe, len(slices))
    for off, size in slices:
        out += struct.pack(">iiIII", 0x01000007, 3, off, size, 12)
    return out


def fat_macho_one_slice(go_bytes, nseg=4096, narch=44, ff=256 * 1024):
    """A fat file whose narch entries all point at one thin Mach-O: nseg
    LC_SEGMENT_64 each covering the slice, ff bytes of 0xff, then a Go
    executable's bytes."""
    cmds_size = nseg * 72
    body_off = 32 + cmds_size
    slice_size = body_off + ff + len(go_bytes)
    cmds = b"".join(_macho_segment(b"__DATA", 0x100000000, slice_size, 0, slice_size, 3)
                    for _ in range(nseg))
    go_bytes = without_buildinfo(go_bytes)
    thin = _macho_header(nseg, cmds_size) + cmds + b"\xff" * ff + go_bytes
    slice_off = 4096
    head = _fat([(slice_off, len(thin))] * narch)
    return head + b"\0" * (slice_off - len(head)) + thin


def pe_overlapping_sections(data, count=4096):
    """A PE header moved to the end of the file (e_lfanew) with count
    sections, each covering the whole file at its own address."""
    lfanew = struct.unpack_from("<I", data, 0x3c)[0]
    optsz = struct.unpack_from("<H", data, lfanew + 4 + 16)[0]
    hdr = bytearray(data[lfanew:lfanew + 24 + optsz])
    out = bytearray(without_buildinfo(data))
    while len(out) % 8:
        out.append(0)
    new = len(out)
    size = new + len(hdr) + count * 40
    _put(hdr, 4 + 2, "<H", count)
    out += hdr
    for i in range(count):
        out += struct.pack("<8sIIIIIIHHI", b".data", size, 0x1000 + i * 0x100000, size - 0x200,
                           0x200, 0, 0, 0, 0, 0xc0000040)
    _put(out, 0x3c, "<I", new)
    return bytes(out)


def elf_textstart0_relocs(data, nrel=200000):
    """pcHeader textStart = 0, moduledata's funcnametab pointer broken, and
    an appended SHT_RELA of nrel R_X86_64_RELATIVE entries whose addend is
    the pclntab address (each one a moduledata candidate)."""
    e = Elf64(data)
    p = e.pclntab()
    md = e.moduledata_off()
    out = bytearray(data)
    _put(out, p["off"] + 8 + 2 * 8, "<Q", 0)   # textStart
    _put(out, md + 8, "<Q", 0)                 # funcnametab pointer
    nd = e.section(".noptrdata")
    md_addr = nd["addr"] + (md - nd["off"])
    while len(out) % 8:
        out.append(0)
    rela_off = len(out)
    for i in range(nrel):
        # each names moduledata itself: checking it reads the broken
        # (zero) funcnametab word, which is then looked up in the table
        out += struct.pack("<QQq", md_addr, R_X86_64_RELATIVE, p["addr"])
    # a copy of the section header table with one more entry: the RELA
    shoff = len(out)
    out += data[e.shoff:e.shoff + e.shnum * e.shentsize]
    out += struct.pack("<IIQQQQIIQQ", 0, SHT_RELA, 0, 0, rela_off, nrel * 24, 0, 0, 8, 24)
    _put(out, 40, "<Q", shoff)
    _put(out, 60, "<H", e.shnum + 1)
    return bytes(out)


def pcheader120(nfunc, funcname, pcln, text=0x1000):
    """A Go 1.20 pcHeader (64-bit LE): offsets relative to the header."""
    return struct.pack("<IBBBBQQQQQQQQ", 0xfffffff1, 0, 0, 1, 8, nfunc, 0, text,
                       funcname, funcname, funcname, funcname, pcln)


def fat_macho_nfunc_slices(narch=44, nfunc=4000000):
    """narch nested slices (slice i starts at (i+1)*4096 and runs to the end
    of the file), each a thin Mach-O whose data is a pclntab 1.20 header
    declaring nfunc functions over one shared functab of zeros."""
    stride = 4096
    shared = (narch + 1) * stride
    names = b"main.main\0"
    ftab_at = shared + 64
    total = ftab_at + (nfunc + 1) * 8
    out = bytearray(total)
    out[shared:shared + len(names)] = names
    slices = []
    for i in range(narch):
        off = (i + 1) * stride
        size = total - off
        hdr_at = off + 256
        seg = _macho_segment(b"__DATA", 0x100000000, size, 0, size, 1)
        thin = _macho_header(1, len(seg)) + seg
        out[off:off + len(thin)] = thin
        ph = pcheader120(nfunc, shared - hdr_at, ftab_at - hdr_at)
        out[hdr_at:hdr_at + len(ph)] = ph
        slices.append((off, size))
    head = _fat(slices)
    out[:len(head)] = head
    return bytes(out)


# ------------------------------------------------------ honest recovery
def lying_nfunc(data, value):
    """pcHeader nfunc set to value (the runtime reads moduledata's ftab)."""
    e = Elf64(data)
    out = bytearray(data)
    _put(out, e.pclntab()["off"] + 8, "<Q", value)
    return bytes(out)


def _functab(data):
    e = Elf64(data)
    p = e.pclntab()
    base = p["off"]
    nfunc = struct.unpack_from("<Q", data, base + 8)[0]
    funcname_off = struct.unpack_from("<Q", data, base + 8 + 3 * 8)[0]
    pcln_off = struct.unpack_from("<Q", data, base + 8 + 7 * 8)[0]
    return e, p, base, nfunc, funcname_off, pcln_off


def broken_names(data, how):
    """Every function's name offset made unreadable:
    'past'      - just past the end of the file,
    'max'       - 0x7fffffff,
    'tail'      - a tail of non-NUL bytes appended at the end of the file,
    'funcoff'   - every functab func offset pointing past the end."""
    e, p, base, nfunc, funcname_off, pcln_off = _functab(data)
    out = bytearray(data)
    if how == "tail":
        tail = len(out)
        out += b"A" * 4096
    for i in range(nfunc):
        pair = base + pcln_off + 8 * i
        if how == "funcoff":
            _put(out, pair + 4, "<I", 0x7fff0000)
            continue
        funcoff = struct.unpack_from("<I", data, pair + 4)[0]
        at = base + pcln_off + funcoff + 4
        if how == "past":
            v = len(data) - (base + funcname_off) + 16
        elif how == "max":
            v = 0x7fffffff
        else:
            v = tail - (base + funcname_off) + (i % 1024)
        _put(out, at, "<I", v)
    return bytes(out)


# ------------------------------------------------------------ clustering
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def cluster_plus_lines(n=20000, digest="96:d2UqkM/Z1HaVbxlPqdKYIgPmu3UOrf4E:d2UqkM/KVTqdKYIgPmOOrf4E"):
    """hash --json lines, all of one digest written with a leading "+"."""
    lines = []
    for i in range(n):
        d = "+" + digest
        lines.append('{"path":"s%05d","arch":"amd64","slice":0,"gimphash":"%064x","gimpfuzzy":"%s",'
                     '"go_version":"go1.19","functions":10,"names":10,"no_names":false,'
                     '"partial":false}' % (i, i, d))
    return "\n".join(lines) + "\n"


def near_identical_digests(n=20000, seed=15):
    rnd = random.Random(seed)
    fixed = "".join(rnd.choice(_B64) for _ in range(58))
    out = []
    for _ in range(n):
        tail = "".join(rnd.choice(_B64) for _ in range(4))
        out.append("96:%s%s:%s" % (fixed, tail, fixed[:30]))
    return out


def shared_gram_digests(n=100000, seed=16):
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        a = "".join(rnd.choice(_B64) for _ in range(30))
        b = "".join(rnd.choice(_B64) for _ in range(20))
        out.append("192:%sQwErTyU%s:%s" % (a[:15], a[15:], b))
    return out
