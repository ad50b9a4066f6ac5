#!/usr/bin/env python3
# feed_gen.py - a realistic synthetic feed for the `malgopher db` benchmarks:
# N `db import` lines (the JSON Lines of `malgopher hash --json`, with
# sha256 and size), seeded and deterministic (same N and SEED, same bytes).
# It replaces db_synth.py's near-copies of a few real digests, under which
# every query named a fifth of the collection as candidates.
#
# The model (docs/collection.md "Benchmarks feed" gives the measurements):
# - Families with Zipf-distributed sizes: a family's record count k is
#   drawn with P(k) proportional to k^-2, 1 <= k <= 2000 (mean about 5:
#   most families are one or two samples, a few hold thousands).  A family
#   is releases x platforms: 1-6 platforms (os/arch), the rest releases.
# - Releases drift as measured on the corpus's release series
#   (bench/feed_drift.py over esbuild 0.14.x and turbo 1.2.x from npm and
#   the corpus's own pairs): from one release to the next, 60% of the
#   steps leave the gimpset equal and the others change a geometric number
#   of slots (mean 5); 80% leave the gimpfuzzy equal and the others
#   rewrite 4-16 of its characters (62-96% of the 7-gram units change, as
#   measured); 2% of the steps double the block size (the old second
#   signature becomes the first).  Over 10-20 releases this gives the
#   4-46 slots measured, over hundreds the 169-255 of 256.
# - Platforms: each platform of a family has its own 0-20 slots that differ
#   from the release's gimpset (measured: 0-63 slots, most under 15, between
#   two platforms of one release) and 0-6 gimpfuzzy characters.
# - Shared libraries: a pool of 300 libraries with Zipf popularity; a
#   family uses 0-4, and each takes a fixed 2-25% of the slots with its own
#   values, so unrelated families share slots as lefthook and turbo do
#   (cobra: 59 of 256 slots; measured across the corpus's families: median
#   0, 43% of pairs share at least one, the most 76).
# - Unrelated programs: 20% of the records are one-sample families.
# - Packed duplicates: 5% of the records repeat an earlier record's digests
#   under another sha256 (the same program packed: `container` "upx").
# The lines come out in a seeded shuffle (a feed interleaves families).
# Not modelled: gimpfuzzy grams shared across families (each family's
# signature is random), and names/functions counts beyond a plausible size.
#
# usage: feed_gen.py N SEED > lines.jsonl
import base64, hashlib, json, os, random, struct, sys, tempfile

B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
PLATFORMS = [('linux', 'amd64'), ('windows', 'amd64'), ('darwin', 'arm64'), ('linux', 'arm64'),
             ('windows', '386'), ('linux', '386'), ('darwin', 'amd64'), ('linux', 'arm')]
GO = ['go1.%d.%d' % (m, p) for m in range(13, 26) for p in range(0, 8)]


def zipf_size(r, top=2000):
    # P(k) ~ k^-2 on 1..top by inversion of the continuous tail, rounded down
    u = r.random()
    k = int(1 / (1 - u * (1 - 1 / (top + 1))))
    return max(1, min(top, k))


class Lib:
    def __init__(self, r):
        self.w = r.uniform(0.02, 0.25)
        self.claim = [r.random() < self.w for _ in range(256)]
        self.val = [r.getrandbits(32) for _ in range(256)]


def gimpset_text(slots):
    return 'gs1:256:' + base64.b64encode(struct.pack('<256I', *slots)).decode()


def rand_sig(r, n):
    return [r.choice(B64) for _ in range(n)]


def mutate(r, sig, n):
    for _ in range(n):
        if sig:
            sig[r.randrange(len(sig))] = r.choice(B64)


