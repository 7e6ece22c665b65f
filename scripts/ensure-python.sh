#!/usr/bin/env bash
# Usage: scripts/ensure-python.sh PYTHON
# Fail with a clear message unless PYTHON exists and is Python 3.11 or newer.
set -euo pipefail

python=${1:-python3}

if ! command -v "$python" >/dev/null 2>&1; then
    echo "make: '$python' was not found. carbon_site needs Python 3.11 or newer:" >&2
    echo "  install it (Debian/Ubuntu: apt-get install python3 python3-venv), then run make again," >&2
    echo "  or point make at one you have: make PYTHON=/path/to/python3.11 run" >&2
    exit 1
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    version=$("$python" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo "?")
    echo "make: '$python' is Python $version; carbon_site needs Python 3.11 or newer." >&2
    echo "  Install a newer one and run: make PYTHON=python3.11 run   (or python3.12, python3.13)" >&2
    exit 1
fi
