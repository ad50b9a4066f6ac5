#!/usr/bin/env python3
"""Score builds the reference does not hold against the known-programs
reference, to choose the naming threshold of each measure.

Owns: the scoring table of docs/known-reference.md "Threshold evidence".
Every score is computed by `malgopher match` (gimpset: estimated Jaccard of
the function-name sets; gimpfuzzy: libfuzzy's fuzzy_compare), given the
query's digest as an argument, so this script does no similarity math.

Queries (JSON Lines of `malgopher hash --json` or reference records):
  --positive FILE   builds of programs the reference names (other arches,
                    other versions); the expected name is the record's
                    "name" (the file's base name for hash lines)
  --negative FILE   Go programs that exist nowhere else or are not in the
                    reference: they must stay unnamed
  --versions        also: each reference record against the records of the
                    same program of OTHER versions (leave-one-version-out)
Python standard library only.  Run it through tools/known/threshold_report.sh.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

MEASURES = (("set", "gimpset"), ("fuzzy", "gimpfuzzy"))


def load(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if "malgopher_known" in d:
                continue
            out.append(d)
    return out


def score_all(mg, ref, queries, measure, field, batch=64):
    """For each query: list of (score, ref index) over the whole reference."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as db:
        for i, r in enumerate(ref):
            line = {"path": "r%d" % i, "arch": r.get("arch"), "slice": 0,
                    "gimphash": r.get("gimphash"), "gimpfuzzy": r.get("gimpfuzzy"),
                    "go_version": r.get("go_version"), "gimpset": r.get("gimpset")}
            db.write(json.dumps(line) + "\n")
        dbname = db.name
    results = [None] * len(queries)
    todo = [i for i, q in enumerate(queries) if q.get(field)]
    try:
        for k in range(0, len(todo), batch):
            idx = todo[k:k + batch]
            args = [queries[i][field] for i in idx]
            r = subprocess.run([mg, "match", "--db", dbname, "--measure", measure, "--json",
                                "-k", "0", "-t", "1"] + args,
                               capture_output=True, text=True, check=True)
            lines = r.stdout.splitlines()
            if len(lines) != len(idx):
                raise RuntimeError("match gave %d answers for %d queries" % (len(lines), len(idx)))
            for i, line in zip(idx, lines):
                d = json.loads(line)
                if d.get("measure") != field:
                    raise RuntimeError("match scored by %s, not %s" % (d.get("measure"), field))
                results[i] = [(m["score"], int(m["path"].split(":")[0][1:])) for m in d["matches"]]
    finally:
        os.unlink(dbname)
    return results


def best(matches, ref, keep):
    top = (0, None)
    for s, j in matches or []:
        if keep(ref[j]) and s > top[0]:
            top = (s, j)
    return top


def ident(d):
    """The identity without its @version (a Debian build has no module
    version, an upstream release has one)."""
    return (d.get("identity") or "").split("@")[0]


def query_file(q):
    """The file of a query line: info --json says "file" (its "path" is
    the build info's main package), hash --json says "path"."""
    return q.get("file") or q.get("path", "")


def query_name(q):
    if "name" in q:
        return q["name"]
    return os.path.basename(query_file(q))


def rows_for(kind, queries, ref, scored, exclude_self=False, min_names=0):
    """One row per query: expected name, best same-name, best other-name.
    With min_names, a query or reference record of fewer gimpset names is
    left out (it would not be named by this measure)."""
    rows = []
    size_ok = lambda r: (r.get("gimpset_names") or 0) >= min_names
    for q, ms in zip(queries, scored):
        if ms is None or not size_ok(q):
            continue
        qid = ident(q)
        # with IDENTITY, a record of another identity (module path, else own
        # package prefix) is not the same program, whatever it scores
        big = lambda r, qid=qid: size_ok(r) and (
            not IDENTITY[0] or not qid or not ident(r) or ident(r) == qid)
        name = q.get("_expect")
        same_ok = lambda r: big(r) and r["name"] == name and not (exclude_self and r["version"] == q["version"])
        other_ok = lambda r: big(r) and r["name"] != name
        otherpkg_ok = lambda r: big(r) and r["name"] != name and r["package"] != q.get("package")
        s_same, _ = best(ms, ref, same_ok) if name else (None, None)
        s_other, j_other = best(ms, ref, other_ok)
        s_opkg, j_opkg = best(ms, ref, otherpkg_ok)
        rows.append({"kind": kind, "query": q.get("_label"), "expect": name, "same": s_same,
                     "gimpset_names": q.get("gimpset_names"),
                     "other": s_other, "other_name": ref[j_other]["name"] if j_other is not None else "-",
                     "other_pkg": s_opkg,
                     "other_pkg_name": ref[j_opkg]["name"] if j_opkg is not None else "-"})
    return rows


