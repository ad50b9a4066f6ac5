#!/usr/bin/env bash
# Measure the naming threshold of the known-programs reference: score builds
# the reference does not hold (the same Debian packages for other
# architectures, other versions, Debian Go programs that are NOT in the
# reference, our own fixtures, the corpus) against it, with malgopher's own
# measures, and print the tables of docs/known-reference.md "Threshold
# evidence" (Markdown) on stdout.
#
# usage: tools/known/threshold_report.sh [MALGOPHER] [options]
#   --ref FILE        the reference (default data/known/reference.jsonl)
#   --work DIR        downloads and intermediate files (default: mktemp, removed)
#   --arches LIST     other architectures (default arm64,armhf,i386,ppc64el,s390x)
#   --packages LIST   the packages built for them (default: the reference's)
#   --not-ref LIST    Debian Go packages that are not in the reference: they
#                     must stay unnamed (default below)
#   --fixtures DIR    (default ~/.cache/malgopher/fixtures)
#   --corpus DIR      (default ~/.cache/malgopher/corpus)
#   --min-names N     also the tables leaving out digests of fewer gimpset
#                     names, and those counting only records of the query's
#                     identity (default 30)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mg=build/malgopher ref=$root/data/known/reference.jsonl work="" arches=arm64,armhf,i386,ppc64el,s390x
packages="" minnames=30
notref=podman,buildah,lxd,influxdb,packer,mtail,acmetool,prometheus-alertmanager,prometheus-blackbox-exporter,fq,wuzz,duf,glow,dasel,incus-client,gopass,golang-1.19-go,shfmt,gron
fixtures=$HOME/.cache/malgopher/fixtures corpus=$HOME/.cache/malgopher/corpus
while [ $# -gt 0 ]; do
    case "$1" in
        --ref) ref=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --arches) arches=$2; shift 2 ;;
        --packages) packages=$2; shift 2 ;;
        --not-ref) notref=$2; shift 2 ;;
        --fixtures) fixtures=$2; shift 2 ;;
        --corpus) corpus=$2; shift 2 ;;
        --min-names) minnames=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "threshold_report.sh: unknown option $1" >&2; exit 2 ;;
        *) mg=$1; shift ;;
    esac
done
[ -x "$mg" ] || { echo "threshold_report.sh: $mg: no malgopher binary" >&2; exit 2; }
cleanup=""
if [ -z "$work" ]; then work=$(mktemp -d "${TMPDIR:-/tmp}/mg-known-thr.XXXXXX"); cleanup=$work; fi
trap '[ -z "$cleanup" ] || rm -rf "$cleanup"' EXIT
mkdir -p "$work"
[ -n "$packages" ] || packages=$(python3 -c 'import json,sys; print(",".join(sorted({json.loads(l)["package"] for l in open(sys.argv[1]).read().splitlines()[1:] if not json.loads(l)["package"].startswith("@")})))' "$ref")
suites=$(python3 -c 'import json,sys; print(",".join(json.loads(open(sys.argv[1]).readline())["suites"]))' "$ref")
start=$(date +%s) load0=$(cut -d' ' -f1-3 /proc/loadavg)
pos=() neg=()
for a in ${arches//,/ }; do
    [ -s "$work/$a.jsonl" ] || "$here/build_reference.sh" "$mg" --arches "$a" --suites "$suites" --packages "$packages" \
        --npm none --work "$work/dl-$a" --out "$work/$a.jsonl" >&2 || true
    [ -s "$work/$a.jsonl" ] && pos+=(--positive "$a=$work/$a.jsonl")
done
if [ -n "$notref" ]; then
    [ -s "$work/not-ref.jsonl" ] || "$here/build_reference.sh" "$mg" --arches amd64 --suites "$suites" --packages "$notref" \
        --npm none --work "$work/dl-notref" --out "$work/not-ref.jsonl" >&2 || true
    [ -s "$work/not-ref.jsonl" ] && neg+=(--negative "debian-not-in-reference=$work/not-ref.jsonl")
fi
if [ -d "$fixtures" ]; then
    "$mg" info --json -r -q "$fixtures" > "$work/fixtures.jsonl" 2>/dev/null || true
    neg+=(--negative "fixtures=$work/fixtures.jsonl")
fi
if [ -d "$corpus" ]; then
    # the corpus families the reference names (fzf, wireguard-go) count as positives, the others as negatives
    "$mg" info --json -r -q "$corpus" > "$work/corpus.jsonl" 2>/dev/null || true
    pos+=(--positive "corpus=$work/corpus.jsonl")
fi
echo "# threshold report $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start $load0, $(nproc) CPUs"
echo "# reference $ref ($(head -1 "$ref" | cut -c1-120)...)"
echo
# three rules: the score alone; with a minimum of gimpset names on both
# sides; and also the same identity (module path, else own package prefix)
for v in "0" "$minnames" "$minnames --identity"; do
    echo "# threshold_report.py --min-names $v"
    python3 "$here/threshold_report.py" --malgopher "$mg" --ref "$ref" "${pos[@]}" "${neg[@]}" --versions \
        --min-names $v --rows "$work/rows-${v// /}.jsonl"
done
echo "# $(($(date +%s) - start)) s; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
