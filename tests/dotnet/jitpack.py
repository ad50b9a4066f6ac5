#!/usr/bin/env python3
"""jitpack.py - our test-only imitation of a JIT-hook .NET packer, plus the
metadata queries the tests need.  It shares no code with malgopher: it has
its own small ECMA-335 reader (PE sections, CLI header, metadata streams,
table row sizes, method bodies, IL instruction lengths).

  jitpack.py extract IN DIR [--skip-type NAME]...
      write DIR/<token> = the IL code bytes of every method with a body,
      except the entry point, <Module>'s methods and the skipped types';
      print the tokens (8 lower-case hex digits), one per line
  jitpack.py pack IN OUT
      for every embedded resource named after a method token whose bytes are
      that method's code: overwrite the code with 0x87 except the
      instructions at branch targets and exception-handler boundaries; then
      make identical bodies share one (MethodDef rows point at the first);
      print "stubbed N", "shared BODIES METHODS"
  jitpack.py methods IN
      one line per MethodDef row: token, RVA (hex), Type::Name
  jitpack.py sections IN
      one line per section: name, RVA, virtual size, file offset, file size
      (hex); then "headers SIZE" (SizeOfHeaders), "image SIZE" (SizeOfImage)
      and "security OFFSET SIZE" (the certificate table directory)
  jitpack.py sign IN OUT
      append a (fake) Authenticode certificate table after the last section,
      point the security directory at it and set a valid CheckSum
  jitpack.py checksum IN
      "valid", or "invalid" with the stored and the computed CheckSum
  jitpack.py ca-to-resource IN OUT
      move the CustomAttribute of the highest method onto the last
      ManifestResource (the table stays sorted by parent)
  jitpack.py corrupt IN OUT KIND
      write a damaged copy: bsjb (metadata signature), rows (MethodDef row
      count far too large), body (the first packed method's header made
      invalid), reslen (the first IL resource's length past the directory),
      nocli (data directory 14 cleared: a native PE)
"""
import struct
import sys

# ---- tables: column kinds ('2' '4' fixed, 's' 'g' 'b' heaps, int = table
# index, 'c:NAME' coded index), ECMA-335 II.22
SCHEMA = {
    0x00: ['2', 's', 'g', 'g', 'g'],
    0x01: ['c:ResolutionScope', 's', 's'],
    0x02: ['4', 's', 's', 'c:TypeDefOrRef', 0x04, 0x06],
    0x03: [0x04],
    0x04: ['2', 's', 'b'],
    0x05: [0x06],
    0x06: ['4', '2', '2', 's', 'b', 0x08],
    0x07: [0x08],
    0x08: ['2', '2', 's'],
    0x09: [0x02, 'c:TypeDefOrRef'],
    0x0a: ['c:MemberRefParent', 's', 'b'],
    0x0b: ['2', 'c:HasConstant', 'b'],
    0x0c: ['c:HasCustomAttribute', 'c:CustomAttributeType', 'b'],
    0x0d: ['c:HasFieldMarshal', 'b'],
    0x0e: ['2', 'c:HasDeclSecurity', 'b'],
    0x0f: ['2', '4', 0x02],
    0x10: ['4', 0x04],
    0x11: ['b'],
    0x12: [0x02, 0x14],
    0x13: [0x14],
    0x14: ['2', 's', 'c:TypeDefOrRef'],
    0x15: [0x02, 0x17],
    0x16: [0x17],
    0x17: ['2', 's', 'b'],
    0x18: ['2', 0x06, 'c:HasSemantics'],
    0x19: [0x02, 'c:MethodDefOrRef', 'c:MethodDefOrRef'],
    0x1a: ['s'],
    0x1b: ['b'],
    0x1c: ['2', 'c:MemberForwarded', 's', 0x1a],
    0x1d: ['4', 0x04],
    0x1e: ['4', '4'],
    0x1f: ['4'],
    0x20: ['4', '2', '2', '2', '2', '4', 'b', 's', 's'],
    0x21: ['4'],
    0x22: ['4', '4', '4'],
    0x23: ['2', '2', '2', '2', '4', 'b', 's', 's', 'b'],
    0x24: ['4', 0x23],
    0x25: ['4', '4', '4', 0x23],
    0x26: ['4', 's', 'b'],
    0x27: ['4', '4', 's', 's', 'c:Implementation'],
    0x28: ['4', '4', 's', 'c:Implementation'],
    0x29: [0x02, 0x02],
    0x2a: ['2', '2', 'c:TypeOrMethodDef', 's'],
    0x2b: ['c:MethodDefOrRef', 'b'],
    0x2c: [0x2a, 'c:TypeDefOrRef'],
}
CODED = {
    'TypeDefOrRef': (2, [0x02, 0x01, 0x1b]),
    'HasConstant': (2, [0x04, 0x08, 0x17]),
    'HasCustomAttribute': (5, [0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x00, 0x0e, 0x17, 0x14,
                               0x11, 0x1a, 0x1b, 0x20, 0x23, 0x26, 0x27, 0x28, 0x2a, 0x2c, 0x2b]),
    'HasFieldMarshal': (1, [0x04, 0x08]),
    'HasDeclSecurity': (2, [0x02, 0x06, 0x20]),
    'MemberRefParent': (3, [0x02, 0x01, 0x1a, 0x06, 0x1b]),
    'HasSemantics': (1, [0x14, 0x17]),
    'MethodDefOrRef': (1, [0x06, 0x0a]),
    'MemberForwarded': (1, [0x04, 0x06]),
    'Implementation': (2, [0x26, 0x23, 0x27]),
    'CustomAttributeType': (3, [None, None, 0x06, 0x0a, None]),
    'ResolutionScope': (2, [0x00, 0x1a, 0x23, 0x01]),
    'TypeOrMethodDef': (1, [0x02, 0x06]),
}

