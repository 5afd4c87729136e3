"""The domain events of ideation, which the ideas actions return and
`pbbot.ideas.handlers` stores in the step's transaction.

An idea is named by its row id (`IdeaView.id` in the snapshots), not by the
short number residents type: the action has resolved the number already, and
the id holds across editions.

The conversation service also keeps every event in the audit log, without its
`text` fields (`pbbot.storage.codec`): a comment or an answer stays out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pbbot.engine.events import DomainEvent

__all__ = [
    "AuthorAnswered",
    "CommentAdded",
    "IdeaSubmitted",
    "IdeaSupported",
    "ItemReported",
    "SupportWithdrawn",
]


@dataclass(frozen=True, slots=True)
class IdeaSubmitted(DomainEvent):
    """The resident confirmed a new idea; the handler gives it its number and
    sends the receipt that tells it (the step cannot know the number)."""

    # The audit log keeps that an idea was sent and what kind; its words, place
    # and files are personal data, kept only where erasure can reach them.
    logged: ClassVar[tuple[str, ...] | None] = ("edition", "theme", "estimated_cost")

    edition: str  # the edition's id
    title: str
    description: str | None  # None: spoken as a voice note instead
    theme: str | None
    estimated_cost: int | None  # whole units of the edition's currency
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    voice_file_id: str | None = None  # Telegram file ids
    photo_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class IdeaSupported(DomainEvent):
    idea: int


@dataclass(frozen=True, slots=True)
class SupportWithdrawn(DomainEvent):
    idea: int


@dataclass(frozen=True, slots=True)
class CommentAdded(DomainEvent):
    idea: int
    text: str


@dataclass(frozen=True, slots=True)
class ItemReported(DomainEvent):
    """The resident reported an idea or a comment (`kind` "idea" or "comment").

    `hide_after` is the edition's `ideas.reports_to_hide`: the handler has no
    edition, and the action that reads it does.
    """

    kind: str
    id: int
    hide_after: int


@dataclass(frozen=True, slots=True)
class AuthorAnswered(DomainEvent):
    """The author answered staff's open question about their idea."""

    idea: int
    text: str
