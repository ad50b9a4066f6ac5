#!/usr/bin/env python3
"""check_info.py - `malgopher info --json` against `go tool nm` and
`go tool buildid`.

Usage: check_info.py INFO.json NM.txt BUILDID

moduledata's text, etext, types and etypes equal the runtime.text,
runtime.etext, runtime.types and runtime.etypes symbols; build_id equals
the tool's; every function's entry is a text symbol of that name, its end
the next function's entry, and the class of main.* functions is "own", of
runtime.* "std".
"""
import json
import sys


def main():
    info = json.loads(open(sys.argv[1]).readline())
    syms, all_syms = {}, {}  # ABI wrappers share a name: any of its addresses
    for line in open(sys.argv[2]):
        parts = line.split()
        if len(parts) >= 3:
            syms.setdefault(parts[2], int(parts[0], 16))
            all_syms.setdefault(parts[2], set()).add(int(parts[0], 16))
    fails = []
    md = info.get("moduledata") or {}
    for key in ("text", "etext", "types", "etypes"):
        want = syms.get("runtime." + key)
        have = int(md[key], 16) if key in md else None
        if want is not None and have != want:
            fails.append("moduledata.%s %s, nm says 0x%x" % (key, md.get(key), want))
    if info.get("build_id") != sys.argv[3]:
        fails.append("build_id %r, go tool buildid says %r" % (info.get("build_id"), sys.argv[3]))
    ft = info.get("function_table") or []
    if not ft:
        fails.append("no function_table")
    counts = {}
    for f in ft:
        counts[f["name"]] = counts.get(f["name"], 0) + 1
    for i, f in enumerate(ft):
        if i + 1 < len(ft) and f["end"] != ft[i + 1]["entry"]:
            fails.append("%s: end %s, next entry %s" % (f["name"], f["end"], ft[i + 1]["entry"]))
        want = all_syms.get(f["name"])
        # a name the table holds twice (an ABI wrapper and its function): nm shows one
        if want is not None and counts[f["name"]] == 1 and int(f["entry"], 16) not in want:
            fails.append("%s: entry %s, nm says %s" % (f["name"], f["entry"], sorted(map(hex, want))))
        if f["name"].startswith("main.") and f["class"] != "own":
            fails.append("%s: class %s" % (f["name"], f["class"]))
        if f["name"].startswith("runtime.") and f["class"] != "std":
            fails.append("%s: class %s" % (f["name"], f["class"]))
    print("info: moduledata, build ID, %d functions checked, %d differences" % (len(ft), len(fails)))
    for f in fails[:20]:
        print("FAIL:", f)
    sys.exit(1 if fails else 0)


main()
