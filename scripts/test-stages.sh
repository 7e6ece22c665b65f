#!/usr/bin/env bash
# The stages of `make test`, in order, each timed; the first that fails stops the run.
#
#   PY=.venv/bin/python        the interpreter (the Makefile passes it)
#   MARIADB_TESTS=auto|0       auto: the MariaDB + Redis run happens when CI is set or something
#                              answers on 127.0.0.1:3306; 0: skip it
#   PYTEST_ARGS="-n 2 -x"      extra pytest arguments for every pytest run (SQLite, e2e, MariaDB)
#   CI=true                    install and start MariaDB and Redis when missing (scripts/
#                              ensure-services.sh); Hypothesis uses its "ci" profile
set -euo pipefail
cd "$(dirname "$0")/.."
export IGNORE_DOTENV=1 # the same result on every machine, whatever a developer's .env says

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
MARIADB_TESTS=${MARIADB_TESTS:-auto}
read -r -a PYTEST_EXTRA <<<"${PYTEST_ARGS:-}"
MARIADB_URL=mysql://root@127.0.0.1:3306/carbon_site
REDIS_TEST_URL=redis://127.0.0.1:6379/15
if [ -n "${CI:-}" ]; then
    export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}
fi

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# The checks run manage.py outside pytest, so settings read the environment (and .env): give
# them a throwaway key and a scratch SQLite file explicitly, whatever the developer's .env says.
throwaway_key=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
check_env=(env -u DATABASE_REPLICA_URL DEBUG=0 SECRET_KEY="$throwaway_key"
    DATABASE_URL="sqlite:///$workdir/checks.sqlite3" REDIS_URL=)

has_command() { "${check_env[@]}" "$PY" manage.py help "$1" >/dev/null 2>&1; }

timings=()
stage() { # stage NAME DESCRIPTION FUNCTION
    local name=$1 description=$2 started=$SECONDS status
    echo
    echo "--> $name: $description"
    set +e
    (
        set -e
        "$3"
    )
    status=$?
    set -e
    local took=$((SECONDS - started))
    if [ "$status" -ne 0 ]; then
        echo
        echo "!!! make test FAILED at stage '$name' (exit $status, after ${took}s): $description" >&2
        exit 1
    fi
    timings+=("$(printf '%-16s %4ss' "$name" "$took")")
    echo "==> $name (${took}s)"
}

lint() {
    "$BIN/ruff" check .
    "$BIN/ruff" format --check .
}

migrations() {
    "${check_env[@]}" "$PY" manage.py makemigrations --check --dry-run
}

openapi() {
    "${check_env[@]}" "$PY" manage.py spectacular --validate --fail-on-warn \
        --file "$workdir/openapi.yaml"
    echo "schema valid ($(wc -l <"$workdir/openapi.yaml") lines)"
}

deploy_check() {
    env -u DATABASE_URL -u DATABASE_REPLICA_URL DEBUG=0 SECRET_KEY="$throwaway_key" \
        ALLOWED_HOSTS=example.com SITE_URL=https://example.com REDIS_URL="$REDIS_TEST_URL" \
        "$PY" manage.py check --deploy --fail-level WARNING
}

methodology() {
    if has_command write_methodology; then
        "${check_env[@]}" "$PY" manage.py write_methodology --check
    else
        echo "no write_methodology command yet: skipped"
    fi
}

bandit_scan() {
    PY="$PY" bash scripts/security-checks.sh bandit
}

pip_audit() {
    PY="$PY" bash scripts/security-checks.sh pip-audit
}

contract_fuzz() {
    PY="$PY" bash scripts/contract-fuzz.sh
}

pytest_sqlite() {
    echo "=== pytest on SQLite"
    local status=0
    env -u DATABASE_URL -u DATABASE_REPLICA_URL -u REDIS_URL \
        "$BIN/pytest" --ignore=e2e ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"} || status=$?
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no tests: that is a failure here." >&2
    fi
    return "$status"
}

e2e_browser() {
    # Debian's Chromium, installed by apt-get when missing (never a Playwright browser download).
    bash scripts/ensure-chromium.sh
    echo "=== pytest e2e: $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null) driven by" \
        "Playwright against the live server on SQLite; screenshots in var/screenshots/"
    local status=0
    env -u DATABASE_URL -u DATABASE_REPLICA_URL -u REDIS_URL \
        "$BIN/pytest" e2e ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"} || status=$?
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no e2e tests: that is a failure here." >&2
    fi
    return "$status"
}

server_versions() {
    "$PY" - <<EOF
import MySQLdb, redis
connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="")
cursor = connection.cursor()
cursor.execute("SELECT VERSION()")
version = cursor.fetchone()[0]
name = "MariaDB" if "mariadb" in version.lower() else "MySQL"
# The database the URL names; pytest-django creates and drops test_carbon_site itself.
cursor.execute(
    "CREATE DATABASE IF NOT EXISTS carbon_site CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
)
redis_version = redis.Redis.from_url("$REDIS_TEST_URL").info("server")["redis_version"]
print(f"{name} {'.'.join(version.split('.')[:2])} + Redis {redis_version}")
EOF
}

pytest_mariadb() {
    PY="$PY" bash scripts/ensure-services.sh ensure
    local servers
    servers=$(server_versions)
    echo "=== pytest on $servers"
    echo "    (the engine's pure-Python tests and the e2e browser tests ran above and are not" \
        "repeated; sqlite_only deselected)"
    local status=0
    env -u DATABASE_REPLICA_URL DATABASE_URL="$MARIADB_URL" REDIS_URL="$REDIS_TEST_URL" \
        "$BIN/pytest" --ignore=footprints/tests/engine --ignore=e2e -m "not sqlite_only" \
        ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"} || status=$?
    if [ "$status" -eq 5 ]; then
        echo
        echo "WARNING: pytest on $servers collected no tests (exit 5): nothing database-facing" \
            "was checked on MariaDB. Not a failure yet; look at why." >&2
        return 0
    fi
    return "$status"
}

echo "make test: $("$PY" --version), CI=${CI:-unset}, HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-dev}"
started=$SECONDS

stage lint "ruff check . && ruff format --check ." lint
stage migrations "makemigrations --check --dry-run" migrations
stage openapi "spectacular --validate --fail-on-warn" openapi
stage deploy-check "check --deploy --fail-level WARNING (production-like env)" deploy_check
stage methodology "write_methodology --check (docs/methodology.md matches the factors)" methodology
stage bandit "bandit: no unexplained medium+ finding in the code" bandit_scan
stage pip-audit "pip-audit -r requirements.txt (says so when it cannot check)" pip_audit
stage pytest-sqlite "pytest on SQLite" pytest_sqlite
stage e2e "browser end-to-end tests: Playwright + Chromium, desktop and 375 px (e2e/)" e2e_browser
stage contract-fuzz "schemathesis against the live schema (scripts/contract-fuzz.sh)" contract_fuzz

if [ "$MARIADB_TESTS" = 0 ]; then
    echo
    echo "==> pytest on MariaDB + Redis skipped (MARIADB_TESTS=0)"
elif [ -n "${CI:-}" ] || bash scripts/ensure-services.sh probe; then
    stage pytest-mariadb "pytest on MariaDB + Redis" pytest_mariadb
else
    echo
    echo "==> pytest on MariaDB + Redis skipped: nothing answers on 127.0.0.1:3306" \
        "(CI=true make test installs and starts MariaDB and Redis)"
fi

echo
echo "make test passed in $((SECONDS - started))s:"
printf '  %s\n' "${timings[@]}"
