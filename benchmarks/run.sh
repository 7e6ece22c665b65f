#!/usr/bin/env bash
# Run every benchmark: `bash benchmarks/run.sh` (what `make bench` calls). See docs/performance.md.
#
#   PY=.venv/bin/python      the interpreter (its gunicorn is used too)
#   BENCH_ARGS="--check"     extra arguments for bench_calculation.py (--check: exit 3 below 0.60)
#
# Needs MariaDB on 127.0.0.1:3306 (root; BENCH_MYSQL_* to change) and wrk, installed here with
# apt-get when it is missing. All load stays on loopback; the whole run takes about 1.5 minutes.
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
echo "==> benchmarks/bench_engine.py (engine micro-benchmark)"
engine_output="$("$PY" benchmarks/bench_engine.py)" || status=$?
echo "$engine_output"

echo
echo "==> benchmarks/bench_calculation.py (POST /api/v1/footprints/ against a bare DRF insert)"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of words on purpose
"$PY" benchmarks/bench_calculation.py ${BENCH_ARGS:-} || status=$?

echo
echo "==> summary"
printf '  %s\n' "${engine_output//$'\n'/$'\n  '}"
if [ -f var/bench/calculation.json ]; then
    "$PY" - <<'EOF'
import json

summary = json.load(open("var/bench/calculation.json"))["summary"]
for name in ("baseline", "footprints"):
    line = summary[name]
    latency = line["latency_ms_median_of_rounds"]
    print(
        f"  {name:<10} {line['requests_per_second_median']:7.1f} req/s  "
        f"p50 {latency['p50']:.1f} ms  p99 {latency['p99']:.1f} ms"
    )
verdict = "meets" if summary["meets_target"] else "MISSES"
print(f"  RATIO {summary['ratio_median']:.2f} (target >= {summary['target']:.2f}) {verdict}")
print(f"  CPU-cost ratio {summary['cpu_cost_ratio_median']:.2f} (cross-check)")
if summary["foreign_cpu_share_max"] > 0.10:
    print(f"  noisy: other processes took up to {summary['foreign_cpu_share_max']:.0%} of the CPU")
EOF
fi
exit "$status"
