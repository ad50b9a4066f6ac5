"""test_gimpset_oracle.py - the C gimpset (`malgopher hash --json`) against the
independent Python implementation of the spec (gimpset_ref.py), byte for
byte: on the fixture matrix's unstripped ELF builds with the names read by
`go tool nm` (text symbols), and on every corpus Go file with the names of
`malgopher funcs` (that list is itself checked against go tool nm by the
corpus tests).  Then the comparison error: mg_gimpset_compare's estimate
(through the Python compare, which the digests make identical) against the
exact Jaccard similarity of the full name sets, on every corpus pair.

usage: test_gimpset_oracle.py MALGOPHER MANIFEST CORPUS_DIR FIXTURE_DIR
exit 77 (SKIPPED) when neither fixtures nor corpus files are present."""
import json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gimpset_ref as ref

mg, manifest, corpus, fixtures = sys.argv[1:5]
fails = 0
checked = 0


def c_digests(path):
    out = subprocess.run([mg, "hash", "--json", path], capture_output=True, text=True).stdout
    return [json.loads(l)["gimpset"] for l in out.splitlines() if l.startswith("{")]


def check(what, names, path):
    global fails, checked
    want = ref.digest(names)
    got = c_digests(path)
    checked += 1
    if not got or got[0] != want:
        fails += 1
        print("FAIL: %s: C %s... Python %s..." % (what, got[0][:40] if got else None, want[:40]))


# fixtures: go tool nm on unstripped ELF builds
if os.path.isdir(fixtures):
    for d in sorted(os.listdir(fixtures)):
        p = os.path.join(fixtures, d, "mgfixture")
        if not d.startswith("linux-") or "plain" not in d or not os.path.isfile(p):
            continue
        nm = subprocess.run(["go", "tool", "nm", p], capture_output=True, text=True)
        if nm.returncode != 0:
            continue
        names = [l.split(None, 2)[2] for l in nm.stdout.splitlines()
                 if len(l.split(None, 2)) == 3 and l.split(None, 2)[1] in ("T", "t")]
        check("fixture " + d, names, p)

# corpus: malgopher funcs name lists
sets = []
paths = []
if os.path.isfile(manifest):
    rows = [l.rstrip("\n").split("\t") for l in open(manifest)]
    col = {k: i for i, k in enumerate(rows[0])}
    for r in rows[1:]:
        if r[col["is_go"]] != "yes":
            continue
        p = os.path.join(corpus, r[col["file"]])
        if not os.path.isfile(p):
            continue
        out = subprocess.run([mg, "funcs", p], capture_output=True, text=True,
                             errors="surrogateescape").stdout
        names = [l.split(" ", 1)[1] for l in out.splitlines() if " " in l]
        check(r[col["file"]], names, p)
        kept = set()
        for n in names:
            k = ref.select(n)
            if k is not None:
                kept.add(ref.normalise(k))
        sets.append((kept, ref.digest(names)))
        paths.append(p)

if checked == 0:
    print("SKIPPED: no fixture in %s and no corpus file under %s" % (fixtures, corpus))
    sys.exit(77)
print("digests checked: %d, mismatches: %d" % (checked, fails))

errs = []
for i in range(len(sets)):
    for j in range(i + 1, len(sets)):
        a, b = sets[i][0], sets[j][0]
        if not a or not b:
            continue
        exact = 100.0 * len(a & b) / len(a | b)
        errs.append(abs(ref.compare(sets[i][1], sets[j][1]) - exact))
if errs:
    errs.sort()
    print("compare error on %d corpus pairs: mean %.2f, median %.2f, p99 %.2f, max %.2f (points of 100)"
          % (len(errs), sum(errs) / len(errs), errs[len(errs) // 2], errs[int(len(errs) * 0.99)], errs[-1]))
    if sum(errs) / len(errs) > 3 or errs[-1] > 20:
        print("FAIL: estimate error beyond the bounds (mean 3, max 20)")
        fails += 1

# the index: `cluster --measure set` (setindex) against naive components of
# the Python scores over all corpus pairs, at several thresholds
if len(paths) > 1:
    import csv, io, tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for p in paths:
            f.write(subprocess.run([mg, "hash", "--json", p], capture_output=True, text=True).stdout)
        jl = f.name
    score = {}
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            score[i, j] = ref.compare(sets[i][1], sets[j][1])
    for t in (5, 20, 35, 60, 90, 100):
        parent = list(range(len(sets)))
        def find(x):
            while parent[x] != x:
                x = parent[x]
            return x
        for (i, j), sc in score.items():
            if sc >= t:
                parent[find(j)] = find(i)
        want = {}
        for i, p in enumerate(paths):
            want.setdefault(find(i), set()).add(p)
        out = subprocess.run([mg, "cluster", "--from", jl, "--csv", "--measure", "set", "-t", str(t)],
                             capture_output=True, text=True).stdout
        got = {}
        for r in csv.DictReader(io.StringIO(out)):
            got.setdefault(r["family"], set()).add(r["path"])
        if sorted(map(sorted, want.values())) != sorted(map(sorted, got.values())):
            fails += 1
            print("FAIL: cluster --measure set -t %d: %d families, naive %d" % (t, len(got), len(want)))
        else:
            print("index = naive at T=%d: %d families" % (t, len(got)))
    os.unlink(jl)
sys.exit(1 if fails else 0)
