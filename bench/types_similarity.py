"""types_similarity.py - issue 23 item 4, an experiment: do the sets of a
program's own runtime type names, or of its type shapes, sort the corpus
families better than gimpset?  Driven by bench/types_similarity.sh.

    types_similarity.py MALGOPHER MANIFEST.tsv CORPUS_DIR WORK_DIR [EVAL.txt]

Per corpus Go file (MANIFEST rows with is_go = yes whose file is present
under CORPUS_DIR) it reads `malgopher info --json` (gimpset digest, function
names, package classes) and `malgopher types --json`, caches the features in
WORK_DIR/features.jsonl, and builds these sets:

  gimpset      the digest `info` prints (the reference; must reproduce eval)
  types-own    names of the defined types whose package `info` classes `own`
  types-nonstd names of the defined types whose package is not the standard
               library (gimpset's own-code rule applied to pkg_path)
  shapes-own   shapes of the own types: kind, size, method counts and, per
               struct field, offset, embedded flag and the field type's kind
               and size (no names: they survive renaming)
  shapes-nonstd  the same over the non-std types
  shapes+tags  shapes-nonstd with the field tags
  shapes-all   shapes of every type (standard library included)
  combinations gimpset's names + type names in one sketch; max(gimpset, X)

Every set is sketched exactly as gimpset sketches its names (the K = 256
one-permutation MinHash of docs/spec/gimpset.md, via the independent
tests/gimpset/gimpset_ref.py) and compared as gimpset compares, so only the
set changes.  Families are the connected components of the pairs scoring
>= T (single linkage), as `eval` builds them; samples with an empty set link
nothing.  V-measure, homogeneity and completeness as scikit-learn defines
them.  The gimpset row is checked against `malgopher eval`'s own sweep
(EVAL.txt) before anything else is printed."""
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "gimpset"))
import gimpset_ref as gs  # noqa: E402

THRESHOLDS = list(range(10, 95, 5))
DEFAULT_T = 35


def manifest(path, corpus):
    rows = []
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        col = {n: i for i, n in enumerate(head)}
        for line in f:
            c = line.rstrip("\n").split("\t")
            if c[col["is_go"]] != "yes":
                continue
            if os.path.isfile(os.path.join(corpus, c[col["file"]])):
                rows.append((c[col["file"]], c[col["family"]]))
    return rows


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return json.loads(out.decode("utf-8", "surrogateescape").splitlines()[0])


def strip_pkg(name):
    """`pkg.Name[args]` -> `Name[...]` (the package name is replaced by the path)."""
    head = name.split("[", 1)[0]
    dot = head.find(".")
    return gs.normalise(name[dot + 1:] if dot >= 0 else name)


def is_nonstd(pkg):
    return pkg == "main" or "." in pkg.split("/", 1)[0]


def shape(t, by_name, tags):
    parts = [t["kind"], str(t["size"]), str(len(t["methods"])),
             str(len(t["interface_methods"]))]
    for fld in t["fields"]:
        k, s = by_name.get(fld["type"], ("?", "?"))
        p = "%d:%s:%s:%s" % (fld["offset"], int(bool(fld["embedded"])), k, s)
        if tags:
            p += ":" + (fld["tag"] or "")
        parts.append(p)
    if t["kind"] in ("ptr", "slice", "array", "chan", "map"):
        for ref in ("elem", "key"):
            if t.get(ref):
                parts.append(ref + "=" + ":".join(map(str, by_name.get(t[ref], ("?",)))))
    return "|".join(parts)


def features(mg, corpus, rel):
    p = os.path.join(corpus, rel)
    info = run_json([mg, "info", "--json", p])
    typ = run_json([mg, "types", "--json", p])
    own_pkgs = {pk["path"] for pk in info.get("packages", []) if pk["class"] == "own"}
    funcs = [fn["name"] for fn in info.get("function_table", [])]
    by_name = {}
    for t in typ["types"]:
        by_name.setdefault(t["name"], (t["kind"], t["size"]))
    f = {"file": rel, "gimpset": info.get("gimpset", "gs1:256:"),
         "func_names": sorted({gs.normalise(n) for n in map(gs.select, funcs) if n}),
         "types_total": len(typ["types"])}
    sets = {k: set() for k in ("types-own", "types-nonstd", "shapes-own",
                               "shapes-nonstd", "shapes+tags", "shapes-all")}
    for t in typ["types"]:
        sets["shapes-all"].add(shape(t, by_name, False))
        pkg = t["pkg_path"]
        if not pkg:
            continue
        key = pkg + "." + strip_pkg(t["name"])
        if pkg in own_pkgs:
            sets["types-own"].add(key)
            sets["shapes-own"].add(shape(t, by_name, False))
        if is_nonstd(pkg):
            sets["types-nonstd"].add(key)
            sets["shapes-nonstd"].add(shape(t, by_name, False))
            sets["shapes+tags"].add(shape(t, by_name, True))
    for k, v in sets.items():
        f[k] = sorted(v)
    return f


