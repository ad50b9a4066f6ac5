#!/usr/bin/env python3
"""compare_reflect.py - `malgopher types --json` against what the fixture's
own reflect calls print (tests/types/src, run natively).

Usage: compare_reflect.py TYPES.json REFLECT.jsonl

For every type the fixture describes, the type of the same name must be
listed with the same kind, size, package path, element and key types,
fields (name, type, offset, tag, embedded, in order) and exported method
names (interfaces: all their methods, as reflect lists them).  Exit 1 naming each difference.
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        got = json.loads(f.readline())
    want = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
    by_name = {}
    for t in got["types"]:
        by_name.setdefault(t["name"], []).append(t)
    fails, checked = [], 0
    for w in want:
        cands = by_name.get(w["name"], [])
        if len(cands) != 1:
            fails.append("%s: listed %d times" % (w["name"], len(cands)))
            continue
        t = cands[0]
        checked += 1
        for k in ("kind", "size", "pkg_path"):
            if t[k] != w[k]:
                fails.append("%s: %s %r, reflect says %r" % (w["name"], k, t[k], w[k]))
        for k in ("elem", "key"):
            if (t[k] or "") != w[k]:
                fails.append("%s: %s %r, reflect says %r" % (w["name"], k, t[k], w[k]))
        fields = [{k: f[k] for k in ("name", "type", "offset", "tag", "embedded")} for f in t["fields"]]
        if fields != w["fields"]:
            fails.append("%s: fields %s, reflect says %s" % (w["name"], fields, w["fields"]))
        if w["kind"] == "interface":
            have = sorted(m["name"] for m in t["interface_methods"])  # reflect lists all
        else:
            have = sorted(m["name"] for m in t["methods"] if m["exported"])
        if have != sorted(w["methods"]):
            fails.append("%s: methods %s, reflect says %s" % (w["name"], have, w["methods"]))
    print("reflect: %d types checked field by field, %d differences" % (checked, len(fails)))
    for f in fails:
        print("FAIL:", f)
    sys.exit(1 if fails or not checked else 0)


main()
