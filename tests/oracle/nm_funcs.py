#!/usr/bin/env python3
"""nm_funcs.py BINARY DIR -- owns the nm-based function-list oracle.

Runs `go tool nm -n BINARY` and writes two files into DIR:

  funcs.nm.txt        every text symbol nm lists (type T or t), unmodified:
                      "<addr>\t<name>" per line, addr lowercase hex without
                      0x and leading zeros; sorted by address, ties by name
                      (nm's own order for equal addresses is not stable).

  funcs.expected.txt  the same list rewritten to what the Go 1.18+ pclntab
                      functab holds (same line format, address order).

FILTERING RULE (funcs.nm.txt -> funcs.expected.txt), derived from the Go
1.19 linker (cmd/link/internal/ld: pcln.go, symtab.go) and checked against
debug/gosym on every plain fixture by build_matrix.sh:

  1. Drop the linker's text-boundary marker symbols, which are not functions:
     runtime.text and runtime.etext (and runtime.text.N / runtime.etext.N,
     which only exist when the linker splits text into several sections).
     runtime.text shares its address with the first real function (or with
     go.buildid); runtime.etext is the end of text.
  2. Mach-O only: if a name contains no "." and starts with "_", drop that
     one "_". The linker prefixes every Mach-O symbol with "_"; debug/macho
     (and so go tool nm) strips it again only from names containing a "."
     (e.g. nm shows "_cmpbody", "__rt0_arm64_darwin"; the pclntab has
     "cmpbody", "_rt0_arm64_darwin").
  3. Strip a trailing ".abi0" from a name. The linker appends it in the
     symbol table to assembly (ABI0) functions that also have an ABIInternal
     definition; the pclntab stores the plain name. (amd64, arm64, ppc64.)
  4. Rewrite generic instantiations the way the linker writes funcnametab:
     if the name has a "[" and a later "]", replace everything from the
     first "[" to the last "]" by "[...]". E.g.
     "codec.Map[go.shape.int_0]" -> "codec.Map[...]",
     "type..eq.[5]internal/cpu.option" -> "type..eq.[...]internal/cpu.option".
  5. Keep everything else, including "go.buildid": on Mach-O and PE it is a
     text symbol and a real functab entry (on ELF it is a note, not text).
     Duplicate addresses are kept (two names at one address would both be in
     the functab); after rules 1-4 none occur in our fixtures.
"""
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([0-9a-fA-F]*) ([A-Za-z_?]) (.*)$")  # U has no addr
MARKER = re.compile(r"^runtime\.e?text(\.[0-9]+)?$")


def is_macho(path):
    with open(path, "rb") as f:
        magic = f.read(4)
    return magic in (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe",
                     b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe")


def pclntab_name(name, macho):
    if macho and "." not in name and name.startswith("_"):
        name = name[1:]
    if name.endswith(".abi0"):
        name = name[: -len(".abi0")]
    i = name.find("[")
    j = name.rfind("]")
    if i >= 0 and j > i:
        name = name[:i] + "[...]" + name[j + 1:]
    return name


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: nm_funcs.py BINARY DIR")
    binary, outdir = sys.argv[1], sys.argv[2]
    out = subprocess.run(["go", "tool", "nm", "-n", binary], check=True,
                         stdout=subprocess.PIPE).stdout
    syms = []
    for raw in out.decode("utf-8", "surrogateescape").splitlines():
        m = LINE.match(raw)
        if not m:
            sys.exit("nm_funcs.py: unparsable nm line: %r" % raw)
        addr, typ, name = m.groups()
        if typ in "Tt":
            syms.append((int(addr, 16), name))
    syms.sort()

    def write(path, rows):
        with open(path, "w", encoding="utf-8", errors="surrogateescape",
                  newline="\n") as f:
            for addr, name in rows:
                f.write("%x\t%s\n" % (addr, name))

    write(outdir + "/funcs.nm.txt", syms)
    macho = is_macho(binary)
    expected = [(a, pclntab_name(n, macho)) for a, n in syms if not MARKER.match(n)]
    write(outdir + "/funcs.expected.txt", expected)


if __name__ == "__main__":
    main()
