#!/usr/bin/env bash
# Install the npm packages when node_modules is missing or older than package.json or
# package-lock.json, then copy the front-end assets into static/vendor/ (scripts/vendor-assets.sh).
# Without npm this only fails when package.json has runtime dependencies that pages need.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f package.json ] || exit 0

runtime_dependencies() {
    # Prints how many runtime ("dependencies", not "devDependencies") packages package.json lists.
    local python=python3
    [ -x .venv/bin/python ] && python=.venv/bin/python
    "$python" -c 'import json; print(len(json.load(open("package.json")).get("dependencies") or {}))'
}

if ! command -v npm >/dev/null 2>&1; then
    if [ "$(runtime_dependencies)" -gt 0 ]; then
        echo "make: package.json lists front-end dependencies but npm is not installed." >&2
        echo "  Install Node.js 20 and npm (Debian/Ubuntu: apt-get install nodejs npm), then run make again." >&2
        exit 1
    fi
    echo "note: npm is not installed; package.json has only devDependencies (build-time data" \
        "tools), so pages do not need them. Install Node.js 20 for package.json's npm scripts."
    exit 0
fi

stale=false
if [ ! -d node_modules ]; then
    stale=true
else
    for manifest in package.json package-lock.json; do
        if [ -f "$manifest" ] && [ "$manifest" -nt node_modules ]; then
            stale=true
        fi
    done
fi

if $stale; then
    if [ -f package-lock.json ]; then
        echo "==> npm ci"
        npm ci --no-audit --no-fund --loglevel=error
    else
        echo "==> npm install (no package-lock.json yet: commit the one it writes)"
        npm install --no-audit --no-fund --loglevel=error
    fi
    touch node_modules # npm ci may leave the directory's mtime older than the lock file
fi

bash scripts/vendor-assets.sh
