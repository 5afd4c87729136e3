"""The ideas events are stored by their handlers in the step's transaction, on
SQLite and PostgreSQL: what the events say, once, and the receipt with the number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.i18n.catalogs import translator
from pbbot.ideas.events import (
    AuthorAnswered,
    CommentAdded,
    IdeaSupported,
    ItemReported,
    SupportWithdrawn,
)
from pbbot.ideas.messages import RECEIPT
from pbbot.ideas.tables import Idea, IdeaComment, IdeaQuestion, IdeaSupport
from pbbot.storage.tables import OutboundMessage
from tests.ideas.support import (
    EDITION,
    NOW,
    idea_number,
    resident_id,
    say,
    scripted_service,
    submitted,
)

AUTHOR = "+32470000101"
NEIGHBOURS = [f"+3247000020{index}" for index in range(4)]


async def test_a_submitted_idea_is_stored_numbered_and_its_receipt_queued_in_their_language(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    pin = submitted(
        "Een speeltuin", place="Vrijbroekpark", latitude=51.03, longitude=4.49, photo_file_id="AgAD"
    )
    service = scripted_service(sessionmaker, {"first": [submitted()], "second": [pin]})

    await say(service, AUTHOR, "LANG tr", "first", "second", channel="telegram")

    async with sessionmaker() as session:
        first, second = await idea_number(session, 1), await idea_number(session, 2)
        author = await resident_id(session, AUTHOR)
        receipts = list(await session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
    assert (first.title, first.theme_id, first.estimated_cost) == (
        "Bankjes aan de Dijle",
        "green",
        12500,
    )
    assert (first.author_id, first.status, first.hidden) == (author, "submitted", False)
    assert first.edition_id == EDITION.id
    assert (second.place, second.latitude, second.longitude) == ("Vrijbroekpark", 51.03, 4.49)
    assert (second.photo_file_id, second.created_at) == ("AgAD", NOW)
    receipt = translator("tr").gettext(RECEIPT)
    assert [(m.channel, m.address, m.locale, m.text) for m in receipts] == [
        ("telegram", AUTHOR, "tr", receipt.format(number=1)),
        ("telegram", AUTHOR, "tr", receipt.format(number=2)),
    ]


async def test_numbers_count_per_edition(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    other = submitted(edition="gent-2027")
    service = scripted_service(sessionmaker, {"here": [submitted()], "there": [other]})

    await say(service, AUTHOR, "here", "there", "here")

    async with sessionmaker() as session:
        rows = await session.execute(select(Idea.edition_id, Idea.number).order_by(Idea.id))
    assert [tuple(row) for row in rows] == [(EDITION.id, 1), ("gent-2027", 1), (EDITION.id, 2)]


async def _one_idea(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    await say(scripted_service(sessionmaker, {"send": [submitted()]}), AUTHOR, "send")
    async with sessionmaker() as session:
        return (await idea_number(session, 1)).id


async def _supporters(sessionmaker: async_sessionmaker[AsyncSession], idea: int) -> int:
    async with sessionmaker() as session:
        return len(
            (await session.scalars(select(IdeaSupport).where(IdeaSupport.idea_id == idea))).all()
        )


async def test_a_resident_supports_once_and_can_withdraw(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    idea = await _one_idea(sessionmaker)
    service = scripted_service(
        sessionmaker, {"support": [IdeaSupported(idea)], "withdraw": [SupportWithdrawn(idea)]}
    )

    await say(service, NEIGHBOURS[0], "support", "support")  # the second one changes nothing
    assert await _supporters(sessionmaker, idea) == 1
    await say(service, NEIGHBOURS[1], "support")
    assert await _supporters(sessionmaker, idea) == 2
    await say(service, NEIGHBOURS[0], "withdraw")
    assert await _supporters(sessionmaker, idea) == 1
    await say(service, NEIGHBOURS[0], "support")
    assert await _supporters(sessionmaker, idea) == 2


async def test_comments_are_stored_and_reports_hide_them_at_the_editions_count(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    idea = await _one_idea(sessionmaker)
    comment = CommentAdded(idea, "Graag ook een vuilbak erbij.")
    await say(scripted_service(sessionmaker, {"comment": [comment]}), NEIGHBOURS[0], "comment")
    async with sessionmaker() as session:
        stored = await session.scalar(select(IdeaComment))
    assert stored is not None
    assert (stored.idea_id, stored.text, stored.hidden) == (idea, comment.text, False)

    hide_after = EDITION.ideas.reports_to_hide
    report = ItemReported("comment", stored.id, hide_after=hide_after)
    service = scripted_service(sessionmaker, {"report": [report]})
    await say(service, NEIGHBOURS[1], "report", "report")  # one resident counts once
    for neighbour in NEIGHBOURS[2 : 1 + hide_after]:
        async with sessionmaker() as session:
            assert not (await session.get_one(IdeaComment, stored.id)).hidden
        await say(service, neighbour, "report")

    async with sessionmaker() as session:
        assert (await session.get_one(IdeaComment, stored.id)).hidden


async def test_the_authors_answer_lands_on_the_open_question(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    idea = await _one_idea(sessionmaker)
    async with sessionmaker.begin() as session:
        session.add(IdeaQuestion(idea_id=idea, question="Welke kant?", asked_by="an", asked_at=NOW))
        (await session.get_one(Idea, idea)).status = "question"
    answer = AuthorAnswered(idea, "De kant van het station.")
    service = scripted_service(sessionmaker, {"answer": [answer]})

    await say(service, NEIGHBOURS[0], "answer")  # not the author: nothing lands
    async with sessionmaker() as session:
        assert (await session.scalar(select(IdeaQuestion.answer))) is None
    await say(service, AUTHOR, "answer")

    async with sessionmaker() as session:
        question = await session.scalar(select(IdeaQuestion))
        status = (await session.get_one(Idea, idea)).status
    assert question is not None
    assert (question.answer, question.answered_at, status) == (answer.text, NOW, "submitted")
