"""A fresh Python process for the tests of what is decided once per process: settings read from
the environment, the web process's start-up, multiprocess metrics."""

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def python_run(*arguments: str, environment: Mapping[str, str]) -> subprocess.CompletedProcess:
    """Our interpreter with `arguments` (`"-c", code` or `"manage.py", ...`), from the project's
    root, in exactly `environment`; output captured as text, the exit status left to the test."""
    return subprocess.run(  # noqa: S603 - our own interpreter and the tests' fixed arguments
        [sys.executable, *arguments],
        cwd=ROOT,
        env=dict(environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
