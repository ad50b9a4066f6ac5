#!/usr/bin/env python3
"""monodis_methods.py - compare the IL of methods in two `monodis` listings.

  monodis_methods.py same ORIG.il NEW.il
      every method of ORIG must be in NEW with the same IL (the "Method
      begins at RVA" comment aside); prints "N methods, same IL" or the
      differing methods, exit 1
  monodis_methods.py differing ORIG.il NEW.il
      prints how many methods of ORIG have a different body in NEW

A method is keyed by its `// end of method Type::Name` line and its
declaration lines (so overloads stay apart); its body is every line between
the declaration's `{` and that end line.
"""
import re
import sys

END = re.compile(r'^\s*\} // end of (global )?method (.*)$')


def methods(path):
    lines = open(path, encoding='utf-8', errors='replace').read().splitlines()
    out, i = {}, 0
    while i < len(lines):
        if not lines[i].strip().startswith('.method'):
            i += 1
            continue
        decl = []
        while lines[i].strip() != '{':
            decl.append(lines[i].strip())
            i += 1
        i += 1
        body = []
        while not END.match(lines[i]):
            if 'Method begins at RVA' not in lines[i]:
                body.append(lines[i])
            i += 1
        key = END.match(lines[i]).group(2) + ' | ' + ' '.join(decl)
        assert key not in out, 'duplicate method ' + key
        out[key] = body
        i += 1
    return out


def main(argv):
    if len(argv) != 4 or argv[1] not in ('same', 'differing'):
        sys.exit(__doc__)
    a, b = methods(argv[2]), methods(argv[3])
    if not a:
        sys.exit('no methods in ' + argv[2])
    diff = [k for k in a if b.get(k) != a[k]]
    if argv[1] == 'differing':
        print(len(diff))
        return 0
    for k in diff:
        print('differs: ' + k.split(' | ')[0] + (' (missing)' if k not in b else ''))
    if diff:
        return 1
    print('%d methods, same IL' % len(a))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