class Family:
    """the records of one family, release by release (the drift is cumulative)"""

    def __init__(self, fid, size, r, libs, lib_w):
        self.fid, self.r = fid, r
        self.nplat = 1 if size == 1 else min(size, r.randint(1, 6))
        self.nrel = (size + self.nplat - 1) // self.nplat
        self.size = size
        own = [r.getrandbits(32) for _ in range(256)]
        uses = sorted({r.choices(range(len(libs)), lib_w)[0] for _ in range(r.randint(0, 4))})
        for i in range(256):
            for l in uses:
                if libs[l].claim[i]:
                    own[i] = libs[l].val[i]
                    break
        self.slots = own
        self.names = int(2 ** r.uniform(5.5, 13.5))
        self.bs = 3
        while self.bs * 64 < self.names * 30:
            self.bs *= 2
        self.s1 = rand_sig(r, r.randint(35, 64))
        self.s2 = rand_sig(r, r.randint(17, 32))
        self.go = r.randrange(len(GO) - 8)
        self.plat = r.sample(range(len(PLATFORMS)), self.nplat)
        # each platform's own slots and characters, fixed for the family
        self.pslots = [{r.randrange(256): r.getrandbits(32) for _ in range(0 if p == 0 else r.randint(0, 20))}
                       for p in range(self.nplat)]
        self.pchars = [0 if p == 0 else r.randint(0, 6) for p in range(self.nplat)]

    def step(self):
        r = self.r
        if r.random() >= 0.6:  # 40% of the releases change the name set
            k = 1
            while r.random() < 0.8:  # geometric, mean 5
                k += 1
            for _ in range(k):
                self.slots[r.randrange(256)] = r.getrandbits(32)
        if r.random() < 0.02:  # the block size doubles
            self.bs *= 2
            self.s1, self.s2 = self.s2 + rand_sig(r, r.randint(10, 30)), rand_sig(r, r.randint(17, 32))
        elif r.random() < 0.2:  # the kept-name string changes
            n = r.randint(4, 16)
            mutate(r, self.s1, n)
            mutate(r, self.s2, n // 2)
        if r.random() < 0.1:
            self.go = min(len(GO) - 1, self.go + 1)
        self.names += r.randint(-3, 12)
        self.names = max(8, self.names)

    def records(self):
        for rel in range(self.nrel):
            if rel:
                self.step()
            for p in range(self.nplat):
                if rel * self.nplat + p >= self.size:
                    return
                slots = list(self.slots)
                for i, v in self.pslots[p].items():
                    slots[i] = v
                pr = random.Random(self.fid * 1000003 + p)
                s1, s2 = list(self.s1), list(self.s2)
                mutate(pr, s1, self.pchars[p])
                mutate(pr, s2, self.pchars[p] // 2)
                yield rel, p, slots, '%d:%s:%s' % (self.bs, ''.join(s1), ''.join(s2))


def line(fam, rel, p, slots, fuzzy, sha, packed):
    os_, arch = PLATFORMS[fam.plat[p]]
    gs = gimpset_text(slots)
    o = {'path': '/feed/f%d/%d.%d.%d_%s-%s/prog%d%s' % (fam.fid, rel // 100, rel // 10 % 10, rel % 10, os_, arch,
                                                          fam.fid, '.upx' if packed else ''),
         'arch': arch, 'os': os_, 'slice': 0,
         'gimphash': hashlib.sha256((fuzzy + gs).encode()).hexdigest(), 'gimpfuzzy': fuzzy,
         'go_version': GO[fam.go], 'functions': fam.names * 4, 'names': fam.names,
         'no_names': False, 'partial': False, 'gimpset': gs, 'sha256': sha, 'size': fam.names * 6000}
    if packed:
        o['container'] = 'upx'
    return json.dumps(o, separators=(',', ':')) + '\n'


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: feed_gen.py N SEED > lines.jsonl')
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    libs = [Lib(r) for _ in range(300)]
    lib_w = [1 / (i + 1) for i in range(300)]
    n_dup = n // 20
    n_fam = n - n_dup
    tmp = tempfile.TemporaryFile()
    offsets, written, fid = [], 0, 0
    recent = []  # (family, rel, p, slots, fuzzy) of a few earlier records, for the packed copies
    while written < n_fam:
        size = 1 if r.random() < 0.2 else zipf_size(r)
        size = min(size, n_fam - written)
        fam = Family(fid, size, random.Random(seed * 7919 + fid), libs, lib_w)
        for rel, p, slots, fuzzy in fam.records():
            sha = hashlib.sha256(b'feed %d %d %d %d' % (seed, fid, rel, p)).hexdigest()
            offsets.append(tmp.tell())
            tmp.write(line(fam, rel, p, slots, fuzzy, sha, False).encode())
            written += 1
            if r.random() < 0.01:
                recent.append((fam, rel, p, slots, fuzzy))
        fid += 1
    if not recent:
        recent.append((fam, rel, p, slots, fuzzy))
    for k in range(n_dup):
        fam, rel, p, slots, fuzzy = recent[r.randrange(len(recent))]
        sha = hashlib.sha256(b'feed packed %d %d' % (seed, k)).hexdigest()
        offsets.append(tmp.tell())
        tmp.write(line(fam, rel, p, slots, fuzzy, sha, True).encode())
    offsets.append(tmp.tell())
    order = list(range(n))
    r.shuffle(order)
    out = sys.stdout.buffer
    for i in order:
        tmp.seek(offsets[i])
        out.write(tmp.read(offsets[i + 1] - offsets[i]))
    print('feed_gen: %d records, %d families, %d packed duplicates' % (n, fid, n_dup), file=sys.stderr)


if __name__ == '__main__':
    main()
