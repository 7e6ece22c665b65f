#!/usr/bin/env bash
# Usage: scripts/ensure-chromium.sh
# The browser the end-to-end tests (e2e/) drive through Playwright: Debian's chromium at
# /usr/bin/chromium. Playwright's own browser downloads are never used (`playwright install`
# fetches builds from outside the package registries). Installs chromium with apt-get when it is
# missing and this runs as root; otherwise prints the command to run. Exit 0 when it is there.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: the e2e tests need Chromium at $CHROMIUM." >&2
    echo "  sudo apt-get install chromium   (or set CHROMIUM_PATH to a Chromium binary)" >&2
    exit 1
fi

echo "==> apt-get install chromium (for the e2e tests; the first time takes a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Fonts too: without them pages render with boxes and the screenshots are useless.
apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
    >/dev/null
if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: apt-get installed chromium but $CHROMIUM is not there." >&2
    exit 1
fi
"$CHROMIUM" --version 2>/dev/null || true
