#!/usr/bin/env bash
# Usage: scripts/ensure-system-packages.sh PYTHON
# What pip needs from the system before it can build mysqlclient from source (and before PYTHON
# can make a venv). On Debian/Ubuntu, installs whatever is missing with apt-get when run as root;
# otherwise prints the command to run. Installs nothing that is already there (dpkg -s).
set -euo pipefail

python=${1:-python3}

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    # Not Debian/Ubuntu: say what pip will need, then let pip try.
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libmariadb mysqlclient 2>/dev/null; then
        echo "note: mysqlclient builds from source and needs pkg-config, a C compiler and the" \
            "MariaDB/MySQL client headers (libmariadb-dev or equivalent)." >&2
    fi
    exit 0
fi

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing=()
for package in pkg-config libmariadb-dev; do
    installed "$package" || missing+=("$package")
done
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || missing+=(gcc)

# Debian's own Python ships its headers and venv support as separate packages; a pyenv or
# /usr/local build has both built in, so only /usr/bin pythons are checked here.
if command -v "$python" >/dev/null 2>&1; then
    read -r prefix version < <("$python" -c \
        'import sys; print(sys.base_prefix, "%d.%d" % sys.version_info[:2])')
    if [ "$prefix" = /usr ]; then
        "$python" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(
            os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
            || missing+=("python$version-dev")
        "$python" -c 'import ensurepip' 2>/dev/null || missing+=("python$version-venv")
    fi
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "make: these system packages are needed to build mysqlclient (and the venv):" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    echo "then run make again." >&2
    exit 1
fi

echo "==> apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
