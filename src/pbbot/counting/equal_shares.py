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

How it is fast: one count is cheap (see `_mes_count`), and the completion
skips the shares that provably repeat an outcome; see `equal_shares_add1`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pbbot.counting._mes_count import Approvals, Count
from pbbot.counting.election import Election, Outcome
from pbbot.counting.greedy import greedy

__all__ = [
    "Comparison",
    "compare_with_greedy",
    "equal_shares",
    "equal_shares_add1",
    "equal_shares_add1_comparison",
]


def equal_shares(election: Election, *, share: Decimal | None = None) -> Outcome:
    """Plain MES: each voter's share is budget / voters unless `share` is given."""
    approvals = Approvals(election)
    if share is None:
        share = election.budget / max(election.voters, 1)
    bought = Count(approvals, float(share)).run() if election.voters else []
    return Outcome(
        "equal-shares", tuple(approvals.ids[p] for p in bought), election, voter_budget=share
    )


def equal_shares_add1(election: Election, *, rule: str = "equalshares/add1") -> Outcome:
    """MES completed by raising each voter's share one unit at a time (see module docstring).

    Exactly pabutools' `exhaustion_by_budget_increase(..., budget_step=<voters>,
    exhaustive_stop=False)`: count at shares budget/voters + 0, 1, 2, ...; at
    the first share whose outcome costs more than the budget, stop and keep the
    outcome of the share before (none if the very first does not fit). Whether
    an outcome fits is not monotone in the share, so no share may be jumped
    over on a guess; a share is skipped only when a count proves that it
    repeats the outcome before it (its horizon, see `_mes_count`). The count
    also stops once every project someone voted for is bought: they all fit,
    so no larger share can overspend, and pabutools, raising the share up to
    its bound of budget x (voters + 1), ends with all of them too.
    """
    approvals = Approvals(election)
    budget = election.budget
    voters = election.voters
    if not voters:
        return Outcome(rule, (), election)
    costs = {p.id: p.cost for p in election.projects}
    everything = len(approvals.free) + len(approvals.priced)
    start = Fraction(budget) / voters
    horizons = _Horizons()
    best: tuple[str, ...] = ()
    best_share = start
    step = 0
    while True:
        share = start + step
        count = Count(approvals, float(share), track=horizons.wanted())
        bought = tuple(approvals.ids[p] for p in count.run())
        if sum((costs[p] for p in bought), Decimal(0)) > budget:
            break
        skip = 0
        if count.track:
            # Shares strictly inside the horizon repeat this outcome: skip them,
            # keeping a safety margin so a change right at a whole unit is counted.
            margin = 1e-7 * (1.0 + float(share))
            if count.horizon < 1e18:
                skip = max(0, math.ceil(count.horizon - margin) - 1)
            horizons.record(skip)
        best, best_share = bought, share + skip
        if len(bought) == everything:
            break
        step += skip + 1
    voter_budget = Decimal(best_share.numerator) / Decimal(best_share.denominator)
    return Outcome(rule, best, election, voter_budget=voter_budget)


class _Horizons:
    """When to pay for tracking a count's horizon.

    Tracking makes a count 1.5 to 2 times as slow and pays only when the
    horizon reaches past the next whole unit. On small elections it usually
    does (Assen: 41 counts for 843 shares); on large ones almost never, since
    some voter's budget is always within a unit of a payment. So after a
    tracked count that skips nothing the next 1, 2, 4, ... (at most 32) counts
    go untracked before one is tracked again; a count that skips resets this.
    Untracked counts are exact too: they just skip nothing.
    """

    _LONGEST_WAIT = 32

    def __init__(self) -> None:
        self._wait = 0
        self._backoff = 0

    def wanted(self) -> bool:
        """Whether the next count should track its horizon."""
        if self._wait:
            self._wait -= 1
            return False
        return True

    def record(self, skip: int) -> None:
        """A tracked count let `skip` shares be skipped."""
        if skip:
            self._backoff = 0
        else:
            self._backoff = min(max(1, 2 * self._backoff), self._LONGEST_WAIT)
            self._wait = self._backoff


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
