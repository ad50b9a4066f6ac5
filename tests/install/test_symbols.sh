#!/usr/bin/env bash
# test_symbols.sh - libmalgopher.so exports exactly the documented API: the
# dynamic symbols it defines (nm -D) are the functions include/malgopher.h
# declares with MG_API (read from the preprocessed header, where MG_API is
# the visibility attribute), no more and no fewer; and mg_version() of the
# loaded library is the header's MG_VERSION_STRING.
# usage: test_symbols.sh LIBMALGOPHER_SO INCLUDE_DIR
set -u
so=$1 inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the symbols a sanitizer build adds (make test-asan) are not the API
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' |
    grep -Ev '^(__odr_asan|__asan_|__ubsan_|__sancov_)' | sort -u >"$tmp/exported"
san=
readelf -d "$so" | grep -q 'libasan' && san="-fsanitize=address,undefined"
printf '#include <malgopher.h>\n' | cc -E -P -I"$inc" - | tr '\n' ' ' |
    grep -o 'visibility("default"))) [^;(]*(' | grep -o 'mg_[A-Za-z0-9_]*[[:space:]]*($' |
    tr -d ' (' | sort -u >"$tmp/declared"
fail=0
echo "exported: $(wc -l <"$tmp/exported"), declared with MG_API: $(wc -l <"$tmp/declared")"
if [ ! -s "$tmp/declared" ]; then echo "FAIL: no MG_API declaration found"; fail=1; fi
if ! diff "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
    echo "FAIL: exported symbols differ from the header's MG_API declarations (< header only, > .so only):"
    grep '^[<>]' "$tmp/diff"
    fail=1
else
    echo "ok: the exported symbols are the MG_API declarations"
fi
# every function prototype of the header carries MG_API (a declaration
# without it would be hidden in the .so: the rule at the top of the header)
printf '#include <malgopher.h>\n' | cc -E -P -DMG_API=MG_API_MARK -I"$inc" - | tr '\n' ' ' | tr ';' '\n' |
    grep -v '^ *typedef' | grep -E '\bmg_[A-Za-z0-9_]+ *\(' | grep -v 'MG_API_MARK' |
    grep -v '[{}]' >"$tmp/unmarked" || true
if [ -s "$tmp/unmarked" ]; then
    echo "FAIL: functions declared without MG_API:"
    sed 's/  */ /g' "$tmp/unmarked"
    fail=1
else
    echo "ok: every function declaration carries MG_API"
fi
for s in mg_pairs_naive mg_fail; do
    if grep -qx "$s" "$tmp/exported"; then echo "FAIL: internal $s is exported"; fail=1; fi
done
# the run-time version is the header's
cat >"$tmp/v.c" <<'C'
#include <malgopher.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
    if (argc > 1) { /* an image's struct_size is the size of the struct the library filled */
        mg_file *f;
        mg_error e;
        if (mg_file_open(argv[1], &f, &e) != MG_OK || mg_file_image_count(f) < 1)
            return 1;
        const mg_image *im = mg_file_image(f, 0);
        int ok = im->struct_size == sizeof(mg_image) && MG_IMAGE_HAS(im, warning) &&
                 MG_IMAGE_HAS(im, container);
        mg_file_close(f);
        return !ok;
    }
    printf("%s %u\n", mg_version(), mg_version_number());
    return strcmp(mg_version(), MG_VERSION_STRING) != 0 || mg_version_number() != MG_VERSION_NUMBER;
}
C
export LD_LIBRARY_PATH=$(dirname "$so")
if cc $san -I"$inc" -o "$tmp/v" "$tmp/v.c" "$so" && "$tmp/v" >/dev/null; then
    want=$(sed -n 's/^#define MG_VERSION_STRING "\(.*\)"/\1/p' "$inc/malgopher.h")
    IFS=. read -r ma mi pa <<<"$want"
    got=$("$tmp/v")
    if [ "$got" = "$want $((ma * 10000 + mi * 100 + pa))" ]; then
        echo "ok: mg_version() = $got"
    else
        echo "FAIL: mg_version() gave '$got', header says $want"; fail=1
    fi
else
    echo "FAIL: mg_version() is not the header's"; fail=1
fi
if "$tmp/v" /bin/sh; then
    echo "ok: mg_image.struct_size is sizeof(mg_image); MG_IMAGE_HAS sees the last field"
else
    echo "FAIL: mg_image.struct_size / MG_IMAGE_HAS"; fail=1
fi
exit $fail
