#!/usr/bin/env bash
# Contract fuzzing: schemathesis against the live OpenAPI schema of the project, served by
# gunicorn on a fresh SQLite database, as a verified account with data everywhere. Every answer
# must be no 5xx, a documented status code, and match its documented schema.
#
#   PY=.venv/bin/python     the interpreter (make test passes it)
#   FUZZ_EXAMPLES=25        test cases per operation and phase (more finds more, takes longer)
#   FUZZ_SEED=20261125      fixed, so a failure reproduces; change it to explore
#   FUZZ_PHASES=...         schemathesis phases (default: examples,coverage,fuzzing)
#
# Left out, and covered by pytest instead: the operations that end the fuzzer's own session or
# account (a session's uuid is discoverable from /me/sessions/, so revoking it would sign the
# fuzzer out halfway through the run).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-25}
FUZZ_SEED=${FUZZ_SEED:-20261125}
FUZZ_PHASES=${FUZZ_PHASES:-examples,coverage,fuzzing}
EXCLUDED='^(auth_logout|me_sessions_revoke|me_sessions_revoke_others|me_password_change|me_delete)$'

workdir=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export IGNORE_DOTENV=1 DEBUG=0 RATELIMIT_ENABLE=0 SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0
export SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
export ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$port"
export DATABASE_URL="sqlite:///$workdir/fuzz.sqlite3" REDIS_URL= EMAIL_URL=dummymail://
export QUICK_ESTIMATOR_PATH="$workdir/quick_estimator.skops" QUICK_ESTIMATOR_TRAINING_SAMPLES=600
unset DATABASE_REPLICA_URL

"$PY" manage.py migrate --noinput -v 0
token=$("$PY" manage.py fuzz_prepare 2>"$workdir/prepare.log") || {
    cat "$workdir/prepare.log" >&2
    exit 1
}

"$BIN/gunicorn" carbon_site.wsgi --bind "127.0.0.1:$port" --workers 1 --timeout 60 \
    --access-logfile - --error-logfile - >"$workdir/server.log" 2>&1 &
server_pid=$!

status=0
"$BIN/st" run "http://127.0.0.1:$port/api/schema/" \
    --wait-for-schema 30 \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --phases "$FUZZ_PHASES" \
    --max-examples "$FUZZ_EXAMPLES" \
    --seed "$FUZZ_SEED" \
    --generation-database none \
    --exclude-operation-id-regex "$EXCLUDED" \
    --workers 1 \
    --request-timeout 30 \
    --no-color || status=$?

if [ "$status" -ne 0 ]; then
    echo
    echo "contract fuzzing failed (exit $status); the server's last log lines:" >&2
    grep -v '" [1234][0-9][0-9] ' "$workdir/server.log" | tail -n 60 >&2 || true
fi
exit "$status"
