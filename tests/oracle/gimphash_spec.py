#!/usr/bin/env python3
"""gimphash_spec.py -- owns the reference ("spec") selection of gimphash.

Reads function names from stdin, one per line, in pclntab order, and writes
to stdout the exact bytes that gimphash feeds to SHA-256: the kept names
concatenated, with no separator and no trailing newline. Usage:

    python3 gimphash_spec.py < names.txt | sha256sum

Written from the project's spec text only. For each name, in order:
  1. skip it if it starts with "go." or "type.";
  2. if "vendor/" occurs in it, drop everything up to and including the
     last occurrence;
  3. skip it if it now contains "internal/";
  4. skip it if it starts with runtime, sync, syscall, type, time, unicode,
     reflect or strconv (plain prefix test, so "syncthing/x.F" is skipped);
  5. p = text after the last "/" (whole name if none); base = text after
     the first "." of p (all of p if none). Walk base's characters (UTF-8;
     an invalid byte reads as U+FFFD): the first character of category Ll
     skips the name; the first of category Lu, Nd, Nl or No ends the walk
     (not skipped); anything else is passed over; no such character means
     not skipped. Then base2 = text after the first "." of base (all of base
     if none) gets the same test;
  6. keep the (possibly vendor-trimmed) name.
"""
import sys
import unicodedata

SKIP_PREFIXES = (b"runtime", b"sync", b"syscall", b"type", b"time",
                 b"unicode", b"reflect", b"strconv")


def after_first_dot(s):
    i = s.find(b".")
    return s if i < 0 else s[i + 1:]


def lower_first(s):
    """True if the first Ll/Lu/Nd/Nl/No character of s is lower-case."""
    for ch in s.decode("utf-8", "replace"):
        cat = unicodedata.category(ch)
        if cat == "Ll":
            return True
        if cat in ("Lu", "Nd", "Nl", "No"):
            return False
    return False


def kept(name):
    """Return the bytes to hash for name, or None if it is skipped."""
    if name.startswith(b"go.") or name.startswith(b"type."):
        return None
    i = name.rfind(b"vendor/")
    if i >= 0:
        name = name[i + len(b"vendor/"):]
    if b"internal/" in name:
        return None
    if name.startswith(SKIP_PREFIXES):
        return None
    p = name[name.rfind(b"/") + 1:]
    base = after_first_dot(p)
    if lower_first(base):
        return None
    if lower_first(after_first_dot(base)):
        return None
    return name


def main():
    data = sys.stdin.buffer.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    out = sys.stdout.buffer
    for name in lines:
        k = kept(name)
        if k is not None:
            out.write(k)
    out.flush()


if __name__ == "__main__":
    main()
