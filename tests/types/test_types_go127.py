#!/usr/bin/env python3
"""test_types_go127.py - runtime types of Go 1.27 corpus files (no
typelinks or itablinks; types, typedesclen, etypes, itab offset and size in
moduledata; docs/types.md "Go 1.27").

Usage: test_types_go127.py MALGOPHER MANIFEST.tsv CORPUS_DIR [FETCH_DIR]

For every MANIFEST row built with go1.27 whose file is in CORPUS_DIR:
  - types --json lists types, with no warning, and names types of the
    program's main module (MANIFEST column main_module, from the build
    info) and the standard library's *os.File and *errors.errorString;
  - ELF: info --json's moduledata types/etypes equal readelf's `.go.type`
    section bounds, every listed type lies inside it, and the itabs, read
    back from the file, tile [first itab, etypes) exactly with the
    runtime's itab size (3 words + one word per interface method, at
    least one), each interface word naming a listed interface type.
When CORPUS_DIR holds none (they are all in the full tier), the smallest
go1.27 row that comes from one npm package is fetched into FETCH_DIR with
`npm pack` and checked against the MANIFEST's sha256 first.
Exit 77 (SKIPPED) when no such file can be had or readelf is missing.
"""
import hashlib
import os
import tempfile
import json
import shutil
import struct
import subprocess
import sys


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)}: exit {out.returncode}: {out.stderr.strip()}")
    d = json.loads(out.stdout.splitlines()[0])
    return d[0] if isinstance(d, list) else d


def elf_sections(path):
    """name -> (addr, file offset, size) from readelf -SW"""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    secs = {}
    for line in out.splitlines():
        line = line.replace("[ ", "[")
        f = line.split()
        if len(f) >= 7 and f[0].startswith("[") and f[0].endswith("]") and f[1].startswith("."):
            secs[f[1]] = (int(f[3], 16), int(f[4], 16), int(f[5], 16))
    return secs


def check_itabs(path, tj, sec, ps, fails):
    addr, off, size = sec
    data = open(path, "rb").read()[off:off + size]
    fmt = "<Q" if ps == 8 else "<I"
    ifaces = {int(t["address"], 16): t for t in tj["types"] if t["kind"] == "interface"}
    its = sorted(int(i["address"], 16) for i in tj["itabs"])
    if not its:
        fails.append(f"{path}: no itabs")
        return
    for k, a in enumerate(its):
        (iface,) = struct.unpack_from(fmt, data, a - addr)
        t = ifaces.get(iface)
        if t is None:
            fails.append(f"{path}: itab 0x{a:x}: interface word 0x{iface:x} is not a listed interface")
            return
        n = max(1, len(t.get("interface_methods") or []))
        nxt = its[k + 1] if k + 1 < len(its) else addr + size
        if a + ps * (3 + n) != nxt:
            fails.append(f"{path}: itab 0x{a:x} ({n} methods) ends at 0x{a + ps * (3 + n):x}, next at 0x{nxt:x}")
            return


def check_file(mg, path, main_module, fails):
    tj = run_json([mg, "types", "--json", path])
    types = tj["types"]
    names = {t["name"] for t in types}
    if not types or tj.get("warning"):
        fails.append(f"{path}: {len(types)} types, warning {tj.get('warning')!r}")
        return
    for want in ("*os.File", "*errors.errorString"):
        if want not in names:
            fails.append(f"{path}: no type {want}")
    mod = main_module.split("@")[0]
    if mod and not any((t.get("pkg_path") or "").startswith(mod) for t in types):
        fails.append(f"{path}: no type of the main module {mod}")
    with open(path, "rb") as f:
        head = f.read(5)
    if head[:4] != b"\x7fELF":
        print(f"ok {path}: {len(types)} types, {len(tj['itabs'])} itabs (not ELF: no section oracle)")
        return
    sec = elf_sections(path).get(".go.type")
    if sec is None:
        fails.append(f"{path}: readelf shows no .go.type section")
        return
    md = run_json([mg, "info", "--json", path]).get("moduledata") or {}
    lo, hi = sec[0], sec[0] + sec[2]
    got = (int(md.get("types", "0"), 16), int(md.get("etypes", "0"), 16))
    if got != (lo, hi):
        fails.append(f"{path}: moduledata types/etypes 0x{got[0]:x}/0x{got[1]:x}, .go.type 0x{lo:x}/0x{hi:x}")
    outside = [t["address"] for t in types if not lo <= int(t["address"], 16) < hi]
    if outside:
        fails.append(f"{path}: {len(outside)} types outside .go.type, first {outside[0]}")
    check_itabs(path, tj, sec, 8 if head[4] == 2 else 4, fails)
    print(f"ok {path}: {len(types)} types, {len(tj['itabs'])} itabs, .go.type [0x{lo:x}, 0x{hi:x})")


def fetch_one(rows, col, fetch_dir):
    """the smallest go1.27 npm row, packed into fetch_dir; its path or None"""
    cand = [r for r in rows[1:] if r[col["go_version"]].startswith("go1.27") and r[col["source"]].startswith("npm:")]
    if not cand or not fetch_dir or not shutil.which("npm"):
        return None
    r = min(cand, key=lambda r: int(r[col["size_bytes"]]))
    dst = os.path.join(fetch_dir, r[col["file"]])
    if not os.path.exists(dst):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with tempfile.TemporaryDirectory(dir=fetch_dir) as tmp:
            pk = subprocess.run(["npm", "pack", r[col["source"]][4:], "--silent"], cwd=tmp,
                                capture_output=True, text=True, timeout=300)
            tgz = pk.stdout.strip().splitlines()[-1] if pk.returncode == 0 and pk.stdout.strip() else ""
            inner = r[col["path_in_package"]]
            if not tgz or subprocess.run(["tar", "-xzf", tgz, inner], cwd=tmp).returncode != 0:
                print(f"(could not fetch {r[col['source']]} {inner})")
                return None
            os.replace(os.path.join(tmp, inner), dst)
    with open(dst, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != r[col["sha256"]]:
            os.unlink(dst)
            raise SystemExit(f"FAIL: {dst}: sha256 differs from the MANIFEST's")
    return dst, r


def main():
    mg, manifest, corpus = sys.argv[1:4]
    fetch_dir = sys.argv[4] if len(sys.argv) > 4 else None
    if not shutil.which("readelf"):
        print("SKIPPED: readelf (binutils) not installed")
        return 77
    rows = [l.rstrip("\n").split("\t") for l in open(manifest)]
    col = {name: i for i, name in enumerate(rows[0])}
    fails, seen = [], 0
    for r in rows[1:]:
        if not r[col["go_version"]].startswith("go1.27"):
            continue
        path = f"{corpus}/{r[col['file']]}"
        try:
            open(path, "rb").close()
        except OSError:
            continue
        seen += 1
        check_file(mg, path, r[col["main_module"]], fails)
    if not seen:
        got = fetch_one(rows, col, fetch_dir)
        if got:
            seen += 1
            print(f"(none in {corpus}: fetched {got[0]})")
            check_file(mg, got[0], got[1][col["main_module"]], fails)
    if not seen:
        print(f"SKIPPED: no go1.27 file of {manifest} in {corpus} (they are in the full tier)")
        return 77
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
