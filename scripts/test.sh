#!/usr/bin/env bash
# Run the checks: import contracts (import-linter), then pytest with a throw-away
# PostgreSQL server (scripts/with-postgres.sh) and Redis server (scripts/with-redis.sh).
# Arguments go to pytest.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh tests/unit -x   # a subset
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
bash scripts/with-postgres.sh bash scripts/with-redis.sh .venv/bin/python -m pytest "$@"
rc=$?
set -e

if [[ $rc -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$rc"
