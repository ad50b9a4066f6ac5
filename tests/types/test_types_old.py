#!/usr/bin/env python3
"""test_types_old.py - `malgopher types --json` on Go 1.5 and 1.6 layouts.

No Go 1.5/1.6 toolchain or binary is at hand, so craft_old.py writes small
ELF files (64- and 32-bit little-endian, 64-bit big-endian, Go 1.5 and 1.6
headers, with the
runtime.buildVersion string and without it, where the layout must be found
by validation) encoding the program declared in old_spec.py.  Every type of
that declaration must be listed at the address where it was written, with
its kind, name, package path, size, fields (name, type, offset, tag,
embedded), methods and interface methods (name, type, exported), elem and
key; nothing else may be listed and there are no itabs (Go 1.5/1.6 build
them at run time).  A hostile copy (a lying fields count, a method slice
past the file, a string header pointing at itself, a cycle through
ptrToThis) must be refused where it lies and the rest still listed.

Usage: test_types_old.py MALGOPHER WORKDIR
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import craft_old  # noqa: E402
from old_spec import TYPES  # noqa: E402


def expected(ps, addr):
    """the JSON object old_spec.py declares for each descriptor address"""
    want = {}
    for name, t in TYPES.items():
        want[addr[name]] = {
            "kind": t["kind"], "name": name, "pkg_path": t["pkg_path"] or "", "size": t["size"](ps),
            "fields": [{"name": fn, "type": ft, "offset": off(ps), "tag": tag, "embedded": emb}
                       for fn, ft, tag, off, emb in t["fields"]],
            "methods": [{"name": n, "type": mt, "exported": e} for n, mt, e in t["methods"]],
            "interface_methods": [{"name": n, "type": mt, "exported": e} for n, mt, e in t["imethods"]],
            "elem": t["elem"], "key": t["key"],
        }
    return want


def compare(label, got, want):
    errs = []
    listed = {int(t["address"], 16): t for t in got["types"]}
    for a, w in want.items():
        g = listed.get(a)
        if g is None:
            errs.append("%s: %s at 0x%x not listed" % (label, w["name"], a))
            continue
        for k, v in w.items():
            if g.get(k) != v:
                errs.append("%s: %s.%s = %r, want %r" % (label, w["name"], k, g.get(k), v))
    for a in sorted(set(listed) - set(want)):
        errs.append("%s: unexpected type %r at 0x%x" % (label, listed[a]["name"], a))
    if got.get("itabs") != []:
        errs.append("%s: itabs %r, want none" % (label, got.get("itabs")))
    return errs


def run(mg, path):
    p = subprocess.run([mg, "types", "--json", path], capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def hostile(src, dst, ps, addr, big):
    """lying counts, a self-referencing string header, a ptrToThis cycle"""
    b = bytearray(open(src, "rb").read())
    off = lambda a: a - craft_old.RODATA + 0x2000  # .rodata is the second segment
    order = "big" if big else "little"
    fmt = (">" if big else "<") + ("Q" if ps == 8 else "I")
    hdr = 7 * ps + 8                       # the Go 1.6 header
    cfg, node, ctr = addr["main.Config"], addr["main.Node"], addr["main.Counter"]
    struct_pack = __import__("struct").pack_into
    for k in (1, 2):                       # Config's fields: len = cap = 2^31
        struct_pack(fmt, b, off(cfg + hdr + k * ps), 1 << 31)
    u = int.from_bytes(b[off(ctr + 5 * ps + 8):off(ctr + 5 * ps + 8) + ps], order)
    for k in (3, 4):                       # Counter's methods: past the file
        struct_pack(fmt, b, off(u + k * ps), (1 << 16) - 1)
    s = int.from_bytes(b[off(node + 4 * ps + 8):off(node + 4 * ps + 8) + ps], order)
    struct_pack(fmt, b, off(s), s)         # Node's name: its header is its data
    struct_pack(fmt, b, off(s + ps), 1 << 20)
    struct_pack(fmt, b, off(addr["*main.Node"] + 6 * ps + 8), node)  # *Node -> Node -> *Node
    open(dst, "wb").write(b)


def main():
    mg, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    errs, checked = [], 0
    variants = [(m, bits, big, v) for m in (5, 6) for bits, big in ((64, False), (32, False), (64, True))
                for v in (True, False)]
    for minor, bits, big, with_version in variants:
        ps = bits // 8
        label = "go1.%d %d-bit %s%s" % (minor, bits, "big-endian" if big else "little-endian",
                                         "" if with_version else " (no version string)")
        path = os.path.join(work, "go1%d-%d%s%s" % (minor, bits, "-be" if big else "", "" if with_version else "-nover"))
        blob, addr = craft_old.craft(minor, ps, with_version, big)
        open(path, "wb").write(blob)
        rc, out, err = run(mg, path)
        if rc != 0:
            errs.append("%s: exit %d: %s" % (label, rc, err.strip()))
            continue
        got = json.loads(out.splitlines()[0])
        e = compare(label, got, expected(ps, addr))
        errs += e
        checked += 1
        print("%s: %d types listed, %d expected, %d mismatches" % (label, len(got["types"]), len(addr), len(e)))
        if minor == 6 and with_version:
            hpath = path + "-hostile"
            hostile(path, hpath, ps, addr, big)
            rc, out, err = run(mg, hpath)
            if rc != 0 or len(err.splitlines()) > 1 or not out.startswith("{"):
                errs.append("%s hostile: exit %d: %s" % (label, rc, err.strip()[:300]))
                continue
            # the lies are refused, not followed: no fields, no methods, no
            # Node (its name is unreadable); the other types still listed
            n = {t["name"]: t for t in json.loads(out.splitlines()[0])["types"]}
            if ("main.Node" in n or n.get("main.Config", {}).get("fields") != [] or
                    n.get("main.Counter", {}).get("methods") != [] or len(n) != len(TYPES) - 1):
                errs.append("%s hostile: unexpected answer %s" % (label, sorted(n)))
            else:
                print("%s hostile copy: exit 0, the lies refused, %d types" % (label, len(n)))
    for e in errs:
        print("FAIL", e)
    print("%d files checked, %d failures" % (checked, len(errs)))
    return 1 if errs or checked != len(variants) else 0


if __name__ == "__main__":
    sys.exit(main())
