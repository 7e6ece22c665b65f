#!/usr/bin/env bash
# Security checks of `make test` (scripts/test-stages.sh runs each as a stage):
#
#   security-checks.sh bandit      bandit on the project's code: no finding of medium severity or
#                                  more unless the line says why it is safe. `# nosec B608 - why`
#                                  works, and so does the ruff suppression the project already
#                                  uses for the same rule (`# noqa: S608 - why`: ruff's S rules
#                                  are bandit's), with its reason on the line or just above it.
#   security-checks.sh pip-audit   the pinned requirements against PyPI's advisory database. When
#                                  the service cannot be reached, or cannot see these versions,
#                                  it says so and passes: it cannot prove anything either way.
#
#   PY=.venv/bin/python            the interpreter (make test passes it)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
APPS=(accounts carbon_site footprints goals recommendations)

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

bandit_check() {
    local status=0
    "$BIN/bandit" -c pyproject.toml -r "${APPS[@]}" -x '*/tests/*,*/migrations/*' \
        --severity-level medium -f json -o "$workdir/bandit.json" -q || status=$?
    if [ "$status" -gt 1 ] || [ ! -s "$workdir/bandit.json" ]; then
        echo "bandit did not run (exit $status)" >&2
        return 1
    fi
    "$PY" - "$workdir/bandit.json" <<'EOF'
import json
import re
import sys
from pathlib import Path

report = json.loads(Path(sys.argv[1]).read_text())
for error in report["errors"]:
    sys.exit(f"bandit could not read {error['filename']}: {error['reason']}")


def justified(finding: dict) -> bool:
    """A ruff `noqa: S<nnn>` for this very rule, with a reason beside it or on the line above."""
    lines = Path(finding["filename"]).read_text().splitlines()
    code = "S" + finding["test_id"][1:]
    for number in finding["line_range"]:
        line = lines[number - 1]
        match = re.search(rf"#\s*noqa:[\w ,]*\b{code}\b(.*)$", line)
        if match:
            above = lines[number - 2].strip() if number > 1 else ""
            return bool(match.group(1).strip(" -")) or above.startswith("#")
    return False


unjustified = [finding for finding in report["results"] if not justified(finding)]
for finding in unjustified:
    print(
        f"{finding['filename']}:{finding['line_number']}: {finding['test_id']} "
        f"({finding['issue_severity'].lower()}) {finding['issue_text']}\n"
        f"    {finding['code'].strip()}"
    )
scanned = report["metrics"]["_totals"]["loc"]
justified_count = len(report["results"]) - len(unjustified)
print(
    f"bandit: {scanned} lines scanned, {len(unjustified)} medium+ findings "
    f"({justified_count} more carry a reason why they are safe)"
)
if unjustified:
    print(
        "Fix them, or add `# nosec <id> - why it is safe` (or ruff's `# noqa: S<nnn> - why`).",
        file=sys.stderr,
    )
    sys.exit(1)
EOF
}

pip_audit_check() {
    local status=0
    "$BIN/pip-audit" -r requirements.txt --progress-spinner off -f json \
        -o "$workdir/audit.json" >"$workdir/audit.log" 2>&1 || status=$?
    if [ ! -s "$workdir/audit.json" ]; then
        echo "pip-audit: the vulnerability service could not be reached; NOT CHECKED (exit $status):"
        grep -v "is ignored" "$workdir/audit.log" | tail -n 5 | sed 's/^/    /'
        return 0
    fi
    "$PY" - "$workdir/audit.json" <<'EOF'
import json
import sys
from pathlib import Path

report = json.loads(Path(sys.argv[1]).read_text())
packages = report["dependencies"]
audited = [package for package in packages if "skip_reason" not in package]
skipped = [package for package in packages if "skip_reason" in package]
vulnerable = [package for package in audited if package["vulns"]]
for package in vulnerable:
    for vuln in package["vulns"]:
        fixes = ", ".join(vuln["fix_versions"]) or "no fixed version yet"
        print(f"{package['name']} {package['version']}: {vuln['id']} (fixed in {fixes})")
if not audited:
    print(
        f"pip-audit: the vulnerability service could not audit any of the {len(packages)} "
        "pinned packages (e.g. "
        f"{skipped[0]['skip_reason'] if skipped else 'no packages'}); NOT CHECKED."
    )
    sys.exit(0)
print(
    f"pip-audit: {len(audited)} pinned packages audited, {len(vulnerable)} with known "
    f"vulnerabilities; {len(skipped)} could not be audited"
    + (f" ({', '.join(package['name'] for package in skipped)})" if skipped else "")
)
sys.exit(1 if vulnerable else 0)
EOF
}

case "${1:-}" in
bandit) bandit_check ;;
pip-audit) pip_audit_check ;;
*)
    echo "usage: $0 bandit|pip-audit" >&2
    exit 2
    ;;
esac
