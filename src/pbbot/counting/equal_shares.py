"""The Method of Equal Shares (MES) with cost satisfaction, completed the way cities ran it.

Every voter gets an equal share of the budget; a project is bought when its
supporters can pay for it, the cost split as equally as they can afford; the
project whose supporters each pay least per unit of cost goes first
(equalshares.net). The plain method leaves money unspent, so Assen 2024,
Świecie 2023 and Wieliczka 2023 raised every voter's share one currency unit
at a time and kept the last outcome that still fits the real budget ("add1",
pabutools' `exhaustion_by_budget_increase(..., budget_step=<voters>,
exhaustive_stop=False)`). Wieliczka then compared that outcome with greedy
and would have switched if more voters preferred greedy ("add1-comparison").

Why it is fast: voters who supported the same bought projects and paid the
same have the same budget, so budgets are kept per class of voters, not per
voter. Computing a project's price is then one gather and one `bincount` over
its supporters plus a sort of a few hundred class budgets, and buying it splits
the classes its supporters are in. A whole count at one share takes
milliseconds even for 90 000 voters, which makes the hundreds of counts of the
completion affordable.

Exactness: the arithmetic is floating point with a relative tolerance of 1e-9
when comparing prices and budgets, as pabutools does in its float mode. Equal
prices (common: before anyone has paid, every project's price per unit is
1/votes) are ties, broken like pabutools: lowest project id as a string.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from pbbot.counting.election import Election, Outcome
from pbbot.counting.greedy import greedy

__all__ = [
    "Comparison",
    "compare_with_greedy",
    "equal_shares",
    "equal_shares_add1",
    "equal_shares_add1_comparison",
]

_TOLERANCE = 1e-9


class _Approvals:
    """The approval structure of an election as arrays, built once per election."""

    def __init__(self, election: Election):
        self.ids = [project.id for project in election.projects]
        index = {project_id: i for i, project_id in enumerate(self.ids)}
        self.voters = election.voters
        self.costs = np.array([float(p.cost) for p in election.projects])
        per_project: list[list[int]] = [[] for _ in self.ids]
        for voter, ballot in enumerate(election.ballots):
            for project_id in ballot.projects:
                per_project[index[project_id]].append(voter)
        self.supporters = [np.array(v, dtype=np.int64) for v in per_project]
        supported = [i for i, s in enumerate(self.supporters) if len(s)]
        # Free projects someone wants are bought outright (as in pabutools).
        self.free = [i for i in supported if self.costs[i] == 0]
        self.priced = [i for i in supported if self.costs[i] > 0]


@dataclass(frozen=True, slots=True)
class _Price:
    """A project's price per unit of cost (`rho`) at the share counted, and how it moves.

    `slope` is d rho / d share while the count's course stays the same; `present`
    are the supporters' classes and `poor` those that pay all they have left.
    """

    rho: float
    slope: float
    present: NDArray[np.int64]
    poor: NDArray[np.bool_]
    payment: float
    payment_slope: float


class _Count:
    """One run of MES at a fixed share per voter; see the module docstring for classes.

    Besides the outcome, a run finds its `horizon`: how far the share can grow
    before anything in the run's course changes (which class pays all it has,
    which project is dropped as unaffordable, which project is cheapest). Every
    class budget is an affine function of the share along one course, so each of
    those facts is a sign of an affine function, and the horizon is the nearest
    root ahead. Shares inside the horizon give the same outcome and need no run.
    """

    def __init__(self, approvals: _Approvals, share: float):
        self.a = approvals
        self.class_of = np.ones(approvals.voters, dtype=np.int64)  # 1: nothing spent yet
        size = max(16, 2 * len(approvals.ids) + 2)
        self.budget = np.zeros(size)  # class 0: spent out, at every share
        self.slope = np.zeros(size)  # d budget / d share
        self.budget[1], self.slope[1] = share, 1.0
        self.classes = 2
        self._compact_at = 1024
        self.horizon = float("inf")

    def _keep(self, gap: NDArray[np.float64] | float, slope: NDArray[np.float64] | float) -> None:
        """Shorten the horizon to where `gap + slope * d`, now >= 0, would turn negative."""
        gap, slope = np.atleast_1d(gap), np.atleast_1d(slope)
        falling = slope < -1e-15
        if falling.any():
            reach = np.maximum(gap[falling], 0.0) / -slope[falling]
            self.horizon = min(self.horizon, float(reach.min()))

    def price(self, project: int) -> _Price | None:
        """The project's price now, or None (and the reason it stays so) if unaffordable."""
        supporters = self.a.supporters[project]
        cost = self.a.costs[project]
        classes = self.class_of[supporters]
        if len(supporters) * 8 < self.classes:  # few supporters: sorting them is cheaper
            present, sizes = np.unique(classes, return_counts=True)
        else:
            counts = np.bincount(classes, minlength=self.classes)
            present = np.flatnonzero(counts)
            sizes = counts[present]
        budgets, slopes = self.budget[present], self.slope[present]
        total = float(budgets @ sizes)
        if total < cost * (1 - _TOLERANCE):
            self._keep(cost - total, -float(slopes @ sizes))
            return None
        order = np.argsort(budgets, kind="stable")
        present, budgets = present[order], budgets[order]
        slopes, sizes = slopes[order], sizes[order]
        paid_before = np.concatenate(([0.0], np.cumsum(budgets * sizes)[:-1]))
        slope_before = np.concatenate(([0.0], np.cumsum(slopes * sizes)[:-1]))
        payers = len(supporters) - np.concatenate(([0], np.cumsum(sizes)[:-1]))
        payments = (cost - paid_before) / payers
        # The first class whose members can all pay the equal payment fixes it.
        enough = payments <= budgets * (1 + _TOLERANCE)
        first = int(np.argmax(enough)) if enough.any() else len(budgets) - 1
        payment = float(payments[first])
        payment_slope = float(-slope_before[first] / payers[first])
        poor = np.arange(len(budgets)) < first
        # The poor stay poor and the rich stay rich.
        self._keep(
            np.where(poor, payment - budgets, budgets - payment),
            np.where(poor, payment_slope - slopes, slopes - payment_slope),
        )
        return _Price(payment / cost, payment_slope / cost, present, poor, payment, payment_slope)

    def buy(self, project: int, price: _Price) -> None:
        """Charge the supporters: the poor pay all they have, the rest the equal payment."""
        rich = ~price.poor
        new = np.where(rich, self.classes + np.cumsum(rich) - 1, 0)
        needed = self.classes + int(rich.sum())
        if needed > len(self.budget):
            grow = np.zeros(needed + len(self.budget))
            self.budget = np.concatenate((self.budget, grow))
            self.slope = np.concatenate((self.slope, grow))
        self.budget[new[rich]] = np.maximum(self.budget[price.present[rich]] - price.payment, 0.0)
        self.slope[new[rich]] = self.slope[price.present[rich]] - price.payment_slope
        remap = np.arange(self.classes)
        remap[price.present] = new
        supporters = self.a.supporters[project]
        self.class_of[supporters] = remap[self.class_of[supporters]]
        self.classes = needed
        if self.classes > self._compact_at:
            self._compact()

    def _compact(self) -> None:
        """Renumber the classes that still have members, so counting stays proportional."""
        live = np.union1d(np.unique(self.class_of), [0])
        remap = np.zeros(self.classes, dtype=np.int64)
        remap[live] = np.arange(len(live))
        self.class_of = remap[self.class_of]
        self.budget[: len(live)] = self.budget[live]
        self.slope[: len(live)] = self.slope[live]
        self.classes = len(live)
        self._compact_at = max(1024, 4 * len(live))

    def run(self) -> list[int]:
        """The projects bought, in order; `horizon` is set as a side result."""
        a = self.a
        bought = list(a.free)
        # Before anyone pays, a project's price per unit is 1/votes: a lower bound ever after.
        bound = {p: (1.0 / len(a.supporters[p]), 0.0) for p in a.priced}
        remaining = list(a.priced)
        while remaining:
            remaining.sort(key=lambda p: (bound[p][0], a.ids[p]))
            best = float("inf")
            priced: list[tuple[int, _Price]] = []
            dropped: set[int] = set()
            for p in remaining:
                if bound[p][0] > best * (1 + _TOLERANCE):
                    break  # prices only rise: no later project can beat `best`
                price = self.price(p)
                if price is None:
                    dropped.add(p)  # budgets only shrink: never affordable again
                    continue
                bound[p] = (price.rho, price.slope)
                priced.append((p, price))
                best = min(best, price.rho)
            if dropped:
                remaining = [p for p in remaining if p not in dropped]
            if not priced:
                break
            winner, price = min(
                (entry for entry in priced if entry[1].rho <= best * (1 + _TOLERANCE)),
                key=lambda entry: a.ids[entry[0]],
            )
            bought.append(winner)
            remaining.remove(winner)
            # Every other project stays dearer: its price (or lower bound) stays above.
            others = [bound[p] for p in remaining]
            if others:
                rhos, slopes = np.array(others).T
                self._keep(rhos - price.rho, slopes - price.slope)
            self.buy(winner, price)
        return bought


