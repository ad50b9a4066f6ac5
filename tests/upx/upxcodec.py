"""upxcodec.py - the compressors and filters of UPX's on-disk format, for the
test packer (upxpack.py) and the format test (test_upxpack_format.py).

Owns: NRV2B/NRV2D/NRV2E through Debian's libucl (ctypes), LZMA through
liblzma's raw LZMA1 encoder/decoder with UPX's 2-byte property header, and
UPX's filters 0x26/0x46 (x86 call/jump) and 0x49 (call/jump/jcc), 0x50 (ARM 24-bit BL) and
0x52 (ARM64 26-bit B/BL), each in both directions. Written from the format's
description (UPX's public sources were read for facts only).
"""
import ctypes
import ctypes.util
import lzma
import re
import struct
import zlib

# UPX method numbers (conf.h)
M_NRV2B_LE32, M_NRV2B_8 = 2, 3
M_NRV2D_LE32, M_NRV2D_8 = 5, 6
M_NRV2E_LE32, M_NRV2E_8 = 8, 9
M_LZMA = 14
METHOD_NAMES = {2: "nrv2b", 3: "nrv2b", 5: "nrv2d", 6: "nrv2d", 8: "nrv2e", 9: "nrv2e", 14: "lzma"}


def adler32(data, start=1):
    return zlib.adler32(data, start) & 0xffffffff


# ---------------------------------------------------------------- libucl
class _UclConfig(ctypes.Structure):
    _fields_ = [("bb_endian", ctypes.c_int), ("bb_size", ctypes.c_int),
                ("max_offset", ctypes.c_uint), ("max_match", ctypes.c_uint),
                ("s_level", ctypes.c_int), ("h_level", ctypes.c_int),
                ("p_level", ctypes.c_int), ("c_flags", ctypes.c_int),
                ("m_size", ctypes.c_uint)]


_ucl = None


def _cdll(soname, short):
    try:
        return ctypes.CDLL(soname)
    except OSError:             # not the usual soname: ask the loader's cache (slow)
        return ctypes.CDLL(ctypes.util.find_library(short))


def _libucl():
    global _ucl
    if _ucl is None:
        lib = _cdll("libucl.so.1", "ucl")
        # ucl_init() is a macro over __ucl_init2 with the ABI's sizes
        r = lib.__ucl_init2(ctypes.c_uint32(0x010300), ctypes.sizeof(ctypes.c_short),
                            ctypes.sizeof(ctypes.c_int), ctypes.sizeof(ctypes.c_long),
                            4, ctypes.sizeof(ctypes.c_uint), -1,
                            ctypes.sizeof(ctypes.c_void_p), ctypes.sizeof(ctypes.c_void_p),
                            ctypes.sizeof(ctypes.c_void_p))
        if r != 0:
            raise RuntimeError("ucl_init failed: %d" % r)
        _ucl = lib
    return _ucl


def _nrv_kind(method):
    kind = {2: "b", 3: "b", 5: "d", 6: "d", 8: "e", 9: "e"}[method]
    bits = 8 if method in (M_NRV2B_8, M_NRV2D_8, M_NRV2E_8) else 32
    return kind, bits


