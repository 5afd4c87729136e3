#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL 15 server in a temporary folder for the
# test suite. `start` prints `PBBOT_TEST_POSTGRES_URL=...` for `eval`.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.pgtest/state

find_bin() {
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    return 1
}

run_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    bin=$(find_bin) || {
        echo "PostgreSQL not found; installing it with apt" >&2
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bin=$(find_bin)
    }
    "$0" stop >/dev/null 2>&1 || true
    dir=$(mktemp -d /tmp/pbbot-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    run_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
    run_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    run_as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres pbbot_test
    mkdir -p .pgtest
    printf '%s\n%s\n%s\n' "$bin" "$dir" "$port" > "$state"
    echo "PBBOT_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:$port/pbbot_test"
    ;;
stop)
    [ -f "$state" ] || exit 0
    { read -r bin; read -r dir; read -r _port; } < "$state"
    run_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$state"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
