"""What the voting flows tell the service to store.

A ballot is secret: the audit log keeps only that a ballot was cast (`logged`
is empty), and the handler stores the choices apart from the voter, who is
known to the ballot store only through a keyed hash (`voting.casting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from pbbot.engine.events import DomainEvent

__all__ = ["BallotCast"]


@dataclass(frozen=True, slots=True)
class BallotCast(DomainEvent):
    """A resident cast (or recast) their ballot. `voter` is the phone number a
    Telegram user shared (E.164); None on SMS, where the number is the sender's
    own. Either way one person on both channels has one ballot."""

    logged: ClassVar[tuple[str, ...] | None] = ()

    edition: str
    day: date  # in the edition's time zone; a ballot keeps no time of day
    voter: str | None
    method: str  # "basket" | "approval" | "vessels"
    projects: tuple[int, ...] = ()  # project numbers (basket, approval)
    split: tuple[tuple[str, int], ...] = ()  # vessels: (theme id, whole euros)
