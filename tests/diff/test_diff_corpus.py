#!/usr/bin/env python3
"""test_diff_corpus.py MALGOPHER MANIFEST CORPUS TIER - `malgopher diff
--json` on real release pairs: consecutive linux/amd64 releases of esbuild,
lefthook (Go 1.12 -> 1.27) and buf (1.13 -> 1.75), plus cross-target and
cross-Go pairs.  The functions and packages sections must equal those
computed from tests/oracle/pclntab_names.py (an independent reader of the
names, stripped files included), the dependencies and build settings those
of `go version -m` (diff_oracle.py).  TIER core runs the pairs of core-tier
files; TIER full the others.  A missing file is named on a SKIPPED line;
when no pair can run the test exits 77."""
import csv
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import diff_oracle  # noqa: E402
import pclntab_names  # noqa: E402

M, MANIFEST, CORPUS, TIER = sys.argv[1:5]
if not os.path.exists(MANIFEST):
    print("diff_corpus: SKIPPED (no manifest %s)" % MANIFEST)
    sys.exit(77)
rows = list(csv.DictReader(open(MANIFEST), delimiter="\t"))
tier = {r["file"]: r["tier"] for r in rows}


def vkey(variant):
    return [int(x) for x in re.findall(r"[0-9]+", variant.split("_")[0])]


pairs = []
for fam in ("esbuild", "lefthook", "buf"):
    rel = sorted((r for r in rows if r["family"] == fam and r["variant"].endswith("_linux-amd64")),
                 key=lambda r: vkey(r["variant"]))
    pairs += [(a["file"], b["file"]) for a, b in zip(rel, rel[1:])]
pairs += [("esbuild/0.0.2_linux-amd64/esbuild", "esbuild/0.28.2_linux-amd64/esbuild"),
          ("esbuild/0.14.54_linux-s390x/esbuild", "esbuild/0.28.2_linux-amd64/esbuild"),
          ("lefthook/0.7.7_windows-386/lefthook.exe", "lefthook/0.7.7_linux-arm64/lefthook"),
          ("lefthook/0.6.3_darwin-amd64/lefthook-mac", "lefthook/2.2.2_darwin-arm64/lefthook"),
          ("buf/1.15.0_windows-amd64/buf.exe", "buf/1.47.2_darwin-arm64/buf"),
          ("esbuild/0.28.2_aix-ppc64/esbuild", "esbuild/0.28.2_linux-amd64/esbuild"),
          ("esbuild/0.28.2_windows-arm64/esbuild.exe", "esbuild/0.28.2_darwin-arm64/esbuild")]
# a pair is core when both files are
pairs = [p for p in pairs if (all(tier.get(f) == "core" for f in p)) == (TIER == "core")]

names, infos = {}, {}


def oracle(f):
    if f not in names:
        got = pclntab_names.pclntab_names(f)
        if got is None:
            raise SystemExit("pclntab_names: no table in " + f)
        names[f] = {n.decode("utf-8", "surrogateescape") for n in got}
        infos[f] = diff_oracle.version_m(f)
    return names[f], infos[f]


fails = passes = ran = 0
missing = set()
for a, b in pairs:
    pa, pb = os.path.join(CORPUS, a), os.path.join(CORPUS, b)
    gone = [f for f in (pa, pb) if not os.path.exists(f)]
    if gone:
        missing.update(gone)
        continue
    ran += 1
    r = subprocess.run([M, "diff", "--json", pa, pb], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        fails += 1
        print("FAIL: %s %s: exit %d %s" % (a, b, r.returncode, r.stderr.decode()))
        continue
    j = json.loads(r.stdout)
    (na, ia), (nb, ib) = oracle(pa), oracle(pb)
    want = diff_oracle.expected(na, nb, ia, ib)
    for s in ("functions", "dependencies", "settings", "packages"):
        if j[s] == want[s]:
            passes += 1
        else:
            fails += 1
            print("FAIL: %s -> %s: %s differ (got %s, want %s)" % (
                a, b, s, json.dumps(j[s])[:300], json.dumps(want[s])[:300]))
    differs = bool(na != nb or j["a"]["gimphash"] != j["b"]["gimphash"] or any(
        want[s][k] for s in ("dependencies", "settings", "packages") for k in want[s]))
    if r.returncode == (1 if differs else 0):
        passes += 1
    else:
        fails += 1
        print("FAIL: %s -> %s: exit %d" % (a, b, r.returncode))
    if (ia is None) != (not j["a"]["buildinfo"]) or (ib is None) != (not j["b"]["buildinfo"]):
        fails += 1
        print("FAIL: %s -> %s: build info presence differs from go version -m" % (a, b))
for f in sorted(missing):
    print("SKIPPED: %s (missing)" % f)
print("diff_corpus %s: %d pairs, %d passed, %d failed" % (TIER, ran, passes, fails))
if fails:
    sys.exit(1)
sys.exit(0 if ran else 77)
