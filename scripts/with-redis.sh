#!/usr/bin/env bash
# Run a command with a throw-away Redis server for the tests (celery's broker).
#
#   scripts/with-redis.sh CMD [ARGS...]
#
# - SUPPORTBOT_TEST_REDIS_URL already set: just run CMD against that server.
# - redis-server found (Debian: apt-get install redis-server): start one on a free port on
#   127.0.0.1 with its files in a temp dir, export SUPPORTBOT_TEST_REDIS_URL=redis://127.0.0.1:PORT/0,
#   run CMD, then always stop the server and delete the dir. Exits with CMD's status.
# - redis-server missing: with CI=true fail; otherwise warn that the worker tests will be
#   skipped and run CMD without a server.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [[ -n ${SUPPORTBOT_TEST_REDIS_URL:-} ]]; then
    exec "$@"
fi

if ! command -v redis-server >/dev/null; then
    if [[ ${CI:-} == true ]]; then
        echo "with-redis: redis-server not found; CI must not skip the Redis and celery tests: apt-get install redis-server" >&2
        exit 1
    fi
    echo "with-redis: NOTICE: redis-server not installed (apt-get install redis-server); worker tests will be skipped." >&2
    exec "$@"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/supportbot-redis.XXXXXX")
pid=

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for attempt in 1 2 3 4 5; do
    port=$((15000 + RANDOM % 17000))  # below the ephemeral range, like with-postgres.sh
    port_in_use "$port" && continue
    # A test broker: nothing to persist; noeviction as in production, so a full Redis fails loudly.
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
        --maxmemory-policy noeviction --logfile "$dir/redis.log" &
    pid=$!
    for _ in $(seq 1 50); do
        if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
            break 2
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
done
if [[ -z $pid ]]; then
    cat "$dir/redis.log" >&2 || true
    echo "with-redis: could not start redis-server" >&2
    exit 1
fi

export SUPPORTBOT_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
echo "with-redis: $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port" >&2

set +e
"$@"
rc=$?
set -e
exit "$rc"
