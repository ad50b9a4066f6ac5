#!/usr/bin/env python3
"""test_go_fixtures.py -- every field and function of the YARA `go` and
`fuzzy` modules, and the stock modules hash/math/elf/pe/macho, evaluated by
`malgopher scan` on each file of the fixture matrix, against values from
sources that do not use malgopher:

  go.goos/goarch, go.stripped     matrix.tsv (how the fixture was built)
  go.version, main_package,       `go version -m` of the host Go toolchain
  main_module, build_setting()
  go.pclntab_version              the Go version (1.18/1.19 write the 1.18 table)
  go.number_of_functions,         the nm oracle's function list (funcs.expected.txt)
  go.function(), go.package()     with Python's re and Go's PathToPrefix rule
  go.gimphash                     gimphash.expected (spec oracle + sha256sum)
  go.gimpfuzzy                    the spec oracle's bytes through the ssdeep command
  fuzzy.ssdeep()                  the ssdeep command on the file
  fuzzy.compare()                 ssdeep -a -k (the ssdeep command's matching)
  hash.*, math.entropy            sha256sum / md5sum, Python
  elf/pe/macho counts             readelf, Python struct reads of the headers
and, for the stock modules, the whole output of Debian's /usr/bin/yara on the
same rules (line for line).

usage: test_go_fixtures.py MALGOPHER FIXTURE_DIR
"""
import hashlib
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modcheck import Checker, evaluate, yara_escape, yara_string  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "..", "oracle", "gimphash_spec.py")


