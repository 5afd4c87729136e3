"""Money per theme: what the winners cost per theme, and communicating vessels.

Pabulib's `category` field holds a project's themes; a project with several
themes counts for each in equal parts. Communicating vessels splits a budget
between themes the way voters lean: each voter's ballot is read as a split
(their chosen projects, each project's part shared among its themes), and the
theme budgets follow the mean or the median of those splits. Medians of the
parts do not add up to one, so they are rescaled to the whole budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from pbbot.counting.election import Election, Outcome, Project

__all__ = ["ThemeShare", "funded_by_theme", "theme_shares"]


@dataclass(frozen=True, slots=True)
class ThemeShare:
    """One theme's share of the budget by the mean and by the median voter split."""

    theme: str
    mean: float
    median: float
    mean_amount: Decimal
    median_amount: Decimal


def _themes(projects: Iterable[Project]) -> list[str]:
    return sorted({theme for project in projects for theme in project.categories})


def funded_by_theme(outcome: Outcome) -> dict[str, Decimal]:
    """What the winners cost per theme in whole units, largest first; empty without themes."""
    by_id = outcome.election.project_by_id
    amounts: dict[str, Decimal] = {}
    for project_id in outcome.selected:
        project = by_id[project_id]
        for theme in project.categories:
            part = project.cost / len(project.categories)
            amounts[theme] = amounts.get(theme, Decimal(0)) + part
    whole = {
        theme: amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        for theme, amount in amounts.items()
    }
    return dict(sorted(whole.items(), key=lambda item: (-item[1], item[0])))


def theme_shares(election: Election) -> list[ThemeShare]:
    """Communicating vessels over the election's themes; empty when there are none."""
    themes = _themes(election.projects)
    if not themes:
        return []
    column = {theme: i for i, theme in enumerate(themes)}
    by_id = election.project_by_id
    splits = []
    for ballot in election.ballots:
        row = np.zeros(len(themes))
        for project_id in ballot.projects:
            categories = by_id[project_id].categories
            for theme in categories:
                row[column[theme]] += 1 / len(categories)
        if row.sum() > 0:  # a ballot without themed projects says nothing here
            splits.append(row / row.sum())
    if not splits:
        return []
    matrix = np.array(splits)
    mean = matrix.mean(axis=0)
    median = np.median(matrix, axis=0)
    median = median / median.sum() if median.sum() > 0 else mean
    budget = election.budget
    return [
        ThemeShare(
            theme,
            float(mean[i]),
            float(median[i]),
            _amount(budget, float(mean[i])),
            _amount(budget, float(median[i])),
        )
        for i, theme in enumerate(themes)
    ]


def _amount(budget: Decimal, share: float) -> Decimal:
    return (budget * Decimal(repr(share))).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
