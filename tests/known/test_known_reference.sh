#!/usr/bin/env bash
# tests/known/test_known_reference.sh - the committed known-programs
# reference (data/known/reference.jsonl) against its contract and against
# two oracles that do not come from tools/known/build_reference.sh:
#  - the corpus MANIFEST (../shared/corpus/MANIFEST.tsv), made by the corpus
#    scripts from the same Debian files: a reference record of the same
#    package, version and architecture must carry the same sha256;
#  - malgopher itself on that corpus file: its digests today must equal the
#    record's (a reference left stale after a digest change fails here).
# And docs/known-reference.md's program table must be the one
# tools/known/reference_table.py makes from the reference.
# usage: test_known_reference.sh MALGOPHER REFERENCE MANIFEST CORPUS_DIR [SOURCE_DIR]
# Exit 77 (skipped) when python3 is missing.
set -u
mg=$1 ref=$2 manifest=$3 corpus=$4 src=${5:-}
command -v python3 >/dev/null || { echo "SKIPPED: python3 is missing"; exit 77; }
[ -s "$ref" ] || { echo "FAIL: $ref is missing or empty"; exit 1; }
python3 - "$mg" "$ref" "$manifest" "$corpus" "$src" <<'PY'
import json, os, re, subprocess, sys
mg, ref, manifest, corpus, src = sys.argv[1:6]
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
lines = open(ref, encoding="utf-8").read().splitlines()
head = json.loads(lines[0])
recs = [json.loads(l) for l in lines[1:]]
check(head.get("malgopher_known") == 1, "header: malgopher_known is not 1")
check(re.fullmatch(r"\d{4}-\d\d-\d\d", str(head.get("built"))) is not None, "header: no built date")
check(head.get("script") == "tools/known/build_reference.sh", "header: script")
check(head.get("records") == len(recs), "header says %s records, the file has %d" % (head.get("records"), len(recs)))
check(os.path.getsize(ref) <= 2 * 1024 * 1024, "over 2 MB: the contract says compress it")
hexre = re.compile(r"[0-9a-f]{64}")
for i, r in enumerate(recs, 2):
    for k in ("name", "package", "version", "source", "os", "arch", "path"):
        check(isinstance(r.get(k), str) and r[k], "line %d: no %s" % (i, k))
    check(r.get("name") == os.path.basename(r.get("path", "")), "line %d: name is not the file's base name" % i)
    check(bool(hexre.fullmatch(str(r.get("sha256")))), "line %d: sha256" % i)
    check(bool(hexre.fullmatch(str(r.get("gimphash")))), "line %d: gimphash" % i)
    check(str(r.get("gimpset")).startswith("gs1:"), "line %d: gimpset" % i)
    check(re.fullmatch(r"\d+:[^:]+:[^:]+", str(r.get("gimpfuzzy"))) is not None, "line %d: gimpfuzzy" % i)
    check(isinstance(r.get("size"), int) and r["size"] > 0, "line %d: size" % i)
    check(str(r.get("go_version")).startswith("go1."), "line %d: go_version" % i)
    check(re.fullmatch(r"debian:[a-z-]+|npm", r.get("source", "")) is not None, "line %d: source" % i)
keys = [(r["name"], r["version"], r["arch"]) for r in recs]
check(keys == sorted(keys), "records are not sorted by name, version, arch")
# issue 24's list, by program (file) name, each with a linux/amd64 build
for n in ("rclone restic syncthing age gh hugo caddy docker dockerd containerd runc kubectl etcd "
          "prometheus promtool gobuster ffuf bettercap mkcert git-lfs micro fzf wireguard-go ngrok").split():
    check(any(r["name"] == n and r["os"] == "linux" and r["arch"] == "amd64" for r in recs),
          "no linux/amd64 record of %s" % n)
check(any(r["name"] == "ngrok" and r["source"] == "npm" and r["version"].startswith("2.") for r in recs),
      "no ngrok v2 agent from npm")
# oracle 1 and 2: the corpus MANIFEST's Debian rows of the same package build
deb_arch = {"amd64": "amd64", "i386": "386", "arm64": "arm64", "armhf": "arm", "armel": "arm",
            "s390x": "s390x", "ppc64el": "ppc64le", "mips64el": "mips64le", "mipsel": "mipsle"}
seen = matched = hashed = 0
if os.path.exists(manifest):
    rows = [l.split("\t") for l in open(manifest, encoding="utf-8").read().splitlines()]
    cols = rows[0]
    for row in rows[1:]:
        d = dict(zip(cols, row))
        m = re.fullmatch(r"deb:([^:]+):([^=]+)=(.+)", d.get("source", ""))
        if not m:
            continue
        pkg, darch, ver = m.groups()
        same = [r for r in recs if r["package"] == pkg and r["version"] == ver
                and r["arch"] == deb_arch.get(darch) and r["path"] == d["path_in_package"].lstrip("./")]
        if not same:
            continue
        seen += 1
        check(all(r["sha256"] == d["sha256"] for r in same),
              "%s %s %s: sha256 differs from the corpus MANIFEST" % (pkg, ver, darch))
        matched += all(r["sha256"] == d["sha256"] for r in same)
        f = os.path.join(corpus, d["file"])
        if os.path.isfile(f):
            out = subprocess.run([mg, "hash", "--json", f], capture_output=True, text=True)
            h = json.loads(out.stdout.splitlines()[0]) if out.returncode == 0 and out.stdout else {}
            for k in ("gimphash", "gimpfuzzy", "gimpset", "go_version"):
                check(all(h.get(k) == r[k] for r in same),
                      "%s: malgopher hash's %s differs from the reference (rebuild it: tools/known/build_reference.sh)" % (f, k))
            hashed += 1
check(seen >= 1, "no reference record has a corpus MANIFEST row (fzf, wireguard-go bookworm)")
if src:
    doc = open(os.path.join(src, "docs/known-reference.md"), encoding="utf-8").read()
    want = subprocess.run([sys.executable, os.path.join(src, "tools/known/reference_table.py"), ref],
                          capture_output=True, text=True).stdout
    b, e = "<!-- BEGIN reference_table.py -->\n", "<!-- END reference_table.py -->"
    have = doc[doc.index(b) + len(b):doc.index(e)] if b in doc and e in doc else None
    check(have == want, "docs/known-reference.md's table is not the reference's: run "
          "tools/known/reference_table.py --update docs/known-reference.md data/known/reference.jsonl")
for f in fails:
    print("FAIL: " + f)
print("%d records, %d programs; %d checked against the corpus MANIFEST, %d re-hashed" %
      (len(recs), len({r["name"] for r in recs}), matched, hashed))
sys.exit(1 if fails else 0)
PY
