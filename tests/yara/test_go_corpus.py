#!/usr/bin/env python3
"""test_go_corpus.py -- the YARA `go` module on every file of the real-world
corpus (shared/corpus/MANIFEST.tsv), evaluated by `malgopher scan`, must
agree with
  - the CLI's own `malgopher info --json` (every field, the first Go image)
    and `malgopher hash --json` (gimphash, gimpfuzzy);
  - the manifest (is_go, Go version, GOOS, GOARCH, main module), written
    by the corpus' fetcher from other tools;
  - `go version -m` of the host Go toolchain, when it can read the file
    (Go version, main package and module, dependencies, build settings);
  - Python over `malgopher funcs` for go.function() and go.package().
Exits 77 (SKIPPED) when the corpus is absent.

usage: test_go_corpus.py MALGOPHER MANIFEST CORPUS_DIR
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modcheck import Checker, cli_json, evaluate, run, yara_escape, yara_string  # noqa: E402
from test_go_fixtures import go_prefix, go_version_m  # noqa: E402


def pclntab_short(name):
    return {"1.2-1.15": "1.2", "1.16-1.17": "1.16", "1.18-1.19": "1.18", "1.20+": "1.20"}.get(name)


def main():
    malgopher, manifest, corpus = sys.argv[1:4]
    if not os.path.isfile(manifest):
        print("SKIPPED: no corpus manifest at %s (the project's shared/ folder)" % manifest)
        return 77
    rows = [l.rstrip("\n").split("\t") for l in open(manifest, encoding="utf-8")]
    head, rows = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
    present = [r for r in rows if os.path.isfile(os.path.join(corpus, r["file"]))]
    if not present:
        print("SKIPPED: no corpus files under %s (fetch with shared/corpus/fetch.sh)" % corpus)
        return 77
    if len(present) < len(rows):
        print("note: %d of %d corpus files present" % (len(present), len(rows)))
    c = Checker()
    tmp = tempfile.mkdtemp()
    rules = os.path.join(tmp, "r.yar")
    paths = [os.path.join(corpus, r["file"]) for r in present]
    info, hashes = cli_json(malgopher, paths)
    ngo = 0
    for r, path in zip(present, paths):
        name = r["file"]
        imgs = info.get(path, [])
        go = next((i for i in imgs if i["is_go"]), None)
        want = {"go.is_go": "1" if go else "0"}
        c.eq(name + ": is_go vs manifest", want["go.is_go"], "1" if r["is_go"] == "yes" else "0")
        exprs = ["go.version", "go.version_source", "go.pclntab_version", "go.goos", "go.goarch",
                 "go.stripped", "go.number_of_functions", "go.gimphash", "go.gimpfuzzy",
                 "go.gimphash_names", "go.main_package", "go.main_module.path",
                 "go.main_module.version", "go.main_module.sum", "go.number_of_dependencies",
                 "go.dependency(/./)", 'go.build_setting("GOOS")', 'go.function("main.main")',
                 "go.function(/./)", 'go.package("main")', "go.dependencies[0].path"]
        for e in exprs:
            want[e] = None
        if go:
            ngo += 1
            h = hashes[(path, go["slice"])]
            want.update({
                "go.version": go["go_version"] or None,
                "go.version_source": go["go_version_source"] if go["go_version"] else None,
                "go.pclntab_version": pclntab_short(go["pclntab_version"]),
                "go.goos": go["os"] or None,
                "go.goarch": go["arch"] or None,
                "go.stripped": "1" if go["stripped"] else "0",
                "go.number_of_functions": str(go["functions"]),
                "go.gimphash": h["gimphash"],
                "go.gimpfuzzy": h["gimpfuzzy"],
                "go.gimphash_names": str(go["gimphash_names"]),
            })
            # the manifest, where it has a value
            for col, key in (("go_version", "go.version"), ("os", "go.goos"), ("arch", "go.goarch")):
                if r[col] not in ("", "-") and "+" not in r[col] and len(imgs) == 1:
                    # the manifest names illumos builds (GOOS=illumos in their
                    # build info, a Solaris derivative) solaris
                    ok = want[key] == r[col] or (col, want[key], r[col]) == ("os", "illumos", "solaris")
                    c.ok("%s: %s %r vs manifest %r" % (name, key, want[key], r[col]), ok)
            if go["buildinfo"]:
                bi_main = go["main_module"]
                deps = go["dependencies"]
                want.update({
                    "go.main_package": go["path"] or None,
                    "go.main_module.path": bi_main["path"] or None,
                    "go.main_module.version": bi_main["version"] or None,
                    "go.main_module.sum": bi_main["sum"] or None,
                    "go.number_of_dependencies": str(len(deps)),
                    "go.dependency(/./)": "1" if deps else "0",
                    "go.dependencies[0].path": deps[0]["path"] if deps else None,
                })
                # the manifest gives PATH@VERSION of the main module, or the
                # main package's path when there is no module (GOPATH builds)
                if r["main_module"] not in ("", "-") and len(imgs) == 1:
                    if "@" in r["main_module"]:
                        c.eq(name + ": main module vs manifest",
                             "%s@%s" % (bi_main["path"], bi_main["version"]), r["main_module"])
                    else:
                        c.eq(name + ": main package vs manifest", go["path"], r["main_module"])
                        c.eq(name + ": no main module", bi_main["path"], "")
                for i, d in enumerate(deps):
                    rep = d.get("replace", {})
                    for f, v in (("path", d["path"]), ("version", d["version"]), ("sum", d["sum"]),
                                 ("replace_path", rep.get("path", "")),
                                 ("replace_version", rep.get("version", ""))):
                        want["go.dependencies[%d].%s" % (i, f)] = v or None
                    want["go.dependency(/^%s$/)" % re.escape(d["path"]).replace("/", "\\/")] = "1"
                want['go.build_setting("GOOS")'] = None
                for k, v in go["build_settings"].items():
                    want["go.build_setting(%s)" % yara_string(k)] = v
                want['go.build_setting("NO_SUCH_SETTING")'] = None
                # go version -m, when Go 1.19 can read the file
                gv = go_version_m(path) if len(imgs) == 1 else None
                if gv:
                    version, main_pkg, mod, gdeps, settings = gv
                    c.eq(name + ": version vs go version -m", want["go.version"], version)
                    c.eq(name + ": main_package vs go version -m", want["go.main_package"], main_pkg or None)
                    c.eq(name + ": main module vs go version -m",
                         (want["go.main_module.path"], want["go.main_module.version"]),
                         (mod[0], mod[1]) if mod else (None, None))
                    c.eq(name + ": dependencies vs go version -m",
                         [(d["path"], d["version"]) for d in deps], [d[:2] for d in gdeps])
                    c.eq(name + ": build settings vs go version -m", go["build_settings"], settings)
            # functions: counts from Python over `malgopher funcs`
            args = [malgopher, "funcs"]
            if len(imgs) > 1:
                args += ["--slice", go["arch"]]
            names = [l.split(" ", 1)[1] for l in run(args + [path]).splitlines()]
            c.eq(name + ": funcs lines = functions", len(names), go["functions"])
            picks = {"main.main", names[0], names[len(names) // 2], names[-1], "no.such.function"}
            for f in picks:
                want["go.function(%s)" % yara_string(f)] = str(names.count(f))
            for rx in (r".", r"^main\.", r"^github\.com\/", r"Unmarshal", r"\.func[0-9]+$"):
                want["go.function(/%s/)" % rx] = str(sum(1 for x in names if re.search(rx.replace("\\/", "/"), x)))
            pkgs = {"main", "net/http", "crypto/internal/entropy/v1.0.0", "fmt", "no/such/package"}
            pkgs |= {d["path"] for d in go["dependencies"][:3]} if go["buildinfo"] else set()
            for p in pkgs:
                pre = go_prefix(p) + "."
                want["go.package(%s)" % yara_string(p)] = "1" if any(x.startswith(pre) for x in names) else "0"
        got, log, rc = evaluate(malgopher, rules, list(want), path)
        c.eq(name + ": scan exit status", rc, 0)
        if rc != 0:
            print(log)
        for k, v in want.items():
            c.eq("%s: %s" % (name, k), got.get(k), None if v is None else yara_escape(v))
    c.ok("corpus has Go and non-Go files", 0 < ngo < len(present))
    print("%d files, %d Go" % (len(present), ngo))
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
