"""What the ballot tests share: a small edition of each voting method (in memory
and as a file for the `pbbot` command), its five projects, and the ballot key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.cli import main
from pbbot.config.edition_file import load_edition
from pbbot.domain.edition import Edition
from pbbot.voting.projects import store_projects
from pbbot.voting.projects_file import ProjectRow
from tests.server.harness import EDITION as SAMPLE_FILE

Sessions = async_sessionmaker[AsyncSession]
KEY = "k3y-for-the-tests-only-0123456789abcdef"
NOW = datetime(2027, 4, 25, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
BUDGET = 100_000
# number: (title, cost, theme); the budget buys 1 and 3, or 2 and 4, ...
PROJECTS = {
    1: ("Bankjes aan de Dijle", 60_000, "green"),
    2: ("Fietsenstalling station", 50_000, "mobility"),
    3: ("Speelplein Nekkerspoel", 30_000, "youth"),
    4: ("Muziek in het park", 20_000, "culture"),
    5: ("Bomen op de markt", 10_000, "green"),
}
VOTING = {
    "basket": "  method: basket\n  rule: greedy\n  min_share_percent: 50\n  max_projects: 3\n",
    "approval": "  method: approval\n  rule: greedy\n  max_choices: 2\n",
    "vessels": "  method: vessels\n  rule: greedy\n  step: 10000\n",
    "equal-shares": "  method: approval\n  rule: equal-shares\n  max_choices: 3\n",
}


def edition_file(folder: Path, kind: str = "basket") -> Path:
    """The sample edition with a budget of 100 000 and the voting section of `kind`."""
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    text = text.replace("  total: 600000\n", f"  total: {BUDGET}\n")
    text = text.replace(
        "voting:\n  method: basket\n  rule: greedy\n  min_age: 12\n", f"voting:\n{VOTING[kind]}"
    )
    assert f"total: {BUDGET}" in text and VOTING[kind] in text
    path = folder / f"edition-{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def small_edition(folder: Path, kind: str = "basket") -> Edition:
    return load_edition(edition_file(folder, kind))


async def add_projects(sessions: Sessions, edition: Edition) -> None:
    rows = [
        ProjectRow(number, {"nl": title}, {}, cost, theme, f"P-{number}")
        for number, (title, cost, theme) in PROJECTS.items()
    ]
    async with sessions.begin() as session:
        await store_projects(session, edition, rows, NOW)


async def pbbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))
