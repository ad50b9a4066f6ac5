#!/usr/bin/env python3
# db_ab.py - two or more `malgopher db match` builds or collections compared
# query by query: the Q queries db_latency.py draws (seeded) from the
# synthetic lines, each run by every SIDE in turn (one process per query,
# `-k 5`), REPS rounds, the best wall time of each query kept, so that the
# load of the machine and the order of the runs weigh alike on every side
# (the side that runs a query first runs it slower: each side goes first
# as often, in turn).
# Prints per side p50, p90, p99, the slowest query, the sum, how many
# queries took over 100 ms, and how many answers differ from the first
# side's (a change to a reader must answer the same).
# A SIDE is BINARY or BINARY@URI (the default URI otherwise).
# usage: db_ab.py SIDE,SIDE[,...] URI LINES.jsonl Q REPS [SEED]
import json, random, subprocess, sys, time


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    sides, uri, lines, q, reps = sys.argv[1].split(','), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 7
    digests = [o.get('gimpset') or o['gimpfuzzy'] for o in map(json.loads, open(lines))]
    r = random.Random(seed)
    queries = [r.choice(digests) for _ in range(q)]
    runs = [(s.split('@', 1) + [uri])[:2] for s in sides]
    best = [[float('inf')] * q for _ in runs]
    out = [[b''] * q for _ in runs]
    for rep in range(reps):
        for i, d in enumerate(queries):
            for j in [(rep + i + k) % len(runs) for k in range(len(runs))]:  # each side first as often
                binary, where = runs[j]
                t = time.perf_counter()
                p = subprocess.run([binary, 'db', 'match', '--db', where, '-k', '5', d], stdout=subprocess.PIPE,
                                   check=True)
                best[j][i] = min(best[j][i], (time.perf_counter() - t) * 1000)
                out[j][i] = p.stdout
    for j, side in enumerate(sides):
        v = best[j]
        print('%s\n    p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  slowest %.1f ms  sum %.0f ms  over 100 ms: %d  '
              'answers differing from the first: %d' % (side, pct(v, 50), pct(v, 90), pct(v, 99), max(v), sum(v),
                                                       sum(x > 100 for x in v),
                                                       sum(out[j][i] != out[0][i] for i in range(q))))


main()
