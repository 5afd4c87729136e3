"""A slow, exact reference for Equal Shares and its completion, and random small elections.

The reference is the method as written: exact fractions, every voter's budget
on its own, every project priced at every step, and the completion rerun from
scratch at every share budget/voters + 0, 1, 2, ... (what pabutools'
`exhaustion_by_budget_increase(..., budget_step=<voters>, exhaustive_stop=False)`
does). The fast count must agree with it on every election.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pbbot.counting.election import Ballot, Election, Project

__all__ = ["Completion", "exact_completion", "exact_equal_shares", "random_election"]


def exact_equal_shares(election: Election, share: Fraction) -> list[str]:
    """Plain MES at `share` per voter: cheapest price per unit of cost first, ties to lowest id."""
    costs = {p.id: Fraction(p.cost) for p in election.projects}
    budgets = [share] * election.voters
    supporters = {p: [v for v, b in enumerate(election.ballots) if p in b.projects] for p in costs}
    remaining = sorted(p for p in costs if supporters[p])
    bought: list[str] = []
    while True:
        best: tuple[Fraction, str, Fraction] | None = None
        for project in remaining:  # in id order: a tie keeps the lowest id
            cost = costs[project]
            have = sorted(budgets[v] for v in supporters[project])
            if sum(have) < cost:
                continue
            paid = Fraction(0)
            for poorer, budget in enumerate(have):
                payment = (cost - paid) / (len(have) - poorer)
                if payment <= budget:
                    break
                paid += budget
            if best is None or payment / cost < best[0]:
                best = (payment / cost, project, payment)
        if best is None:
            return bought
        _, project, payment = best
        for voter in supporters[project]:
            budgets[voter] -= min(budgets[voter], payment)
        remaining.remove(project)
        bought.append(project)


@dataclass(frozen=True)
class Completion:
    """The completion's outcome, the last share counted for it, and why counting stopped."""

    selected: tuple[str, ...]
    share: Fraction
    everything_bought: bool


def exact_completion(election: Election) -> Completion:
    """Raise the share one unit at a time; keep the last outcome before the first that overspends.

    Also stops once every project someone chose is bought (pabutools would go on
    to a share of budget x (voters + 1), always buying them all again).
    """
    budget = election.budget
    costs = {p.id: p.cost for p in election.projects}
    chosen = {p for ballot in election.ballots for p in ballot.projects}
    start = Fraction(budget) / election.voters
    last: tuple[str, ...] = ()
    step = 0
    while True:
        outcome = tuple(exact_equal_shares(election, start + step))
        if sum((costs[p] for p in outcome), Decimal(0)) > budget:
            return Completion(last, start + step - 1, everything_bought=False)
        last = outcome
        if set(outcome) == chosen:
            return Completion(last, start + step, everything_bought=True)
        step += 1


def random_election(
    rng: random.Random, *, voters: int = 30, projects: int = 8, dearest: int = 60
) -> Election:
    """A small approval election with many exact ties: round costs, repeated ballots.

    At most `voters` voters and `projects` projects costing at most `dearest`.
    """
    ids = [f"p{i}" for i in range(rng.randint(1, projects))]
    round_costs = rng.random() < 0.5
    projects = tuple(
        Project(
            p,
            Decimal(rng.randint(1, dearest // 10) * 10 if round_costs else rng.randint(1, dearest)),
        )
        for p in ids
    )
    density = rng.uniform(0.1, 0.9)
    ballots: list[Ballot] = []
    for voter in range(rng.randint(1, voters)):
        if ballots and rng.random() < 0.3:  # voters with the same ballot share every budget
            chosen = ballots[-1].projects
        else:
            chosen = tuple(p for p in ids if rng.random() < density)
        ballots.append(Ballot(f"v{voter}", chosen))
    budget = rng.randint(1, int(sum(p.cost for p in projects)) + 20)
    return Election({"budget": str(budget), "vote_type": "approval"}, projects, tuple(ballots))


def random_city(rng: random.Random, *, voters: int = 500, projects: int = 16) -> Election:
    """A city-like election: some popular projects, costs in thousands, budget for about a third.

    Large enough that a share rarely repeats the outcome of the share before,
    as on the real Warsaw files.
    """
    ids = [f"p{i:02d}" for i in range(projects)]
    popularity = [rng.uniform(0.05, 0.5) for _ in ids]
    costs = [Decimal(rng.randint(10, 200) * 100) for _ in ids]
    ballots = tuple(
        Ballot(
            f"v{voter}",
            tuple(p for p, pop in zip(ids, popularity, strict=True) if rng.random() < pop),
        )
        for voter in range(voters)
    )
    budget = int(sum(costs)) // 3
    projects_ = tuple(Project(p, cost) for p, cost in zip(ids, costs, strict=True))
    return Election({"budget": str(budget), "vote_type": "approval"}, projects_, ballots)
