#!/usr/bin/env python3
# db_synth.py - synthetic `db import` lines made from real gimpfuzzy digests:
# record i is base digest (i mod B) with 0-8 signature characters replaced
# (seeded), a made-up sha256 (sha256 of "synthetic i"), so that each base
# grows a family of near copies as real feeds do.
# usage: db_synth.py EXPORT.jsonl N SEED > lines.jsonl
import hashlib, json, random, sys

B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
src, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bases = []
for l in open(src):
    o = json.loads(l)
    if not o.get('no_names') and o['gimpfuzzy'].count(':') == 2:
        bases.append(o)
r = random.Random(seed)
out = sys.stdout
for i in range(n):
    b = bases[i % len(bases)]
    bs, s1, s2 = b['gimpfuzzy'].split(':')
    s1, s2 = list(s1), list(s2)
    for _ in range(r.randint(0, 8)):
        s = s1 if (r.random() < 0.5 or not s2) else s2
        if s:
            s[r.randrange(len(s))] = r.choice(B64)
    d = bs + ':' + ''.join(s1) + ':' + ''.join(s2)
    sha = hashlib.sha256(b'synthetic %d' % i).hexdigest()
    out.write(json.dumps({'path': '/synthetic/%d/%s' % (i, b['path'].rsplit('/', 1)[-1]), 'arch': b['arch'],
                          'slice': 0, 'gimphash': hashlib.sha256(d.encode()).hexdigest(), 'gimpfuzzy': d,
                          'go_version': b['go_version'], 'functions': b['functions'], 'no_names': False,
                          'sha256': sha}, separators=(',', ':')) + '\n')
