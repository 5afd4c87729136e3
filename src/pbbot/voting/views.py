"""What residents see of the ballot: the data of the snapshot parts the voting
flows read (`pbbot.voting.snapshots` loads them). Plain frozen data, so the
engine side of voting and its tests never need the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

__all__ = ["Candidate", "Candidates", "MyVote"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate project as it stands on the ballot."""

    number: int
    title: Mapping[str, str]  # locale -> title; the edition's default language always
    summary: Mapping[str, str]  # locale -> one line; may be empty
    cost: int  # whole units of the edition's currency
    theme: str | None


@dataclass(frozen=True, slots=True)
class Candidates:
    """The part "voting.candidates": the edition's projects by number, and the
    seed of this resident's order (`domain.ballot_order`), the same every day."""

    projects: tuple[Candidate, ...]
    order_seed: bytes

    def by_number(self) -> dict[int, Candidate]:
        return {project.number: project for project in self.projects}


@dataclass(frozen=True, slots=True)
class MyVote:
    """The part "voting.mine": the ballot this resident's number has cast, if any.

    Only the resident sees it, through their own number; `voided`: staff voided
    this voter, who cannot vote again.
    """

    cast_on: date | None = None
    projects: tuple[int, ...] = ()
    split: tuple[tuple[str, int], ...] = ()
    voided: bool = False

    @property
    def voted(self) -> bool:
        return self.cast_on is not None