def load(mg, corpus, work, rows):
    cache = os.path.join(work, "features.jsonl")
    have = {}
    if os.path.exists(cache):
        with open(cache, encoding="utf-8", errors="surrogateescape") as fh:
            for line in fh:
                d = json.loads(line)
                have[d["file"]] = d
    with open(cache, "a", encoding="utf-8", errors="surrogateescape") as fh:
        for i, (rel, _) in enumerate(rows):
            if rel not in have:
                print("  [%d/%d] %s" % (i + 1, len(rows), rel), file=sys.stderr)
                have[rel] = features(mg, corpus, rel)
                fh.write(json.dumps(have[rel]) + "\n")
                fh.flush()
    return [have[rel] for rel, _ in rows]


def sketch(keys):
    """gimpset's sketch of arbitrary strings (spec steps 5-7, no selection)."""
    slots = [None] * gs.K
    for k in keys:
        h = gs.name_hash(k.encode("utf-8", "surrogateescape"))
        b, v = h >> 56, h & 0xFFFFFFFF
        if slots[b] is None or v < slots[b]:
            slots[b] = v
    if all(s is None for s in slots):
        return []
    out = []
    for i in range(gs.K):
        d = 0
        while slots[(i + d) % gs.K] is None:
            d += 1
        out.append((slots[(i + d) % gs.K] + d * 0x9E3779B9) & 0xFFFFFFFF)
    return out


def score(x, y):
    if not x or not y:
        return 0
    return 100 * sum(p == q for p, q in zip(x, y)) // gs.K


def matrix(sketches):
    n = len(sketches)
    m = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            m[i][j] = m[j][i] = score(sketches[i], sketches[j])
    return m


def families(m, t):
    n = len(m)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a
    for i in range(n):
        for j in range(i + 1, n):
            if m[i][j] >= t:
                parent[find(i)] = find(j)
    return [find(i) for i in range(n)]


def entropy(counts, n):
    return -sum(c / n * math.log(c / n) for c in counts if c)


def vmeasure(labels, clusters):
    n = len(labels)
    joint = Counter(zip(labels, clusters))
    hc = entropy(Counter(labels).values(), n)
    hk = entropy(Counter(clusters).values(), n)
    ck = Counter(clusters)
    cl = Counter(labels)
    h_c_k = -sum(v / n * math.log(v / ck[k]) for (c, k), v in joint.items())
    h_k_c = -sum(v / n * math.log(v / cl[c]) for (c, k), v in joint.items())
    hom = 1.0 if hc == 0 else 1 - h_c_k / hc
    com = 1.0 if hk == 0 else 1 - h_k_c / hk
    v = 0.0 if hom + com == 0 else 2 * hom * com / (hom + com)
    return len(set(clusters)), hom, com, v


def sweep(m, labels):
    return {t: vmeasure(labels, families(m, t)) for t in THRESHOLDS}


def check_eval(eval_txt, ref):
    """Every threshold line of `eval --sweep --no-baselines` equals ours."""
    seen = 0
    with open(eval_txt, encoding="utf-8") as fh:
        for line in fh:
            c = line.split()
            if len(c) == 5 and c[0].isdigit() and int(c[0]) in ref:
                fam, hom, com, v = ref[int(c[0])]
                mine = [str(fam), "%.4f" % hom, "%.4f" % com, "%.4f" % v]
                if mine != c[1:]:
                    sys.exit("gimpset reproduction differs from eval at T=%s: %s vs %s"
                             % (c[0], mine, c[1:]))
                seen += 1
    if seen != len(THRESHOLDS):
        sys.exit("eval sweep lines found: %d of %d" % (seen, len(THRESHOLDS)))
    print("gimpset reproduced: eval's sweep and this script agree at all %d thresholds" % seen)


