"""Staff move the phase by hand: the rule (the latest of the moves and the file's
boundaries decides), its record (who, when), `pbbot phase`, and a running server
that follows a move at once: a resident's menu offers the vote."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.cli import main
from pbbot.config.edition_file import load_edition
from pbbot.domain.timeline import Move, deciding_move, phase_at
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.variables import VARIABLES
from pbbot.i18n.catalogs import translator
from pbbot.ideas.discussing import discussion_open
from pbbot.runtime import PhaseMoves
from pbbot.storage.phases import UnknownPhase, current_phase, latest_moves, move_phase
from pbbot.storage.tables import PhaseMove, StaffAction
from tests.server.harness import City, running_city
from tests.timeline.editions import SAMPLE, edition_with

EDITION = load_edition(SAMPLE)  # ideation 1 Feb - 14 Mar, review 15 Mar - 11 Apr, voting ...
IDEATION = datetime(2027, 2, 20, 10, tzinfo=UTC)
REVIEW_STARTS = datetime(2027, 3, 14, 23, tzinfo=UTC)  # midnight in Brussels


def kind(moment: datetime, *moves: Move) -> str | None:
    phase = phase_at(EDITION, moment, moves)
    return phase.kind if phase else None


def test_a_move_decides_until_the_files_next_boundary() -> None:
    early = Move("voting", IDEATION, "alice")
    assert kind(IDEATION) == "ideation"
    assert kind(IDEATION, early) == "voting"
    assert kind(datetime(2027, 3, 14, 22, 59, tzinfo=UTC), early) == "voting"
    assert kind(REVIEW_STARTS, early) == "review"  # the file's next change takes over


def test_auto_hands_the_decision_back_to_the_file() -> None:
    moves = (
        Move("voting", IDEATION, "alice"),
        Move(None, IDEATION.replace(hour=11), "bob"),
    )
    assert kind(IDEATION.replace(hour=10, minute=30), *moves) == "voting"
    assert kind(IDEATION.replace(hour=11), *moves) == "ideation"
    assert deciding_move(EDITION, IDEATION.replace(hour=12), moves) is None


def test_moves_after_the_moment_do_not_count_and_the_latest_wins() -> None:
    moves = (
        Move("review", IDEATION.replace(hour=9), "alice"),
        Move("voting", IDEATION.replace(hour=12), "bob"),
    )
    assert kind(IDEATION, *moves) == "review"
    assert kind(IDEATION.replace(hour=13), *moves) == "voting"
    same_time = (Move("review", IDEATION, "alice"), Move("voting", IDEATION, "bob"))
    assert kind(IDEATION, *same_time) == "voting"  # the one recorded last


def test_a_move_at_a_boundary_wins_and_one_to_a_phase_no_longer_listed_is_ignored(
    tmp_path: Path,
) -> None:
    assert kind(REVIEW_STARTS, Move("ideation", REVIEW_STARTS, "alice")) == "ideation"
    shorter = edition_with(
        tmp_path,
        """
  - {kind: ideation, start: 2027-02-01, end: 2027-03-14}
  - {kind: voting, start: 2027-04-12, end: 2027-05-09}
