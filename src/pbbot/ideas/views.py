"""What residents see of ideas: the data of the snapshot parts the ideas flows
read (`pbbot.ideas.snapshots` loads them). Plain frozen data, so the engine
side of the feature and its tests never need the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["CommentView", "Decisions", "IdeaPage", "IdeaView", "MyIdeas", "OneIdea"]


@dataclass(frozen=True, slots=True)
class IdeaView:
    """An idea as residents see it (never who sent it)."""

    id: int
    number: int
    title: str
    description: str | None
    theme: str | None
    estimated_cost: int | None
    place: str | None
    status: str
    merged_into: int | None  # the number of the idea it was merged into
    supporters: int
    comments: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MyIdeas:
    own: tuple[IdeaView, ...]  # newest first
    supported: tuple[IdeaView, ...]  # the visible ideas they support, newest first

    def sent_on(self, day: date, timezone: str) -> int:
        """How many of their ideas they sent on `day` in the edition's time zone."""
        zone = ZoneInfo(timezone)
        return sum(1 for idea in self.own if idea.created_at.astimezone(zone).date() == day)

    def supports(self, idea_id: int) -> bool:
        return any(idea.id == idea_id for idea in self.supported)


@dataclass(frozen=True, slots=True)
class IdeaPage:
    theme: str | None
    ideas: tuple[IdeaView, ...]  # visible ones, newest first


@dataclass(frozen=True, slots=True)
class CommentView:
    id: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OneIdea:
    """The idea asked for, or None if there is no visible idea with that number."""

    idea: IdeaView | None
    comments: tuple[CommentView, ...]  # visible ones, oldest first
    supported: bool  # by this resident
    own: bool  # this resident sent it


@dataclass(frozen=True, slots=True)
class Decisions:
    """What staff decided about a resident's own ideas, for "My ideas" and their
    ideas' pages: why one was not accepted, and the question staff wait to have
    answered."""

    reasons: Mapping[int, str]  # idea id -> the criterion of its latest rejection
    questions: Mapping[int, str]  # idea id -> staff's latest open question
