"""Begin again: a new edition (a new file, a new id) started later keeps the
residents (their language, channel and STOP) but not their ideas' support,
their ballots, or what they answered in the old round (district, age, a draft
ballot); they meet the new round at its menu, without onboarding again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pbbot.conversations import SNAPSHOT_LOADERS
from pbbot.domain.messages import Inbound
from pbbot.engine.state import ConversationState
from pbbot.ideas.tables import Idea, IdeaSupport
from pbbot.runtime import Runtime, build_runtime
from pbbot.storage.tables import Conversation, Resident
from pbbot.voting.casting import counted_ballots
from pbbot.voting.projects import import_projects
from tests.timeline.editions import SAMPLE, edition_text, write_edition

PROJECTS = SAMPLE.with_name("mechelen-2027-projects.csv")
VOTING_2027 = date(2027, 4, 20)
VOTING_2029 = date(2029, 4, 20)
PHASES_2029 = """
  - {kind: ideation, start: 2029-01-08, end: 2029-03-11}
  - {kind: review, start: 2029-03-12, end: 2029-04-08}
  - {kind: voting, start: 2029-04-09, end: 2029-05-06}
  - {kind: results, start: 2029-05-07, end: 2029-05-31}
"""
VOTER = "+32470555301"  # Dutch, votes in 2027
DRAFTER = "+32470555302"  # English, starts a basket in 2027 and never casts it
STOPPER = "+32470555303"  # sent STOP in 2027

Runtimes = Callable[[Path, date], Runtime]


@pytest.fixture
async def runtimes(database_url: str) -> AsyncIterator[Runtimes]:
    """A runtime of an edition file on a day, all on one database, with the projects."""
    made: list[Runtime] = []

    def on(edition: Path, day: date) -> Runtime:
        at_ten = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        runtime = build_runtime(edition, database_url, day, clock=lambda: at_ten)
        made.append(runtime)
        return runtime

    yield on
    for runtime in made:
        await runtime.close()


async def _with_projects(runtime: Runtime) -> Runtime:
    async with runtime.sessionmaker.begin() as session:
        await import_projects(session, runtime.edition, PROJECTS, datetime.now(UTC))
    return runtime


async def send(runtime: Runtime, address: str, *texts: str) -> str:
    replies = []
    for text in texts:
        replies = await runtime.service.handle(Inbound("sms", address, text))
    return "\n".join(reply.text for reply in replies)


async def _state(runtime: Runtime, address: str) -> ConversationState:
    async with runtime.sessionmaker() as session:
        stored = await session.scalar(
            select(Conversation.state)
            .join(Resident, Resident.id == Conversation.resident_id)
            .where(Resident.address == address)
        )
    assert stored is not None
    return ConversationState.from_json(stored)


async def _resident(runtime: Runtime, address: str) -> Resident:
    async with runtime.sessionmaker() as session:
        found = await session.scalar(select(Resident).where(Resident.address == address))
    assert found is not None
    return found


async def test_a_new_edition_keeps_the_residents_but_not_the_old_round(
    runtimes: Runtimes, tmp_path: Path
) -> None:
    old = await _with_projects(runtimes(SAMPLE, VOTING_2027))
    await send(old, VOTER, "hallo", "1", "NEE", "NEE")  # Dutch, agree, no district, no age
    await send(old, VOTER, "1", "34", "1", "3 12", "0", "JA")  # vote: age, district, basket
    await send(old, DRAFTER, "hello", "3", "1", "2", "40")  # English, agree, Nekkerspoel, 40
    await send(old, DRAFTER, "1", "3 7")  # Vote, and choose two projects
    await send(old, STOPPER, "hello", "3", "1", "NO", "NO", "STOP")
    drafted = await _state(old, DRAFTER)
    assert drafted.answers["ballot"] and drafted.answers["district"] == "Nekkerspoel"
    drafter = await _resident(old, DRAFTER)
    async with old.sessionmaker.begin() as session:  # they support an idea of 2027
        idea = Idea(
            edition_id=old.edition.id, number=1, title="Bankjes", created_at=datetime.now(UTC)
        )
        session.add(idea)
        await session.flush()
        support = IdeaSupport(idea_id=idea.id, resident_id=drafter.id, created_at=idea.created_at)
        session.add(support)

    path = write_edition(tmp_path, edition_text(PHASES_2029, edition_id="mechelen-2029"))
    new = await _with_projects(runtimes(path, VOTING_2029))

    # The English resident meets the new round's menu in English: no onboarding.
    menu = await send(new, DRAFTER, "MENU")
    assert menu.startswith("Now: Voting (Apr 9")
    assert "May 6, 2029). What would you like to do?" in menu
    state = await _state(new, DRAFTER)
    assert (state.locale, state.edition) == ("en", "mechelen-2029")
    assert set(state.answers) == {"consent"}  # no draft, district or age of 2027
    async with new.sessionmaker() as session:
        mine = await SNAPSHOT_LOADERS["ideas.mine"](session, drafter.id, state, new.edition.id)
    assert mine.supported == ()

    # The Dutch voter has not voted in this round: asked their age again, not shown a vote.
    asked = await send(new, VOTER, "MENU", "1")
    assert asked.startswith("Hoe oud ben je?")
    async with new.sessionmaker() as session:
        assert [b.projects for b in await counted_ballots(session, old.edition.id)] == [(3, 12)]
        assert list(await counted_ballots(session, new.edition.id)) == []

    # STOP holds in the new round too: the resident and their choice stay.
    stopper = await _resident(new, STOPPER)
    assert (stopper.channel, stopper.locale, stopper.subscribed) == ("sms", "en", False)
    await send(new, STOPPER, "hello")
    assert (await _state(new, STOPPER)).stopped
    assert not (await _resident(new, STOPPER)).subscribed