# ---- IL operand sizes, ECMA-335 III (None: unused opcode, 'sw': switch)
OP1 = {}
for op in range(0x00, 0xe1):
    OP1[op] = 0
for op in (0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x1f, 0xde):
    OP1[op] = 1
for op in list(range(0x2b, 0x38)):
    OP1[op] = 1
for op in [0x20, 0x22, 0x27, 0x28, 0x29] + list(range(0x38, 0x45)) + list(range(0x6f, 0x76)) + \
        [0x79] + list(range(0x7b, 0x82)) + [0x8c, 0x8d, 0x8f, 0xa3, 0xa4, 0xa5, 0xc2, 0xc6, 0xd0, 0xdd]:
    OP1[op] = 4
OP1[0x21] = OP1[0x23] = 8
OP1[0x45] = 'sw'
for op in [0x24, 0x77, 0x78] + list(range(0xa6, 0xb3)) + list(range(0xbb, 0xc2)) + [0xc4, 0xc5] + \
        list(range(0xc7, 0xd0)):
    OP1[op] = None
OP2 = {i: 0 for i in range(0x1f)}
OP2.update({0x06: 4, 0x07: 4, 0x09: 2, 0x0a: 2, 0x0b: 2, 0x0c: 2, 0x0d: 2, 0x0e: 2, 0x12: 1,
            0x15: 4, 0x16: 4, 0x19: 1, 0x1c: 4, 0x08: None, 0x10: None, 0x1b: None})
SHORT_BR = set(range(0x2b, 0x38)) | {0xde}
LONG_BR = set(range(0x38, 0x45)) | {0xdd}


def u16(b, o):
    return struct.unpack_from('<H', b, o)[0]


def u32(b, o):
    return struct.unpack_from('<I', b, o)[0]


