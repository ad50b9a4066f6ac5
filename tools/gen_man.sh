#!/usr/bin/env bash
# gen_man.sh - generates the man pages from the --help texts, the one
# source, so that they cannot drift: malgopher(1) from `malgopher --help`,
# malgopher-CMD(1) from `malgopher CMD --help` for every command that
# `malgopher --help` lists.  The help text goes in verbatim (no-fill),
# escaped for man(7); NAME comes from the command list.  EXAMPLES come from
# EXAMPLES_DIR/CMD.txt (malgopher.txt for malgopher(1)) when it exists:
# paragraphs separated by blank lines, each a line or more of explanation
# and then its `$ ` command lines.
# usage: gen_man.sh MALGOPHER OUTDIR VERSION [EXAMPLES_DIR]
set -euo pipefail
mg=$1 out=$2 version=$3 examples=${4:-}
mkdir -p "$out"

# roff-escape a text: backslashes, and a leading . or ' on a line
escape() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# the EXAMPLES section from an examples file: text lines as a paragraph,
# command lines (`$ `) verbatim and indented
examples_section() {
    printf '.SH EXAMPLES\n'
    escape <"$1" | awk '
        /^[ \t]*$/ { if (cmd) print ".fi\n.RE"; cmd = 0; para = 0; next }
        /^\$ / { if (!cmd) print ".RS 4\n.nf"; cmd = 1; print; next }
        { if (cmd) print ".fi\n.RE"; cmd = 0; if (!para) print ".PP"; para = 1; print }
        END { if (cmd) print ".fi\n.RE" }'
}

# page NAME TITLE SUMMARY HELPTEXT-FILE [SEE-ALSO]
page() {
    local name=$1 title=$2 summary=$3 help=$4 also=$5 tmp ex=${examples:+$examples/${1#malgopher-}.txt}
    tmp=$(mktemp "$out/.$name.XXXXXX")
    {
        printf '.TH %s 1 "" "malgopher %s" "User Commands"\n' "$title" "$version"
        printf '.SH NAME\n%s \\- %s\n' "$name" "$(printf '%s' "$summary" | escape)"
        printf '.SH DESCRIPTION\n.nf\n'
        escape <"$help"
        printf '.fi\n'
        if [ -n "$ex" ] && [ -f "$ex" ]; then examples_section "$ex"; fi
        printf '.SH SEE ALSO\n%s\n' "$also"
    } >"$tmp"
    mv "$tmp" "$out/$name.1"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mg" --help >"$work/main"
# the command list: "  NAME ARGS...   SUMMARY" lines after "commands:"
sed -n '/^commands:/,/^$/p' "$work/main" | sed -n 's/^  \([a-z][a-z0-9-]*\)\( [^ ]\{1,\}\)*  \{1,\}\([^ ].*\)$/\1\t\3/p' >"$work/cmds"
[ -s "$work/cmds" ] || { echo "gen_man.sh: no command list in '$mg --help'" >&2; exit 1; }
also=""
while IFS=$'\t' read -r cmd summary; do
    "$mg" "$cmd" --help >"$work/$cmd"
    see="malgopher(1)"
    [ "$cmd" = scan ] && see="malgopher(1), malgopher-yara(7)"
    page "malgopher-$cmd" "MALGOPHER-$(printf '%s' "$cmd" | tr a-z A-Z)" "$summary" "$work/$cmd" "$see"
    also="$also${also:+,\n}malgopher-$cmd(1)"
done <"$work/cmds"
also="$also,\nmalgopher-yara(7)"
page malgopher MALGOPHER "$(sed -n '3p' "$work/main")" "$work/main" "$(printf "$also")"
