#!/usr/bin/env bash
# Sets up and starts the simulator on the embedded default: a SQLite file,
# the sample edition with its projects and a clock inside its ideation phase.
# Arguments are added to the defaults and go to `pbbot chat`, e.g.
# `scripts/demo.sh --channel telegram --lang fr`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PBBOT_EDITION=${PBBOT_EDITION:-examples/mechelen-2027.yaml}
demo_database=sqlite+aiosqlite:///pbbot-demo.db
export PBBOT_DATABASE_URL=${PBBOT_DATABASE_URL:-$demo_database}
export PBBOT_TODAY=${PBBOT_TODAY:-2027-02-20}
.venv/bin/pbbot db upgrade
# The ballot's candidate projects, from the file beside the edition if there is
# one (examples/mechelen-2027-projects.csv), so a clock in the voting phase has
# something to vote on: PBBOT_TODAY=2027-04-20 scripts/demo.sh. Importing again
# updates each project by its ref and keeps its number, so every run may.
projects=${PBBOT_EDITION%.yaml}-projects.csv
if [ -f "$projects" ]; then
    .venv/bin/pbbot projects import "$projects"
fi

# The database remembers every resident (one who sent STOP stays silent), so
# each run is a new resident unless one is named: a Belgian mobile, +32 47x.
named=no
for arg in "$@"; do
    case $arg in --phone | --phone=*) named=yes ;; esac
done
if [ "$named" = no ]; then
    phone=$(printf '+3247%07d' $(((RANDOM * 32768 + RANDOM) % 10000000)))
    set -- --phone "$phone" "$@"
    echo "pbbot demo: a new resident, $phone. To go on as them: scripts/demo.sh --phone $phone" >&2
    if [ "$PBBOT_DATABASE_URL" = "$demo_database" ]; then
        echo "pbbot demo: to forget every demo resident: rm pbbot-demo.db" >&2
    fi
fi
# A real SMS carries no language hint, so there is no --lang by default; later
# arguments win over earlier ones, so the caller's --channel replaces this one.
exec .venv/bin/pbbot chat --channel sms "$@"
