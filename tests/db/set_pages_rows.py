#!/usr/bin/env python3
# set_pages_rows.py - an independent reader of a one-server collection's
# gimpset pages (schema 6), written from docs/collection.md "Gimpset pages"
# and not from the C code: every entry of every page of set_pages as one
# token row, and every page checked against the format.
#
# usage: set_pages_rows.py sqlite FILE [--keyed]
#        set_pages_rows.py hex [--keyed] < ROWS
# ROWS: lines "gen|slot|bucket|first_id|n|HEX" (psql -A -t of
# SELECT gen, slot, bucket, first_id, n, encode(data, 'hex') FROM set_pages).
# Prints "sample_id|slot|value" a token (--keyed: "gen|slot|bucket|first_id|
# n|value|sample_id"); a page that breaks the format is named on stderr and
# the exit status is 2 (after every good row was printed).
import sqlite3
import struct
import sys

GEN = 16384
BUCKETS = 128


def bucket(v):
    # murmur3's 32-bit finaliser, its low 7 bits
    v ^= v >> 16
    v = (v * 0x85EBCA6B) & 0xFFFFFFFF
    v ^= v >> 13
    v = (v * 0xC2B2AE35) & 0xFFFFFFFF
    v ^= v >> 16
    return v & (BUCKETS - 1)


def page_rows(gen, slot, bkt, first_id, n, data):
    """the entries of one page as (value, sample_id), or a reason it is malformed"""
    if len(data) != 6 * n or n < 1:
        return None, "length %d for n %d" % (len(data), n)
    rows = []
    for k in range(n):
        value, off = struct.unpack_from("<IH", data, 6 * k)
        if off >= GEN:
            return None, "offset %d" % off
        if bucket(value) != bkt:
            return None, "value %d not in bucket %d" % (value, bkt)
        rows.append((value, gen * GEN + off))
    if any(a >= b for a, b in zip(rows, rows[1:])):
        return None, "entries not sorted by (value, id)"
    if min(i for _, i in rows) != first_id:
        return None, "first_id %d is not the smallest id" % first_id
    return rows, None


def pages(src):
    if src[0] == "sqlite":
        c = sqlite3.connect(src[1])
        yield from c.execute("SELECT gen, slot, bucket, first_id, n, data FROM set_pages")
    else:
        for line in sys.stdin:
            f = line.rstrip("\n").split("|")
            if len(f) == 6:
                yield int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4]), bytes.fromhex(f[5])


def main():
    args = [a for a in sys.argv[1:] if a != "--keyed"]
    keyed = "--keyed" in sys.argv[1:]
    bad = 0
    out = []
    for gen, slot, bkt, first_id, n, data in pages(args):
        rows, why = page_rows(gen, slot, bkt, first_id, n, bytes(data))
        if why:
            print("malformed page (%d, %d, %d, %d): %s" % (gen, slot, bkt, first_id, why), file=sys.stderr)
            bad += 1
            continue
        for value, sid in rows:
            out.append("%d|%d|%d|%d|%d|%d|%d" % (gen, slot, bkt, first_id, n, value, sid) if keyed
                       else "%d|%d|%d" % (sid, slot, value))
    sys.stdout.write("".join(l + "\n" for l in out))
    sys.exit(2 if bad else 0)


main()