def equal_shares(election: Election, *, share: Decimal | None = None) -> Outcome:
    """Plain MES: each voter's share is budget / voters unless `share` is given."""
    approvals = _Approvals(election)
    if share is None:
        share = election.budget / max(election.voters, 1)
    bought = _Count(approvals, float(share)).run() if election.voters else []
    return Outcome(
        "equal-shares", tuple(approvals.ids[p] for p in bought), election, voter_budget=share
    )


def equal_shares_add1(election: Election, *, rule: str = "equalshares/add1") -> Outcome:
    """MES completed by raising each voter's share one unit at a time (see module docstring).

    The last outcome that fits the budget wins; the count stops early once every
    project someone voted for is bought, since more money cannot add anything.
    """
    approvals = _Approvals(election)
    budget = election.budget
    voters = election.voters
    if not voters:
        return Outcome(rule, (), election)
    costs = {p.id: p.cost for p in election.projects}
    everything = len(approvals.free) + len(approvals.priced)
    start = Fraction(budget) / voters
    best: tuple[str, ...] = ()
    best_share = start
    step = 0
    while True:
        share = start + step
        run = _Count(approvals, float(share))
        bought = tuple(approvals.ids[p] for p in run.run())
        if sum((costs[p] for p in bought), Decimal(0)) > budget:
            break
        # Shares strictly inside the run's horizon repeat this outcome: skip them,
        # keeping a safety margin so a change right at a whole unit is counted.
        margin = 1e-7 * (1.0 + float(share))
        skip = max(0, math.ceil(run.horizon - margin) - 1) if run.horizon < 1e18 else 0
        best, best_share = bought, share + skip
        if len(bought) == everything:
            break
        step += skip + 1
    voter_budget = Decimal(best_share.numerator) / Decimal(best_share.denominator)
    return Outcome(rule, best, election, voter_budget=voter_budget)


