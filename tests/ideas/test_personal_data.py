"""A resident's ideas, supports and comments are in their export, and erasure
(in the chat, or by staff) keeps their ideas as anonymous ideas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.ideas.events import CommentAdded, IdeaSupported, ItemReported
from pbbot.ideas.handlers import store_comment, store_idea, store_report, store_support
from pbbot.ideas.tables import Idea, IdeaComment, IdeaReport, IdeaSupport
from pbbot.storage import data_rights
from pbbot.storage.tables import Resident
from tests.ideas.support import NOW, submitted

PHONE = "+32470000501"
KEY = b"k" * 32


async def _author_and_neighbour(session: AsyncSession) -> tuple[int, int]:
    author = Resident(channel="sms", address=PHONE, locale="nl", created_at=NOW)
    neighbour = Resident(channel="sms", address="+32470000502", locale="fr", created_at=NOW)
    session.add_all([author, neighbour])
    await session.flush()
    await store_idea(session, author.id, submitted(voice_file_id="AwACAgQ", description=None), NOW)
    await store_idea(session, neighbour.id, submitted("Fietsenstalling"), NOW)
    for supporter, idea in ((author.id, 2), (neighbour.id, 1)):
        await store_support(session, supporter, IdeaSupported(idea), NOW)
    await store_comment(session, author.id, CommentAdded(2, "Ja, aan het station!"), NOW)
    await store_comment(session, neighbour.id, CommentAdded(1, "Bonne idée"), NOW)
    await store_report(session, author.id, ItemReported("comment", 2, hide_after=3), NOW)
    # The neighbour reports the author's comment (which goes with it) and idea (which stays).
    await store_report(session, neighbour.id, ItemReported("comment", 1, hide_after=3), NOW)
    await store_report(session, neighbour.id, ItemReported("idea", 1, hide_after=3), NOW)
    return author.id, neighbour.id


async def test_the_export_has_their_ideas_supports_comments_and_reports(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await _author_and_neighbour(session)
        export = await data_rights.export_resident(session, "sms", PHONE)

    assert export is not None
    ideas = export["ideas"]
    assert [(idea["number"], idea["voice_file_id"]) for idea in ideas["ideas"]] == [(1, "AwACAgQ")]
    assert [(s["edition"], s["idea"]) for s in ideas["supports"]] == [("mechelen-2027", 2)]
    assert [comment["text"] for comment in ideas["comments"]] == ["Ja, aan het station!"]
    assert [(r["kind"], r["item_id"]) for r in ideas["reports"]] == [("comment", 2)]


async def _erase_in_chat(session: AsyncSession, resident_id: int) -> None:
    await data_rights.erase_history(
        session, resident_id, "sms", PHONE, up_to=10**9, key=KEY, now=NOW
    )


async def _delete_by_staff(session: AsyncSession, resident_id: int) -> None:
    assert await data_rights.delete_resident(session, "sms", PHONE, key=KEY, now=NOW)


@pytest.mark.parametrize("erase", [_erase_in_chat, _delete_by_staff], ids=["chat", "staff"])
async def test_erasure_keeps_their_ideas_anonymous_and_removes_supports_and_comments(
    sessionmaker: async_sessionmaker[AsyncSession],
    erase: Callable[[AsyncSession, int], Awaitable[None]],
) -> None:
    async with sessionmaker.begin() as session:
        author, neighbour = await _author_and_neighbour(session)

    async with sessionmaker.begin() as session:
        await erase(session, author)

    async with sessionmaker() as session:
        ideas = (await session.scalars(select(Idea).order_by(Idea.number))).all()
        supports = (
            await session.execute(select(IdeaSupport.resident_id, IdeaSupport.idea_id))
        ).all()
        comments = (await session.scalars(select(IdeaComment.author_id))).all()
        reports = (
            await session.execute(
                select(IdeaReport.resident_id, IdeaReport.kind, IdeaReport.item_id)
            )
        ).all()
    assert [(idea.title, idea.author_id, idea.voice_file_id) for idea in ideas] == [
        ("Bankjes aan de Dijle", None, None),
        ("Fietsenstalling", neighbour, None),
    ]
    assert [tuple(row) for row in supports] == [(neighbour, 1)]  # theirs went, the idea's stay
    assert list(comments) == [neighbour]
    assert [tuple(row) for row in reports] == [(neighbour, "idea", 1)]
