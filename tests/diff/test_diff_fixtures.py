#!/usr/bin/env python3
"""test_diff_fixtures.py MALGOPHER PAIRS_DIR - `malgopher diff` on the pairs
build_pairs.sh made (version 1 and 2 of tests/diff/src for ELF LE/BE, PE
32-bit and Mach-O, plain and stripped): the functions, packages,
dependencies and build settings sections must equal what go tool nm and go
version -m give (diff_oracle.py), the facts written into the sources must
show (keylog added, util.Dropped removed, greet ../greet1 -> ../greet2), and
the exit status must be diff(1)'s.  Hostile cases: a side without build
info, a program of 41k functions against itself, non-Go and empty input on
either side."""
import json
import os
import subprocess
import urllib.parse
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff_oracle  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gimpset"))
import gimpset_ref  # noqa: E402  (the spec's own implementation: the set score's oracle)

M, D = sys.argv[1], sys.argv[2]
fails = passes = 0


def check(what, got, want):
    global fails, passes
    if got == want:
        passes += 1
    else:
        fails += 1
        g, w = json.dumps(got)[:600], json.dumps(want)[:600]
        print("FAIL: %s\n  got  %s\n  want %s" % (what, g, w))


def run(*args):
    r = subprocess.run([M, "diff"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8", "surrogateescape"), r.stderr.decode()


def diff_json(a, b):
    rc, out, err = run("--json", a, b)
    if rc not in (0, 1):
        raise SystemExit("diff %s %s: rc %d: %s" % (a, b, rc, err))
    return rc, json.loads(out)


SECTIONS = ("dependencies", "settings", "packages", "functions")
names, infos = {}, {}


def oracle_of(path, plain_twin):
    if path not in names:
        names[path] = diff_oracle.nm_names(plain_twin)
        infos[path] = diff_oracle.version_m(path)
    return names[path], infos[path]


targets = open(os.path.join(D, "targets.txt")).read().split()
for t in targets:
    d = os.path.join(D, t)
    pairs = [("v1-plain", "v2-plain"), ("v1-stripped", "v2-stripped"), ("v1-plain", "v2-stripped"),
             ("v2-plain", "v1-plain")]
    for fa, fb in pairs:
        a, b = os.path.join(d, fa), os.path.join(d, fb)
        na, ia = oracle_of(a, a.replace("stripped", "plain"))
        nb, ib = oracle_of(b, b.replace("stripped", "plain"))
        rc, j = diff_json(a, b)
        want = diff_oracle.expected(na, nb, ia, ib)
        for s in SECTIONS:
            check("%s %s->%s %s" % (t, fa, fb, s), j[s], want[s])
        check("%s %s->%s exit" % (t, fa, fb), rc, 1)
        check("%s %s->%s a.functions" % (t, fa, fb), j["a"]["names"], len(na))
        check("%s %s->%s scores.set" % (t, fa, fb), j["scores"]["set"],
              gimpset_ref.compare(gimpset_ref.digest(na), gimpset_ref.digest(nb)))
    # facts written into the sources (not taken from any tool)
    rc, j = diff_json(os.path.join(d, "v1-plain"), os.path.join(d, "v2-stripped"))
    check(t + " keylog added", [p for p in j["packages"]["added"] if p["path"].endswith("/keylog")],
          [{"path": "example.com/difftool/keylog", "functions": 3}])
    check(t + " Dropped removed", "example.com/difftool/util.Dropped" in j["functions"]["removed"], True)
    check(t + " greet bumped", [c for c in j["dependencies"]["changed"] if c["path"] == "example.com/greet"],
          [{"path": "example.com/greet", "from": "../greet1", "to": "../greet2"}])
    check(t + " oldlib -> extra", ([x["path"] for x in j["dependencies"]["removed"]],
                                   [x["path"] for x in j["dependencies"]["added"]]),
          (["example.com/oldlib"], ["example.com/extra"]))
    check(t + " trimpath", j["settings"]["added"], [{"key": "-trimpath", "value": "true"}])
    # the same file: exit 0, nothing listed
    a = os.path.join(d, "v1-stripped")
    rc, j = diff_json(a, a)
    check(t + " same exit", rc, 0)
    check(t + " same empty", [j[s] for s in SECTIONS],
          [{"added": [], "removed": [], "changed": []}] * 3 + [{"added": [], "removed": []}])
    check(t + " same gimphash", j["scores"]["gimphash_equal"], True)
    # plain against stripped: same functions, only -ldflags differs
    rc, j = diff_json(os.path.join(d, "v1-plain"), a)
    check(t + " plain/stripped functions", j["functions"], {"added": [], "removed": []})
    check(t + " plain/stripped settings", j["settings"]["added"], [{"key": "-ldflags", "value": "-s -w"}])
    check(t + " plain/stripped exit", rc, 1)

# info --json: packages with their distinct function names
for t in targets:
    f = os.path.join(D, t, "v2-stripped")
    r = subprocess.run([M, "info", "--json", f], stdout=subprocess.PIPE, check=True)
    got = {p["path"]: p["functions"] for p in json.loads(r.stdout)["packages"]}
    # info drops the compiler's pseudo-packages (no import path: "", type, go, go.*, type.*, and
    # what holds a character an import path may not) and decodes the %xx escapes of symbols
    want = {}
    for p, n in diff_oracle.packages(diff_oracle.nm_names(f.replace("stripped", "plain"))).items():
        if p in ("", "type", "go") or p.startswith(("go.", "go:", "type.", "type:")) or \
                any(c in p for c in ' {}()*,;[]"\'<>'):
            continue
        want[urllib.parse.unquote(p)] = want.get(urllib.parse.unquote(p), 0) + n
    check(t + " info packages", got, want)

# no build info on side A: dependencies empty, the text says so
nob, v2 = os.path.join(D, "nobuildinfo-v1"), os.path.join(D, "linux-amd64", "v2-plain")
check("nobuildinfo oracle", diff_oracle.version_m(nob), None)
rc, j = diff_json(nob, v2)
want = diff_oracle.expected(diff_oracle.nm_names(nob), diff_oracle.nm_names(v2), None, infos.get(v2))
for s in SECTIONS:
    check("nobuildinfo " + s, j[s], want[s])
check("nobuildinfo a.buildinfo", (j["a"]["buildinfo"], j["b"]["buildinfo"]), (False, True))
rc, out, err = run(nob, v2)
check("nobuildinfo text", "dependencies:   no build info in A" in out.splitlines(), True)
rc, out, err = run(v2, nob)
check("nobuildinfo text B", "dependencies:   no build info in B" in out.splitlines(), True)

# huge identical tables: 41k functions against themselves, quickly
many = os.path.join(D, "many", "many")
t0 = time.time()
rc, j = diff_json(many, many)
dt = time.time() - t0
check("many exit", rc, 0)
check("many names", j["a"]["names"], len(diff_oracle.nm_names(many)))
check("many empty", j["functions"], {"added": [], "removed": []})
check("many fast", dt < 5, True)
rc, j = diff_json(many, v2)
check("many vs v2 removed", len(j["functions"]["removed"]),
      len(diff_oracle.nm_names(many) - diff_oracle.nm_names(v2)))

# the text view: main module first, other modules next, the standard
# library one summary line unless --all; with --all every function of the
# oracle's lists is one "+ NAME" / "- NAME" line (a cross-target pair, so
# that the standard library differs too)
w1 = os.path.join(D, "windows-386", "v1-plain")
rc, out, err = run(w1, v2)
lines = out.splitlines()
heads = [x for x in lines if x in ("main module:", "other modules:", "standard library:")]
check("text group order", heads, [h for h in ("main module:", "other modules:") if h in heads])
check("text std summary", sum(x.startswith("standard library: ") for x in lines), 1)
rc, out, err = run("--all", w1, v2)
lines = out.splitlines()
heads = [x for x in lines if x in ("main module:", "other modules:", "standard library:")]
check("text --all groups", heads[-1:], ["standard library:"])
na, nb = diff_oracle.nm_names(w1), diff_oracle.nm_names(v2)
check("text --all added", sorted(x[6:] for x in lines if x.startswith("    + ")), sorted(nb - na))
check("text --all removed", sorted(x[6:] for x in lines if x.startswith("    - ")), sorted(na - nb))

# a fat Mach-O (the fixture matrix, when given): FILE:ARCH picks a slice,
# B follows A's architecture; names from the matrix's nm-derived lists
if len(sys.argv) > 3 and os.path.exists(os.path.join(sys.argv[3], "darwin-fat-plain", "mgfixture")):
    fx = sys.argv[3]
    fat, thin = os.path.join(fx, "darwin-fat-plain", "mgfixture"), os.path.join(fx, "darwin-arm64-plain", "mgfixture")

    def listed(name):
        return {x.split("\t", 1)[1] for x in open(os.path.join(fx, "darwin-fat-plain", name)).read().splitlines()}
    arm, amd = listed("funcs.expected.arm64.txt"), listed("funcs.expected.x86_64.txt")
    rc, j = diff_json(thin, fat)
    check("fat follows A's arch", (rc, j["b"]["arch"], j["b"]["names"], j["functions"]), (0, "arm64", len(arm),
          {"added": [], "removed": []}))
    rc, j = diff_json(fat + ":arm64", thin)
    check("fat FILE:ARCH", (rc, j["a"]["arch"], j["functions"]), (0, "arm64", {"added": [], "removed": []}))
    rc, j = diff_json(fat, thin)
    check("fat first slice", (j["a"]["arch"], j["functions"]["added"], j["functions"]["removed"]),
          ("amd64", sorted(arm - amd), sorted(amd - arm)))
    rc, out, err = run(fat + ":mips", thin)
    check("fat no such slice", (rc, "no Go slice of that architecture (file A)" in err), (2, True))
else:
    print("SKIPPED: fat Mach-O cases (no fixture matrix given)")

# trouble: non-Go, empty, missing, on either side -> exit 2 naming the side
with tempfile.TemporaryDirectory() as tmp:
    txt = os.path.join(tmp, "notes.txt")
    open(txt, "w").write("not a program\n")
    empty = os.path.join(tmp, "empty")
    open(empty, "w").close()
    native = "/bin/true"
    for a, b, side, reason in [(txt, v2, "A", txt + ": "), (v2, txt, "B", txt + ": "),
                               (native, v2, "A", native + ": not a Go executable (file A)"),
                               (v2, native, "B", native + ": not a Go executable (file B)"),
                               (empty, v2, "A", empty + ": empty file (file A)"),
                               (v2, os.path.join(tmp, "missing"), "B", "(file B)")]:
        rc, out, err = run("--json", a, b)
        check("trouble %s %s exit" % (os.path.basename(a), os.path.basename(b)), rc, 2)
        check("trouble %s names side" % os.path.basename(b if side == "B" else a),
              reason in err and ("(file %s)" % side) in err and err.startswith("malgopher: "), True)
        check("trouble no stdout", out, "")
    rc, out, err = run(v2)
    check("usage exit", rc, 2)

print("diff_fixtures: %d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
