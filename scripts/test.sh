#!/usr/bin/env bash
# Sets up and runs the whole test suite, on SQLite and on a throw-away
# PostgreSQL server that this script starts and stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

eval "$(scripts/pg-test-server.sh start)"
trap 'scripts/pg-test-server.sh stop' EXIT
export PBBOT_TEST_POSTGRES_URL
# Without this, PostgreSQL tests fail instead of skipping when no server is up.
export PBBOT_REQUIRE_POSTGRES=1

.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/pbbot flows check
.venv/bin/pbbot i18n check
.venv/bin/python -m pytest -q "$@"
