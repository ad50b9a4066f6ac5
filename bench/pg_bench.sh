# bench/pg_bench.sh - sourced by the sharding benchmarks, after
# tests/db/pg_cluster.sh: their throwaway servers' CPU and their end.
# pg_cpu_ticks DIR: clock ticks (getconf CLK_TCK a second) of the server
# whose data directory is DIR/data: its postmaster's own and the backends
# it reaped (utime, stime, cutime, cstime), plus those still running
pg_cpu_ticks() {
    local pm t=0 p
    pm=$(head -1 "$1/data/postmaster.pid")
    for p in $pm $(pgrep -P "$pm"); do
        t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
# pg_stop_listed W: every server whose directory a file W/dir.* names stopped
pg_stop_listed() {
    local d
    for d in "$1"/dir.*; do [ -s "$d" ] && PG_DIR=$(cat "$d") pg_stop; done
}
