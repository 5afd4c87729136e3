#!/usr/bin/env bash
# Sets up and starts the simulator on the embedded default: a SQLite file,
# the sample edition and a clock inside its voting phase. Extra arguments go to
# `pbbot chat`, e.g. `scripts/demo.sh --channel telegram --lang fr`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PBBOT_EDITION=${PBBOT_EDITION:-examples/mechelen-2027.yaml}
export PBBOT_DATABASE_URL=${PBBOT_DATABASE_URL:-sqlite+aiosqlite:///pbbot-demo.db}
export PBBOT_TODAY=${PBBOT_TODAY:-2027-02-20}
.venv/bin/pbbot db upgrade
if [ "$#" -eq 0 ]; then
    set -- --channel sms --lang nl
fi
exec .venv/bin/pbbot chat "$@"
