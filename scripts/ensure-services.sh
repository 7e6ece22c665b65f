#!/usr/bin/env bash
# MariaDB on 127.0.0.1:3306 and Redis on 127.0.0.1:6379 for the second pytest run of `make test`.
#
#   scripts/ensure-services.sh probe    exit 0 when something answers on 127.0.0.1:3306
#   scripts/ensure-services.sh ensure   make sure both answer: with CI set, install them with apt
#                                       and start them when they are missing; without CI, only
#                                       check and say what is missing.
#
# A server that already answers is never touched: nothing here stops or restarts anything.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=127.0.0.1
MARIADB_PORT=3306
REDIS_PORT=6379
WAIT_SECONDS=${SERVICES_WAIT_SECONDS:-60}
PY=${PY:-.venv/bin/python}

mariadb_answers() {
    local admin
    for admin in mariadb-admin mysqladmin; do
        if command -v "$admin" >/dev/null 2>&1; then
            # ping exits 0 when the server is up, even if it refuses these credentials.
            "$admin" ping -h"$HOST" -P"$MARIADB_PORT" -uroot --connect-timeout=2 >/dev/null 2>&1
            return
        fi
    done
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$MARIADB_PORT" 2>/dev/null
}

redis_answers() {
    if command -v redis-cli >/dev/null 2>&1; then
        [ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
        return
    fi
    timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$REDIS_PORT && printf 'PING\r\n' >&3 \
        && read -r reply <&3 && [[ \$reply == +PONG* ]]" 2>/dev/null
}

wait_for() { # wait_for NAME PROBE
    local name=$1 probe=$2 waited=0
    until $probe; do
        if [ "$waited" -ge "$WAIT_SECONDS" ]; then
            echo "ensure-services: $name did not answer within ${WAIT_SECONDS}s." >&2
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "    $name answers (after ${waited}s)"
}

apt_install() {
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "ensure-services: need $* but cannot install them (not root, or no apt-get)." >&2
        echo "  Install and start them yourself: sudo apt-get install $*" >&2
        exit 1
    fi
    echo "==> apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

mariadb_datadir() {
    /usr/sbin/mariadbd --print-defaults 2>/dev/null | tr ' ' '\n' \
        | sed -n 's/^--datadir=//p' | tail -n 1 | grep . || echo /var/lib/mysql
}

start_mariadb() {
    # What Debian's init script does, minus mysqld_safe: the server runs as the mysql user and
    # reads /etc/mysql/my.cnf (bind-address 127.0.0.1, port 3306).
    local datadir
    datadir=$(mariadb_datadir)
    install -d -o mysql -g root -m 755 /run/mysqld
    install -d -o mysql -g adm -m 2750 /var/log/mysql
    if [ ! -d "$datadir/mysql" ]; then
        echo "==> mariadb-install-db --datadir=$datadir"
        mariadb-install-db --user=mysql --datadir="$datadir" >/dev/null
    fi
    echo "==> starting MariaDB (mariadbd as mysql)"
    start-stop-daemon --start --oknodo --background --chuid mysql --exec /usr/sbin/mariadbd
    wait_for MariaDB mariadb_answers
}

root_over_tcp() {
    "$PY" -c "import MySQLdb; MySQLdb.connect(host='$HOST', port=$MARIADB_PORT, user='root', \
password='', connect_timeout=3).close()" 2>/dev/null
}

allow_root_over_tcp() {
    # A fresh Debian install lets root in through the unix socket only; the tests connect as
    # root with no password over TCP, as on the development machines. Only for a server we started.
    root_over_tcp && return
    echo "==> allowing root@127.0.0.1 with no password (fresh CI server only)"
    mariadb --protocol=socket -uroot <<'SQL'
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
}

start_redis() {
    echo "==> starting Redis (no persistence)"
    redis-server --daemonize yes --bind "$HOST" --port "$REDIS_PORT" --save "" --appendonly no \
        >/dev/null
    wait_for Redis redis_answers
}

ensure() {
    local need=()
    mariadb_answers || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server mariadb-client)
    redis_answers || command -v redis-server >/dev/null 2>&1 || need+=(redis-server)

    if [ -z "${CI:-}" ]; then
        local problem=""
        mariadb_answers || problem="MariaDB does not answer on $HOST:$MARIADB_PORT"
        redis_answers || problem="${problem:+$problem; }Redis does not answer on $HOST:$REDIS_PORT"
        if [ -n "$problem" ]; then
            echo "make test: $problem." >&2
            echo "  Start it (e.g. redis-server --daemonize yes --save ''), or run CI=true make test" \
                "to install and start both, or MARIADB_TESTS=0 make test to skip this run." >&2
            exit 1
        fi
        return
    fi

    [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

    if ! mariadb_answers; then # apt may have started it already
        [ "$(id -u)" -eq 0 ] || { echo "ensure-services: start MariaDB as root." >&2; exit 1; }
        start_mariadb
        allow_root_over_tcp
    fi
    redis_answers || start_redis
}

case ${1:-} in
    probe) mariadb_answers ;;
    ensure) ensure ;;
    *)
        echo "usage: $0 probe|ensure" >&2
        exit 2
        ;;
esac
