#!/usr/bin/env bash
# Rebuild the known-programs reference (data/known/reference.jsonl) from
# public packages: Debian's archive (.deb files checked against the SHA256
# of their Packages index) and the npm registry (tarballs checked against
# dist.integrity / dist.shasum).  Only digests and metadata are written.
#
# usage: tools/known/build_reference.sh [MALGOPHER] [options]
#   MALGOPHER           the malgopher binary (default build/malgopher)
#   --out FILE          where to write (default data/known/reference.jsonl);
#                       written to FILE.tmp.PID, then renamed
#   --work DIR          downloads go here and are kept (default: a mktemp
#                       directory, removed at the end)
#   --packages LIST     Debian packages (comma or space separated)
#   --suites LIST       Debian suites (default bookworm,trixie,forky)
#   --arches LIST       Debian architectures (default amd64)
#   --npm LIST          npm PKG@V1+V2,... (default the ngrok v2 agent when
#                       amd64 is built); none for no npm package
#   -j, --jobs N        packages handled at once (default 2)
#   --keep              keep the extracted packages in WORK/x (with --work)
# Exit status: 0 done, 1 some package failed (the others are written), 2 usage.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mg=build/malgopher out="$root/data/known/reference.jsonl" work="" args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --packages|--suites|--arches|--npm) args+=("$1" "$2"); shift 2 ;;
        -j|--jobs) args+=(--jobs "$2"); shift 2 ;;
        --keep) args+=(--keep); shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "build_reference.sh: unknown option $1" >&2; exit 2 ;;
        *) mg=$1; shift ;;
    esac
done
[ -x "$mg" ] || { echo "build_reference.sh: $mg: no malgopher binary (build it first)" >&2; exit 2; }
command -v dpkg-deb >/dev/null || { echo "build_reference.sh: dpkg-deb is missing" >&2; exit 2; }
mg=$(cd "$(dirname "$mg")" && pwd)/$(basename "$mg")
cleanup=""
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/mg-known.XXXXXX"); cleanup=$work
fi
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"; [ -z "$cleanup" ] || rm -rf "$cleanup"' EXIT
start=$(date +%s)
status=0
python3 "$here/build_reference.py" --malgopher "$mg" --work "$work" --out "$tmp" "${args[@]}" || status=$?
[ -s "$tmp" ] || exit 1
mv -f "$tmp" "$out"
end=$(date +%s)
python3 - "$out" "$((end - start))" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
recs = [json.loads(l) for l in lines[1:]]
names = sorted({r["name"] for r in recs})
print("%s: %d programs, %d records, %d bytes, %s s" % (sys.argv[1], len(names), len(recs),
      sum(len(l) + 1 for l in lines), sys.argv[2]))
PY
exit $status
