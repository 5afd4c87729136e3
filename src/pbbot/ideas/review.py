"""Staff decisions on ideas: one entry point, `review`, for the command line now
and a staff chat later.

Each decision changes the idea, is recorded in `idea_reviews` (who, what,
when, why, and whether the author was told) and sends the author a message in
their language on the channel they used (`pbbot.ideas.notices`). A request
that cannot be carried out raises a `ReviewError` before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.edition import Edition
from pbbot.errors import PbbotError
from pbbot.i18n.catalogs import Translator, translator
from pbbot.ideas import messages, notices, queries
from pbbot.ideas.criteria import rejection_reasons
from pbbot.ideas.tables import (
    CandidateProject,
    Idea,
    IdeaComment,
    IdeaQuestion,
    IdeaReport,
    IdeaReview,
    IdeaSupport,
)
from pbbot.storage.repositories import insert_new_rows

__all__ = [
    "Accept",
    "Ask",
    "Decision",
    "Hide",
    "Merge",
    "Reject",
    "Restore",
    "ReviewError",
    "Reviewed",
    "review",
]


class ReviewError(PbbotError):
    """A staff request that cannot be carried out; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Accept:
    cost: int | None  # staff's estimate, whole units of the currency; required
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    reason: str  # one of `criteria.rejection_reasons(edition)`
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    question: str


@dataclass(frozen=True, slots=True)
class Merge:
    into: int  # the number of the idea it joins
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Hide:
    note: str | None = None
    comment: int | None = None  # hide this comment of the idea instead


@dataclass(frozen=True, slots=True)
class Restore:
    note: str | None = None
    comment: int | None = None  # show this comment of the idea again instead


Decision = Accept | Reject | Ask | Merge | Hide | Restore


@dataclass(frozen=True, slots=True)
class Reviewed:
    number: int
    decision: str  # accept, reject, ask, merge, hide, restore
    status: str  # the idea's status after it
    notice: str  # "queued", or why the author was not told


async def review(
    session: AsyncSession,
    edition: Edition,
    number: int,
    decision: Decision,
    *,
    by: str,
    now: datetime,
    translators: Callable[[str], Translator] = translator,
) -> Reviewed:
    """Carry out `decision` on idea `number` of `edition`, as staff member `by`."""
    idea = await queries.find_idea(session, edition.id, number, lock=True)
    if idea is None:
        raise ReviewError(f"no idea #{number} in {edition.id}")
    if not by.strip():
        raise ReviewError("say who decides (--by)")
    target = await _check(session, edition, idea, decision)
    recipient = await notices.find_recipient(session, idea.author_id)
    locale = (recipient.locale if recipient else None) or edition.default_language
    t = translators(locale)
    record = IdeaReview(
        idea_id=idea.id,
        decision=type(decision).__name__.lower(),
        decided_by=by.strip(),
        decided_at=now,
        note=getattr(decision, "note", None),
    )
    text = await _apply(session, edition, idea, decision, target, record, t, now=now)
    record.notice = (
        await notices.send_notice(session, recipient, text, locale, now=now)
        if text is not None
        else "not sent: a comment's author is not told"
    )
    session.add(record)
    await session.flush()
    return Reviewed(number, record.decision, idea.status, record.notice)


async def _check(
    session: AsyncSession, edition: Edition, idea: Idea, decision: Decision
) -> Idea | None:
    """Refuse what cannot be done; the idea merged into, for a merge."""
    if idea.status == "merged" and not isinstance(decision, Hide | Restore):
        raise ReviewError(f"idea #{idea.number} was merged into another idea already")
    match decision:
        case Accept(cost=cost):
            if cost is None or cost <= 0:
                raise ReviewError("accepting needs staff's cost (--cost EUR), above zero")
            if idea.status == "accepted":
                raise ReviewError(f"idea #{idea.number} is accepted already")
        case Reject(reason=reason):
            reasons = rejection_reasons(edition)
            if reason not in reasons:
                raise ReviewError(
                    f"unknown reason {reason!r}; {edition.id} accepts " + ", ".join(reasons)
                )
        case Ask(question=question):
            if not question.strip():
                raise ReviewError("the question is empty")
        case Merge(into=into):
            if into == idea.number:
                raise ReviewError(f"idea #{idea.number} cannot be merged into itself")
            target = await queries.find_idea(session, edition.id, into, lock=True)
            if target is None:
                raise ReviewError(f"no idea #{into} in {edition.id} to merge into")
            if target.status == "merged":
                raise ReviewError(f"idea #{into} was merged itself; merge into that idea")
            return target
        case Hide(comment=comment) | Restore(comment=comment) if comment is not None:
            found = await session.scalar(
                select(IdeaComment.id).where(
                    IdeaComment.id == comment, IdeaComment.idea_id == idea.id
                )
            )
            if found is None:
                raise ReviewError(f"idea #{idea.number} has no comment {comment}")
    return None


