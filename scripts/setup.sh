#!/usr/bin/env bash
# Sets up a working copy from nothing but Python and the package registries:
# a virtual environment in .venv, pbbot with its extras, and compiled catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# Reinstall only when the project's requirements changed since the last set-up.
stamp=.venv/.pbbot-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev,ptb]"
    touch "$stamp"
fi
# .mo files are build output: always rebuilt from the committed .po files.
.venv/bin/pbbot i18n compile
