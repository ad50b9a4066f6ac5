# pg_cluster.sh - sourced by the db tests: start a throwaway PostgreSQL
# cluster (initdb + pg_ctl from Debian's /usr/lib/postgresql/*/bin) on a
# Unix socket in a temporary directory, no TCP.  As root the server runs as
# an unprivileged user (nobody, or mgpgtest created with useradd).  Sets
# PG_URI (postgresql:///DB?host=DIR&user=mg) and PG_DIR; pg_stop stops it;
# pg_createdb NAME makes another database and prints its URI.
# PG_FSYNC (default off) and PG_OPTS (more -c settings) configure the server.
# pg_start returns 77 (after a SKIPPED line) when the server binaries are absent.
# PG_TEMPLATE: a data directory made by pg_template, copied instead of running
# initdb (several servers in one test start in a fraction of the time).

pg_bin() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

# run a command as the cluster's owner
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    PG_BIN=$(pg_bin) || { echo "SKIPPED: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"; return 77; }
    PG_DIR=$(mktemp -d /tmp/mg-pg.XXXXXX)
    PG_USER=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        PG_USER=nobody
        if ! id nobody >/dev/null 2>&1; then
            id mgpgtest >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin mgpgtest
            PG_USER=mgpgtest
        fi
        chown "$PG_USER" "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    if [ -n "${PG_TEMPLATE:-}" ]; then
        pg_as cp -a "$PG_TEMPLATE" "$PG_DIR/data" || return 1
    else
        pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U mg -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
            { cat "$PG_DIR/initdb.log"; return 1; }
    fi
    chmod 711 "$PG_DIR"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=${PG_FSYNC:-off} -c max_connections=40 ${PG_OPTS:-}" \
        start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
    "$PG_BIN/createdb" -h "$PG_DIR" -U mg mg || return 1
    PG_URI="postgresql:///mg?host=$PG_DIR&user=mg"
    export PG_URI PG_DIR PG_BIN PG_USER
}

pg_createdb() {
    "$PG_BIN/createdb" -h "$PG_DIR" -U mg "$1" && echo "postgresql:///$1?host=$PG_DIR&user=mg"
}

pg_psql() {
    psql -X -q -A -t -h "$PG_DIR" -U mg "$@"
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
}

# pg_template DIR: an initdb'd data directory DIR/data for PG_TEMPLATE (DIR
# made readable by the cluster's owner)
pg_template() {
    PG_BIN=$(pg_bin) || { echo "SKIPPED: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"; return 77; }
    local owner
    owner=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        owner=nobody
        if ! id nobody >/dev/null 2>&1; then
            id mgpgtest >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin mgpgtest
            owner=mgpgtest
        fi
        chown "$owner" "$1"
    fi
    chmod 700 "$1"
    (PG_USER=$owner; pg_as "$PG_BIN/initdb" -D "$1/data" -U mg -A trust -E UTF8 --no-locale >"$1/initdb.log" 2>&1) ||
        { cat "$1/initdb.log"; return 1; }
    PG_TEMPLATE=$1/data PG_USER=$owner
    export PG_TEMPLATE PG_BIN PG_USER
}
