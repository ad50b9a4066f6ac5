#!/usr/bin/env python3
# lite_pages_v7.py - the tests' way back to a SQLite collection of schema 7:
# the page TABLEs of the collection stored without rowid, as schemas 6 and
# 7 made them (their DDL spelled here, from docs/collection.md "Gram pages"
# and "Gimpset pages", not from the code), holding the same rows; and the
# version set to VERSION when given.
# usage: lite_pages_v7.py FILE [--version V] TABLE...
import sqlite3, sys

KEYS = {'set_pages': ('gen BIGINT NOT NULL, slot INTEGER NOT NULL, bucket INTEGER NOT NULL, first_id BIGINT NOT NULL',
                      'gen, slot, bucket, first_id'),
        'gram_pages': ('gen BIGINT NOT NULL, bucket INTEGER NOT NULL, first_id BIGINT NOT NULL', 'gen, bucket, first_id')}


def main():
    args = sys.argv[2:]
    version = None
    if args[:1] == ['--version']:
        version, args = int(args[1]), args[2:]
    c = sqlite3.connect(sys.argv[1])
    for t in args:
        cols, key = KEYS[t]
        c.execute('ALTER TABLE %s RENAME TO keep' % t)
        c.execute('CREATE TABLE %s (%s, n BIGINT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (%s)) WITHOUT ROWID'
                  % (t, cols, key))
        c.execute('INSERT INTO %s SELECT * FROM keep' % t)
        c.execute('DROP TABLE keep')
    c.commit()
    if version is not None:
        c.execute('PRAGMA user_version = %d' % version)
        c.commit()


main()
