"""The last lines of `make bench`: every ratio and verdict, read back from var/bench/*.json.

Run: .venv/bin/python benchmarks/summary.py [engine output file]
"""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "var" / "bench"
LOAD = {
    "calculation": "POST /api/v1/footprints/ (anonymous) vs a bare DRF insert",
    "calculation_without_recommendations": "the same, without the recommendations subscriber",
    "dashboard": "GET /dashboard/ (signed in) vs a bare session-authenticated view",
    "stats": "GET /api/v1/footprints/stats/ (JWT) vs a bare JWT-authenticated endpoint",
    "signin": "signing in (form, API) vs one password check with the same hasher",
}
NOISY_SHARE = 0.10


def read(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def endpoint_line(name: str, line: dict) -> str:
    latency = line["latency_ms_median_of_rounds"]
    return (
        f"    {name:<10} {line['requests_per_second_median']:8.1f} req/s  p50 {latency['p50']:7.1f}"
        f" ms  p95 {latency['p95']:7.1f} ms  p99 {latency['p99']:7.1f} ms"
    )


def load_summary(name: str, title: str) -> list[str]:
    result = read(name)
    if result is None:
        return [f"  {name}: no result (the run failed, see above)"]
    summary = result["summary"]
    if "ratios" in summary:
        baseline = result["config"]["baseline"]
        ratios = summary["ratios"]
    else:  # calculation.json: one ratio, at the top level, with its target
        baseline, ratios = "baseline", {"footprints": summary}
    lines = [f"  {name}: {title}"]
    lines.append(endpoint_line(baseline, summary[baseline]))
    for measured, ratio in ratios.items():
        lines.append(endpoint_line(measured, summary[measured]))
        verdict = ""
        if "target" in ratio:
            verdict = f" (target >= {ratio['target']:.2f}) " + (
                "meets" if ratio["meets_target"] else "MISSES"
            )
        lines.append(
            f"    RATIO {measured}/{baseline} {ratio['ratio_median']:.2f}{verdict}  "
            f"[rounds {ratio['ratio_min']:.2f} .. {ratio['ratio_max']:.2f}; "
            f"CPU-cost ratio {ratio['cpu_cost_ratio_median']:.2f}]"
        )
    foreign = summary["foreign_cpu_share_max"]
    if foreign > NOISY_SHARE:
        lines.append(f"    noisy: other processes took up to {foreign:.0%} of the CPU")
    return lines


def pages_summary() -> list[str]:
    result = read("pages")
    if result is None:
        return ["  pages: no result (the run failed, see above)"]
    target = result["config"]["target_ms"]
    lines = [f"  pages: server time on SQLite, in-process (target < {target:.0f} ms)"]
    for name, line in result["results"].items():
        page = result["config"]["pages"][name]
        mark = "" if name in result["config"]["targeted"] else "  (no target)"
        lines.append(
            f"    {page:<44} median {line['median_ms']:6.1f} ms  p95 {line['p95_ms']:6.1f} ms  "
            f"× baseline {line['ratio_to_baseline']:5.2f}{mark}"
        )
    verdict = "meets" if result["meets_target"] else "MISSES"
    lines.append(f"    SERVER TIME (medians, calculator and result pages) {verdict}")
    return lines


def main() -> int:
    lines = []
    if len(sys.argv) > 1 and Path(sys.argv[1]).exists():
        lines.append("  engine:")
        lines += [f"    {line}" for line in Path(sys.argv[1]).read_text().splitlines() if line]
    for name, title in LOAD.items():
        lines += load_summary(name, title)
    lines += pages_summary()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
