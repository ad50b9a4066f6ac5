#!/usr/bin/env bash
# deps/install.sh - installs the missing packages of the given lists
# (deps/missing.sh) with apt-get when run as root, else prints the command.
# usage: deps/install.sh LIST...
set -euo pipefail
here=$(dirname "$0")
missing=$(bash "$here/missing.sh" "$@" | tr '\n' ' ')
[ -n "${missing// /}" ] || exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing: $missing"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
else
    echo "missing Debian packages; run:"
    echo "  sudo apt-get install --no-install-recommends $missing"
    exit 1
fi
