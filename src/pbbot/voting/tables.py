"""The projects and ballots tables, on pbbot's `Base`; Alembic migrations 0007
(projects) and 0008 (ballots) create them.

A project's `number` is what residents type on the ballot ("3 7 12"): short,
per edition, and never reused, even after a project is gone, so a number
printed on a poster always means one project. The counter row hands them out.
Costs are whole euros (BigInteger: a large city's budget passes 2^31 cents
easily, and euros may one day pass it too).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pbbot.storage.tables import Base

__all__ = [
    "BALLOT_SOURCES",
    "PROJECT_SOURCES",
    "SIMULATOR_BOX",
    "Ballot",
    "PaperImport",
    "Project",
    "ProjectCounter",
    "VoterLink",
]

PROJECT_SOURCES: tuple[str, ...] = ("csv", "idea")
BALLOT_SOURCES: tuple[str, ...] = ("chat", "paper")


# After an edition's id: the ballot box of the simulator's residents
# (`voting.voters`), never counted, exported or checked against the key.
SIMULATOR_BOX = "~simulator"


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


# Ballots are secret (`pbbot.voting.casting`): a ballot row holds the choices and
# nothing of the voter; no time of day, no sequence, so it cannot be matched
# with the conversation log. A chat voter reaches their ballot only through a
# `VoterLink`, a keyed hash of their number.


class Ballot(Base):
    """One counted ballot: the choices, where it came from, and the day only."""

    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex: random
    edition_id: Mapped[str] = mapped_column(String(100), index=True)
    method: Mapped[str] = mapped_column(String(16))  # basket | approval | pick_n | vessels
    projects: Mapped[list[int]] = mapped_column(JSON)  # project numbers, in the order chosen
    split: Mapped[list[Any]] = mapped_column(JSON)  # vessels: [[theme id, whole euros], ...]
    source: Mapped[str] = mapped_column(String(8))  # one of BALLOT_SOURCES
    cast_on: Mapped[date] = mapped_column(Date)
    entered_by: Mapped[str | None] = mapped_column(String(100))  # paper: staff's name
    entered_on: Mapped[date | None] = mapped_column(Date)  # paper


class VoterLink(Base):
    """A chat voter, as HMAC-SHA256(ballot key, edition + NUL + phone): the way
    to their one ballot, kept only so a new vote can replace it. `voided`: staff
    voided this voter; their ballot is gone and they cannot vote again."""

    __tablename__ = "voter_links"

    edition_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    link: Mapped[str] = mapped_column(String(64), primary_key=True)
    ballot_id: Mapped[str | None] = mapped_column(
        ForeignKey("ballots.id", ondelete="SET NULL"), unique=True
    )
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    voided_on: Mapped[date | None] = mapped_column(Date)


class PaperImport(Base):
    """A paper ballots file imported once: its SHA-256, so a retry never adds it twice."""

    __tablename__ = "paper_imports"

    edition_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    entered_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime]
    ballots: Mapped[int] = mapped_column(Integer)
