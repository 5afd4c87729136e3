"""A resident's ballot while they fill it in: a basket or an approval list.

Pure values: every operation returns a new ballot or the reason it was refused,
and `check_cast` lists what still stands in the way of casting. Refusals and
problems are small value objects with a `kind` and the amounts or counts the
engine needs to phrase them from the catalogs ("€ 45.000 left"); no text lives
here, so SMS, Telegram and the simulator explain a rule in the same words.

The budget is never exceeded: an add that would go over it is refused, so a
basket in hand always fits. The refusals and problems are in
`ballot_problems`, communicating vessels in `ballot_vessels`, the
per-resident order in `ballot_order`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from pbbot.domain.ballot_problems import (
    AlreadyChosen,
    ApprovalRefusal,
    BasketProblem,
    BasketRefusal,
    NotChosen,
    NothingChosen,
    OverBudget,
    TooFewProjects,
    TooManyProjects,
    UnderMinShare,
    UnknownProject,
)

__all__ = [
    "ApprovalBallot",
    "ApprovalRules",
    "Basket",
    "BasketRules",
    "Project",
]


@dataclass(frozen=True, slots=True)
class Project:
    """A candidate project as the ballot sees it: its short number, cost and theme."""

    number: int
    cost: Decimal
    theme: str | None = None

    def __init__(self, number: int, cost: Decimal | int, theme: str | None = None) -> None:
        if number < 1:
            raise ValueError(f"a project number is 1 or more, not {number}")
        if cost < 0:
            raise ValueError(f"project {number} has a negative cost")
        object.__setattr__(self, "number", number)
        object.__setattr__(self, "cost", Decimal(cost))
        object.__setattr__(self, "theme", theme)


def _catalog(projects: Iterable[Project]) -> dict[int, Project]:
    catalog: dict[int, Project] = {}
    for project in projects:
        if project.number in catalog:
            raise ValueError(f"project number {project.number} is used twice")
        catalog[project.number] = project
    return catalog


def _check_chosen(chosen: tuple[int, ...], projects: Mapping[int, Project]) -> None:
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"a project is chosen twice: {chosen}")
    unknown = [number for number in chosen if number not in projects]
    if unknown:
        raise ValueError(f"unknown projects chosen: {unknown}")


def _refuse_edit(
    chosen: tuple[int, ...], projects: Mapping[int, Project], number: int, *, adding: bool
) -> UnknownProject | AlreadyChosen | NotChosen | None:
    if number not in projects:
        return UnknownProject(number)
    if adding and number in chosen:
        return AlreadyChosen(number)
    if not adding and number not in chosen:
        return NotChosen(number)
    return None


@dataclass(frozen=True, slots=True)
class BasketRules:
    """The edition's basket rules, named as other PB platforms name them.

    `min_share` is the part of the budget a basket must spend (0.7 for 70%).
    """

    budget: Decimal
    min_share: Decimal | None = None
    min_projects: int | None = None
    max_projects: int | None = None

    def __post_init__(self) -> None:
        if self.budget <= 0:
            raise ValueError("the budget must be more than 0")
        if self.min_share is not None and not 0 < self.min_share <= 1:
            raise ValueError("min_share is a part of the budget, more than 0 and at most 1")
        if self.min_projects is not None and self.min_projects < 1:
            raise ValueError("min_projects must be 1 or more")
        if self.max_projects is not None and self.max_projects < 1:
            raise ValueError("max_projects must be 1 or more")
        if (
            self.min_projects is not None
            and self.max_projects is not None
            and self.min_projects > self.max_projects
        ):
            raise ValueError("min_projects is more than max_projects")

    @property
    def min_spend(self) -> Decimal:
        """The least a basket must spend (0 without a minimum share)."""
        return self.budget * self.min_share if self.min_share is not None else Decimal(0)


@dataclass(frozen=True, slots=True)
class Basket:
    """Projects chosen until the budget is spent ("winkelmand"), in the order added.

    Build one with `start` or `restore`; a basket that breaks its rules cannot exist.
    """

    rules: BasketRules
    projects: Mapping[int, Project] = field(hash=False, repr=False)
    chosen: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _check_chosen(self.chosen, self.projects)
        if self.spent > self.rules.budget:
            raise ValueError(f"the basket {self.chosen} is over the budget")
        maximum = self.rules.max_projects
        if maximum is not None and len(self.chosen) > maximum:
            raise ValueError(f"the basket {self.chosen} has more than {maximum} projects")

    @classmethod
    def start(cls, rules: BasketRules, projects: Iterable[Project]) -> Basket:
        """An empty basket over `projects` (whose numbers must differ)."""
        return cls(rules, _catalog(projects))

    @classmethod
    def restore(
        cls, rules: BasketRules, projects: Iterable[Project], chosen: Iterable[int]
    ) -> tuple[Basket, tuple[int, ...]]:
        """A draft kept between messages, re-checked against today's projects and rules.

        Returns the basket and the numbers that no longer fit (withdrawn, dearer,
        over a lower maximum), which the engine tells the resident about.
        """
        return _refilled(cls.start(rules, projects), chosen)

    @property
    def spent(self) -> Decimal:
        return sum((self.projects[number].cost for number in self.chosen), Decimal(0))

    @property
    def left(self) -> Decimal:
        return self.rules.budget - self.spent

    def add(self, number: int) -> Basket | BasketRefusal:
        refused = _refuse_edit(self.chosen, self.projects, number, adding=True)
        if refused is not None:
            return refused
        maximum = self.rules.max_projects
        if maximum is not None and len(self.chosen) >= maximum:
            return TooManyProjects(number, maximum)
        cost, left = self.projects[number].cost, self.left
        if cost > left:
            return OverBudget(number, cost, left)
        return Basket(self.rules, self.projects, (*self.chosen, number))

    def remove(self, number: int) -> Basket | BasketRefusal:
        refused = _refuse_edit(self.chosen, self.projects, number, adding=False)
        if refused is not None:
            return refused
        rest = tuple(chosen for chosen in self.chosen if chosen != number)
        return Basket(self.rules, self.projects, rest)

    def toggle(self, number: int) -> Basket | BasketRefusal:
        """A Telegram button: add the project, or take it out when it is in."""
        return self.remove(number) if number in self.chosen else self.add(number)

    def check_cast(self) -> list[BasketProblem]:
        """What keeps this basket from being cast; empty when it can be cast."""
        if not self.chosen:
            return [NothingChosen()]
        problems: list[BasketProblem] = []
        required = self.rules.min_spend
        if self.spent < required:
            problems.append(UnderMinShare(self.spent, required, required - self.spent))
        minimum = self.rules.min_projects
        if minimum is not None and len(self.chosen) < minimum:
            problems.append(TooFewProjects(len(self.chosen), minimum))
        return problems


@dataclass(frozen=True, slots=True)
class ApprovalRules:
    """Approval ("pick up to N"): costs are shown to the resident but not summed."""

    max_choices: int

    def __post_init__(self) -> None:
        if self.max_choices < 1:
            raise ValueError("max_choices must be 1 or more")


@dataclass(frozen=True, slots=True)
class ApprovalBallot:
    """Projects approved, in the order chosen; at most `rules.max_choices` of them."""

    rules: ApprovalRules
    projects: Mapping[int, Project] = field(hash=False, repr=False)
    chosen: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _check_chosen(self.chosen, self.projects)
        if len(self.chosen) > self.rules.max_choices:
            raise ValueError(f"more than {self.rules.max_choices} projects: {self.chosen}")

    @classmethod
    def start(cls, rules: ApprovalRules, projects: Iterable[Project]) -> ApprovalBallot:
        return cls(rules, _catalog(projects))

    @classmethod
    def restore(
        cls, rules: ApprovalRules, projects: Iterable[Project], chosen: Iterable[int]
    ) -> tuple[ApprovalBallot, tuple[int, ...]]:
        """A draft kept between messages, re-checked as `Basket.restore` does."""
        return _refilled(cls.start(rules, projects), chosen)

    @property
    def left(self) -> int:
        """How many more projects the resident may choose."""
        return self.rules.max_choices - len(self.chosen)

    def add(self, number: int) -> ApprovalBallot | ApprovalRefusal:
        refused = _refuse_edit(self.chosen, self.projects, number, adding=True)
        if refused is not None:
            return refused
        if self.left == 0:
            return TooManyProjects(number, self.rules.max_choices)
        return ApprovalBallot(self.rules, self.projects, (*self.chosen, number))

    def remove(self, number: int) -> ApprovalBallot | ApprovalRefusal:
        refused = _refuse_edit(self.chosen, self.projects, number, adding=False)
        if refused is not None:
            return refused
        rest = tuple(chosen for chosen in self.chosen if chosen != number)
        return ApprovalBallot(self.rules, self.projects, rest)

    def toggle(self, number: int) -> ApprovalBallot | ApprovalRefusal:
        return self.remove(number) if number in self.chosen else self.add(number)

    def check_cast(self) -> list[NothingChosen]:
        return [] if self.chosen else [NothingChosen()]


_Ballot = TypeVar("_Ballot", "Basket", "ApprovalBallot")


def _refilled(empty: _Ballot, chosen: Iterable[int]) -> tuple[_Ballot, tuple[int, ...]]:
    """`empty` with `chosen` added in order, and the numbers that no longer fit."""
    ballot, dropped = empty, []
    for number in chosen:
        added = ballot.add(number)
        if isinstance(added, type(empty)):
            ballot = added
        elif not isinstance(added, AlreadyChosen):
            dropped.append(number)
    return ballot, tuple(dropped)
