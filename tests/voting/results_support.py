"""Shared pieces of the results tests: the sample edition with its projects,
ballots cast through the ballot store, and `pbbot` in-process."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.cli import main
from pbbot.domain.edition import Edition
from pbbot.voting.casting import BallotChoices, cast_ballot
from pbbot.voting.projects import import_projects

ROOT = Path(__file__).resolve().parents[2]
EDITION_FILE = ROOT / "examples" / "mechelen-2027.yaml"
PROJECTS_FILE = ROOT / "examples" / "mechelen-2027-projects.csv"
VOTING_DAY = date(2027, 4, 20)
RESULTS_DAY = date(2027, 5, 12)  # the results phase runs from 10 May
NOW = datetime(2027, 5, 12, 9, 30, tzinfo=UTC)
BALLOT_KEY = "results-tests-ballot-key-0123456789abcdefghij"

# Twelve voters' baskets (project numbers of the sample file): 2 and 9 most
# voted, 5 and 17 tie, 21 costs more than is left when its turn comes.
BASKETS: tuple[tuple[int, ...], ...] = (
    (2, 9, 5, 21),
    (2, 9, 17),
    (2, 9, 21, 1),
    (2, 3, 21),
    (9, 5, 12),
    (2, 17, 12, 21),
    (9, 21, 8),
    (2, 9, 5, 17, 21),
    (14, 21),
    (2, 9, 21, 3),
    (1, 21, 9),
    (21, 2, 9, 24),
)


def voter(index: int) -> str:
    return f"+3247099{index:04d}"


def edition_file(folder: Path, *, method: str = "basket", budget: int = 150_000) -> Path:
    """The sample edition with a smaller budget, so that some voted projects lose,
    and the way of voting `method`."""
    text = EDITION_FILE.read_text(encoding="utf-8")
    text = text.replace("total: 600000", f"total: {budget}")
    text = text.replace("method: basket", f"method: {method}")
    path = folder / "edition.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def import_sample_projects(session: AsyncSession, edition: Edition) -> None:
    await import_projects(session, edition, PROJECTS_FILE, NOW)


async def cast(
    session: AsyncSession, edition: Edition, phone: str, projects: tuple[int, ...]
) -> None:
    choices = BallotChoices(edition.voting.method, projects=projects)
    await cast_ballot(session, edition_id=edition.id, voter=phone, choices=choices, day=VOTING_DAY)


async def cast_baskets(session: AsyncSession, edition: Edition) -> None:
    for index, basket in enumerate(BASKETS):
        await cast(session, edition, voter(index), basket)


async def pbbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))