async def _apply(
    session: AsyncSession,
    edition: Edition,
    idea: Idea,
    decision: Decision,
    target: Idea | None,
    record: IdeaReview,
    t: Translator,
    *,
    now: datetime,
) -> str | None:
    """Change what the decision changes; the author's message, None if nobody is told."""
    number, title = idea.number, idea.title
    match decision:
        case Accept(cost=int(cost), note=note):
            idea.status, idea.staff_cost, record.cost = "accepted", cost, cost
            session.add(
                CandidateProject(
                    edition_id=idea.edition_id,
                    idea_id=idea.id,
                    title=idea.title,
                    theme_id=idea.theme_id,
                    cost=cost,
                    created_at=now,
                )
            )
            return messages.accepted_text(number, title, cost, edition, t, note)
        case Reject(reason=reason, note=note):
            idea.status, record.criterion = "rejected", reason
            await _drop_candidate(session, idea)
            return messages.rejected_text(number, title, reason, edition, t, note)
        case Ask(question=question):
            idea.status, record.note = "question", question.strip()
            question = question.strip()
            session.add(
                IdeaQuestion(
                    idea_id=idea.id, question=question, asked_by=record.decided_by, asked_at=now
                )
            )
            return messages.asked_text(number, title, question, t)
        case Merge(note=note):
            assert target is not None
            carried = await _carry_supporters(session, idea, target)
            idea.status, idea.merged_into_id, record.merged_into_id = "merged", target.id, target.id
            await _drop_candidate(session, idea)
            return messages.merged_text(number, title, target.number, carried, t, note)
        case Hide(note=note, comment=comment) | Restore(note=note, comment=comment):
            hidden = isinstance(decision, Hide)
            kind, item = ("comment", comment) if comment is not None else ("idea", idea.id)
            record.comment_id = comment
            if comment is not None:
                await queries.set_hidden(session, kind, item, hidden=hidden)
            else:
                idea.hidden = hidden
            if not hidden:  # only reports made from now on count towards hiding it again
                await session.execute(
                    update(IdeaReport)
                    .where(
                        IdeaReport.kind == kind,
                        IdeaReport.item_id == item,
                        IdeaReport.reviewed_at.is_(None),
                    )
                    .values(reviewed_at=now)
                    .execution_options(synchronize_session=False)
                )
            if comment is not None:
                return None
            render = messages.hidden_text if hidden else messages.restored_text
            return render(number, title, t, note)
    raise AssertionError(f"unhandled decision {decision!r}")


async def _drop_candidate(session: AsyncSession, idea: Idea) -> None:
    """An idea that no longer goes to the vote leaves the candidates."""
    await session.execute(
        delete(CandidateProject)
        .where(CandidateProject.idea_id == idea.id)
        .execution_options(synchronize_session=False)
    )
    idea.staff_cost = None


async def _carry_supporters(session: AsyncSession, idea: Idea, target: Idea) -> int:
    """Move the idea's supporters to `target`; one who supports both counts once there.

    Returns how many supporters the idea had.
    """
    supporters = list(
        await session.execute(
            select(IdeaSupport.resident_id, IdeaSupport.created_at).where(
                IdeaSupport.idea_id == idea.id
            )
        )
    )
    await insert_new_rows(
        session,
        IdeaSupport,
        ("idea_id", "resident_id"),
        [
            {"idea_id": target.id, "resident_id": row.resident_id, "created_at": row.created_at}
            for row in supporters
        ],
    )
    await session.execute(
        delete(IdeaSupport)
        .where(IdeaSupport.idea_id == idea.id)
        .execution_options(synchronize_session=False)
    )
    return len(supporters)
