"""A participatory-budgeting election as counted: projects, ballots, and the outcome.

The model follows Pabulib (the field's open format) closely so that a file read
and written again is the same election, and so that results can be checked with
other tools. Money is `Decimal`: budgets such as 4072457.5 must add up exactly
when deciding whether a project still fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

__all__ = ["Ballot", "Election", "Outcome", "Project"]


@dataclass(frozen=True, slots=True)
class Project:
    """One project on the ballot.

    `categories` are the themes (Pabulib `category`); `votes` and `selected`
    are what the file says (the city's own count and winners), kept to compare
    against, never used to count. `extra` keeps every other column, in order.
    """

    id: str
    cost: Decimal
    name: str = ""
    categories: tuple[str, ...] = ()
    votes: int | None = None
    selected: bool | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot: approved projects, with points for cumulative ballots."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Decimal, ...] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Election:
    """Metadata (Pabulib META, as strings), projects in file order, and ballots."""

    meta: Mapping[str, str]
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]

    @property
    def budget(self) -> Decimal:
        return Decimal(self.meta["budget"].replace(",", "."))

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def rule(self) -> str:
        """The rule the city used (Pabulib META `rule`), `greedy` when unstated."""
        return self.meta.get("rule", "greedy")

    @property
    def score_threshold(self) -> int | None:
        """Pabulib `min_project_score_threshold`: fewer votes than this never win."""
        value = self.meta.get("min_project_score_threshold")
        return int(Decimal(value)) if value else None

    @property
    def currency(self) -> str:
        return self.meta.get("currency", "EUR")

    @property
    def voters(self) -> int:
        return len(self.ballots)

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        return {project.id: project for project in self.projects}

    @cached_property
    def scores(self) -> dict[str, Decimal]:
        """Votes per project counted from the ballots (points for cumulative ballots)."""
        scores = dict.fromkeys(self.project_by_id, Decimal(0))
        for ballot in self.ballots:
            if ballot.points is None:
                for project_id in ballot.projects:
                    scores[project_id] += 1
            else:
                for project_id, points in zip(ballot.projects, ballot.points, strict=True):
                    scores[project_id] += points
        return scores

    @cached_property
    def approvals(self) -> dict[str, int]:
        """How many voters chose each project (whatever the points)."""
        counts = dict.fromkeys(self.project_by_id, 0)
        for ballot in self.ballots:
            for project_id in ballot.projects:
                counts[project_id] += 1
        return counts


@dataclass(frozen=True)
class Outcome:
    """The winners of a count, in the order the rule picked them.

    `voter_budget` is the virtual money per voter that Equal Shares ended with
    (after completion); `note` says, in English for staff, anything a
    recount would want to know (e.g. the comparison step's vote).
    """

    rule: str
    selected: tuple[str, ...]
    election: Election = field(repr=False)
    voter_budget: Decimal | None = None
    note: str = ""

    @property
    def spent(self) -> Decimal:
        by_id = self.election.project_by_id
        return sum((by_id[project_id].cost for project_id in self.selected), Decimal(0))

    def is_selected(self, project_id: str) -> bool:
        return project_id in self._selected_set

    @cached_property
    def _selected_set(self) -> frozenset[str]:
        return frozenset(self.selected)
