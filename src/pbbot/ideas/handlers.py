"""Store the ideas events in the step's transaction (`pbbot.conversations.handles`).

A new idea's number comes from the database (`queries.next_number`), which the
pure step cannot ask, so the submit handler answers with the receipt that
tells it ("Your idea has number #27"), in the resident's language; the service
sends it before the step's own replies, queued on a live channel and shown in
the simulator, like every reply.

Each handler is safe against a repeated event: a second support, or a second
report by the same resident, changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.conversations import handles
from pbbot.domain.languages import SOURCE_LOCALE
from pbbot.domain.messages import Outbound
from pbbot.i18n.catalogs import translator
from pbbot.ideas import notices, queries
from pbbot.ideas.events import (
    AuthorAnswered,
    CommentAdded,
    IdeaSubmitted,
    IdeaSupported,
    ItemReported,
    SupportWithdrawn,
)
from pbbot.ideas.messages import receipt_text
from pbbot.ideas.tables import REPORT_KINDS, Idea, IdeaComment, IdeaQuestion, IdeaReport
from pbbot.ideas.tables import IdeaSupport as Support
from pbbot.storage.repositories import insert_new_rows

__all__ = [
    "store_answer",
    "store_comment",
    "store_idea",
    "store_report",
    "store_support",
    "withdraw_support",
]

logger = logging.getLogger(__name__)


@handles(IdeaSubmitted)
async def store_idea(
    session: AsyncSession, resident_id: int, event: IdeaSubmitted, now: datetime
) -> list[Outbound]:
    number = await queries.next_number(session, event.edition)
    session.add(
        Idea(
            edition_id=event.edition,
            number=number,
            author_id=resident_id,
            title=event.title,
            description=event.description,
            voice_file_id=event.voice_file_id,
            photo_file_id=event.photo_file_id,
            theme_id=event.theme,
            estimated_cost=event.estimated_cost,
            place=event.place,
            latitude=event.latitude,
            longitude=event.longitude,
            status="submitted",
            hidden=False,
            created_at=now,
        )
    )
    await session.flush()
    recipient = await notices.find_recipient(session, resident_id)
    # A resident who just sent an idea has chosen a language; the source is a fallback.
    locale = (recipient.locale if recipient else None) or SOURCE_LOCALE
    logger.info("idea #%s of %s is waiting for review", number, event.edition)
    return [Outbound(text=receipt_text(number, translator(locale)), locale=locale)]


@handles(IdeaSupported)
async def store_support(
    session: AsyncSession, resident_id: int, event: IdeaSupported, now: datetime
) -> None:
    # Locked, so a merge under way finishes first; a support of an idea merged
    # meanwhile goes where its supporters went.
    idea = await queries.lock_item(session, "idea", event.idea)
    if not isinstance(idea, Idea):
        return
    supported = idea.merged_into_id if idea.status == "merged" and idea.merged_into_id else idea.id
    await insert_new_rows(
        session,
        Support,
        ("idea_id", "resident_id"),
        [{"idea_id": supported, "resident_id": resident_id, "created_at": now}],
    )


@handles(SupportWithdrawn)
async def withdraw_support(
    session: AsyncSession, resident_id: int, event: SupportWithdrawn, now: datetime
) -> None:
    await session.execute(
        delete(Support)
        .where(Support.idea_id == event.idea, Support.resident_id == resident_id)
        .execution_options(synchronize_session=False)
    )


@handles(CommentAdded)
async def store_comment(
    session: AsyncSession, resident_id: int, event: CommentAdded, now: datetime
) -> None:
    session.add(
        IdeaComment(
            idea_id=event.idea, author_id=resident_id, text=event.text, hidden=False, created_at=now
        )
    )
    await session.flush()


@handles(ItemReported)
async def store_report(
    session: AsyncSession, resident_id: int, event: ItemReported, now: datetime
) -> None:
    """One report per resident and item; enough reports since staff last looked hide it."""
    if event.kind not in REPORT_KINDS:
        raise ValueError(f"cannot report a {event.kind!r}: expected one of {REPORT_KINDS}")
    # Locked, so that two reports at once cannot both count one short of hiding it.
    await queries.lock_item(session, event.kind, event.id)
    await insert_new_rows(
        session,
        IdeaReport,
        ("resident_id", "kind", "item_id"),
        [{"resident_id": resident_id, "kind": event.kind, "item_id": event.id, "created_at": now}],
    )
    open_reports = await session.scalar(
        select(func.count()).where(
            IdeaReport.kind == event.kind,
            IdeaReport.item_id == event.id,
            IdeaReport.reviewed_at.is_(None),
        )
    )
    if (open_reports or 0) >= event.hide_after:
        await queries.set_hidden(session, event.kind, event.id, hidden=True)
        logger.info("%s %s is hidden after %s reports", event.kind, event.id, open_reports)


@handles(AuthorAnswered)
async def store_answer(
    session: AsyncSession, resident_id: int, event: AuthorAnswered, now: datetime
) -> None:
    """The answer lands on staff's latest open question, if the resident wrote the idea;
    the idea goes back to staff ("submitted")."""
    idea = await session.get(Idea, event.idea)
    if idea is None or idea.author_id != resident_id:
        logger.warning("an answer about idea %s from someone else than its author", event.idea)
        return
    question_id = await session.scalar(
        select(IdeaQuestion.id)
        .where(IdeaQuestion.idea_id == idea.id, IdeaQuestion.answered_at.is_(None))
        .order_by(IdeaQuestion.id.desc())
        .limit(1)
    )
    if question_id is None:
        logger.warning("an answer about idea #%s, which has no open question", idea.number)
        return
    await session.execute(
        update(IdeaQuestion)
        .where(IdeaQuestion.id == question_id)
        .values(answer=event.text, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if idea.status == "question":
        idea.status = "submitted"
    await session.flush()
