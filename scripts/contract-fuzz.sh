#!/usr/bin/env bash
# Contract fuzzing: schemathesis against the live OpenAPI schema of the project, served by
# gunicorn on a fresh SQLite database, as a verified account with data everywhere. Every answer
# must be no 5xx, a documented status code, and match its documented schema.
#
#   PY=.venv/bin/python     the interpreter (make test passes it)
#   FUZZ_EXAMPLES=30        test cases per operation in the fuzzing phase
#   FUZZ_SEED=20261125      fixed, so a failure reproduces; change it to explore
#   FUZZ_PHASES=...         schemathesis phases (default: examples,coverage,fuzzing)
#   FUZZ_LOG=path           keep the server's log (every request, every traceback) there
#
# Settings: carbon_site/tests/contract/schemathesis.toml (the token, and the real ids that the
# operations taking an id are called with). Left out, and covered by pytest instead: the
# operations that end the fuzzer's own session or account (its session's uuid is listed by
# /me/sessions/, so a revoke could sign the fuzzer out halfway through the run).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-30}
FUZZ_SEED=${FUZZ_SEED:-20261125}
FUZZ_PHASES=${FUZZ_PHASES:-examples,coverage,fuzzing}
EXCLUDED='^(auth_logout|me_sessions_revoke|me_sessions_revoke_others|me_password_change|me_delete)$'

workdir=$(mktemp -d)
server_pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "${FUZZ_LOG:-}" ] && [ -f "$workdir/server.log" ]; then
        cp "$workdir/server.log" "$FUZZ_LOG"
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY IGNORE_DOTENV=1 DEBUG=0 RATELIMIT_ENABLE=0 SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0
export ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$port"
export DATABASE_URL="sqlite:///$workdir/fuzz.sqlite3" REDIS_URL="" EMAIL_URL=dummymail://
export QUICK_ESTIMATOR_PATH="$workdir/quick_estimator.skops" QUICK_ESTIMATOR_TRAINING_SAMPLES=600
unset DATABASE_REPLICA_URL

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py fuzz_prepare >"$workdir/ids" 2>"$workdir/prepare.log" || {
    cat "$workdir/prepare.log" >&2
    exit 1
}
while IFS='=' read -r name value; do
    case "$name" in FUZZ_*) export "$name=$value" ;; esac
done <"$workdir/ids"

# No request-line or header size limits in gunicorn here: those belong to the front server (its
# 414 is HTML, outside the API's contract); the fuzzer tests what the application answers.
"$BIN/gunicorn" carbon_site.wsgi --bind "127.0.0.1:$port" --workers 1 --timeout 60 \
    --limit-request-line 0 --limit-request-field_size 0 \
    --access-logfile - --error-logfile - >"$workdir/server.log" 2>&1 &
server_pid=$!

# The token must work, or every answer is a documented 401 and the run proves nothing.
"$PY" - "http://127.0.0.1:$port/api/v1/me/" <<'EOF'
import os, sys, time, urllib.error, urllib.request

signed_in = urllib.request.Request(
    sys.argv[1], headers={"Authorization": f"Bearer {os.environ['FUZZ_TOKEN']}"}
)
for _ in range(120):
    try:
        with urllib.request.urlopen(signed_in, timeout=5):  # noqa: S310 - our loopback server
            print("server up; the fuzzer's token works")
            break
    except urllib.error.HTTPError as error:
        sys.exit(f"the fuzzer's token was refused: {error}")
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("the server did not answer within a minute")
EOF

status=0
"$BIN/st" --config-file carbon_site/tests/contract/schemathesis.toml \
    run "http://127.0.0.1:$port/api/schema/" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --phases "$FUZZ_PHASES" \
    --max-examples "$FUZZ_EXAMPLES" \
    --seed "$FUZZ_SEED" \
    --generation-database none \
    --exclude-operation-id-regex "$EXCLUDED" \
    --workers 1 \
    --request-timeout 30 \
    --no-color || status=$?

echo "answers by status code:"
grep -oE '" [1-5][0-9][0-9] ' "$workdir/server.log" | sort | uniq -c | sort -rn || true
if [ "$status" -ne 0 ]; then
    echo
    echo "contract fuzzing failed (exit $status); the server's last log lines:" >&2
    grep -vE '" [1-4][0-9][0-9] |"level": "INFO"' "$workdir/server.log" | tail -n 60 >&2 || true
fi
exit "$status"
