"""The benchmarks (engine, load on MariaDB, pages on SQLite) and their baselines: see
docs/performance.md. `make bench` runs them through run.sh."""
