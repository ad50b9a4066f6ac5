# bench_setup.sh - sourced by the shell benchmarks that time the malgopher
# command over the corpus: resolves CORPUS_DIR and MALGOPHER_BIN (arguments
# 1 and 2, with the same defaults everywhere), the run counts, and the
# die/note messages under the benchmark's name.
# usage (after `set -euo pipefail`): BENCH_NAME=bench_x; . bench_setup.sh "$@"
#   sets: script_dir repo_root corpus bin runs warmup; defines die, note
#   BENCH_WARMUP_DEFAULT: the benchmark's own default warm-up count
script_dir=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
corpus=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
bin=${2:-$repo_root/build/malgopher}
runs=${BENCH_RUNS:-10}
warmup=${BENCH_WARMUP:-${BENCH_WARMUP_DEFAULT:-1}}

die() { echo "$BENCH_NAME: $*" >&2; exit 2; }
note() { echo "$BENCH_NAME: $*" >&2; }

[ -d "$corpus" ] || die "no corpus at $corpus (run shared/corpus/fetch.sh)"
[ -x "$bin" ] || die "no malgopher binary at $bin (cmake --build build)"
corpus=$(cd "$corpus" && pwd)
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
