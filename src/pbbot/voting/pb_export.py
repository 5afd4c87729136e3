"""The cast ballots as an election to count: `pbbot tally` reads it from a `.pb` file.

Basket, approval and pick-n ballots are Pabulib approval ballots over the
candidate projects (`project_id` is the number residents vote by, `category`
the theme), with the edition's limits in META (`max_sum_cost`, `min_sum_cost`,
`min_length`, `max_length`) and its rule (`greedy`, or `equalshares/add1` for
Equal Shares).

Communicating vessels divides the budget over themes, so there each theme is a
"project" and a ballot gives it points: the euros the voter put in it
(`vote_type` cumulative). A theme's cost is the mean of what the voters gave
it, rounded to the cent so that the themes add up to the budget exactly; a
greedy count funds every theme anyone gave money to, at that cost, and the
money per theme (`category` is the theme) is the vessels' result.

Voters are numbered 1..n in a random order and each ballot's projects are in
number order: nothing in the file leads back to a resident or to when or in
which order they chose.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from pbbot.counting.election import Ballot, Election, Project
from pbbot.domain.edition import Edition

if TYPE_CHECKING:
    from pbbot.voting.casting import BallotChoices
    from pbbot.voting.projects import ListedProject

__all__ = ["PABULIB_RULES", "ballots_election"]

# The edition's `voting.rule` as Pabulib META spells it (`pbbot.counting.rules`).
PABULIB_RULES = {"greedy": "greedy", "equal-shares": "equalshares/add1"}
_CENT = Decimal("0.01")


def ballots_election(
    edition: Edition, projects: Sequence[ListedProject], ballots: Sequence[BallotChoices]
) -> Election:
    """The edition's counted `ballots` over its candidate `projects`, ready to count."""
    shuffled = list(ballots)
    random.SystemRandom().shuffle(shuffled)
    if edition.voting.method == "vessels":
        return _vessels(edition, shuffled)
    return _approval(edition, projects, shuffled)


def _meta(edition: Edition, ballots: int, projects: int) -> dict[str, str]:
    default = edition.default_language
    meta = {
        "description": edition.name.get(default, edition.id),
        "country": edition.country or "",
        "instance": edition.id,
        "num_projects": str(projects),
        "num_votes": str(ballots),
        "budget": _amount(edition.budget),
        "currency": edition.currency,
        "language": default,
    }
    voting = edition.phase("voting")
    if voting is not None:
        meta["date_begin"] = voting.start.strftime("%d.%m.%Y")
        meta["date_end"] = voting.end.strftime("%d.%m.%Y")
    return {key: value for key, value in meta.items() if value}


def _approval(
    edition: Edition, projects: Sequence[ListedProject], ballots: Sequence[BallotChoices]
) -> Election:
    voting = edition.voting
    default = edition.default_language
    meta = _meta(edition, len(ballots), len(projects))
    meta["vote_type"] = "approval"
    meta["rule"] = PABULIB_RULES.get(voting.rule, voting.rule)
    if voting.method == "basket":
        meta["max_sum_cost"] = _amount(edition.budget)
        if voting.min_share is not None:
            meta["min_sum_cost"] = _amount(edition.budget * voting.min_share)
        if voting.min_projects is not None:
            meta["min_length"] = str(voting.min_projects)
        if voting.max_projects is not None:
            meta["max_length"] = str(voting.max_projects)
    elif voting.max_choices is not None:
        meta["max_length"] = str(voting.max_choices)
    known = {project.number for project in projects}
    return Election(
        meta=meta,
        projects=tuple(
            Project(
                id=str(project.number),
                cost=Decimal(project.cost),
                name=project.title.get(default) or next(iter(project.title.values()), ""),
                categories=(project.theme,) if project.theme else (),
            )
            for project in projects
        ),
        ballots=tuple(
            # A project withdrawn after the vote was cast no longer counts on it.
            Ballot(str(voter), tuple(str(n) for n in sorted(ballot.projects) if n in known))
            for voter, ballot in enumerate(ballots, 1)
        ),
    )


def _vessels(edition: Edition, ballots: Sequence[BallotChoices]) -> Election:
    default = edition.default_language
    themes = [theme.id for theme in edition.themes]
    given = {theme: Decimal(0) for theme in themes}
    votes: list[Ballot] = []
    for voter, ballot in enumerate(ballots, 1):
        split = {theme: Decimal(amount) for theme, amount in ballot.split if theme in given}
        chosen = [theme for theme in themes if split.get(theme)]
        for theme in chosen:
            given[theme] += split[theme]
        votes.append(Ballot(str(voter), tuple(chosen), tuple(split[t] for t in chosen)))
    costs = _means(given, len(votes), edition.budget)
    meta = _meta(edition, len(votes), len(themes))
    meta.update(
        vote_type="cumulative",
        rule="greedy",
        max_sum_points=_amount(edition.budget),
        comment="communicating vessels: each theme is a project whose points are the "
        "euros voters gave it; its cost is their mean",
    )
    return Election(
        meta=meta,
        projects=tuple(
            Project(
                id=theme.id,
                cost=costs[theme.id],
                name=theme.name.get(default) or theme.id,
                categories=(theme.id,),
            )
            for theme in edition.themes
        ),
        ballots=tuple(votes),
    )


def _means(given: dict[str, Decimal], voters: int, budget: Decimal) -> dict[str, Decimal]:
    """Each theme's mean in cents, rounded down; the cents left go to the largest
    remainders, so that splits adding up to the budget give means that do too."""
    if voters == 0:
        return dict.fromkeys(given, Decimal(0))
    exact = {theme: amount / voters for theme, amount in given.items()}
    means = {theme: value.quantize(_CENT, rounding=ROUND_FLOOR) for theme, value in exact.items()}
    left = int((budget - sum(means.values(), Decimal(0))) / _CENT)
    if sum(given.values(), Decimal(0)) == budget * voters and 0 < left <= len(means):
        order = sorted(means, key=lambda theme: means[theme] - exact[theme])
        for theme in order[:left]:
            means[theme] += _CENT
    return means


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
