#!/usr/bin/env python3
# db_latency.py - latency of `malgopher db match` as a user sees it: one
# process per query (open, version check, gram lookup, exact scoring), Q
# queries drawn (seeded) from the synthetic lines (their gimpset, the
# default measure's digest, else their gimpfuzzy), p50/p99 in ms; the same
# for a query that matches nothing ("3::", open + check only) as the floor;
# and the median client CPU time (user+sys) of a query, which the load of
# other jobs on the machine does not inflate as it does the wall time.
# With MEASURE fuzzy: their gimpfuzzy under `--measure fuzzy` (the gram
# index's search) instead.
# usage: db_latency.py MALGOPHER URI LINES.jsonl Q SEED [fuzzy]
import json, random, resource, subprocess, sys, time

m, uri, lines, q, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
fuzzy = sys.argv[6:] == ['fuzzy']
measure = ['--measure', 'fuzzy'] if fuzzy else []
digests = [o['gimpfuzzy'] if fuzzy else o.get('gimpset') or o['gimpfuzzy'] for o in map(json.loads, open(lines))]
r = random.Random(seed)

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def run(d):
    t, c = time.perf_counter(), cpu()
    p = subprocess.run([m, 'db', 'match', '--db', uri] + measure + ['-k', '5', d], stdout=subprocess.PIPE, check=True)
    return (time.perf_counter() - t) * 1000, p.stdout.count(b'\n') - 1, (cpu() - c) * 1000

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

lat, hits, cpus = zip(*[run(r.choice(digests)) for _ in range(q)])
floor = [run('3::')[0] for _ in range(max(10, q // 10))]
print('match p50 %.1f ms  p99 %.1f ms  (%d queries, %.1f hits each)  floor p50 %.1f ms  client CPU p50 %.1f ms p99 %.1f ms'
      % (pct(lat, 50), pct(lat, 99), q, sum(hits) / q, pct(floor, 50), pct(cpus, 50), pct(cpus, 99)))
