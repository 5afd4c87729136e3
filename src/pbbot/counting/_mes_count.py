"""One count of the Method of Equal Shares at a fixed share per voter, cheap enough to repeat.

The completion in `equal_shares` counts several hundred times per election
(Warszawa 2021 Mokotów: 228 counts of 12 933 voters, 45 purchases each), so
this module is about the cost of one count:

- Budgets are one array with a number per voter. A project's price is the
  equal payment `x` with sum(min(budget, x)) = cost over its supporters (those
  who cannot pay `x` pay all they have, the poor). From any lower bound, the
  step "x = (cost - what the poor have) / the others" rises to it without a
  sort, in two or three passes over the supporters' budgets.
- Prices only rise during a count (budgets only shrink), so a project's last
  price is a lower bound on its price later in the count. A heap ordered by
  these bounds prices only the projects that can still be cheapest, and the
  last price starts the next pricing of the same project.
- With `track=True` the count also finds its `horizon`: how far the share can
  grow before anything in the count's course changes. Every budget is an
  affine function of the share along one course (its slope is kept per voter),
  so each fact the course rests on is the sign of an affine function, and the
  horizon is the nearest root ahead. The facts: which of the winner's
  supporters are poor; that each project dropped as unaffordable stays so;
  that every other project stays dearer than the winner. For the last, any
  split into poor and payers gives a lower bound on a price that is affine in
  the share, so the split of a project that is not bought may change freely.
  Shares inside the horizon repeat the outcome and need no count. Tracking
  makes a count 1.5 to 2 times as slow, so the completion tracks only while
  it pays (see `equal_shares`).

Exactness: floating point with a relative tolerance of 1e-9 when comparing
prices and budgets, as pabutools does in its float mode. Equal prices (common:
before anyone has paid, a project's price per unit of cost is 1/votes) are
ties, broken like pabutools: lowest project id as a string.
"""

from __future__ import annotations

import heapq
import math
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from pbbot.counting.election import Election

__all__ = ["Approvals", "Count"]

_TOLERANCE = 1e-9
_ABOVE = 1 + _TOLERANCE  # a price within the tolerance above the best ties with it
_SHRINK = 1 / _ABOVE  # a budget within the tolerance below a payment can pay it
_FALLING = -1e-15  # slopes below this are falling; flatter ones are noise
_by_rank = itemgetter(1)


class Approvals:
    """Who supports which project, as arrays, built once per election."""

    def __init__(self, election: Election):
        self.ids = [project.id for project in election.projects]
        index = {project_id: i for i, project_id in enumerate(self.ids)}
        self.voters = election.voters
        self.costs = [float(project.cost) for project in election.projects]
        per_project: list[list[int]] = [[] for _ in self.ids]
        for voter, ballot in enumerate(election.ballots):
            for project_id in ballot.projects:
                per_project[index[project_id]].append(voter)
        self.supporters = [np.array(voters, dtype=np.intp) for voters in per_project]
        supported = [i for i, voters in enumerate(per_project) if voters]
        # Free projects someone wants are bought outright (as in pabutools).
        self.free = [i for i in supported if self.costs[i] == 0]
        self.priced = [i for i in supported if self.costs[i] > 0]
        # Ties go to the lowest id as a string: rank the projects once.
        self.rank = [0] * len(self.ids)
        for rank, i in enumerate(sorted(range(len(self.ids)), key=self.ids.__getitem__)):
            self.rank[i] = rank


class _Price(NamedTuple):
    """What a project's supporters pay now: `payment` each, or all they have if `poor`.

    `budgets` are the supporters' budgets, in the order of `Approvals.supporters`;
    `slope` is d payment / d share along the count's course (0 when not tracked).
    """

    payment: float
    slope: float
    budgets: NDArray[np.float64]
    poor: NDArray[np.bool_]
    poor_count: int