def held_out(mats, labels, draws=20, seed=23):
    """As docs/spec/gimpset.md checks gimpset: draws of half the families,
    each clustered alone at T = 35; mean and lowest V, wins over gimpset."""
    rng = random.Random(seed)
    fams = sorted(set(labels))
    vs = {k: [] for k in mats}
    for _ in range(draws):
        pick = set(rng.sample(fams, len(fams) // 2))
        keep = [i for i, lab in enumerate(labels) if lab in pick]
        sub_labels = [labels[i] for i in keep]
        for k, m in mats.items():
            sub = [[m[i][j] for j in keep] for i in keep]
            vs[k].append(vmeasure(sub_labels, families(sub, DEFAULT_T))[3])
    print()
    print("held out: %d draws of half the families (seed %d), each alone at T=%d:"
          % (draws, seed, DEFAULT_T))
    for k, v in vs.items():
        wins = sum(a > b for a, b in zip(v, vs["gimpset"]))
        ties = sum(a == b for a, b in zip(v, vs["gimpset"]))
        print("  %-27s mean V %.4f  lowest %.4f  above gimpset in %d, equal in %d"
              % (k, sum(v) / len(v), min(v), wins, ties))


def report(name, res):
    best = max(THRESHOLDS, key=lambda t: (res[t][3], -t))
    for label, t in (("T=%d" % DEFAULT_T, DEFAULT_T), ("best T=%d" % best, best)):
        fam, hom, com, v = res[t]
        print("%-27s %-10s %8d %12.4f %13.4f %10.4f" % (name, label, fam, hom, com, v))
    return best


def main():
    mg, man, corpus, work = sys.argv[1:5]
    eval_txt = sys.argv[5] if len(sys.argv) > 5 else None
    rows = manifest(man, corpus)
    labels = [fam for _, fam in rows]
    feats = load(mg, corpus, work, rows)
    sk = {"gimpset": [gs.parse(f["gimpset"]) or [] for f in feats]}
    kinds = ("types-own", "types-nonstd", "shapes-own", "shapes-nonstd",
             "shapes+tags", "shapes-all")
    for k in kinds:
        sk[k] = [sketch(f[k]) for f in feats]
    sk["funcs+types-nonstd"] = [sketch(f["func_names"] + ["T " + x for x in f["types-nonstd"]])
                                for f in feats]
    sk["funcs+shapes-nonstd"] = [sketch(f["func_names"] + ["S " + x for x in f["shapes-nonstd"]])
                                 for f in feats]
    # the selection/normalisation of the reference implementation reproduces the C digest
    bad = sum(gs.digest(f["func_names"]) != f["gimpset"] for f in feats)
    print("samples: %d, %d labels; gimpset digests rebuilt from the function names: %d differ"
          % (len(rows), len(set(labels)), bad))
    mats = {k: matrix(v) for k, v in sk.items()}
    for k in ("types-nonstd", "shapes-nonstd"):
        mats["max(gimpset," + k + ")"] = [[max(a, b) for a, b in zip(r1, r2)]
                                          for r1, r2 in zip(mats["gimpset"], mats[k])]
    res = {k: sweep(m, labels) for k, m in mats.items()}
    if eval_txt:
        check_eval(eval_txt, res["gimpset"])
    print()
    print("%-27s %-10s %8s %12s %13s %10s" % ("measure", "threshold", "families",
                                               "homogeneity", "completeness", "V-measure"))
    for k in res:
        report(k, res[k])
    print()
    print("empty sets (a sample with none links nothing; its own family):")
    for k in ("gimpset",) + kinds:
        empty = [f["file"] for f, s in zip(feats, sk[k]) if not s]
        print("  %-14s %3d of %d%s" % (k, len(empty), len(feats),
                                      (": " + ", ".join(empty[:6]) + (" ..." if len(empty) > 6 else ""))
                                      if empty else ""))
    none = [f["file"] for f in feats if not f["types_total"]]
    print("  no type listed at all (types not read):  %d%s" % (len(none), (": " + ", ".join(none)) if none else ""))
    sizes = sorted(len(f["types-own"]) for f in feats)
    print("own type names per file: min %d, median %d, max %d; non-std: median %d"
          % (sizes[0], sizes[len(sizes) // 2], sizes[-1],
             sorted(len(f["types-nonstd"]) for f in feats)[len(feats) // 2]))
    # the same scores on the samples every measure can place (no empty set)
    keep = [i for i in range(len(feats)) if all(sk[k][i] for k in ("gimpset",) + kinds)]
    if len(keep) < len(feats):
        print()
        print("on the %d samples where no set is empty:" % len(keep))
        sub_labels = [labels[i] for i in keep]
        for k, m in mats.items():
            sub = [[m[i][j] for j in keep] for i in keep]
            report(k, sweep(sub, sub_labels))
    held_out(mats, labels)
    print()
    print("sweep (V-measure by threshold):")
    print("%-27s " % "measure" + " ".join("%6d" % t for t in THRESHOLDS))
    for k in res:
        print("%-27s " % k + " ".join("%6.4f" % res[k][t][3] for t in THRESHOLDS))


if __name__ == "__main__":
    main()
