"""diff_oracle.py - the independent side of the `diff` tests: what a diff of
two Go files must say, computed from `go tool nm` (function names, through
tests/oracle/nm_funcs.py's pclntab rewriting) and `go version -m`
(dependencies, build settings), never from malgopher's output.

The package of a name follows debug/gosym's Sym.PackageName (Go 1.20+):
compiler symbols (go:, type:) have none; else the text up to the first '.'
after the last '/' of the name without its instantiation ([...])."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import nm_funcs  # noqa: E402


def nm_names(path):
    """distinct function names of the pclntab, from go tool nm"""
    out = subprocess.run(["go", "tool", "nm", "-n", path], check=True,
                         stdout=subprocess.PIPE).stdout.decode("utf-8", "surrogateescape")
    macho = nm_funcs.is_macho(path)
    names = set()
    for raw in out.splitlines():
        m = nm_funcs.LINE.match(raw)
        if m and m.group(2) in "Tt" and not nm_funcs.MARKER.match(m.group(3)):
            names.add(nm_funcs.pclntab_name(m.group(3), macho))
    # ELF keeps go.buildid as a note, Mach-O and PE as text (a functab entry)
    return names


def package(name):
    if name.startswith("go:") or name.startswith("type:"):
        return ""
    cut = name.split("[", 1)[0]
    end = cut.rfind("/")
    end = max(end, 0)
    dot = cut.find(".", end)
    return cut[:dot] if dot >= 0 else ""


def packages(names):
    count = {}
    for n in names:
        p = package(n)
        count[p] = count.get(p, 0) + 1
    return count


def version_m(path):
    """(deps {path: effective version}, settings {key: value}) or None when
    `go version -m` finds no build info"""
    r = subprocess.run(["go", "version", "-m", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    lines = r.stdout.decode("utf-8", "surrogateescape").splitlines()
    if r.returncode != 0 or not lines or "could not read Go build info" in lines[0]:
        return None
    deps, settings, last = {}, {}, None
    for line in lines[1:]:
        f = line.split("\t")
        if len(f) < 3:
            continue
        kind = f[1]
        if kind == "dep":
            last = f[2]
            deps[last] = f[3] if len(f) > 3 else ""
        elif kind == "=>" and last is not None:
            ver = f[3] if len(f) > 3 else ""
            deps[last] = ver if ver and ver != "(devel)" else f[2]
        elif kind == "build":
            k, _, v = "\t".join(f[2:]).partition("=")
            if v.startswith('"') and v.endswith('"') and len(v) >= 2:
                v = v[1:-1].replace('\\"', '"')
            settings[k] = v
    return deps, settings


def kv_diff(a, b, key, val):
    added = [{key: k, val: b[k]} for k in sorted(b) if k not in a]
    removed = [{key: k, val: a[k]} for k in sorted(a) if k not in b]
    changed = [{key: k, "from": a[k], "to": b[k]} for k in sorted(a) if k in b and a[k] != b[k]]
    return {"added": added, "removed": removed, "changed": changed}


def expected(names_a, names_b, info_a, info_b):
    """the dependencies, settings, packages and functions sections"""
    pa, pb = packages(names_a), packages(names_b)
    pk = {"added": [{"path": p, "functions": pb[p]} for p in sorted(pb) if p not in pa],
          "removed": [{"path": p, "functions": pa[p]} for p in sorted(pa) if p not in pb],
          "changed": [{"path": p, "from": pa[p], "to": pb[p]} for p in sorted(pa)
                      if p in pb and pa[p] != pb[p]]}
    if info_a is None or info_b is None:
        empty = {"added": [], "removed": [], "changed": []}
        deps, settings = empty, empty
    else:
        deps = kv_diff(info_a[0], info_b[0], "path", "version")
        settings = kv_diff(info_a[1], info_b[1], "key", "value")
    return {"dependencies": deps, "settings": settings, "packages": pk,
            "functions": {"added": sorted(names_b - names_a, key=lambda s: s.encode("utf-8", "surrogateescape")),
                          "removed": sorted(names_a - names_b, key=lambda s: s.encode("utf-8", "surrogateescape"))}}


def sortkey(x):
    return x.encode("utf-8", "surrogateescape")
