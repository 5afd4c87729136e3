"""Ideas as staff see them: the list, one idea in full, and the export.

Nothing here names a resident: no phone number, chat id, resident id or name.
An idea shows only on which channel and in which language it came, which is
what staff need to know how the author will hear back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.ideas import queries
from pbbot.ideas.tables import Idea, IdeaComment, IdeaQuestion, IdeaReview
from pbbot.storage.tables import Resident

__all__ = [
    "EXPORT_FIELDS",
    "IdeaDetail",
    "StaffIdea",
    "export_rows",
    "idea_detail",
    "list_ideas",
    "review_line",
]


@dataclass(frozen=True, slots=True)
class StaffIdea:
    number: int
    title: str
    description: str | None
    theme: str | None
    status: str
    hidden: bool
    estimated_cost: int | None
    staff_cost: int | None
    place: str | None
    latitude: float | None
    longitude: float | None
    voice_file_id: str | None  # staff listen to it through the bot's Telegram account
    photo_file_id: str | None
    merged_into: int | None
    supporters: int
    comments: int  # visible ones
    channel: str | None  # None: an anonymous idea (its author erased their data)
    locale: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IdeaDetail:
    idea: StaffIdea
    comments: tuple[tuple[int, str, bool], ...]  # (id, text, hidden), hidden ones too
    questions: tuple[tuple[str, str | None], ...]  # (question, answer)
    reviews: tuple[IdeaReview, ...]  # oldest first


def review_line(review: IdeaReview) -> str:
    """One decision of an idea's history, as staff read it (the command line and
    the staff chat alike): when, who, what, why, and whether the author was told."""
    when = review.decided_at.strftime("%Y-%m-%d %H:%M")
    why = " ".join(
        f"{key}={value}"
        for key, value in (
            ("criterion", review.criterion),
            ("cost", review.cost),
            ("comment", review.comment_id),
            ("note", review.note),
        )
        if value is not None
    )
    return f"{when} UTC {review.decided_by}: {review.decision} {why} [{review.notice}]"


# The export's columns: everything about an idea but the Telegram file ids (they
# fetch the author's voice and photo) and the channel and language it came in.
EXPORT_FIELDS: tuple[str, ...] = (
    "number",
    "title",
    "description",
    "theme",
    "status",
    "hidden",
    "estimated_cost",
    "staff_cost",
    "place",
    "latitude",
    "longitude",
    "merged_into",
    "supporters",
    "comments",
    "created_at",
)


async def list_ideas(
    session: AsyncSession,
    edition_id: str,
    *,
    status: str | None = None,
    theme: str | None = None,
    number: int | None = None,
) -> list[StaffIdea]:
    """The edition's ideas by number, hidden and merged ones too."""
    statement = (
        select(Idea, Resident.channel, Resident.locale)
        .outerjoin(Resident, Resident.id == Idea.author_id)
        .where(Idea.edition_id == edition_id)
        .order_by(Idea.number)
    )
    if status is not None:
        statement = statement.where(Idea.status == status)
    if theme is not None:
        statement = statement.where(Idea.theme_id == theme)
    if number is not None:
        statement = statement.where(Idea.number == number)
    rows = (await session.execute(statement)).all()
    counts = await queries.count_for(session, [idea for idea, _, _ in rows])
    return [
        StaffIdea(
            number=idea.number,
            title=idea.title,
            description=idea.description,
            theme=idea.theme_id,
            status=idea.status,
            hidden=idea.hidden,
            estimated_cost=idea.estimated_cost,
            staff_cost=idea.staff_cost,
            place=idea.place,
            latitude=idea.latitude,
            longitude=idea.longitude,
            voice_file_id=idea.voice_file_id,
            photo_file_id=idea.photo_file_id,
            merged_into=counts.merged_into(idea),
            supporters=counts.supporters.get(idea.id, 0),
            comments=counts.comments.get(idea.id, 0),
            channel=channel,
            locale=locale,
            created_at=idea.created_at,
        )
        for idea, channel, locale in rows
    ]


async def idea_detail(session: AsyncSession, edition_id: str, number: int) -> IdeaDetail | None:
    found = await list_ideas(session, edition_id, number=number)
    idea = await queries.find_idea(session, edition_id, number)
    if not found or idea is None:
        return None
    comments = await session.scalars(
        select(IdeaComment).where(IdeaComment.idea_id == idea.id).order_by(IdeaComment.id)
    )
    questions = await session.scalars(
        select(IdeaQuestion).where(IdeaQuestion.idea_id == idea.id).order_by(IdeaQuestion.id)
    )
    reviews = await session.scalars(
        select(IdeaReview).where(IdeaReview.idea_id == idea.id).order_by(IdeaReview.id)
    )
    return IdeaDetail(
        idea=found[0],
        comments=tuple((c.id, c.text, c.hidden) for c in comments),
        questions=tuple((q.question, q.answer) for q in questions),
        reviews=tuple(reviews),
    )


async def export_rows(session: AsyncSession, edition_id: str) -> list[dict[str, Any]]:
    """Every idea of the edition as a row of `EXPORT_FIELDS`, JSON-ready."""
    rows = []
    for idea in await list_ideas(session, edition_id):
        values = asdict(idea)
        values["created_at"] = idea.created_at.isoformat()
        rows.append({name: values[name] for name in EXPORT_FIELDS})
    return rows
