#!/usr/bin/env bash
# test_module_table.sh - our YARA module table (src/yara/module_table.c)
# lists exactly the modules Debian's libyara.a defines, plus go and fuzzy,
# and the archive's own table (modules.o) is not linked in.
#   - the archive's modules: members defining NAME__declarations, __load,
#     __unload, __initialize and __finalize (nm);
#   - our table: `malgopher scan -M`;
#   - the binary: defines every module's functions, but not yr_modules_table
#     (the data symbol of the archive's modules.o);
#   - a rule importing every module compiles and runs.
# usage: test_module_table.sh MALGOPHER LIBYARA_A
set -u
M=$1 A=$2
. "$(dirname "$0")/../lib.sh"

# modules whose five functions the archive defines (T), by member
nm -A "$A" 2>/dev/null |
    awk '$2 == "T" && $3 ~ /__(declarations|load|unload|initialize|finalize)$/ {
             sub(/__[a-z]+$/, "", $3); n[$3]++ }
         END { for (m in n) if (n[m] == 5) print m }' | sort >"$T/archive"
# modules.o only references them
nm "$A" 2>/dev/null | awk '/^modules.o:$/ {on = 1; next} /^$/ {on = 0} on' >"$T/modules.o.nm"
grep -q ' T yr_modules_load$' "$T/modules.o.nm" && ok || bad "modules.o does not define yr_modules_load"
grep -q ' D yr_modules_table$' "$T/modules.o.nm" && ok || bad "modules.o does not define yr_modules_table"
[ "$(wc -l <"$T/archive")" -ge 5 ] && ok || bad "too few modules found in $A: $(cat "$T/archive")"
grep -qx pe "$T/archive" && grep -qx elf "$T/archive" && ok || bad "pe/elf not found in $A"

"$M" scan -M >"$T/ours"; expect_eq "scan -M exit" $? 0
expect_eq "our table: the archive's modules" "$(grep -vx -e go -e fuzzy "$T/ours" | sort)" "$(cat "$T/archive")"
expect_eq "our table: go and fuzzy" "$(grep -x -e go -e fuzzy "$T/ours" | sort | tr '\n' ' ')" "fuzzy go "
expect_eq "our table: no duplicates" "$(sort "$T/ours" | uniq -d)" ""

# the linked binary
nm "$M" >"$T/bin.nm"
for m in $(cat "$T/ours"); do
    for f in declarations load unload initialize finalize; do
        grep -q " T ${m}__$f\$" "$T/bin.nm" || bad "binary lacks ${m}__$f"
    done
done
ok
grep -q ' yr_modules_table$' "$T/bin.nm" && bad "the archive's modules.o was linked in" || ok
for f in yr_modules_initialize yr_modules_finalize yr_modules_do_declarations yr_modules_load yr_modules_unload_all; do
    [ "$(grep -c " T $f\$" "$T/bin.nm")" = 1 ] && ok || bad "$f not defined exactly once"
done

# every module imports
{
    for m in $(cat "$T/ours"); do echo "import \"$m\""; done
    echo 'rule all_modules { condition: true }'
} >"$T/all.yar"
echo data >"$T/data"
expect_eq "importing every module" "$("$M" scan "$T/all.yar" "$T/data" 2>&1)" "all_modules $T/data"
printf 'import "no_such_module"\nrule r { condition: true }\n' >"$T/bad.yar"
"$M" scan "$T/bad.yar" "$T/data" >/dev/null 2>"$T/err"; rc=$?
expect_eq "unknown module exit" $rc 1
grep -q 'unknown module "no_such_module"' "$T/err" && ok || bad "unknown module message: $(cat "$T/err")"

echo "archive modules: $(tr '\n' ' ' <"$T/archive")"
finish