def nrv_compress(data, method, level=7):
    """UCL's nrv2X_99 compressor with the bit buffer of UPX's method (LE32 or 8)."""
    lib = _libucl()
    kind, bits = _nrv_kind(method)
    conf = _UclConfig(0, bits, 0xffffffff, 0xffffffff, -1, -1, -1, -1, 0xffffffff)
    out = ctypes.create_string_buffer(len(data) + len(data) // 8 + 256)
    out_len = ctypes.c_uint(len(out))
    fn = getattr(lib, "ucl_nrv2%s_99_compress" % kind)
    r = fn(data, len(data), out, ctypes.byref(out_len), None, level, ctypes.byref(conf), None)
    if r != 0:
        raise RuntimeError("ucl_nrv2%s_99_compress failed: %d" % (kind, r))
    return out.raw[:out_len.value]


def nrv_decompress(data, method, u_len):
    lib = _libucl()
    kind, bits = _nrv_kind(method)
    fn = getattr(lib, "ucl_nrv2%s_decompress_safe_%s" % (kind, "le32" if bits == 32 else "8"))
    out = ctypes.create_string_buffer(max(u_len, 1))
    out_len = ctypes.c_uint(u_len)
    r = fn(data, len(data), out, ctypes.byref(out_len), None)
    if r != 0 or out_len.value != u_len:
        raise ValueError("nrv2%s stream does not decompress to %d bytes (ucl %d, %d)"
                         % (kind, u_len, r, out_len.value))
    return out.raw[:u_len]


# ---------------------------------------------------------------- LZMA
# UPX stores LZMA as 2 property bytes then a raw LZMA1 stream without an
# end marker: byte0 = (lc+lp)<<3 | pb, byte1 = lp<<4 | lc.
class _LzmaOptions(ctypes.Structure):
    _fields_ = [("dict_size", ctypes.c_uint32), ("preset_dict", ctypes.c_void_p),
                ("preset_dict_size", ctypes.c_uint32), ("lc", ctypes.c_uint32),
                ("lp", ctypes.c_uint32), ("pb", ctypes.c_uint32), ("mode", ctypes.c_int),
                ("nice_len", ctypes.c_uint32), ("mf", ctypes.c_int), ("depth", ctypes.c_uint32),
                ("ext_flags", ctypes.c_uint32), ("ext_size_low", ctypes.c_uint32),
                ("ext_size_high", ctypes.c_uint32), ("reserved_int4", ctypes.c_uint32),
                ("reserved_enum1", ctypes.c_int), ("reserved_enum2", ctypes.c_int),
                ("reserved_enum3", ctypes.c_int), ("reserved_enum4", ctypes.c_int),
                ("reserved_ptr1", ctypes.c_void_p), ("reserved_ptr2", ctypes.c_void_p)]


class _LzmaFilter(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("options", ctypes.c_void_p)]


_LZMA_FILTER_LZMA1EXT = 0x4000000000000002
_LZMA_FILTER_UNKNOWN = 0xffffffffffffffff


def lzma_compress(data, preset=6, lc=3, lp=0, pb=2):
    """A raw LZMA1 stream with UPX's 2-byte header and no end marker (LZMA1EXT
    with the size known: what UPX's 7-Zip encoder writes)."""
    lib = _cdll("liblzma.so.5", "lzma")
    opts = _LzmaOptions()
    if lib.lzma_lzma_preset(ctypes.byref(opts), ctypes.c_uint32(preset)):
        raise RuntimeError("lzma_lzma_preset failed")
    opts.lc, opts.lp, opts.pb = lc, lp, pb
    opts.dict_size = max(4096, min(opts.dict_size, len(data)))
    opts.ext_flags = 0
    opts.ext_size_low = len(data) & 0xffffffff
    opts.ext_size_high = len(data) >> 32
    filters = (_LzmaFilter * 2)((_LZMA_FILTER_LZMA1EXT, ctypes.cast(ctypes.pointer(opts), ctypes.c_void_p)),
                                (_LZMA_FILTER_UNKNOWN, None))
    cap = len(data) + len(data) // 2 + 1024
    out = ctypes.create_string_buffer(cap)
    out_pos = ctypes.c_size_t(0)
    lib.lzma_raw_buffer_encode.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                           ctypes.c_size_t, ctypes.c_char_p,
                                           ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t]
    r = lib.lzma_raw_buffer_encode(ctypes.cast(filters, ctypes.c_void_p), None, data, len(data),
                                   out, ctypes.byref(out_pos), cap)
    if r != 0:
        raise RuntimeError("lzma_raw_buffer_encode failed: %d" % r)
    head = bytes([((lc + lp) << 3) | pb, (lp << 4) | lc])
    return head + out.raw[:out_pos.value]


def lzma_props(stream):
    b0, b1 = stream[0], stream[1]
    pb, lc, lp = b0 & 7, b1 & 15, b1 >> 4
    if (b0 >> 3) != lc + lp or pb > 4 or lc > 8 or lp > 4:
        raise ValueError("bad UPX LZMA property bytes %02x %02x" % (b0, b1))
    return lc, lp, pb


