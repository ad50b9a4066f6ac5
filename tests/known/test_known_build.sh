#!/usr/bin/env bash
# tests/known/test_known_build.sh - tools/known/build_reference.sh on two
# small Debian packages (fzf, wireguard-go; bookworm, amd64): the script's
# records must carry the sha256 and size of the file dpkg-deb extracted
# (oracle: Python's hashlib on that file), name exactly the two programs,
# say suite, OS and architecture, and equal the committed
# data/known/reference.jsonl records of the same builds (reproducible data).
# usage: test_known_build.sh MALGOPHER SOURCE_DIR WORK_DIR
# Exit 77 (skipped) without python3, dpkg-deb or a reachable deb.debian.org.
set -u
mg=$1 src=$2 work=$3
for t in python3 dpkg-deb; do
    command -v $t >/dev/null || { echo "SKIPPED: $t is missing"; exit 77; }
done
python3 -c 'import urllib.request; urllib.request.urlopen("http://deb.debian.org/debian/dists/bookworm/Release", timeout=10).read(1)' 2>/dev/null ||
    { echo "SKIPPED: deb.debian.org is not reachable"; exit 77; }
rm -rf "$work"; mkdir -p "$work"
out=$work/small.jsonl
"$src/tools/known/build_reference.sh" "$mg" --packages fzf,wireguard-go --suites bookworm \
    --arches amd64 --npm none --work "$work/dl" --keep --out "$out" || { echo "FAIL: build_reference.sh failed"; exit 1; }
python3 - "$out" "$src/data/known/reference.jsonl" "$work/dl/x" <<'PY'
import hashlib, json, os, sys
out, ref, xdir = sys.argv[1:4]
fails = []
lines = open(out, encoding="utf-8").read().splitlines()
head, recs = json.loads(lines[0]), [json.loads(l) for l in lines[1:]]
if head.get("suites") != ["bookworm"] or head.get("records") != len(recs):
    fails.append("header: %s" % lines[0])
if sorted(r["name"] for r in recs) != ["fzf", "wireguard-go"]:
    fails.append("programs: %s (want fzf, wireguard-go)" % sorted(r["name"] for r in recs))
for r in recs:
    if (r["source"], r["arch"], r["os"]) != ("debian:bookworm", "amd64", "linux"):
        fails.append("%s: %s %s/%s" % (r["name"], r["source"], r["os"], r["arch"]))
    tree = [d for d in os.listdir(xdir) if d.startswith(r["package"] + "_")]
    f = os.path.join(xdir, tree[0], r["path"]) if len(tree) == 1 else None
    if not f or not os.path.isfile(f):
        fails.append("%s: no extracted %s" % (r["name"], r["path"]))
        continue
    if hashlib.sha256(open(f, "rb").read()).hexdigest() != r["sha256"] or os.path.getsize(f) != r["size"]:
        fails.append("%s: sha256/size differ from the extracted file" % r["name"])
committed = {(r["package"], r["version"], r["arch"], r["path"]): r
             for r in map(json.loads, open(ref, encoding="utf-8").read().splitlines()[1:])}
same = 0
for r in recs:
    c = committed.get((r["package"], r["version"], r["arch"], r["path"]))
    if c is None:
        continue  # Debian moved on since the reference was built
    same += 1
    for k in ("sha256", "size", "gimphash", "gimpfuzzy", "gimpset", "go_version", "name"):
        if c.get(k) != r.get(k):
            fails.append("%s %s: %s differs from data/known/reference.jsonl" % (r["name"], r["version"], k))
for f in fails:
    print("FAIL: " + f)
print("%d records built, %d compared with the committed reference" % (len(recs), same))
sys.exit(1 if fails else 0)
PY
rc=$?
[ $rc -ne 0 ] || rm -rf "$work"
exit $rc
