#!/usr/bin/env python3
"""compare_dwarf.py - `malgopher types --json` against the DWARF oracle.

Usage: compare_dwarf.py TYPES.json DWARFDUMP.txt BUILDID [--verbose]

Asserts (exit 1 with the reason otherwise):
  - type recall >= 95%: the DWARF type entries' descriptor addresses
    (DW_AT_go_runtime_type + runtime.types) that malgopher lists;
  - every named type DWARF knows (a name with a package, no composite
    syntax) that malgopher lists has exactly DWARF's name;
  - the kinds agree (DW_AT_go_kind) on every listed address;
  - itab recall >= 95% (go:itab.* symbols), and each itab's interface and
    type names agree with the symbol's "TYPE,IFACE";
  - the build ID equals `go tool buildid`'s.
"""
import json
import re
import sys

KINDS = ["invalid", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
         "uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "array",
         "chan", "func", "interface", "map", "ptr", "slice", "string", "struct", "unsafe.Pointer"]
# DWARF and the symbols spell packages by import path; reflect by name
PKGPATH = re.compile(r'(?:[\w.\-~]+/)+(?=[\w\-~]+\.)')
# DWARF numbers types declared inside functions (T·1); reflect does not
LOCAL = re.compile(r'\u00b7\d+')
NAMED = re.compile(r'^[A-Za-z_][\w/.\-]*\.[^\s*\[\]{}()]+(\[.*\])?$')


def main():
    types_json, dwarf_txt, build_id = sys.argv[1:4]
    verbose = "--verbose" in sys.argv
    with open(types_json) as f:
        objs = [json.loads(l) for l in f if l.strip()]
    if len(objs) != 1:
        sys.exit("expected one JSON object, got %d" % len(objs))
    got = objs[0]
    by_addr = {int(t["address"], 16): t for t in got["types"]}
    dtypes, ditabs = {}, {}
    with open(dwarf_txt) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 3)
            if parts[0] == "type":
                name = LOCAL.sub("", PKGPATH.sub("", parts[3] if len(parts) > 3 else ""))
                dtypes.setdefault(int(parts[1], 16), (int(parts[2]), name))
            elif parts[0] == "itab":
                ditabs[int(parts[1], 16)] = PKGPATH.sub("", parts[2])
    fails = []
    found = [a for a in dtypes if a in by_addr]
    recall = len(found) / max(1, len(dtypes))
    if recall < 0.95:
        fails.append("type recall %.3f < 0.95 (%d of %d)" % (recall, len(found), len(dtypes)))
    if verbose:
        for a in sorted(set(dtypes) - set(by_addr))[:40]:
            print("missing type 0x%x %s" % (a, dtypes[a]))
    misnamed = 0
    for a in found:
        kind, name = dtypes[a]
        t = by_addr[a]
        if 0 < kind < len(KINDS) and (kind & 31) != KINDS.index(t["kind"]):
            fails.append("0x%x: kind %s, DWARF says %d (%s)" % (a, t["kind"], kind, name))
        if NAMED.match(name) and t["name"] != name:
            misnamed += 1
            if misnamed <= 10:
                fails.append("0x%x: named %r, DWARF says %r" % (a, t["name"], name))
    gitabs = {int(i["address"], 16): i for i in got["itabs"]}
    ifound = [a for a in ditabs if a in gitabs]
    irecall = len(ifound) / max(1, len(ditabs))
    if ditabs and irecall < 0.95:
        fails.append("itab recall %.3f < 0.95 (%d of %d)" % (irecall, len(ifound), len(ditabs)))
    for a in ifound:
        want = ditabs[a]
        have = gitabs[a]["type"] + "," + gitabs[a]["interface"]
        if want != have:
            fails.append("itab 0x%x: %s, symbol says %s" % (a, have, want))
    if got["build_id"] != build_id:
        fails.append("build ID %r, go tool buildid says %r" % (got["build_id"], build_id))
    print("types: %d listed, DWARF %d, recall %.4f; itabs: %d listed, symbols %d, recall %.4f; build ID %s"
          % (len(by_addr), len(dtypes), recall, len(gitabs), len(ditabs), irecall,
             "equal" if got["build_id"] == build_id else "DIFFERENT"))
    for f in fails[:30]:
        print("FAIL:", f)
    sys.exit(1 if fails else 0)


main()
