#!/usr/bin/env python3
# feed_drift.py - measures how a Go program's digests drift from one
# release to the next, the figures bench/feed_gen.py models: over the
# `malgopher hash --json` lines of a release series (files grouped by
# family and platform, taken from the path FAMILY/VERSION_PLATFORM/FILE as
# the corpus lays it out, or .../FAMILY-VERSION/... as an unpacked npm
# tarball does), for each pair of consecutive versions: the gimpset slots
# that changed (of 256), the gimpfuzzy 7-gram units that changed (keys of
# the two signatures at their block sizes, as db_grams.c keys them), and
# whether the block size moved.
# usage: feed_drift.py LINES.jsonl... (prints one line a pair, then a summary)
import base64, json, re, struct, sys

def slots(gs):
    p = gs.split(':', 2)[2]
    return struct.unpack('<256I', base64.b64decode(p)) if p else None

def grams(fz):
    bs, s1, s2 = fz.split(':')
    bs = int(bs)
    g = {(bs, s1[i:i + 7]) for i in range(len(s1) - 6)}
    return g | {(2 * bs, s2[i:i + 7]) for i in range(len(s2) - 6)}

def vkey(v):
    return [int(x) if x.isdigit() else x for x in re.split(r'[.\-_+]', v)]

series = {}
for f in sys.argv[1:]:
    for l in open(f):
        o = json.loads(l)
        parts = o['path'].split('/')
        m = re.match(r'(.+)-(\d+\.\d+\.\d+)$', parts[-4]) if len(parts) >= 4 else None
        if m:  # .../esbuild-linux-64-0.14.50/package/bin/esbuild
            fam, ver, plat = m.group(1), m.group(2), 'npm'
        else:  # .../FAMILY/VERSION_PLATFORM/FILE
            fam, vp = parts[-3], parts[-2]
            ver, _, plat = vp.partition('_')
        series.setdefault((fam, plat), []).append((vkey(ver), ver, o))

rows = []
for (fam, plat), v in sorted(series.items()):
    v.sort(key=lambda x: x[0])
    for (_, va, a), (_, vb, b) in zip(v, v[1:]):
        sa, sb = slots(a['gimpset']), slots(b['gimpset'])
        ga, gb = grams(a['gimpfuzzy']), grams(b['gimpfuzzy'])
        ds = sum(x != y for x, y in zip(sa, sb)) if sa and sb else None
        dg = 1 - len(ga & gb) / max(1, len(ga | gb))
        bsm = a['gimpfuzzy'].split(':')[0] != b['gimpfuzzy'].split(':')[0]
        rows.append((fam, plat, va, vb, ds, dg, bsm, a['names'], b['names']))
        print('%-12s %-8s %-10s -> %-10s gimpset slots changed %3s/256  gram units changed %5.1f%%  block size %s  names %d -> %d'
              % (fam, plat, va, vb, ds, 100 * dg, 'moved' if bsm else 'same', a['names'], b['names']))
ds = sorted(r[4] for r in rows if r[4] is not None)
if ds:
    print('pairs %d: gimpset slots changed median %d, min %d, max %d; block size moved in %d'
          % (len(rows), ds[len(ds) // 2], ds[0], ds[-1], sum(r[6] for r in rows)))
