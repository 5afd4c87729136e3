"""The snapshots the ideas flows read: the resident's own ideas and supports, a
theme's visible ideas with their counts, and one idea with its visible comments."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.conversations import ConversationService
from pbbot.domain.messages import Inbound
from pbbot.engine.events import Event, SnapshotNeeded
from pbbot.engine.snapshot import EMPTY_SNAPSHOT, Snapshot
from pbbot.engine.state import ConversationState
from pbbot.ideas.events import CommentAdded, IdeaSupported
from pbbot.ideas.handlers import store_comment, store_idea, store_support
from pbbot.ideas.queries import set_hidden
from pbbot.ideas.snapshots import MyIdeas, load_idea, load_mine, load_page
from pbbot.ideas.tables import Idea
from pbbot.storage.tables import Resident
from tests.ideas.support import EDITION, NOW, submitted

EMPTY = ConversationState()


async def _residents(session: AsyncSession, count: int) -> list[int]:
    residents = [
        Resident(channel="sms", address=f"+3247000040{index}", locale="nl", created_at=NOW)
        for index in range(count)
    ]
    session.add_all(residents)
    await session.flush()
    return [resident.id for resident in residents]


async def test_mine_has_their_ideas_their_supports_and_todays_count(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        me, other = await _residents(session, 2)
        await store_idea(session, me, submitted("Gisteren"), NOW - timedelta(days=1))
        await store_idea(session, me, submitted("Vandaag"), NOW)
        await store_idea(session, other, submitted("Van een ander", theme="youth"), NOW)
        await store_support(session, me, IdeaSupported(3), NOW)
        await set_hidden(session, "idea", 2, hidden=True)  # hidden: still their own

        mine = await load_mine(session, me, EMPTY, EDITION.id)

    assert [(idea.number, idea.title, idea.status) for idea in mine.own] == [
        (2, "Vandaag", "submitted"),
        (1, "Gisteren", "submitted"),
    ]
    assert [idea.number for idea in mine.supported] == [3]
    assert mine.supports(3) and not mine.supports(1)
    assert mine.sent_on(date(2027, 2, 20), EDITION.timezone) == 1
    assert mine.sent_on(date(2027, 2, 19), EDITION.timezone) == 1


async def test_a_page_shows_a_themes_visible_ideas_newest_first_with_counts(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        me, other = await _residents(session, 2)
        for minutes, theme in enumerate(("green", "green", "youth", "green")):
            await store_idea(
                session,
                me,
                submitted(f"Idee {minutes + 1}", theme=theme),
                NOW + timedelta(minutes=minutes),
            )
        await set_hidden(session, "idea", 4, hidden=True)
        await store_support(session, other, IdeaSupported(1), NOW)
        await store_support(session, me, IdeaSupported(1), NOW)
        await store_comment(session, other, CommentAdded(1, "Goed!"), NOW)
        await store_comment(session, other, CommentAdded(1, "Weg ermee"), NOW)
        await set_hidden(session, "comment", 2, hidden=True)

        page = await load_page(
            session, me, EMPTY.evolve(answers={"browse_theme": "green"}), EDITION.id
        )
        every = await load_page(session, me, EMPTY, EDITION.id)

    assert page.theme == "green"
    assert [(idea.number, idea.supporters, idea.comments) for idea in page.ideas] == [
        (2, 0, 0),
        (1, 2, 1),
    ]
    assert [idea.number for idea in every.ideas] == [3, 2, 1]


async def test_one_idea_by_number_with_its_visible_comments(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        me, other = await _residents(session, 2)
        await store_idea(session, me, submitted(), NOW)
        await store_comment(session, other, CommentAdded(1, "Goed!"), NOW)
        await store_comment(session, other, CommentAdded(1, "Weg ermee"), NOW)
        await set_hidden(session, "comment", 2, hidden=True)
        await store_support(session, other, IdeaSupported(1), NOW)
        asking = EMPTY.evolve(answers={"idea_number": "#1"})

        theirs = await load_idea(session, other, asking, EDITION.id)
        missing = await load_idea(
            session, other, EMPTY.evolve(answers={"idea_number": 7}), EDITION.id
        )
        await set_hidden(session, "idea", 1, hidden=True)
        hidden_to_others = await load_idea(session, other, asking, EDITION.id)
        hidden_to_author = await load_idea(session, me, asking, EDITION.id)

    assert theirs.idea is not None and theirs.idea.title == "Bankjes aan de Dijle"
    assert [comment.text for comment in theirs.comments] == ["Goed!"]
    assert (theirs.supported, theirs.own) == (True, False)
    assert missing.idea is None and hidden_to_others.idea is None
    assert hidden_to_author.idea is not None and hidden_to_author.own


async def test_the_service_loads_mine_for_a_step_that_asks_and_the_daily_limit_holds(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    limit = EDITION.ideas.daily_limit

    def step(
        state: ConversationState, inbound: Inbound, snapshot: Snapshot = EMPTY_SNAPSHOT, /
    ) -> tuple[ConversationState, list[Event]]:
        """Sends an idea unless today's are used up, as the submit action will."""
        if "ideas.mine" not in snapshot:
            return state, [SnapshotNeeded(frozenset({"ideas.mine"}))]
        mine: MyIdeas = snapshot["ideas.mine"]
        if mine.sent_on(NOW.date(), EDITION.timezone) >= limit:
            return state, []
        return state, [submitted(f"Idee {len(mine.own) + 1}")]

    service = ConversationService(sessionmaker, step, clock=lambda: NOW, edition_id=EDITION.id)
    for _ in range(limit + 2):
        await service.handle(Inbound(channel="sms", address="+32470000499", text="idee"))

    async with sessionmaker() as session:
        titles = (await session.scalars(select(Idea.title).order_by(Idea.number))).all()
    assert titles == [f"Idee {number}" for number in range(1, limit + 1)]
