"""Commands that need no channel start fast: they never import the channel libraries.

aiogram alone takes seconds to import (its pydantic models), so a command
module that imports it at its top slows down `pbbot --help` and `pbbot tally`
for everyone. Each case runs in a fresh interpreter, as a staff member's shell does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pbbot import cli

ROOT = Path(__file__).resolve().parents[2]
# Only `serve`, `chat`, `db`, `residents` and `telegram` need these, and only once they run.
SLOW = {"aiogram", "telegram", "twilio", "aiohttp", "pydantic", "sqlalchemy", "alembic"}
SMALL_PB = """META
key;value
budget;100
vote_type;approval
rule;greedy
currency;EUR
PROJECTS
project_id;cost;name
1;60;Park
2;50;Bench
VOTES
voter_id;vote
a;1,2
b;1
"""
# Runs `pbbot ARGS...` in this interpreter, then tells its exit code and what it imported.
_PROBE = """
import contextlib, io, json, sys
from pbbot.cli import main
output = io.StringIO()
with contextlib.redirect_stdout(output):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:  # --help
        code = exit.code
print(json.dumps({"code": code, "output": output.getvalue(), "modules": sorted(sys.modules)}))
"""


def _run(*args: str) -> tuple[int, str, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(result.stdout)
    return probe["code"], probe["output"], set(probe["modules"])


def _libraries(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_tally_counts_without_the_channel_libraries(tmp_path: Path) -> None:
    path = tmp_path / "small.pb"
    path.write_text(SMALL_PB, encoding="utf-8")

    code, output, modules = _run("tally", str(path))

    assert code == 0
    assert output.startswith("rule: greedy   voters: 2   spent 60 of 100 EUR")
    assert _libraries(modules) & SLOW == set()
    assert "matplotlib" not in _libraries(modules)  # only for --chart


# Each command module is named after its command.
COMMANDS = [module.rpartition(".")[2] for module in cli._COMMAND_MODULES]


@pytest.mark.parametrize(
    "args",
    [["--help"], *([command, "--help"] for command in COMMANDS), ["flows", "check"]],
    ids=" ".join,
)
def test_commands_that_need_no_channel_import_none(args: list[str]) -> None:
    code, output, modules = _run(*args)

    assert code in (0, 1)  # 1: `flows check` found problems, which are not this test's business
    assert output
    assert _libraries(modules) & SLOW == set()
