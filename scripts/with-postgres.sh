#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server for the tests.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# - SUPPORTBOT_TEST_POSTGRES_URL already set: just run CMD against that server.
# - PostgreSQL binaries found (Debian: /usr/lib/postgresql/<ver>/bin, or $PG_BINDIR):
#   initdb in a temp dir, start on a free port on 127.0.0.1 (unix socket in the temp
#   dir), create database supportbot_test, export
#   SUPPORTBOT_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/supportbot_test,
#   run CMD, then always stop the server and delete the dir. Exits with CMD's status.
#   PostgreSQL refuses to run as root: as root the server runs as user postgres.
# - Binaries missing: with CI=true fail; otherwise warn that PostgreSQL tests will be
#   skipped and run CMD without a server.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [[ -n ${SUPPORTBOT_TEST_POSTGRES_URL:-} ]]; then
    exec "$@"
fi

find_bindir() {
    if [[ -n ${PG_BINDIR:-} ]]; then
        printf '%s\n' "$PG_BINDIR"
        return
    fi
    local initdb
    # Newest Debian version first.
    for initdb in $(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -rV); do
        if [[ -x $initdb ]]; then
            dirname "$initdb"
            return
        fi
    done
}

bindir=$(find_bindir)
if [[ -z $bindir || ! -x $bindir/initdb || ! -x $bindir/pg_ctl ]]; then
    if [[ ${CI:-} == true ]]; then
        echo "with-postgres: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)." >&2
        echo "with-postgres: CI must not skip the PostgreSQL tests: apt-get install postgresql" >&2
        exit 1
    fi
    echo "with-postgres: NOTICE: PostgreSQL not installed (apt-get install postgresql);" \
        "PostgreSQL tests will be skipped." >&2
    exec "$@"
fi

# As root, run the server as postgres (it refuses root); otherwise as ourselves.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root but there is no 'postgres' user to run the server" >&2
        exit 1
    fi
    as_pg=(runuser -u postgres --)
    base=/tmp # must be reachable by postgres, and short: the socket path is limited
else
    base=${TMPDIR:-/tmp}
fi

pgdir=$(mktemp -d "$base/supportbot-pg.XXXXXX")
data=$pgdir/data
log=$pgdir/server.log

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -f $data/postmaster.pid ]]; then
        if ! (cd "$pgdir" && "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1); then
            (cd "$pgdir" && "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1) ||
                echo "with-postgres: WARNING: could not stop the server in $pgdir" >&2
        fi
    fi
    rm -rf "$pgdir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ ${#as_pg[@]} -eq 0 ]] || chown postgres: "$pgdir"

# cd into the temp dir: as postgres the caller's directory may not be readable.
(cd "$pgdir" && "${as_pg[@]}" "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --no-locale --no-sync) \
    >"$pgdir/initdb.log" 2>&1 || {
    cat "$pgdir/initdb.log" >&2
    echo "with-postgres: initdb failed" >&2
    exit 1
}

# Throw-away test server: no durability needed, keep it fast and local.
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgdir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=
for attempt in 1 2 3 4 5; do
    # Below the Linux ephemeral range (32768+), so outgoing connections do not take it.
    candidate=$((15000 + RANDOM % 17000))
    port_in_use "$candidate" && continue
    if (cd "$pgdir" && "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $candidate" -w -t 30 start) >/dev/null; then
        port=$candidate
        break
    fi
    if grep -q "Address already in use" "$log" 2>/dev/null; then
        continue
    fi
    cat "$log" >&2 || true
    echo "with-postgres: could not start PostgreSQL" >&2
    exit 1
done
if [[ -z $port ]]; then
    echo "with-postgres: no free port found for PostgreSQL" >&2
    exit 1
fi

ready=
for _ in $(seq 1 60); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
        ready=yes
        break
    fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    cat "$log" >&2 || true
    echo "with-postgres: PostgreSQL did not become ready on port $port" >&2
    exit 1
fi

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres supportbot_test

export SUPPORTBOT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/supportbot_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') on 127.0.0.1:$port (data in $pgdir)" >&2

set +e
"$@"
rc=$?
set -e
exit "$rc"
