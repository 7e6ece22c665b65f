"""The engine micro-benchmark and the calculation load benchmark: see docs/performance.md."""
