"""`scripts/demo.sh` as a newcomer runs it: again and again, and with arguments of their own."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.sh"
CONTINUE = re.compile(r"To go on as them: scripts/demo\.sh --phone (\+3247\d{7})\n")
# demo(*arguments, typed=lines) runs the script: (the conversation, its stderr).
Demo = Callable[..., tuple[str, str]]


def _resident(stderr: str) -> str:
    """The number the demo says to go on with."""
    found = CONTINUE.search(stderr)
    assert found, stderr
    return found[1]


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    if not (ROOT / ".venv" / "bin" / "pbbot").exists():
        pytest.skip("needs the set-up's .venv (scripts/setup.sh), which the demo would create")
    env = {name: value for name, value in os.environ.items() if not name.startswith("PBBOT_")}
    env["PBBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/demo.db"

    def run(*args: str, typed: str) -> tuple[str, str]:
        """The conversation (what the set-up printed before it, left out) and stderr."""
        done = subprocess.run(
            ["bash", str(DEMO), *args],
            input=typed,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout[done.stdout.index(">>> ") :], done.stderr

    return run


def test_each_run_is_a_new_resident_unless_one_is_named(demo: Demo) -> None:
    first, stopped = demo(typed="hallo\nSTOP\n")
    again, started = demo(typed="hallo\n")
    same, named = demo("--phone", _resident(stopped), typed="hallo\n")

    assert _resident(stopped) != _resident(started)
    # The second run is greeted as the first was, by SMS, although the first
    # resident sent STOP; that resident, named, is remembered: not greeted anew.
    greeting = first[: first.index(">>> STOP")]
    assert greeting.startswith(">>> hallo\n--- SMS")
    assert again == greeting
    assert not same.startswith(greeting)
    assert "a new resident" not in named


def test_arguments_are_added_to_the_defaults(demo: Demo) -> None:
    conversation, told = demo("--channel", "telegram", "--lang", "fr", typed="bonjour\n")

    assert _resident(told)  # still a new resident of its own
    assert conversation.startswith(">>> bonjour\n--- Telegram")