def summarize(rows, measure, out):
    pos = [r for r in rows if r["expect"]]
    neg = [r for r in rows if not r["expect"]]
    neg_max = max([r["other"] for r in neg] or [0])
    pos_other_pkg_max = max([r["other_pkg"] for r in pos] or [0])
    out.write("## measure %s\n\n" % measure)
    if MIN_NAMES[0]:
        out.write("(queries and records of fewer than %d gimpset names left out)\n\n" % MIN_NAMES[0])
    if IDENTITY[0]:
        out.write("(a record counts only when its identity is the query's, or one of them has none)\n\n")
    out.write("| group | queries | named right at T (T=%s) |\n|---|---|---|\n" % "/".join(
        str(t) for t in THRESHOLDS[measure]))
    kinds = sorted({r["kind"] for r in rows})
    for k in kinds:
        rs = [r for r in rows if r["kind"] == k]
        if rs[0]["expect"]:
            cells = []
            for t in THRESHOLDS[measure]:
                ok = sum(1 for r in rs if r["same"] >= t and r["same"] >= r["other"])
                cells.append("%d" % ok)
            out.write("| %s | %d | %s |\n" % (k, len(rs), " / ".join(cells)))
        else:
            cells = ["%d named" % sum(1 for r in rs if r["other"] >= t) for t in THRESHOLDS[measure]]
            out.write("| %s (must stay unnamed) | %d | %s |\n" % (k, len(rs), " / ".join(cells)))
    out.write("\nhighest score of a program that must stay unnamed: %d (%s)\n" % (
        neg_max, ", ".join(sorted({"%s~%s" % (r["query"], r["other_name"]) for r in neg
                                   if r["other"] == neg_max and neg_max > 0})[:4]) or "-"))
    out.write("highest score of a positive query against a program of ANOTHER package: %d (%s)\n" % (
        pos_other_pkg_max, ", ".join(sorted({"%s~%s" % (r["query"], r["other_pkg_name"]) for r in pos
                                             if r["other_pkg"] == pos_other_pkg_max > 0})[:4]) or "-"))
    misses = sorted(((r["same"], r["query"], r["other"], r["other_name"]) for r in pos))[:12]
    out.write("\nlowest same-program scores (score, query, best other-name score, that name):\n\n")
    for m in misses:
        out.write("    %3d  %s  (other: %d %s)\n" % m)
    out.write("\n")
    return neg_max, pos_other_pkg_max, sorted(r["same"] for r in pos)


MIN_NAMES = [0]
IDENTITY = [False]
THRESHOLDS = {"set": (20, 25, 30, 35, 40, 50, 60), "fuzzy": (50, 60, 66, 70, 75, 80, 90)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--malgopher", required=True)
    ap.add_argument("--ref", required=True)
    ap.add_argument("--positive", action="append", default=[], metavar="KIND=FILE")
    ap.add_argument("--negative", action="append", default=[], metavar="KIND=FILE")
    ap.add_argument("--versions", action="store_true")
    ap.add_argument("--min-names", type=int, default=0,
                    help="leave out queries and records of fewer gimpset names")
    ap.add_argument("--identity", action="store_true",
                    help="a record of another identity than the query's does not count")
    ap.add_argument("--rows", help="write every row (JSON Lines) here")
    a = ap.parse_args()
    MIN_NAMES[0] = a.min_names
    IDENTITY[0] = a.identity
    ref = load(a.ref)
    names = {r["name"] for r in ref}
    groups = []
    for spec, positive in [(s, True) for s in a.positive] + [(s, False) for s in a.negative]:
        kind, _, path = spec.partition("=")
        qs = load(path)
        for q in qs:
            n = query_name(q)
            q["_expect"] = n if positive and n in names else None
            if positive and n not in names:
                q["_expect"] = None  # a positive file may hold programs the reference lacks
            q["_label"] = "%s %s %s" % (n, q.get("version", ""), q.get("arch", "")) if "name" in q \
                else os.path.relpath(query_file(q) or "?", os.path.expanduser("~/.cache/malgopher"))
        groups.append((kind, qs, positive))
    if a.versions:
        qs = [dict(r, _expect=r["name"], _label="%s %s %s" % (r["name"], r["version"], r["arch"]))
              for r in ref if sum(1 for x in ref if x["name"] == r["name"] and x["version"] != r["version"]) > 0]
        groups.append(("other-version", qs, True))
    allrows = []
    out = sys.stdout
    for measure, field in MEASURES:
        rows = []
        for kind, qs, positive in groups:
            scored = score_all(a.malgopher, ref, qs, measure, field)
            rs = rows_for(kind, qs, ref, scored, exclude_self=(kind == "other-version"),
                          min_names=a.min_names)
            if positive:
                # a positive file's programs that the reference lacks count as negatives
                for r in rs:
                    if not r["expect"]:
                        r["kind"] = kind + ": not in reference"
            rows += rs
        for r in rows:
            r["measure"] = measure
        summarize(rows, measure, out)
        allrows += rows
    if a.rows:
        with open(a.rows, "w", encoding="utf-8") as f:
            for r in allrows:
                f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
