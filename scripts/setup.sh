#!/usr/bin/env bash
# Create or refresh the project's virtual environment in .venv (idempotent).
#
#   1. create .venv with Python 3.11 if it does not exist;
#   2. install torch==2.13.0 first (the local CPU wheel: any later resolver run then
#      finds torch already satisfied and never pulls the CUDA build);
#   3. install the project in editable mode with its test extras.
#
# Steps 2-3 are skipped when pyproject.toml has not changed since the last successful
# install (its sha256 is kept in .venv/.supportbot-setup.sha256).
# Uses plain pip, so /etc/pip.conf and PIP_FIND_LINKS apply.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=.venv
stamp=$venv/.supportbot-setup.sha256
torch_spec='torch==2.13.0'

is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

if [[ ! -x $venv/bin/python ]]; then
    python=
    for candidate in "${PYTHON:-}" python3.11 python3; do
        if [[ -n $candidate ]] && command -v "$candidate" >/dev/null && is_py311 "$candidate"; then
            python=$candidate
            break
        fi
    done
    if [[ -z $python ]]; then
        echo "setup: Python 3.11 not found (tried \$PYTHON, python3.11, python3)" >&2
        exit 1
    fi
    echo "setup: creating $venv with $(command -v "$python")"
    "$python" -m venv "$venv"
fi

if ! is_py311 "$venv/bin/python"; then
    echo "setup: $venv does not use Python 3.11; remove it (rm -rf $venv) and run again" >&2
    exit 1
fi

want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
    echo "setup: $venv is up to date"
    exit 0
fi

# pip's and the build backend's chatter goes to a log, shown only when a step fails.
log=$venv/.supportbot-setup.log
: >"$log"
pip_install() {
    if ! "$venv/bin/python" -m pip --disable-pip-version-check install --progress-bar off "$@" >>"$log" 2>&1; then
        cat "$log" >&2
        echo "setup: pip install $* failed (log: $log)" >&2
        exit 1
    fi
}
echo "setup: installing $torch_spec (CPU)"
pip_install "$torch_spec"
echo "setup: installing supportbot[test] (editable)"
pip_install -e '.[test]'

printf '%s\n' "$want" >"$stamp"
echo "setup: done"
