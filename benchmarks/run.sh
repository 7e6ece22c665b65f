#!/usr/bin/env bash
# Run every benchmark: `bash benchmarks/run.sh` (what `make bench` calls). See docs/performance.md.
#
#   PY=.venv/bin/python      the interpreter (its gunicorn is used too)
#   BENCH_ARGS="--check"     extra arguments for bench_calculation.py (--check: exit 3 below the target)
#
# Needs MariaDB on 127.0.0.1:3306 (root; BENCH_MYSQL_* to change), Redis on 127.0.0.1:6379 for
# the signed-in load benchmarks (BENCH_REDIS_URL to change, empty for the local-memory cache) and
# wrk, installed here with apt-get when it is missing. All load stays on loopback; each load
# benchmark uses a MariaDB database of its own and drops it. The whole run takes 5 to 8 minutes.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PY:-.venv/bin/python}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk (the load generator)"
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

status=0
started=$SECONDS
engine_output="$(mktemp)"
trap 'rm -f "$engine_output"' EXIT

bench() { # bench "what it measures" script [arguments...]: a failure is kept, the rest still run
    local title=$1 script=$2
    shift 2
    echo
    echo "==> benchmarks/$script ($title)"
    "$PY" "benchmarks/$script" "$@" || status=$?
}

echo "==> benchmarks/bench_engine.py (engine micro-benchmark)"
"$PY" benchmarks/bench_engine.py | tee "$engine_output" || status=$?

# shellcheck disable=SC2086 # BENCH_ARGS is a list of words on purpose
bench "POST /api/v1/footprints/ against a bare DRF insert" bench_calculation.py ${BENCH_ARGS:-}
# shellcheck disable=SC2086
bench "the same without the recommendations subscriber" bench_calculation.py \
    --without-recommendations ${BENCH_ARGS:-}
bench "the signed-in dashboard against a bare session-authenticated view" bench_dashboard.py
bench "the stats API with a JWT against a bare JWT-authenticated endpoint" bench_stats.py
bench "signing in, form and API, against one password check" bench_signin.py
bench "calculator and result pages, server time on SQLite" bench_pages.py

echo
echo "==> summary ($(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s)"
"$PY" benchmarks/summary.py "$engine_output"
exit "$status"
