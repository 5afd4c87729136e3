"""The published results, on pbbot's `Base`; Alembic migration 0009 creates them.

A publication keeps the count as residents will read it (`results` is the JSON
document of `pbbot.voting.results`: the winners with their numbers, titles,
costs and votes, the money per theme, turnout and the rule) and the chart
drawn from it, so the chat never recounts. Publishing again does not delete
the earlier publication: it gets `replaced_at`, and the newest one without it
is what residents read. Nothing here names a voter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pbbot.storage.tables import Base

__all__ = ["PublishedChart", "PublishedResultsRow"]


class PublishedResultsRow(Base):
    """One publication of an edition's results, by whom and when."""

    __tablename__ = "published_results"
    __table_args__ = (Index(None, "edition_id", "replaced_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(String(100))
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime]
    # Set when a later publication took its place; None: the one residents read.
    replaced_at: Mapped[datetime | None]


class PublishedChart(Base):
    """The results chart as PNG, drawn in `language` (its labels and titles).

    Languages whose labels would read the same share one chart: the results
    document says which chart each language shows."""

    __tablename__ = "published_charts"

    results_id: Mapped[int] = mapped_column(
        ForeignKey("published_results.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
