#!/usr/bin/env python3
"""test_gimpset_yara.py - go.gimpset, go.gimpset_names and
fuzzy.gimpset_compare() in `malgopher scan`, on the fixture matrix, against
the Python spec implementation (tests/gimpset/gimpset_ref.py) over the nm
oracle's names (funcs.expected.txt): the digest must be equal, and
gimpset_compare against digests of subsets of the names must give the
Python compare's score; a malformed digest scores 0.

usage: test_gimpset_yara.py MALGOPHER FIXTURE_DIR   (77 when no fixture)"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gimpset"))
import gimpset_ref as ref  # noqa: E402

mg, fx = sys.argv[1], sys.argv[2]
cases = []
if os.path.isdir(fx):
    for d in sorted(os.listdir(fx)):
        exp = os.path.join(fx, d, "funcs.expected.txt")
        binary = [f for f in ("mgfixture", "mgfixture.exe") if os.path.isfile(os.path.join(fx, d, f))]
        if os.path.isfile(exp) and binary and "fat" not in d:
            names = [l.rstrip("\n").split("\t")[1] for l in open(exp, encoding="utf-8", errors="surrogateescape")
                     if "\t" in l]
            cases.append((os.path.join(fx, d, binary[0]), names))
if not cases:
    print("SKIPPED: no fixture with funcs.expected.txt under " + fx)
    sys.exit(77)

fails = 0
for path, names in cases[:8]:
    want = ref.digest(names)
    kept = [n for n in names if ref.select(n) is not None]
    rules = ['import "go"\nimport "fuzzy"\n',
             'rule digest { condition: go.gimpset == "%s" }\n' % want,
             'rule names { condition: go.gimpset_names == %d }\n' % len(kept),
             'rule bad { condition: fuzzy.gimpset_compare(go.gimpset, "gs1:256:AAAA") == 0 }\n']
    expect = {"digest", "names", "bad"}
    for k, frac in enumerate((2, 3, 5)):
        sub = ref.digest(kept[::frac])
        score = ref.compare(want, sub)
        rules.append('rule sub%d { condition: fuzzy.gimpset_compare(go.gimpset, "%s") == %d }\n' % (k, sub, score))
        expect.add("sub%d" % k)
    with tempfile.NamedTemporaryFile("w", suffix=".yar", delete=False) as f:
        f.write("".join(rules))
    out = subprocess.run([mg, "scan", f.name, path], capture_output=True, text=True)
    os.unlink(f.name)
    got = {l.split()[0] for l in out.stdout.splitlines() if l.strip()}
    if got != expect or out.returncode != 0:
        fails += 1
        print("FAIL: %s: matched %s, want %s %s" % (path, sorted(got), sorted(expect), out.stderr.strip()))
print("gimpset YARA: %d fixtures, %d failures" % (min(len(cases), 8), fails))
sys.exit(1 if fails else 0)
