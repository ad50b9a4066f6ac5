#!/usr/bin/env python3
# gram_pages_rows.py - a second reader of a one-server collection's gram
# pages, written from docs/collection.md "Gram pages" (not from the C
# code): prints one "gen gram sample_id" line per entry (gram as a signed
# 64-bit integer), and exits 1 naming the first page that breaks the
# format (length, order, bucket, offset, first_id).
# usage: gram_pages_rows.py sqlite FILE
#        gram_pages_rows.py hex < LINES   (gen|bucket|first_id|n|hex(data),
#                                          e.g. psql ... encode(data, 'hex'))
import sqlite3
import struct
import sys


def pages():
    if sys.argv[1] == 'sqlite':
        c = sqlite3.connect(sys.argv[2])
        yield from c.execute('SELECT gen, bucket, first_id, n, data FROM gram_pages')
    else:
        for line in sys.stdin:
            gen, bucket, first, n, data = line.rstrip('\n').split('|')
            yield int(gen), int(bucket), int(first), int(n), bytes.fromhex(data)


def main():
    out = []
    for gen, bucket, first, n, data in pages():
        where = 'page gen %d bucket %d first_id %d' % (gen, bucket, first)
        if n < 1 or len(data) != 10 * n:
            sys.exit('%s: %d bytes for n = %d' % (where, len(data), n))
        entries = [struct.unpack_from('<qH', data, 10 * k) for k in range(n)]
        if entries != sorted(set(entries)):
            sys.exit('%s: entries not strictly sorted' % where)
        for gram, off in entries:
            if (gram & (2**64 - 1)) >> 50 != bucket:
                sys.exit('%s: gram %d outside its bucket' % (where, gram))
            if off >= 16384:
                sys.exit('%s: offset %d' % (where, off))
        if min(gen * 16384 + off for _, off in entries) != first:
            sys.exit('%s: first_id is not the smallest id' % where)
        out += ['%d %d %d' % (gen, gram, gen * 16384 + off) for gram, off in entries]
    print('\n'.join(out))


main()
