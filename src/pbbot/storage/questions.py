"""Residents' questions for the city team: stored when asked, listed and answered by staff.

The answer goes back to the resident in the chat they asked from, through the
outbox like every reply, in their language with a translated introduction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.tables import Question, Resident

__all__ = ["QuestionRow", "add_question", "answer_question", "find_question", "list_questions"]


@dataclass(frozen=True, slots=True)
class QuestionRow:
    id: int
    resident_id: int
    channel: str
    address: str
    locale: str | None
    subscribed: bool
    text: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


async def add_question(session: AsyncSession, resident_id: int, text: str, *, now: datetime) -> int:
    question = Question(resident_id=resident_id, text=text, asked_at=now)
    session.add(question)
    await session.flush()
    return question.id


# One row shape for list and find: the question with who asked, on which channel.
_COLUMNS = (
    Question.id,
    Question.resident_id,
    Resident.channel,
    Resident.address,
    Resident.locale,
    Resident.subscribed,
    Question.text,
    Question.asked_at,
    Question.answer,
    Question.answered_at,
)


async def list_questions(session: AsyncSession, *, open_only: bool = True) -> list[QuestionRow]:
    """Questions oldest first; by default only those still waiting for an answer."""
    statement = select(*_COLUMNS).join(Resident, Resident.id == Question.resident_id)
    statement = statement.order_by(Question.id)
    if open_only:
        statement = statement.where(Question.answered_at.is_(None))
    return [QuestionRow(**row._asdict()) for row in await session.execute(statement)]


async def find_question(session: AsyncSession, question_id: int) -> QuestionRow | None:
    statement = select(*_COLUMNS).join(Resident, Resident.id == Question.resident_id)
    row = (await session.execute(statement.where(Question.id == question_id))).first()
    return QuestionRow(**row._asdict()) if row else None


async def answer_question(
    session: AsyncSession, question_id: int, answer: str, *, by: str, now: datetime
) -> bool:
    """Record staff's answer; False if the question was answered already."""
    result = await session.execute(
        update(Question)
        .where(Question.id == question_id, Question.answered_at.is_(None))
        .values(answer=answer, answered_by=by, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
