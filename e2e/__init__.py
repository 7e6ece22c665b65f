"""Browser end-to-end tests: Playwright drives Debian's Chromium against Django's live server.

Run with `.venv/bin/pytest e2e` (the `e2e` stage of `make test`); scripts/ensure-chromium.sh
installs /usr/bin/chromium when it is missing. Screenshots go to var/screenshots/.
"""
