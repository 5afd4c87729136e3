"""The projects tables, on pbbot's `Base`; Alembic migration 0007 creates them.

A project's `number` is what residents type on the ballot ("3 7 12"): short,
per edition, and never reused, even after a project is gone, so a number
printed on a poster always means one project. The counter row hands them out.
Costs are whole euros (BigInteger: a large city's budget passes 2^31 cents
easily, and euros may one day pass it too).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pbbot.storage.tables import Base

__all__ = ["PROJECT_SOURCES", "Project", "ProjectCounter"]

PROJECT_SOURCES: tuple[str, ...] = ("csv", "idea")


class Project(Base):
    """A candidate project on an edition's ballot."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("edition_id", "number"),
        # A CSV row's external id: re-importing it updates the project. NULLs do
        # not collide, on SQLite nor PostgreSQL.
        UniqueConstraint("edition_id", "ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict[str, str]] = mapped_column(JSON)  # locale -> title
    summary: Mapped[dict[str, str]] = mapped_column(JSON)  # locale -> one line
    cost: Mapped[int] = mapped_column(BigInteger)
    theme_id: Mapped[str | None] = mapped_column(String(63))
    source: Mapped[str] = mapped_column(String(8))  # one of PROJECT_SOURCES
    ref: Mapped[str | None] = mapped_column(String(100))
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime]


class ProjectCounter(Base):
    """The last project number given in an edition (see `pbbot.ideas.queries.next_number`)."""

    __tablename__ = "project_counters"

    edition_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