@dataclass(frozen=True)
class Comparison:
    """How many voters prefer each outcome: more of the projects they chose are funded."""

    prefer_equal_shares: int
    prefer_greedy: int


def compare_with_greedy(election: Election, mes: Sequence[str], other: Sequence[str]) -> Comparison:
    """Count voters who get more of their chosen projects in `mes` than in `other`, and back."""
    in_mes, in_other = set(mes), set(other)
    prefer_mes = prefer_other = 0
    for ballot in election.ballots:
        here = sum(1 for p in ballot.projects if p in in_mes)
        there = sum(1 for p in ballot.projects if p in in_other)
        prefer_mes += here > there
        prefer_other += there > here
    return Comparison(prefer_mes, prefer_other)


def equal_shares_add1_comparison(election: Election) -> Outcome:
    """Completed MES, replaced by greedy when more voters prefer greedy (Wieliczka 2023).

    Each voter prefers the outcome that funds more of the projects they chose;
    greedy wins only with strictly more voters (equalshares.net compute tool,
    comparison "satisfaction").
    """
    rule = "equalshares/add1-comparison"
    mes = equal_shares_add1(election, rule=rule)
    other = greedy(election, rule=rule)
    vote = compare_with_greedy(election, mes.selected, other.selected)
    note = (
        f"comparison step: {vote.prefer_equal_shares} voters prefer Equal Shares, "
        f"{vote.prefer_greedy} prefer greedy"
    )
    if vote.prefer_greedy > vote.prefer_equal_shares:
        return Outcome(rule, other.selected, election, note=note + "; greedy wins")
    return Outcome(
        rule,
        mes.selected,
        election,
        voter_budget=mes.voter_budget,
        note=note + "; Equal Shares stays",
    )
