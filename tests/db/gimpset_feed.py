# gimpset_feed.py - what the tests of the gimpset search through the
# postings share (test_db_topk.sh, test_db_trial.sh): a query of 256
# random slot values, records equal to it on the slots given and
# different elsewhere, their `db import` lines, and the two helpers of
# docs/collection.md "Gimpset pages" (a digest's values; a value's bucket).
import base64, hashlib, json, random, struct


def enc(v):
    return 'gs1:256:' + base64.b64encode(struct.pack('<256I', *v)).decode()


def dec(g):
    return struct.unpack('<256I', base64.b64decode(g.split(':', 2)[2]))


def bucket(v):  # MurmurHash3's fmix32, low 7 bits
    v ^= v >> 16; v = v * 0x85EBCA6B & 0xFFFFFFFF; v ^= v >> 13; v = v * 0xC2B2AE35 & 0xFFFFFFFF
    return (v ^ v >> 16) & 127


class Feed:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.Q = [self.r.getrandbits(32) for _ in range(256)]

    def rec(self, shared):  # a gimpset equal to Q on the slots shared, different elsewhere
        return [self.Q[k] if k in shared else self.Q[k] ^ (1 + self.r.getrandbits(31)) for k in range(256)]

    def write(self, recs, out, query_file):  # the records as /t/pN, the query's digest to query_file
        for i, v in enumerate(recs):
            g = enc(v)
            out.write(json.dumps({'path': '/t/p%d' % i, 'arch': 'amd64', 'os': 'linux', 'slice': 0,
                                  'gimphash': hashlib.sha256(b'h%d' % i).hexdigest(),
                                  'gimpfuzzy': '3:abcdefgh%d:ijk' % i, 'go_version': 'go1.22.1',
                                  'functions': 10, 'names': 5, 'no_names': False, 'partial': False,
                                  'gimpset': g, 'sha256': hashlib.sha256(g.encode()).hexdigest(),
                                  'size': 1000 + i}) + '\n')
        open(query_file, 'w').write(enc(self.Q) + '\n')
