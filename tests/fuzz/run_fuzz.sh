#!/usr/bin/env bash
# run_fuzz.sh - runs every libFuzzer target for a while (`make fuzz`).
# Seeds: small pclntabs from tests/support/pcln_builder.c for the pclntab
# targets; for the others, small ELF/PE/Mach-O/fat/XCOFF files wrapping them
# (make_container_seeds.py), so each execution takes microseconds.  Each target's
# corpus grows across runs in $MALGOPHER_FUZZ_DIR (default
# ~/.cache/malgopher/fuzz).  A crash is copied to
# tests/fuzz/regressions/TARGET/ (replayed by `make test`) and fails the run;
# crash files left by earlier runs are moved to TARGET/crashes.old first.
# Stopping a fuzzer (SIGSTOP) for longer than -timeout makes a false
# "timeout" crash: libFuzzer's alarm counts wall time.
# Inputs may grow to $MALGOPHER_FUZZ_MAX_LEN bytes (default 4 MiB: the
# crafted-input recipes of issue 15 - 4,096 program headers or load
# commands, 200,000 relocations - need hundreds of KB; 64 KB reaches none).
# The .NET target (dotnet) is seeded with the assemblies the dotnet_build
# test makes ($MALGOPHER_DOTNET_FIXTURES, default BUILD_DIR/tests/dotnet-fixtures
# or build/tests/dotnet-fixtures), falling back to the container seeds.
# The UPX target (upx) is seeded at run time with the real UPX files of
# $MALGOPHER_SHARED/upx (default: ../shared/upx beside the repository), never
# copied into the repository, falling back to the container seeds; plus the
# UPX 3.96 Mach-O that the upx_real test leaves in BUILD_DIR/tests/upx-real.
# Appends one line per target to $MALGOPHER_FUZZ_DIR/runs.tsv:
# date, target, seconds, executions, crashes.
# usage: run_fuzz.sh BUILD_DIR SECONDS [TARGET...]
set -u
build=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=${MALGOPHER_FUZZ_DIR:-$HOME/.cache/malgopher/fuzz}
targets=${*:-file elf pe macho xcoff pclntab12 pclntab116 pclntab118 pclntab120 buildinfo dotnet emu upx types ssdeep}
max_len=${MALGOPHER_FUZZ_MAX_LEN:-4194304}
dotnet_fixtures=${MALGOPHER_DOTNET_FIXTURES:-$build/tests/dotnet-fixtures}
[ -d "$dotnet_fixtures" ] || dotnet_fixtures=$here/../../build/tests/dotnet-fixtures
mkdir -p "$work"
[ -f "$work/runs.tsv" ] || printf 'date\ttarget\tseconds\texecutions\tcrashes\n' > "$work/runs.tsv"
seeds=$work/.seeds.$$  # per run: runs may overlap
trap 'rm -rf "$seeds"' EXIT
rm -rf "$seeds" && mkdir -p "$seeds/pcln" "$seeds/containers"
for g in 12 116 118 120; do "$build/tests/fuzz/make_pcln_seeds" "$seeds/pcln" $g || exit 1; done
python3 "$here/make_container_seeds.py" "$seeds/containers" "$seeds/pcln" || exit 1
mkdir -p "$seeds/dotnet"
if [ -d "$dotnet_fixtures" ]; then
    find "$dotnet_fixtures" -type f \( -name '*.exe' -o -name '*.dll' \) -size -"$max_len"c |
        while read -r f; do cp "$f" "$seeds/dotnet/$(echo "$f" | md5sum | cut -c1-12).exe"; done
fi
status=0
printf '%-12s %10s %8s\n' target executions crashes
for t in $targets; do
    corpus=$work/$t/corpus crashes=$work/$t/crashes
    mkdir -p "$corpus" "$crashes"
    if [ -z "$(ls -A "$corpus")" ]; then
        case $t in
            pclntab*) cp "$seeds/pcln/seed-${t#pclntab}-"* "$corpus/" ;;
            upx) upx_dir=${MALGOPHER_SHARED:-$here/../../../shared}/upx
                if [ -d "$upx_dir" ]; then find "$upx_dir" -type f ! -name '*.tsv' ! -name '*.md' -exec cp {} "$corpus/" \;
                else cp "$seeds/containers/"* "$corpus/"; fi
                # the UPX 3.96 Mach-O the upx_real test leaves in the build tree
                for f in "$build/tests/upx-real/macho-arm64-lzma" "$here/../../build/tests/upx-real/macho-arm64-lzma"; do
                    [ -f "$f" ] && cp "$f" "$corpus/" && break
                done ;;
            types) # whole Go programs (moduledata and a types section): the
                # fixture matrix's stripped builds and the crafted Go 1.5/1.6
                # layouts (tests/types/craft_old.py), else the container seeds
                fx=${MALGOPHER_FIXTURES:-$HOME/.cache/malgopher/fixtures}
                find "$fx" -path '*-stripped/mgfixture*' -type f -size -"$max_len"c 2>/dev/null |
                    while read -r f; do cp "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-12)"; done
                for v in 5 6; do for b in 32 64; do
                    python3 "$here/../types/craft_old.py" "$corpus/go1$v-$b" $v $b || exit 1
                done; done
                [ -n "$(ls -A "$corpus")" ] || cp "$seeds/containers/"* "$corpus/" ;;
            dotnet|emu) if [ -n "$(ls -A "$seeds/dotnet")" ]; then cp "$seeds/dotnet/"* "$corpus/"
                    else cp "$seeds/containers/"* "$corpus/"; fi ;;
            *) cp "$seeds/containers/"* "$seeds/pcln/"* "$corpus/" ;;
        esac
    fi
    # crash files of earlier runs were copied to regressions/ when found:
    # move them aside so that this run counts only its own
    if [ -n "$(ls -A "$crashes")" ]; then
        mkdir -p "$work/$t/crashes.old" && mv "$crashes"/* "$work/$t/crashes.old/"
    fi
    log=$work/$t/last.log
    "$build/tests/fuzz/fuzz_$t" "$corpus" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$crashes/" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    n=0
    for c in "$crashes"/*; do
        [ -f "$c" ] || continue
        case ${c##*/} in slow-unit-*) continue ;; esac  # a report, not a failure
        n=$((n + 1))
        mkdir -p "$here/regressions/$t"
        cp "$c" "$here/regressions/$t/"
    done
    if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
        status=1
        echo "run_fuzz: $t: exit $rc, $n crash file(s); see $log and tests/fuzz/regressions/$t/"
    fi
    printf '%-12s %10s %8s\n' "$t" "${execs:-0}" "$n"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$t" "$secs" "${execs:-0}" "$n" >> "$work/runs.tsv"
done
exit $status
