#!/usr/bin/env bash
# Run the checks: import contracts (import-linter), then pytest with a throw-away
# PostgreSQL server (scripts/with-postgres.sh) and Redis server (scripts/with-redis.sh).
# Arguments go to pytest.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh tests/unit -x   # a subset
#   SUPPORTBOT_TEST_WORKERS=1 scripts/test.sh   # in one process (default: 2 pytest-xdist workers,
#                                               # each module on one worker, so its fixtures are built once)
#
# Models load offline. "No tests collected" (pytest exit 5) counts as a failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HAYSTACK_TELEMETRY_ENABLED=False

echo "== import contracts (lint-imports)"
.venv/bin/lint-imports

echo "== pytest $*"
set +e
workers=${SUPPORTBOT_TEST_WORKERS:-2}
parallel=()
[[ $workers -gt 1 ]] && parallel=(-n "$workers" --dist loadscope)
bash scripts/with-postgres.sh bash scripts/with-redis.sh .venv/bin/python -m pytest "${parallel[@]}" "$@"
rc=$?
set -e

if [[ $rc -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$rc"
