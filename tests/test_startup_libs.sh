#!/usr/bin/env bash
# test_startup_libs.sh - the malgopher binary does not load libpq (and the
# ~20 libraries it pulls in) when it starts: only `db` on PostgreSQL needs
# it, and cli/db/pq_load.c loads it then.  The oracle is ldd (the dynamic
# loader's own list of what a start loads) and LD_DEBUG=libs on a real run.
# usage: test_startup_libs.sh MALGOPHER_BIN
set -euo pipefail
bin=$1
command -v ldd >/dev/null || { echo "SKIP: ldd not installed"; exit 77; }
if ldd "$bin" | grep -E 'libpq\.so|libkrb5|libldap|libgnutls'; then
    echo "FAIL: $bin loads libpq or its dependencies at start-up (above)"
    exit 1
fi
if LD_DEBUG=libs "$bin" hash --help 2>&1 >/dev/null | grep -E 'calling init: .*libpq'; then
    echo "FAIL: \`malgopher hash\` initialised libpq"
    exit 1
fi
echo "ok: no libpq at start-up"
