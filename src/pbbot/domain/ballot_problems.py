"""Why a ballot edit was refused, and what keeps a ballot from being cast.

Small values with a `kind` (the catalog entry the engine phrases it with) and
the amounts or counts the text needs; no words here, so every channel explains
a rule the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

__all__ = [
    "AlreadyChosen",
    "ApprovalRefusal",
    "BasketProblem",
    "BasketRefusal",
    "NotChosen",
    "NothingChosen",
    "OverBudget",
    "TooFewProjects",
    "TooManyProjects",
    "UnderMinShare",
    "UnknownProject",
]


# -- refusals: an edit that did not happen, and why ---------------------------------


@dataclass(frozen=True, slots=True)
class UnknownProject:
    kind: ClassVar[str] = "unknown_project"
    number: int


@dataclass(frozen=True, slots=True)
class AlreadyChosen:
    kind: ClassVar[str] = "already_chosen"
    number: int


@dataclass(frozen=True, slots=True)
class NotChosen:
    """A remove of a project that is not on the ballot."""

    kind: ClassVar[str] = "not_chosen"
    number: int


@dataclass(frozen=True, slots=True)
class OverBudget:
    """The project costs more than what is left: `cost` > `left`."""

    kind: ClassVar[str] = "over_budget"
    number: int
    cost: Decimal
    left: Decimal


@dataclass(frozen=True, slots=True)
class TooManyProjects:
    kind: ClassVar[str] = "too_many_projects"
    number: int
    maximum: int


# -- problems: what keeps a ballot from being cast ----------------------------------


@dataclass(frozen=True, slots=True)
class NothingChosen:
    """An empty ballot is not a vote (a resident who abstains simply does not cast)."""

    kind: ClassVar[str] = "nothing_chosen"


@dataclass(frozen=True, slots=True)
class UnderMinShare:
    """Less than the edition's minimum share of the budget is spent."""

    kind: ClassVar[str] = "under_min_share"
    spent: Decimal
    required: Decimal
    missing: Decimal


@dataclass(frozen=True, slots=True)
class TooFewProjects:
    kind: ClassVar[str] = "too_few_projects"
    chosen: int
    minimum: int


BasketRefusal = UnknownProject | AlreadyChosen | NotChosen | OverBudget | TooManyProjects
BasketProblem = NothingChosen | UnderMinShare | TooFewProjects
ApprovalRefusal = UnknownProject | AlreadyChosen | NotChosen | TooManyProjects