def go_prefix(path):
    """Go's objabi.PathToPrefix: how a package path appears in symbol names"""
    slash = path.rfind("/")
    out = []
    for i, b in enumerate(path.encode()):
        if b <= 0x20 or b in (0x25, 0x22) or b >= 0x7F or (b == 0x2E and i > slash):
            out.append("%%%02x" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def go_version_m(path):
    """`go version -m`: (version, path, (mod path, version, sum), [deps], {settings}) or None"""
    env = dict(os.environ, GOENV="off", GOFLAGS="", GOTOOLCHAIN="local")
    p = subprocess.run(["go", "version", "-m", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        return None
    lines = p.stdout.decode().splitlines()
    if not lines or ": " not in lines[0]:
        return None
    version = lines[0].rsplit(": ", 1)[1]
    main_pkg, mod, deps, settings = "", None, [], {}
    for line in lines[1:]:
        f = line.strip("\t").split("\t")
        if f[0] == "path":
            main_pkg = f[1]
        elif f[0] == "mod":
            mod = (f[1], f[2] if len(f) > 2 else "", f[3] if len(f) > 3 else "")
        elif f[0] == "dep":
            deps.append((f[1], f[2] if len(f) > 2 else "", f[3] if len(f) > 3 else ""))
        elif f[0] == "build":
            k, _, v = f[1].partition("=")
            if v.startswith('"'):
                import ast
                v = ast.literal_eval(v)
            settings[k] = v
    return version, main_pkg, mod, deps, settings


def go_stripped(path):
    """"1" when `go tool nm` finds no runtime.main (Go 1.19 keeps the Go
    symbols of a darwin binary even with -ldflags=-s)"""
    p = subprocess.run(["go", "tool", "nm", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, GOENV="off", GOFLAGS=""))
    return "0" if re.search(rb" T runtime\.main$", p.stdout, re.M) else "1"


def pclntab_of(version):
    m = re.match(r"go1\.(\d+)", version)
    minor = int(m.group(1))
    return "1.20" if minor >= 20 else "1.18" if minor >= 18 else "1.16" if minor >= 16 else "1.2"


def ssdeep_file(path):
    out = subprocess.run(["ssdeep", "-s", "-b", path], stdout=subprocess.PIPE,
                         check=True).stdout.decode().splitlines()
    return out[1].rsplit(",", 1)[0]


def ssdeep_bytes(data, tmp):
    with open(tmp, "wb") as f:
        f.write(data)
    return ssdeep_file(tmp)


def ssdeep_score(a, b, tmp):
    """the ssdeep command's own score of digest b against digest a (0 when it
    prints no match), via its signature-file matching mode"""
    with open(tmp, "w") as f:
        f.write('ssdeep,1.1--blocksize:hash:hash,filename\n%s,"a"\n' % a)
    with open(tmp + ".b", "w") as f:
        f.write('ssdeep,1.1--blocksize:hash:hash,filename\n%s,"b"\n' % b)
    out = subprocess.run(["ssdeep", "-s", "-a", "-k", tmp, "-x", tmp + ".b"],
                         stdout=subprocess.PIPE).stdout.decode()
    m = re.search(r"\((\d+)\)\s*$", out.strip())
    return int(m.group(1)) if m else 0


def entropy(data):
    if not data:
        return 0.0
    counts = [0] * 256
    for b in data:
        counts[b] += 1
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in counts if c)


def elf_sections(path):
    out = subprocess.run(["readelf", "-h", "-W", path], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    return int(re.search(r"Number of section headers:\s+(\d+)", out).group(1))


def pe_sections(data):
    e_lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[e_lfanew:e_lfanew + 4] == b"PE\0\0"
    return struct.unpack_from("<H", data, e_lfanew + 6)[0]


def macho_ncmds(data):
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic in (0xFEEDFACE, 0xFEEDFACF)
    return struct.unpack_from("<I", data, 16)[0]


def main():
    malgopher, fx = sys.argv[1], sys.argv[2]
    c = Checker()
    tmpdir = tempfile.mkdtemp()
    rules = os.path.join(tmpdir, "r.yar")
    have_yara = shutil.which("yara") is not None
    if not have_yara:
        print("note: /usr/bin/yara missing (Debian package yara): oracle comparison skipped")
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(fx, "matrix.tsv"))][1:]
    byname = {r[0]: r for r in rows}
    gimphash = {}
    for r in rows:
        if r[4] == "stripped":
            gimphash[r[8]] = gimphash[r[0]] = open(os.path.join(fx, r[0], "gimphash.expected")).read().split()[0]
    gimphash["darwin-fat-plain"] = gimphash["darwin-amd64-plain"]
    digests = []
    for r in rows:
        name, rel, goos, goarch, flavor, container = r[:6]
        path = os.path.join(fx, rel)
        data = open(path, "rb").read()
        # the image the module describes: the first slice of the fat file
        first = byname["darwin-amd64-plain"] if name == "darwin-fat-plain" else r
        twin = first if first[4] == "plain" else byname[first[8]]
        names = [l.rstrip("\n").split("\t", 1)[1] for l in
                 open(os.path.join(fx, twin[0], "funcs.expected.txt"), encoding="utf-8")]
        spec = subprocess.run([sys.executable, ORACLE], input="\n".join(names).encode() + b"\n",
                              stdout=subprocess.PIPE, check=True).stdout
        bi = go_version_m(os.path.join(fx, first[1]))
        c.ok(name + ": go version -m reads it", bi is not None)
        version, main_pkg, mod, deps, settings = bi
        want = {
            "go.is_go": "1",
            "go.version": version,
            "go.version_source": "buildinfo",
            "go.pclntab_version": pclntab_of(version),
            "go.goos": first[2],
            "go.goarch": first[3],
            "go.stripped": go_stripped(os.path.join(fx, first[1])),
            "go.number_of_functions": str(len(names)),
            "go.gimphash": gimphash[name],
            "go.gimpfuzzy": ssdeep_bytes(spec, os.path.join(tmpdir, "spec.bin")),
            "go.gimphash_names": None,  # checked against the spec oracle below
            "go.main_package": main_pkg,
            "go.main_module.path": mod[0],
            "go.main_module.version": mod[1],
            "go.number_of_dependencies": str(len(deps)),
            "go.dependency(/./)": "0",
            "go.build_setting(\"NO_SUCH_SETTING\")": None,
            "fuzzy.ssdeep()": ssdeep_file(path),
            "fuzzy.ssdeep(0, 4096)": ssdeep_bytes(data[:4096], os.path.join(tmpdir, "head.bin")),
            "fuzzy.ssdeep(filesize, 1)": None,
            "hash.sha256(0, filesize)": hashlib.sha256(data).hexdigest(),
            "hash.md5(0, filesize)": hashlib.md5(data).hexdigest(),
        }
        if not mod[2]:
            want["go.main_module.sum"] = None
        for k, v in settings.items():
            want["go.build_setting(%s)" % yara_string(k)] = v
        for fname in ["main.main", "main.Über", "main.ärger", "main.greet.func1",
                      "example.com/mgfixture/pkg/codec.Map[...]", "runtime.main",
                      "fmt.Println", "no.such.function"]:
            want["go.function(%s)" % yara_string(fname)] = str(names.count(fname))
        for rx in [r"^main\.", r"\.func[0-9]+$", r"codec", r"^runtime\.", r"^type\.\.eq\.",
                   r"Map\[", r"^zzz"]:
            n = sum(1 for x in names if re.search(rx, x))
            want["go.function(/%s/)" % rx] = str(n)
        for pkg in ["main", "fmt", "strings", "example.com/mgfixture/pkg/codec",
                    "example.com/mgfixture/internal/util", "example.com/mgfixture/pkg",
                    "codec", "net/http", "internal/cpu", "unicode/utf8"]:
            pre = go_prefix(pkg) + "."
            want["go.package(%s)" % yara_string(pkg)] = "1" if any(
                x.startswith(pre) for x in names) else "0"
        c.ok(name + ": the package list has both answers",
             {want["go.package(\"main\")"], want["go.package(\"net/http\")"]} == {"1", "0"})
        if container == "ELF":
            want["elf.number_of_sections"] = str(elf_sections(path))
        if container == "PE":
            want["pe.number_of_sections"] = str(pe_sections(data))
            want["pe.is_pe"] = "1"
        if container == "MachO":
            want["macho.ncmds"] = str(macho_ncmds(data))
        exprs = list(want) + ["math.entropy(0, filesize)"]
        got, log, rc = evaluate(malgopher, rules, exprs, path)
        c.eq(name + ": scan exit status", rc, 0)
        if rc != 0:
            print(log)
        for k, v in want.items():
            if k == "go.gimphash_names":
                continue
            c.eq("%s: %s" % (name, k), got.get(k), None if v is None else yara_escape(v))
        e = float(got.get("math.entropy(0, filesize)", "nan"))
        c.ok("%s: math.entropy %r vs %r" % (name, e, entropy(data)), abs(e - entropy(data)) < 1e-5)
        digests.append((name + " gimpfuzzy", got.get("go.gimpfuzzy")))
        digests.append((name + " ssdeep", got.get("fuzzy.ssdeep()")))

        # the stock modules give yara's own output, line for line
        if have_yara:
            stock = [k for k in exprs if k.split(".")[0] in ("hash", "math", "elf", "pe", "macho")]
            text = 'import "hash"\nimport "math"\nimport "elf"\nimport "pe"\nimport "macho"\nimport "console"\n'
            text += "".join('rule s%d : t%d { meta: n = %d strings: $a = "Go" $h = { 47 6F } '
                            'condition: console.log("%d\\t", %s) and #a >= 0 and #h >= 0 }\n'
                            % (i, i % 2, i, i, k) for i, k in enumerate(stock))
            stock_rules = os.path.join(tmpdir, "stock.yar")
            open(stock_rules, "w").write(text)
            a = subprocess.run(["yara", "-g", "-m", stock_rules, path], stdout=subprocess.PIPE)
            b = subprocess.run([malgopher, "scan", "-g", "-m", stock_rules, path], stdout=subprocess.PIPE)
            c.eq(name + ": stock modules, output as yara's", b.stdout.decode(), a.stdout.decode())
            c.eq(name + ": stock modules, status as yara's", b.returncode, a.returncode)

    # fuzzy.compare between the fixtures' gimpfuzzy and whole-file digests,
    # against the ssdeep command's score of the same pair
    digests = [d for d in digests if d[1]][::2] + [d for d in digests if d[1]][1::4]
    # plus ssdeep digests of a random buffer changed by more and more blocks,
    # which spread the scores over the whole range
    import random
    rnd = random.Random(5)
    base = bytearray(rnd.getrandbits(8) for _ in range(120000))
    for step in range(8):
        for _ in range(step * 3):
            at = rnd.randrange(len(base) - 2000)
            base[at:at + 2000] = bytes(rnd.getrandbits(8) for _ in range(2000))
        digests.append(("random step %d" % step, ssdeep_bytes(bytes(base), os.path.join(tmpdir, "rnd"))))
    pairs = [(a, b) for i, a in enumerate(digests) for b in digests[i + 1:]]
    exprs = ["fuzzy.compare(%s, %s)" % (yara_string(a[1]), yara_string(b[1])) for a, b in pairs]
    got, _, _ = evaluate(malgopher, rules, exprs, os.path.join(fx, rows[0][1]))
    scores = set()
    for (a, b), e in zip(pairs, exprs):
        want = ssdeep_score(a[1], b[1], os.path.join(tmpdir, "sig"))
        scores.add(want)
        c.eq("fuzzy.compare %s vs %s" % (a[0], b[0]), got.get(e), str(want))
    print("fuzzy.compare: %d pairs, %d distinct scores from %d to %d"
          % (len(pairs), len(scores), min(scores), max(scores)))
    c.ok("fuzzy.compare pairs cover 0, 100 and scores between", {0, 100} <= scores and len(scores) > 8)
    shutil.rmtree(tmpdir)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