def lzma_decompress(stream, u_len):
    """Python's lzma module, FORMAT_RAW with FILTER_LZMA1: decodes exactly u_len
    bytes and requires the stream to have been consumed up to its last byte."""
    lc, lp, pb = lzma_props(stream)
    dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[
        {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": lp, "pb": pb, "dict_size": 1 << 26}])
    out = dec.decompress(stream[2:], max_length=u_len)
    if len(out) != u_len:
        raise ValueError("lzma stream gives %d bytes, want %d" % (len(out), u_len))
    return out


def compress(data, method, level=7, lzma_preset=6):
    if method == M_LZMA:
        return lzma_compress(data, lzma_preset)
    return nrv_compress(data, method, level)


def decompress(data, method, u_len):
    if method == M_LZMA:
        return lzma_decompress(data, u_len)
    return nrv_decompress(data, method, u_len)


# ---------------------------------------------------------------- filters
def _ctok_cond(b, i, lastcall, fid):
    if b[i] in (0xe8, 0xe9):
        return True
    # 0x49 (low nibble >= 9) also takes jcc: 0x0f 0x80..0x8f, not right after a call
    return (fid & 0xf) >= 9 and lastcall != i and i > 0 and b[i - 1] == 0x0f and 0x80 <= b[i] <= 0x8f


_E8E9 = re.compile(b"[\xe8\xe9]")
_E8E9_JCC = re.compile(b"[\xe8\xe9]|(?<=\x0f)[\x80-\x8f]")


def _candidates(b, fid, limit):
    """Positions whose opcode byte may start a call/jmp(/jcc). The filters
    only rewrite the 4 bytes after a position they then skip, so the
    candidates of the input stay valid while it is rewritten."""
    rx = _E8E9_JCC if (fid & 0xf) >= 9 else _E8E9
    return [m.start() for m in rx.finditer(b, 0, max(limit, 0))]


def ctok_filter(buf, fid, addvalue=0):
    """x86 call/jmp(/jcc) trick 0x26/0x46/0x49: returns (filtered bytes, cto)."""
    b = bytearray(buf)
    size = len(b)
    cands = _candidates(b, fid, size - 5)
    used = bytearray(256)
    for i in cands:
        if not _ctok_cond(b, i, 0, fid):
            continue
        jc = (struct.unpack_from("<I", b, i + 1)[0] + i + 1) & 0xffffffff
        if jc < size:
            if jc + addvalue >= (1 << 24):
                return None
        else:
            used[b[i + 1]] = 1
    try:
        cto = used.index(0)
    except ValueError:
        return None
    lastnoncall = size
    lastcall = 0
    nxt = 0                                  # the first position not yet passed
    for i in cands:
        if i < nxt or not _ctok_cond(b, i, lastcall, fid):
            continue
        jc = (struct.unpack_from("<I", b, i + 1)[0] + i + 1) & 0xffffffff
        if jc >= size:
            lastnoncall = i
            continue
        struct.pack_into(">I", b, i + 1, jc + addvalue + (cto << 24))
        if ((i - lastnoncall) & 0xffffffff) < 5:
            k = 4
            while k:
                if i - k >= 0 and _ctok_cond(b, i - k, lastcall, fid) and b[i - k + 1] == cto:
                    break
                k -= 1
            if k:
                struct.pack_into("<I", b, i + 1, (jc - i - 1) & 0xffffffff)
                if b[i + 1] == cto:
                    return None
                lastnoncall = i
                continue
        nxt = lastcall = i + 5
    return bytes(b), cto


def ctok_unfilter(buf, fid, cto, addvalue=0):
    b = bytearray(buf)
    lastcall = 0
    nxt = 0
    for i in _candidates(b, fid, len(b) - 5):
        if i < nxt:
            continue
        if _ctok_cond(b, i, lastcall, fid) and b[i + 1] == cto:
            jc = struct.unpack_from(">I", b, i + 1)[0]
            struct.pack_into("<I", b, i + 1, (jc - i - 1 - addvalue - (cto << 24)) & 0xffffffff)
            nxt = lastcall = i + 5
    return bytes(b)


def _arm_branch(buf, sign, is64):
    """0x50 (ARM BL, 24-bit word offset) and 0x52 (ARM64 B/BL, 26-bit): each
    4-byte aligned branch's offset gets + (forward) or - (back) its word index."""
    b = bytearray(buf)
    n = len(b) - 4
    mask = 0x03ffffff if is64 else 0x00ffffff
    for a in range(0, max(n, 0), 4):
        if (is64 and (b[a + 3] & 0x7c) == 0x14) or (not is64 and (b[a + 3] & 0x0f) == 0x0b):
            v = struct.unpack_from("<I", b, a)[0]
            v = (v & ~mask) | ((v + sign * (a // 4)) & mask)
            struct.pack_into("<I", b, a, v & 0xffffffff)
    return bytes(b)


def apply_filter(buf, fid):
    """Filter as the packer does; returns (filtered, cto)."""
    if fid == 0:
        return buf, 0
    if fid in (0x26, 0x46, 0x49):
        r = ctok_filter(buf, fid)
        if r is None:
            raise ValueError("filter 0x%02x cannot be applied to this block" % fid)
        return r
    if fid in (0x50, 0x52):
        return _arm_branch(buf, +1, fid == 0x52), 0
    raise ValueError("filter 0x%02x not implemented" % fid)


def undo_filter(buf, fid, cto):
    if fid == 0:
        return buf
    if fid in (0x26, 0x46, 0x49):
        return ctok_unfilter(buf, fid, cto)
    if fid in (0x50, 0x52):
        return _arm_branch(buf, -1, fid == 0x52)
    raise ValueError("filter 0x%02x not implemented" % fid)
