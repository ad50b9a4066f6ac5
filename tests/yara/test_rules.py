#!/usr/bin/env python3
"""test_rules.py -- every example rule in rules/ is run by `malgopher scan -r`
over the real-world corpus plus one file made here (a fixture with its build
info and version strings wiped), and must match exactly the files that
sources independent of the go module say it should:

  family by gimphash         `malgopher hash --json` against the rule's hashes
  similarity by gimpfuzzy    the ssdeep command's score (-x matching mode)
  Go version rules           the corpus manifest (Go version, pclntab bucket)
  dependency / build rules   `go version -m` (the CLI's info --json when Go
                             cannot read the file, e.g. a fat Mach-O)
  function / package rules   Python over `malgopher funcs`

A rule in rules/ that this test does not know fails it, and so does a rule
that matches nothing (an example should show something) when the whole
corpus is present; with a part of it (the core tier), such a rule is
reported SKIPPED, naming what is missing.  Exits 77 when the corpus is
absent.

usage: test_rules.py MALGOPHER RULES_DIR FIXTURE_DIR MANIFEST CORPUS_DIR
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modcheck import Checker, cli_json, run  # noqa: E402
from test_go_fixtures import go_version_m, ssdeep_score  # noqa: E402


# the corpus file a rule was written from (a rule that no present file
# should match is then reported SKIPPED naming it, not failed)
REFERENCE = {"Go_Similar_To_Esbuild_0_17": "esbuild/0.17.0-1+b2_linux-amd64/esbuild"}


class File:
    """what the oracles say about one file"""

    def __init__(self, malgopher, path, row, info, hashes):
        self.path, self.row = path, row
        self.go = next((i for i in info if i["is_go"]), None)
        self.hash = hashes.get((path, self.go["slice"])) if self.go else None
        self.gv = go_version_m(path) if self.go and len(info) == 1 else None
        self.names = []
        if self.go:
            args = [malgopher, "funcs"] + (["--slice", self.go["arch"]] if len(info) > 1 else [])
            self.names = [l.split(" ", 1)[1] for l in run(args + [path]).splitlines()]

    def deps(self):
        if self.gv:
            return [d[0] for d in self.gv[3]]
        return [d["path"] for d in self.go["dependencies"]] if self.go and self.go["buildinfo"] else []

    def setting(self, key):
        if self.gv:
            return self.gv[4].get(key)
        return self.go["build_settings"].get(key) if self.go and self.go["buildinfo"] else None

    def version(self):
        if self.row:
            return self.row["go_version"] if self.row["is_go"] == "yes" else ""
        return self.go["go_version"] if self.go else ""

    def pclntab(self):
        if self.row:
            return self.row["pclntab_bucket"]
        return self.go["pclntab_version"] if self.go else ""


def main():
    malgopher, rules_dir, fx, manifest, corpus = sys.argv[1:6]
    if not os.path.isfile(manifest):
        print("SKIPPED: no corpus manifest at %s (the project's shared/ folder)" % manifest)
        return 77
    rows = [l.rstrip("\n").split("\t") for l in open(manifest, encoding="utf-8")]
    rows = [dict(zip(rows[0], r)) for r in rows[1:]]
    present = {os.path.join(corpus, r["file"]): r for r in rows
               if os.path.isfile(os.path.join(corpus, r["file"]))}
    if not present:
        print("SKIPPED: no corpus under %s" % corpus)
        return 77
    c = Checker()
    tmp = tempfile.mkdtemp()
    # a Go file whose release cannot be told: build info and go1.x strings wiped
    data = open(os.path.join(fx, "linux-amd64-stripped", "mgfixture"), "rb").read()
    data = data.replace(b"\xff Go buildinf:", b"\x00 No buildinf:").replace(b"go1.", b"xx1.")
    wiped = os.path.join(tmp, "noversion")
    open(wiped, "wb").write(data)
    paths = sorted(present) + [wiped]

    info, hashes = cli_json(malgopher, paths)
    files = [File(malgopher, p, present.get(p), info.get(p, []), hashes) for p in paths]

    def rule_text(name):
        return open(os.path.join(rules_dir, name)).read()

    fam = set(re.findall(r'go\.gimphash == "([0-9a-f]{64})"', rule_text("go_family_gimphash.yar")))
    sim = rule_text("go_similar_gimpfuzzy.yar")
    sim_ref = re.search(r'"(\d+:[^"]+)"\) >= (\d+)', sim)
    sim_digest, sim_min = sim_ref.group(1), int(sim_ref.group(2))

    def similar(f):
        return f.hash and ssdeep_score(sim_digest, f.hash["gimpfuzzy"], os.path.join(tmp, "sig")) >= sim_min

    expect = {
        "Go_Family_Wordfreq_Gimphash": lambda f: f.hash and f.hash["gimphash"] in fam,
        "Go_Similar_To_Esbuild_0_17": similar,
        "Go_Old_Toolchain_Pre_1_16": lambda f: f.go and f.pclntab() == "1.2-1.15",
        "Go_Toolchain_1_19": lambda f: re.match(r"^go1\.19(\.[0-9]+)?$", f.version() or ""),
        "Go_Toolchain_1_20_Or_Later": lambda f: f.go and f.pclntab() == "1.20+",
        "Go_Version_From_Table_Only": lambda f: f.go and f.version() in ("", "-"),
        "Go_Uses_Cobra": lambda f: "github.com/spf13/cobra" in f.deps(),
        "Go_Many_Dependencies": lambda f: len(f.deps()) > 40,
        "Go_Cgo_Enabled": lambda f: f.setting("CGO_ENABLED") == "1",
        "Go_Built_From_Modified_Checkout": lambda f: f.setting("vcs.modified") == "true",
        "Go_Trimpath_And_Stripped": lambda f: f.setting("-trimpath") == "true" and f.go["stripped"],
        "Go_HTTP_Server": lambda f: "net/http.(*Server).Serve" in f.names,
        "Go_Executes_Commands": lambda f: any(n.startswith("os/exec.") for n in f.names) and any(
            re.match(r"^os/exec\.\(\*Cmd\)\.(Start|Run|Output|CombinedOutput)$", n) for n in f.names),
        "Go_Uses_Protobuf": lambda f: any(n.startswith("google.golang.org/protobuf/proto.") for n in f.names),
    }
    # each file alone must compile and run (its own imports); then all of
    # them together over the corpus, in one pass
    combined = os.path.join(tmp, "all.yar")
    with open(combined, "w") as out:
        for rf in sorted(glob.glob(os.path.join(rules_dir, "*.yar"))):
            p = subprocess.run([malgopher, "scan", rf, wiped], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            c.eq(os.path.basename(rf) + " alone: exit status", p.returncode, 0)
            c.eq(os.path.basename(rf) + " alone: stderr", p.stderr.decode(), "")
            out.write(open(rf).read() + "\n")
    p = subprocess.run([malgopher, "scan", "-r", combined, corpus, wiped], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    c.eq("all rules: exit status", p.returncode, 0)
    c.eq("all rules: stderr", p.stderr.decode(), "")
    got = {}
    for line in p.stdout.decode("utf-8", "surrogateescape").splitlines():
        rule, _, path = line.partition(" ")
        got.setdefault(rule, set()).add(path)
    seen = set()
    for rf in sorted(glob.glob(os.path.join(rules_dir, "*.yar"))):
        base = os.path.basename(rf)
        for rule in re.findall(r"^rule\s+(\w+)", open(rf).read(), re.M):
            seen.add(rule)
            if rule not in expect:
                c.ok("%s: rule %s has no expectation in this test" % (base, rule), False)
                continue
            want = {f.path for f in files if expect[rule](f)}
            have = got.get(rule, set())
            if want or len(present) == len(rows):
                c.ok("%s: matches something" % rule, want)
            else:
                # a partial corpus (the core tier): the files this rule is
                # about may be among the missing ones
                ref = REFERENCE.get(rule)
                print("SKIPPED: %s: no file present should match (%d of %d corpus files missing%s;"
                      " fetch them with shared/corpus/fetch.sh %s --tier full)"
                      % (rule, len(rows) - len(present), len(rows),
                         ", its reference %s among them" % ref if ref and not os.path.isfile(
                             os.path.join(corpus, ref)) else "", corpus))
            c.eq("%s: files matched beyond the expected" % rule, sorted(have - want), [])
            c.eq("%s: expected files not matched" % rule, sorted(want - have), [])
            print("%-34s %3d files" % (rule, len(have)))
    c.eq("every expectation is a rule of rules/", sorted(set(expect) - seen), [])
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
