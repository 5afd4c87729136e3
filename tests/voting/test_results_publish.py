"""`pbbot results publish|show`, on SQLite and PostgreSQL: the counted ballots
(a voided voter's left out) counted with the edition's rule, stored with the
chart for the chat, the same winners and votes as `pbbot tally` finds on the
exported file; a dry run stores nothing, publishing again replaces what
residents read and keeps the earlier one, and nothing is published while
voting runs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import translator
from pbbot.voting.casting import void_voter
from pbbot.voting.results_tables import PublishedChart, PublishedResultsRow
from pbbot.voting.results_view import PublishedResults
from tests.voting.results_support import (
    BALLOT_KEY,
    BASKETS,
    cast,
    cast_baskets,
    edition_file,
    import_sample_projects,
    pbbot,
    voter,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def edition(
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Edition]:
    """The sample edition and projects, the twelve baskets cast, voter 0 voided."""
    path = edition_file(tmp_path)
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_EDITION", str(path))
    monkeypatch.setenv("PBBOT_BALLOT_KEY", BALLOT_KEY)
    loaded = load_edition(path)
    async with sessionmaker.begin() as session:
        await import_sample_projects(session, loaded)
        await cast_baskets(session, loaded)
    async with sessionmaker.begin() as session:
        assert await void_voter(session, edition_id=loaded.id, voter=voter(0))
    yield loaded


async def _rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[PublishedResultsRow]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(select(PublishedResultsRow).order_by(PublishedResultsRow.id))
        )


async def _tally(tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    exported = tmp_path / "ballots.pb"
    assert await pbbot("ballots", "export", "--pb", str(exported)) == 0
    capsys.readouterr()
    assert await pbbot("tally", str(exported), *options) == 0
    return capsys.readouterr().out


async def test_publish_stores_the_count_of_the_counted_ballots_as_tally_finds_it(
    edition: Edition,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await pbbot("results", "publish", "--by", "An Peeters", "--today", "2027-05-10") == 0
    out = capsys.readouterr().out

    (row,) = await _rows(sessionmaker)
    results = PublishedResults.from_json(row.results)
    tally = json.loads(await _tally(tmp_path, capsys, "--json"))
    assert list(results.selected) == tally["selected"]
    assert results.voters == tally["voters"] == len(BASKETS) - 1  # the voided one is out
    assert str(results.spent) == tally["spent"]
    # Without voter 0's basket (2, 9, 5, 21): 21 and 9 lead; of the four with two
    # votes, 5 no longer fits when its turn comes (ties go by number as text).
    assert [p.number for p in results.winners] == [21, 9, 2, 17, 1, 12, 3]
    assert {p.number for p in results.projects if not p.selected} >= {5, 14, 24}
    votes = {p.number: int(p.votes) for p in results.projects}
    assert (votes[21], votes[9], votes[5], votes[24]) == (9, 8, 2, 1)
    winner = results.by_number()[21]
    assert (winner.title["nl"], winner.title["ar"], winner.cost, winner.theme) == (
        "Boekenruilkastjes",
        "خزائن لتبادل الكتب",
        Decimal(8000),
        "culture",
    )
    assert [(theme, int(amount)) for theme, amount in results.by_theme.items()] == [
        ("mobility", 56_500),
        ("green", 42_000),
        ("youth", 38_500),
        ("culture", 8_000),
    ]
    assert (row.published_by, row.replaced_at) == ("An Peeters", None)
    assert results.rule == "greedy"

    async with sessionmaker() as session:
        charts = dict(
            (await session.execute(select(PublishedChart.language, PublishedChart.png))).all()
        )
    assert set(results.charts) == set(edition.languages)  # every language shows one
    assert set(results.charts.values()) == set(charts)
    assert all(png.startswith(PNG) for png in charts.values())
    assert "   21        8000 EUR        9 votes  Boekenruilkastjes" in out.splitlines()


async def test_what_residents_read_is_the_text_tally_explains(
    edition: Edition, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await pbbot("results", "publish", "--today", "2027-05-10") == 0
    capsys.readouterr()

    for channel in ("sms", "telegram"):
        assert await pbbot("results", "show", "--explain", "nl", "--channel", channel) == 0
        shown = capsys.readouterr().out
        tallied = await _tally(tmp_path, capsys, "--explain", "nl", "--channel", channel)
        # The same text; the chat names the themes as the edition does, where the
        # file has their ids (or a Pabulib theme's translation: "culture").
        for theme in edition.themes:
            for label in {theme.id, translator("nl").gettext(theme.id)}:
                tallied = tallied.replace(f"• {label}:", f"• {theme.name['nl']}:")
        assert shown == tallied
    assert "• Mobiliteit: €\u00a056.500" in shown


async def test_a_dry_run_prints_the_count_and_stores_nothing(
    edition: Edition,
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await pbbot("results", "publish", "--dry-run", "--today", "2027-05-10")

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("dry run: nothing is published\nrule: greedy   voters: 11")
    assert "Boekenruilkastjes" in out
    assert await _rows(sessionmaker) == []
    assert await pbbot("results", "show") == 1
    assert "not published yet" in capsys.readouterr().out


async def test_publishing_again_replaces_what_residents_read_and_keeps_the_first(
    edition: Edition,
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await pbbot("results", "publish", "--by", "An", "--today", "2027-05-10") == 0
    async with sessionmaker.begin() as session:  # paper ballots came in late, say
        for index in range(20, 24):
            await cast(session, edition, voter(index), (5, 24))
    assert await pbbot("results", "publish", "--by", "Bram", "--today", "2027-05-11") == 0
    capsys.readouterr()

    first, second = await _rows(sessionmaker)
    assert first.replaced_at is not None and second.replaced_at is None
    before = PublishedResults.from_json(first.results)
    assert before.voters == 11 and 5 not in {p.number for p in before.winners}
    now = PublishedResults.from_json(second.results)
    assert now.voters == 15 and [p.number for p in now.winners] == [21, 9, 2, 5, 24, 3]
    assert await pbbot("results", "show") == 0
    shown = capsys.readouterr().out
    assert "by Bram (replaces 1 earlier)" in shown.splitlines()[0]
    assert "voters: 15" in shown


async def test_nothing_is_published_while_voting_runs(
    edition: Edition,
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await pbbot("results", "publish", "--today", "2027-05-09") == 1

    assert "voting is open until 2027-05-09" in capsys.readouterr().err
    assert await _rows(sessionmaker) == []


async def test_a_hand_move_of_the_phase_decides_whether_voting_is_over(
    edition: Edition,
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Staff close voting four days early: the results may go out that day.
    assert await pbbot("phase", "set", "results", "--by", "An", "--today", "2027-05-05") == 0
    assert await pbbot("results", "publish", "--dry-run", "--today", "2027-05-05") == 0
    # And open it again: nothing is published while it runs.
    assert await pbbot("phase", "set", "voting", "--by", "An", "--today", "2027-05-05") == 0
    capsys.readouterr()
    assert await pbbot("results", "publish", "--today", "2027-05-05") == 1
    assert "voting is open" in capsys.readouterr().err
    assert await _rows(sessionmaker) == []


async def test_nothing_is_published_without_ballots(
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_EDITION", str(edition_file(tmp_path)))

    assert await pbbot("results", "publish", "--today", "2027-05-10") == 1

    assert "no counted ballots" in capsys.readouterr().err
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(PublishedResultsRow)) == 0
