"""gimpset_ref.py - an independent Python implementation of the gimpset v1
specification (docs/spec/gimpset.md "Specification (gimpset v1)"), written
from the spec, not from the C code.

    gimpset_ref.py NAMES.txt     # one function name per line, or `malgopher funcs` lines
prints the gs1 digest of that name list."""
import base64
import sys

K = 256
MASK64 = (1 << 64) - 1


def select(name):
    """The name kept for the set, or None (spec steps 1-3)."""
    if name.startswith(("go.", "go:", "type.", "type:")):
        return None
    # vendor: keep what follows the last "vendor/" that starts a path element
    cut = -1
    start = 0
    while True:
        v = name.find("vendor/", start)
        if v < 0:
            break
        if v == 0 or name[v - 1] == "/":
            cut = v
        start = v + 1
    if cut == 0:
        return None          # the standard library's own vendored copies
    if cut > 0:
        name = name[cut + 7:]
    head = name.split("[", 1)[0]
    if "/" not in head:
        return name if head.split(".", 1)[0] == "main" else None
    if "." not in head.split("/", 1)[0]:
        return None          # standard library
    return name


def is_closure_part(part):
    for word in ("func", "gowrap", "deferwrap", ""):
        if part.startswith(word):
            rest = part[len(word):]
            if rest and rest.isascii() and rest.isdigit():
                return True
    return False


def normalise(name):
    """Generic brackets to "[...]", trailing closure parts removed (step 4)."""
    out = []
    depth = 0
    for ch in name:
        if ch == "[":
            if depth == 0:
                out.append("[...]")
            depth += 1
        elif ch == "]" and depth > 0:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    s = "".join(out)
    while True:
        d = s.rfind(".")
        if d <= 0 or not is_closure_part(s[d + 1:]):
            return s
        s = s[:d]


def name_hash(b):
    h = 0xCBF29CE484222325
    for c in b:
        h = ((h ^ c) * 0x100000001B3) & MASK64
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & MASK64
    return h ^ (h >> 31)


def digest(names):
    slots = [None] * K
    for raw in names:
        kept = select(raw)
        if kept is None:
            continue
        h = name_hash(normalise(kept).encode("utf-8", "surrogateescape"))
        b, v = h >> 56, h & 0xFFFFFFFF
        if slots[b] is None or v < slots[b]:
            slots[b] = v
    if all(s is None for s in slots):
        return "gs1:%d:" % K
    dense = []
    for i in range(K):
        d = 0
        while slots[(i + d) % K] is None:
            d += 1
        dense.append((slots[(i + d) % K] + d * 0x9E3779B9) & 0xFFFFFFFF)
    raw = b"".join(v.to_bytes(4, "little") for v in dense)
    return "gs1:%d:%s" % (K, base64.b64encode(raw).decode("ascii"))


def parse(d):
    parts = d.split(":")
    if len(parts) != 3 or parts[0] != "gs1" or parts[1] != str(K):
        return None
    if parts[2] == "":
        return []
    raw = base64.b64decode(parts[2], validate=True)
    if len(raw) != 4 * K:
        return None
    return [int.from_bytes(raw[4 * i:4 * i + 4], "little") for i in range(K)]


def compare(a, b):
    x, y = parse(a), parse(b)
    if x is None or y is None:
        return -1
    if not x or not y:
        return 0
    return 100 * sum(p == q for p, q in zip(x, y)) // K


def read_names(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            # `malgopher funcs` lines: "ADDRESS NAME"
            head, sep, rest = line.partition(" ")
            if sep and len(head) >= 8 and all(c in "0123456789abcdef" for c in head):
                line = rest
            yield line


if __name__ == "__main__":
    print(digest(read_names(sys.argv[1])))
