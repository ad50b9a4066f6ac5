#!/usr/bin/env bash
# deps/missing.sh - prints the packages of the given lists (deps/*.txt: one
# Debian package a line, # comments) that are not installed, one a line.
# `npm` counts as installed when an npm command is on PATH (Node.js ships
# its own, which conflicts with Debian's npm package).
# usage: deps/missing.sh LIST...
set -euo pipefail
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$@" | grep . | sort -u | while read -r p; do
    if [ "$p" = npm ]; then
        command -v npm >/dev/null && continue
    fi
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done