""",
    )
    phase = phase_at(shorter, IDEATION, (Move("review", IDEATION, "alice"),))
    assert phase is not None and phase.kind == "ideation"


async def test_a_move_is_recorded_with_who_and_when(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await move_phase(session, EDITION, "voting", by="alice", now=IDEATION)
        await move_phase(session, EDITION, None, by="bob", now=IDEATION.replace(hour=11))
        with pytest.raises(UnknownPhase, match="the edition has no phase 'counting'"):
            await move_phase(session, EDITION, "counting", by="eve", now=IDEATION)
    async with sessionmaker() as session:
        moves = await latest_moves(session, EDITION.id)
        assert moves == (
            Move("voting", IDEATION, "alice"),
            Move(None, IDEATION.replace(hour=11), "bob"),
        )
        assert await latest_moves(session, "another-edition") == ()
        at_half_past = await current_phase(session, EDITION, IDEATION.replace(minute=30))
        assert at_half_past is not None and at_half_past.kind == "voting"
        actions = (await session.scalars(select(StaffAction).order_by(StaffAction.id))).all()
        rows = (await session.scalars(select(PhaseMove))).all()
    assert [(a.action, a.subject, a.detail, a.done_by, a.done_at) for a in actions] == [
        ("phase.set", "voting", {"from": "ideation", "to": "voting"}, "alice", IDEATION),
        ("phase.auto", None, {"from": "voting", "to": None}, "bob", IDEATION.replace(hour=11)),
    ]
    assert {row.edition for row in rows} == {EDITION.id}


_SIDS = itertools.count(1)


async def _menu(city: City, text: str = "MENU") -> str:
    before = len(city.sms_bodies())
    response = await city.sms(text, sid=f"SM{next(_SIDS):032d}")
    assert response.status == 200
    await city.settle()
    return city.sms_bodies()[-1] if len(city.sms_bodies()) > before else ""


async def _pbbot(database_url: str, *argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    """`pbbot ARGV` in-process on the city's database and edition, on its day."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PBBOT_DATABASE_URL", database_url)
        patch.setenv("PBBOT_EDITION", str(SAMPLE))
        patch.setenv("PBBOT_TODAY", "2027-02-20")
        capsys.readouterr()
        assert await asyncio.to_thread(main, list(argv)) == 0
    return capsys.readouterr().out


async def test_a_running_server_follows_a_hand_move(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_city(database_url) as city:  # 20 February: ideation
        # The server re-reads the moves once a second; here before every batch,
        # so that the next message shows the move without a pause.
        city.runtime.moves.lifetime = 0
        for text in ("hello", "3", "1", "NO"):  # English, agree, no district
            await _menu(city, text)
        menu = await _menu(city, "NO")  # no age: the menu
        assert menu.startswith("Now: Ideas (")
        assert "Vote" not in menu

        said = await _pbbot(database_url, "phase", "set", "voting", "--by", "alice", capsys=capsys)
        assert said.startswith("moved by alice at 2027-02-20 ")
        assert "phase now: voting (set by hand by alice at 2027-02-20 " in said

        menu = await _menu(city)
        assert menu.startswith("Now: Voting (")
        assert "\n1 Vote\n" in menu

        said = await _pbbot(database_url, "phase", "auto", "--by", "bob", capsys=capsys)
        assert "phase now: ideation (from the edition file)" in said
        assert "Vote" not in await _menu(city)

        shown = await _pbbot(database_url, "phase", "show", capsys=capsys)
    assert shown.splitlines()[:2] == [
        "phase now: ideation (from the edition file)",
        "next in the file: review from 2027-03-15 00:00 CET",
    ]


def test_answers_follow_a_hand_move() -> None:
    flows = load_engine_flows()
    english = translator("en")
    during_voting = datetime(2027, 4, 20, 10, tzinfo=UTC)
    closed_early = StepContext(
        EDITION,
        flows,
        date(2027, 4, 20),
        now=during_voting,
        moves=(Move("results", during_voting.replace(hour=9), "alice"),),
    )
    assert closed_early.phase is not None and closed_early.phase.kind == "results"
    said = VARIABLES["voting_when"](closed_early, Turn("sms", "en", {}), english)
    assert said == "Voting closed on May 9, 2027. Thank you for taking part!"

    opened_early = StepContext(
        EDITION, flows, date(2027, 2, 20), now=IDEATION, moves=(Move("voting", IDEATION, "bob"),)
    )
    assert not discussion_open(opened_early)  # no more supports once voting runs
    assert discussion_open(StepContext(EDITION, flows, date(2027, 2, 20), now=IDEATION))


async def test_the_servers_read_of_the_moves_lasts_its_lifetime(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    read = PhaseMoves(EDITION.id, lifetime=3600)
    async with sessionmaker.begin() as session:
        await read.refresh(session)
        await move_phase(session, EDITION, "voting", by="alice", now=IDEATION)
        await read.refresh(session)
        assert read.moves == ()  # read less than its lifetime ago
        read.lifetime = 0
        await read.refresh(session)
        assert read.moves == (Move("voting", IDEATION, "alice"),)
