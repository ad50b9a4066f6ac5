"""modcheck.py -- helpers shared by the YARA module tests: evaluate YARA
expressions on a file through `malgopher scan` and read their values back.

Each expression gets its own rule `rule vN { condition: console.log("N\\t", EXPR) }`;
console.log is not called when EXPR is undefined, so a key missing from the
result means "undefined".  Values come back as yara's console module prints
them: integers in decimal, strings with every byte that is not printable
ASCII written \\xNN (see yara_escape), floats with %f.
"""
import json
import subprocess

HEADER = 'import "go"\nimport "fuzzy"\nimport "console"\nimport "hash"\nimport "math"\nimport "pe"\nimport "elf"\nimport "macho"\n'


def yara_escape(value):
    """bytes or str -> the text yara's console.log prints for a string"""
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    return "".join(chr(b) if 32 <= b < 127 else "\\x%02x" % b for b in value)


def yara_string(value):
    """a Python str as a YARA string literal"""
    out = []
    for b in value.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\x%02x" % b)
    return '"' + "".join(out) + '"'


def rules_for(exprs):
    """exprs: list of YARA expressions -> rule text"""
    lines = [HEADER]
    for i, e in enumerate(exprs):
        lines.append('rule v%d { condition: console.log("%d\\t", %s) }\n' % (i, i, e))
    return "".join(lines)


def evaluate(malgopher, rule_file, exprs, path):
    """-> ({expr: printed value}, stdout, returncode); rule_file is written"""
    with open(rule_file, "w") as f:
        f.write(rules_for(exprs))
    p = subprocess.run([malgopher, "scan", "-p", "1", "-i", "none", rule_file, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode("ascii", "replace")
    values = {}
    for line in out.splitlines():
        k, sep, v = line.partition("\t")
        if sep and k.isdigit() and int(k) < len(exprs):
            values[exprs[int(k)]] = v
    return values, out + p.stderr.decode("utf-8", "replace"), p.returncode


class Checker:
    """counts and prints failures"""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s: got %r want %r" % (what, got, want))

    def ok(self, what, cond):
        self.eq(what, bool(cond), True)

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def run(args):
    """stdout of a command, decoded as malgopher prints paths"""
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode(
        "utf-8", "surrogateescape")


def cli_json(malgopher, paths):
    """`info --json` objects by file (one per image) and `hash --json`
    objects by (path, slice), the CLI's view the modules must agree with"""
    info = {}
    for line in run([malgopher, "info", "--json"] + paths).splitlines():
        d = json.loads(line)
        info.setdefault(d["file"], []).append(d)
    hashes = {}
    for line in run([malgopher, "hash", "--json"] + paths).splitlines():
        d = json.loads(line)
        hashes[(d["path"], d["slice"])] = d
    return info, hashes
