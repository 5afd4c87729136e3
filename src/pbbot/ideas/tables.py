"""The ideas tables, on the same `Base` (and naming convention) as the rest of pbbot.

Alembic migration 0006 creates them; the migrations-match-the-tables test
imports this module so the metadata knows them. Costs are whole units of the
edition's currency: an idea's cost is an estimate, cents would be false
precision (and SQLite has no decimal type).

An idea's `author_id` is SET NULL when the resident goes: an erased author's
idea stays, as an anonymous idea. Supports and reports go with the resident.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pbbot.storage.tables import Base

__all__ = [
    "IDEA_STATUSES",
    "REPORT_KINDS",
    "CandidateProject",
    "Idea",
    "IdeaComment",
    "IdeaCounter",
    "IdeaQuestion",
    "IdeaReport",
    "IdeaReview",
    "IdeaSupport",
]

IDEA_STATUSES: tuple[str, ...] = ("submitted", "accepted", "rejected", "question", "merged")
REPORT_KINDS: tuple[str, ...] = ("idea", "comment")


class Idea(Base):
    """A resident's idea; `number` is the short one residents see (#27), per edition."""

    __tablename__ = "ideas"
    __table_args__ = (UniqueConstraint("edition_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(Text)
    # None when the resident spoke it instead (a Telegram voice note).
    description: Mapped[str | None] = mapped_column(Text)
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    theme_id: Mapped[str | None] = mapped_column(String(63))
    estimated_cost: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    # Hidden from residents' lists: by staff, or after enough reports.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    staff_cost: Mapped[int | None] = mapped_column(Integer)  # set when accepted
    created_at: Mapped[datetime]


class IdeaCounter(Base):
    """The last idea number given in an edition: one atomic UPDATE per new idea, so
    two residents sending at once in two processes never get the same number."""

    __tablename__ = "idea_counters"

    edition_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class IdeaSupport(Base):
    """A resident supports an idea: at most once (the key), withdrawn by deleting it."""

    __tablename__ = "idea_supports"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]


class IdeaComment(Base):
    __tablename__ = "idea_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class IdeaReport(Base):
    """A resident reports an idea or a comment (`kind`, `item_id`), once per item.

    Staff restoring an item mark its reports `reviewed_at`: only reports made
    after that count towards hiding it again.
    """

    __tablename__ = "idea_reports"
    __table_args__ = (
        UniqueConstraint("resident_id", "kind", "item_id"),
        Index(None, "kind", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # one of REPORT_KINDS
    item_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]


class IdeaQuestion(Base):
    """Staff's question to an idea's author, and the author's answer."""

    __tablename__ = "idea_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(100))
    asked_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]


class IdeaReview(Base):
    """One staff decision on an idea (or one of its comments): who, what, when, why."""

    __tablename__ = "idea_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))  # accept, reject, ask, merge, hide, restore
    criterion: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[int | None] = mapped_column(Integer)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime]
    # What became of the author's message: "queued", or why it was not sent.
    notice: Mapped[str] = mapped_column(String(100))


class CandidateProject(Base):
    """An accepted idea as a project on the ballot, at staff's cost: what voting reads."""

    __tablename__ = "candidate_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(String(100), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[str | None] = mapped_column(String(63))
    cost: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
