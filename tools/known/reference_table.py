#!/usr/bin/env python3
"""Print the program list of a known-programs reference as a Markdown table
(docs/known-reference.md "What it holds" is this output; the known_reference
test checks that the page and the data agree).

usage: reference_table.py [--update DOC] REFERENCE.jsonl
With --update, replace the lines between the BEGIN/END markers of DOC.
Python standard library only.
"""
import collections
import json
import sys

BEGIN = "<!-- BEGIN reference_table.py -->"
END = "<!-- END reference_table.py -->"


def table(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    head = json.loads(lines[0])
    recs = [json.loads(l) for l in lines[1:]]
    by_pkg = collections.OrderedDict()
    for r in sorted(recs, key=lambda r: (r["package"], r["source"], r["version"])):
        by_pkg.setdefault(r["package"], []).append(r)
    out = ["reference built %s by %s: %d records, %d programs, %d packages; suites %s; arches %s"
           % (head["built"], head["script"], len(recs), len({r["name"] for r in recs}), len(by_pkg),
              ", ".join(head.get("suites", [])), ", ".join(head.get("arches", []))), "",
           "| package | programs (file names) | versions (source, Go) | os/arch |", "|---|---|---|---|"]
    for pkg, rs in by_pkg.items():
        names = sorted({r["name"] for r in rs})
        vers = []
        for r in rs:
            v = "%s (%s, %s)" % (r["version"], r["source"], r["go_version"])
            if v not in vers:
                vers.append(v)
        arches = sorted({"%s/%s" % (r["os"], r["arch"]) for r in rs})
        out.append("| %s | %s | %s | %s |" % (pkg, ", ".join(names), "; ".join(vers), ", ".join(arches)))
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) == 3 and argv[0] == "--update":
        doc, ref = argv[1], argv[2]
        text = open(doc, encoding="utf-8").read()
        a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
        with open(doc + ".tmp", "w", encoding="utf-8") as f:
            f.write(text[:a] + "\n" + table(ref) + text[b:])
        import os
        os.replace(doc + ".tmp", doc)
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(table(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