class Assembly:
    def __init__(self, data):
        self.d = bytearray(data)
        d = self.d
        pe = u32(d, 0x3c)
        assert d[pe:pe + 4] == b'PE\0\0', 'not a PE'
        nsect = u16(d, pe + 6)
        optsz = u16(d, pe + 20)
        opt = pe + 24
        self.pe32plus = u16(d, opt) == 0x20b
        self.dd_off = opt + (112 if self.pe32plus else 96)
        self.sections, self.names = [], []
        self.size_of_headers, self.size_of_image = u32(d, opt + 60), u32(d, opt + 56)
        for i in range(nsect):
            e = opt + optsz + 40 * i
            vsize, va, rawsz, rawptr = struct.unpack_from('<IIII', d, e + 8)
            self.sections.append((va, max(vsize, rawsz), rawptr, rawsz))
            self.names.append((d[e:e + 8].rstrip(b'\0').decode(), vsize))
        cli_rva = u32(d, self.dd_off + 8 * 14)
        assert cli_rva, 'no CLI header'
        self.cli = self.off(cli_rva)
        c = self.cli
        self.entry = u32(d, c + 20)
        self.res_off = self.off(u32(d, c + 24)) if u32(d, c + 28) else None
        self.res_size = u32(d, c + 28)
        md = self.off(u32(d, c + 8))
        assert u32(d, md) == 0x424a5342, 'no BSJB'
        vlen = u32(d, md + 12)
        p = md + 16 + vlen + 2
        nstreams = u16(d, p)
        p += 2
        self.streams = {}
        for _ in range(nstreams):
            so, ss = u32(d, p), u32(d, p + 4)
            end = d.index(b'\0', p + 8)
            name = d[p + 8:end].decode()
            self.streams.setdefault(name, (md + so, ss, p))
            p += 8 + ((end - (p + 8)) + 4 & ~3)
        t = self.streams.get('#~') or self.streams['#-']
        self.tbl_off = t[0]
        self.parse_tables()

    def off(self, rva):
        for va, size, rawptr, rawsz in self.sections:
            if va <= rva < va + size:
                assert rva - va < rawsz
                return rawptr + rva - va
        raise ValueError('RVA 0x%x not in a section' % rva)

    def parse_tables(self):
        d, o = self.d, self.tbl_off
        heap = d[o + 6]
        valid = self.valid = struct.unpack_from('<Q', d, o + 8)[0]
        self.rows = [0] * 64
        p = o + 24
        for i in range(64):
            if valid >> i & 1:
                assert i in SCHEMA, 'unknown table 0x%x' % i
                self.rows[i] = u32(d, p)
                p += 4
        if heap & 0x40:
            p += 4
        self.rows_off = o + 24

        def width(kind):
            if kind == '2':
                return 2
            if kind == '4':
                return 4
            if kind in ('s', 'g', 'b'):
                return 4 if heap & {'s': 1, 'g': 2, 'b': 4}[kind] else 2
            if isinstance(kind, int):
                return 2 if self.rows[kind] < 0x10000 else 4
            bits, tabs = CODED[kind[2:]]
            mx = max(self.rows[t] for t in tabs if t is not None)
            return 2 if mx < (1 << (16 - bits)) else 4
        self.start, self.cols, self.rowsize = {}, {}, {}
        for t in range(0x2d):
            ws = [width(k) for k in SCHEMA[t]]
            offs = [sum(ws[:i]) for i in range(len(ws))]
            self.cols[t] = list(zip(offs, ws))
            self.rowsize[t] = sum(ws)
            self.start[t] = p
            p += self.rows[t] * self.rowsize[t]

    def cell_off(self, t, row, col):
        return self.start[t] + (row - 1) * self.rowsize[t] + self.cols[t][col][0]

    def get(self, t, row, col):
        o = self.cell_off(t, row, col)
        return u32(self.d, o) if self.cols[t][col][1] == 4 else u16(self.d, o)

    def string(self, idx):
        o = self.streams['#Strings'][0] + idx
        return self.d[o:self.d.index(b'\0', o)].decode('utf-8', 'replace')

    def type_of(self, mrow):
        owner = 0
        for t in range(1, self.rows[0x02] + 1):
            if self.get(0x02, t, 5) <= mrow:
                owner = t
        return owner

    def type_name(self, t):
        ns, name = self.string(self.get(0x02, t, 2)), self.string(self.get(0x02, t, 1))
        return ns + '.' + name if ns else name

    def body(self, rva):
        """(file offset, header size, code size, total size, EH clauses)"""
        d = self.d
        o = self.off(rva)
        if d[o] & 3 == 2:
            return o, 1, d[o] >> 2, 1 + (d[o] >> 2), []
        assert d[o] & 3 == 3, 'bad method header'
        flags = u16(d, o)
        hdr = (flags >> 12) * 4
        code = u32(d, o + 4)
        end = rva + hdr + code
        clauses = []
        more = flags & 0x8
        while more:
            end = (end + 3) & ~3
            so = self.off(end)
            kind = d[so]
            if kind & 0x40:
                size = u32(d, so) >> 8
                for i in range((size - 4) // 24):
                    clauses.append(struct.unpack_from('<IIIIII', d, so + 4 + 24 * i))
            else:
                size = d[so + 1]
                for i in range((size - 4) // 12):
                    fl, to, tl, ho, hl, tok = struct.unpack_from('<HHBHBI', d, so + 4 + 12 * i)
                    clauses.append((fl, to, tl, ho, hl, tok))
            end += size
            more = kind & 0x80
        return o, hdr, code, end - rva, clauses

    def methods(self):
        for m in range(1, self.rows[0x06] + 1):
            yield m, self.get(0x06, m, 0), self.string(self.get(0x06, m, 3))

    def resources(self):
        for r in range(1, self.rows[0x28] + 1):
            off, impl = self.get(0x28, r, 0), self.get(0x28, r, 3)
            name = self.string(self.get(0x28, r, 2))
            if impl == 0 and self.res_off is not None:
                n = u32(self.d, self.res_off + off)
                yield r, name, self.res_off + off + 4, n


def insns(code):
    """(offset, length, opcode, branch targets) of each instruction"""
    p = 0
    while p < len(code):
        op = code[p]
        if op == 0xfe:
            size, n = OP2[code[p + 1]], 2
        else:
            size, n = OP1[op], 1
        assert size is not None, 'unknown opcode 0x%02x at %d' % (op, p)
        targets = []
        if size == 'sw':
            cnt = u32(code, p + 1)
            length = 1 + 4 + 4 * cnt
            base = p + length
            targets = [base + struct.unpack_from('<i', code, p + 5 + 4 * i)[0] for i in range(cnt)]
        else:
            length = n + size
            if op in SHORT_BR and n == 1:
                targets = [p + length + struct.unpack_from('<b', code, p + 1)[0]]
            elif op in LONG_BR and n == 1:
                targets = [p + length + struct.unpack_from('<i', code, p + 1)[0]]
        yield p, length, targets
        p += length


def stub(code, clauses):
    keep = set()
    for fl, to, tl, ho, hl, tok in clauses:
        keep |= {to, to + tl, ho, ho + hl}
        if fl & 1:  # filter: tok is the filter's offset
            keep.add(tok)
    ins = list(insns(code))
    for _, _, targets in ins:
        keep |= set(targets)
    out = bytearray(code)
    for p, length, _ in ins:
        if p not in keep:
            out[p:p + length] = b'\x87' * length
    return bytes(out)


def cmd_extract(a, outdir, skip):
    skip_types = {t for t in range(1, a.rows[0x02] + 1) if a.type_name(t) in skip}
    for m, rva, name in a.methods():
        token = 0x06000000 | m
        owner = a.type_of(m)
        if not rva or token == a.entry or owner <= 1 or owner in skip_types:
            continue
        o, hdr, code, _, _ = a.body(rva)
        tok = '%08x' % token
        with open('%s/%s' % (outdir, tok), 'wb') as f:
            f.write(a.d[o + hdr:o + hdr + code])
        print(tok)


def cmd_pack(a, out):
    rvas = {m: rva for m, rva, _ in a.methods()}
    stubbed = 0
    for r, name, doff, n in a.resources():
        if len(name) != 8 or name.strip('0123456789abcdef') or int(name, 16) >> 24 != 6:
            continue
        m = int(name, 16) & 0xffffff
        o, hdr, code, _, clauses = a.body(rvas[m])
        il = bytes(a.d[doff:doff + n])
        assert il == bytes(a.d[o + hdr:o + hdr + code]), 'resource %s is not the code' % name
        a.d[o + hdr:o + hdr + code] = stub(il, clauses)
        stubbed += 1
    # the writer's deduplication: identical bodies become one
    first, groups = {}, {}
    for m, rva, _ in a.methods():
        if not rva:
            continue
        o, _, _, total, _ = a.body(rva)
        key = bytes(a.d[o:o + total])
        keep = first.setdefault(key, rva)
        groups.setdefault(key, set()).add(m)
        if keep != rva:
            struct.pack_into('<I', a.d, a.cell_off(0x06, m, 0), keep)
    shared = [g for g in groups.values() if len(g) > 1]
    with open(out, 'wb') as f:
        f.write(a.d)
    print('stubbed %d' % stubbed)
    print('shared %d %d' % (len(shared), sum(len(g) for g in shared)))


def cmd_methods(a):
    for m, rva, name in a.methods():
        print('%08x %x %s::%s' % (0x06000000 | m, rva, a.type_name(a.type_of(m)), name))


def cmd_sections(a):
    for (va, _, rawptr, rawsz), (name, vsize) in zip(a.sections, a.names):
        print('%s %x %x %x %x' % (name, va, vsize, rawptr, rawsz))
    print('headers %x' % a.size_of_headers)
    print('image %x' % a.size_of_image)
    print('security %x %x' % struct.unpack_from('<II', a.d, a.dd_off + 8 * 4))


def pe_checksum(d, at):
    d = bytearray(d)
    d[at:at + 4] = b'\0\0\0\0'
    s = 0
    for i in range(0, len(d), 2):
        s += d[i] | (d[i + 1] << 8 if i + 1 < len(d) else 0)
        s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return s + len(d)


def cmd_sign(a, out):
    d = a.d
    d += b'\0' * (-len(d) % 8)
    cert = struct.pack('<IHH', 16, 0x0200, 0x0002) + b'FAKECERT'
    struct.pack_into('<II', d, a.dd_off + 8 * 4, len(d), len(cert))
    d += cert
    at = a.dd_off - (112 if a.pe32plus else 96) + 64
    struct.pack_into('<I', d, at, pe_checksum(d, at))
    with open(out, 'wb') as f:
        f.write(d)


def cmd_checksum(a):
    at = a.dd_off - (112 if a.pe32plus else 96) + 64
    have, want = u32(a.d, at), pe_checksum(a.d, at)
    print('valid' if have == want else 'invalid 0x%x want 0x%x' % (have, want))


def cmd_corrupt(a, out, kind):
    d = a.d
    if kind == 'bsjb':
        md = a.off(u32(d, a.cli + 8))
        d[md:md + 4] = b'XXXX'
    elif kind == 'rows':
        struct.pack_into('<I', d, a.rows_off + 4 * bin(a.valid & 0x3f).count('1'), 0x00ffffff)
    elif kind == 'body':
        rvas = {m: rva for m, rva, _ in a.methods()}
        for r, name, doff, n in a.resources():
            m = int(name, 16) & 0xffffff
            d[a.off(rvas[m])] = (d[a.off(rvas[m])] & ~3) | 1  # neither tiny nor fat
            break
    elif kind == 'reslen':
        for r, name, doff, n in a.resources():
            struct.pack_into('<I', d, doff - 4, 0x7fffffff)
            break
    elif kind == 'nocli':
        struct.pack_into('<II', d, a.dd_off + 8 * 14, 0, 0)
    else:
        sys.exit('unknown corruption ' + kind)
    with open(out, 'wb') as f:
        f.write(d)


def cmd_ca_to_resource(a, out):
    """the CustomAttribute on the highest MethodDef moves onto the last
    ManifestResource (Mono's ilasm drops .custom inside .mresource); the
    table must stay sorted by parent"""
    bits, tabs = CODED['HasCustomAttribute']
    tag = {t: i for i, t in enumerate(tabs)}
    parents = [a.get(0x0c, r, 0) for r in range(1, a.rows[0x0c] + 1)]
    meth = [r for r, v in enumerate(parents, 1) if v & 31 == tag[0x06]]
    assert meth and a.rows[0x28], 'no CustomAttribute on a method, or no resource'
    row = max(meth, key=lambda r: parents[r - 1])
    parents[row - 1] = a.rows[0x28] << bits | tag[0x28]
    assert parents == sorted(parents), 'CustomAttribute table no longer sorted'
    o, w = a.cell_off(0x0c, row, 0), a.cols[0x0c][0][1]
    a.d[o:o + w] = parents[row - 1].to_bytes(w, 'little')
    with open(out, 'wb') as f:
        f.write(a.d)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, a = argv[1], Assembly(open(argv[2], 'rb').read())
    if cmd == 'extract':
        skip = [argv[i + 1] for i in range(4, len(argv) - 1) if argv[i] == '--skip-type']
        cmd_extract(a, argv[3], skip)
    elif cmd == 'pack':
        cmd_pack(a, argv[3])
    elif cmd == 'methods':
        cmd_methods(a)
    elif cmd == 'sign':
        cmd_sign(a, argv[3])
    elif cmd == 'checksum':
        cmd_checksum(a)
    elif cmd == 'sections':
        cmd_sections(a)
    elif cmd == 'ca-to-resource':
        cmd_ca_to_resource(a, argv[3])
    elif cmd == 'corrupt':
        cmd_corrupt(a, argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