class Count:
    """One run of MES at a fixed share per voter; see the module docstring."""

    def __init__(self, approvals: Approvals, share: float, *, track: bool = False):
        self.a = approvals
        self.track = track
        self.budget = np.full(approvals.voters, share)
        # d budget / d share per voter, kept only when tracking the horizon.
        self.slope = np.ones(approvals.voters) if track else np.empty(0)
        self.horizon = math.inf

    def run(self) -> list[int]:
        """The projects bought, in order; with tracking, `horizon` is set as a side result."""
        a, track = self.a, self.track
        bought = list(a.free)
        # Each project's last payment: a lower bound from which to price it again.
        payment = [cost / max(len(s), 1) for cost, s in zip(a.costs, a.supporters, strict=True)]
        heap = [(payment[p] / a.costs[p], a.rank[p], p) for p in a.priced]
        heapq.heapify(heap)
        if track:  # every remaining project's price bound, affine in the share
            bound, bound_slope = np.zeros(len(a.ids)), np.zeros(len(a.ids))
            remaining = np.zeros(len(a.ids), dtype=np.bool_)
            for rho, _, p in heap:
                bound[p], remaining[p] = rho, True
        while heap:
            best = math.inf
            fresh: list[tuple[float, int, int, _Price]] = []
            # Bounds only rise: once the lowest bound is above the best price, stop.
            while heap and heap[0][0] <= best * _ABOVE:
                _, rank, p = heapq.heappop(heap)
                price = self._price(p, payment[p])
                if price is None:  # budgets only shrink: never affordable again
                    if track:
                        remaining[p] = False
                    continue
                payment[p] = price.payment
                rho = price.payment / a.costs[p]
                fresh.append((rho, rank, p, price))
                best = min(best, rho)
            if not fresh:
                break
            limit = best * _ABOVE
            winner = min((entry for entry in fresh if entry[0] <= limit), key=_by_rank)
            for entry in fresh:
                if entry is not winner:
                    heapq.heappush(heap, entry[:3])
            rho, _, w, price = winner
            if track:
                for other_rho, _, p, other in fresh:
                    bound[p], bound_slope[p] = other_rho, other.slope / a.costs[p]
                remaining[w] = False
                # Every other project stays dearer: its price bound stays above.
                self._keep(bound[remaining] - rho, bound_slope[remaining] - bound_slope[w])
            self._buy(w, price)
            bought.append(w)
        return bought

    def _price(self, project: int, start: float) -> _Price | None:
        """The price now, rising from `start` (a lower bound on the payment); None: unaffordable."""
        supporters = self.a.supporters[project]
        cost = self.a.costs[project]
        budgets = self.budget[supporters]
        total = float(np.add.reduce(budgets))
        if total < cost * (1 - _TOLERANCE):
            if self.track:  # stays unaffordable while the supporters' total stays short
                self._keep_one(cost - total, -float(np.add.reduce(self.slope[supporters])))
            return None
        n = len(supporters)
        poor = budgets < start * _SHRINK
        poor_count = int(np.count_nonzero(poor))
        while True:
            if poor_count == n:  # short by less than the tolerance: the richest pay the rest
                poor = budgets < budgets.max()
                poor_count = int(np.count_nonzero(poor))
                payment = (cost - float(np.add.reduce(budgets * poor))) / (n - poor_count)
                break
            if not poor_count:
                payment = cost / n
                if start <= payment:
                    break
            else:
                payment = (cost - float(np.add.reduce(budgets * poor))) / (n - poor_count)
            # Payers who cannot pay the new payment join the poor; the payment rises again.
            poor = budgets < payment * _SHRINK
            grown = int(np.count_nonzero(poor))
            if grown == poor_count:
                break
            poor_count = grown
        slope = 0.0
        if self.track and poor_count:
            slope = -float(np.add.reduce(self.slope[supporters] * poor)) / (n - poor_count)
        return _Price(payment, slope, budgets, poor, poor_count)

    def _buy(self, project: int, price: _Price) -> None:
        """Charge the supporters: the poor pay all they have, the others the payment."""
        supporters = self.a.supporters[project]
        left = price.budgets - price.payment
        self.budget[supporters] = np.maximum(left, 0.0)
        if not self.track:
            return
        left_slope = self.slope[supporters] - price.slope
        if price.poor_count:
            # The poor stay poor and the payers stay payers.
            self._keep(
                np.where(price.poor, -left, left), np.where(price.poor, -left_slope, left_slope)
            )
            self.slope[supporters] = np.where(price.poor, 0.0, left_slope)
        else:
            self._keep(left, left_slope)
            self.slope[supporters] = left_slope

    def _keep(self, gap: NDArray[np.float64], slope: NDArray[np.float64]) -> None:
        """Shorten the horizon to where any `gap + slope * d`, now >= 0, would turn negative."""
        falling = slope < _FALLING
        if falling.any():
            reach = np.maximum(gap[falling], 0.0) / -slope[falling]
            self.horizon = min(self.horizon, float(reach.min()))

    def _keep_one(self, gap: float, slope: float) -> None:
        """`_keep` for a single fact."""
        if slope < _FALLING:
            self.horizon = min(self.horizon, max(gap, 0.0) / -slope)
