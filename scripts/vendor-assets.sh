#!/usr/bin/env bash
# Copy the third-party front-end files pages use from node_modules/ into static/vendor/
# (git-ignored; whitenoise serves it, collectstatic picks it up). The Dockerfile runs this too.
#
# To add a library: list it under "dependencies" in package.json (npm install --save NAME),
# then add a line to ASSETS below: "path under node_modules" and "path under static/vendor".
set -euo pipefail
cd "$(dirname "$0")/.."

ASSETS=(
    # "chart.js/dist/chart.umd.min.js  chart.js/chart.umd.min.js"
)

mkdir -p static/vendor

for asset in ${ASSETS[@]+"${ASSETS[@]}"}; do
    read -r source target <<<"$asset"
    if [ ! -e "node_modules/$source" ]; then
        echo "vendor-assets: node_modules/$source is missing: is it in package.json" \
            "\"dependencies\" and has npm ci run?" >&2
        exit 1
    fi
    mkdir -p "static/vendor/$(dirname "$target")"
    cp -R "node_modules/$source" "static/vendor/$target"
done

if [ ${#ASSETS[@]} -gt 0 ]; then
    echo "==> copied ${#ASSETS[@]} front-end asset(s) into static/vendor/"
fi
