"""Which count to run: a rule name, as Pabulib META spells it, to the function that counts it."""

from __future__ import annotations

from collections.abc import Callable

from pbbot.counting.election import Election, Outcome
from pbbot.counting.equal_shares import equal_shares_add1, equal_shares_add1_comparison
from pbbot.counting.greedy import greedy
from pbbot.errors import PabulibError

__all__ = ["RULES", "count"]


def _greedy(election: Election) -> Outcome:
    return greedy(election, rule="greedy")


def _greedy_threshold(election: Election) -> Outcome:
    return greedy(election, threshold=election.score_threshold, rule="greedy-threshold")


def _greedy_no_skip(election: Election) -> Outcome:
    # Gdynia states a score threshold along with no-skip; it applies to both.
    return greedy(election, threshold=election.score_threshold, skip=False, rule="greedy-no-skip")


RULES: dict[str, Callable[[Election], Outcome]] = {
    "greedy": _greedy,
    "greedy-threshold": _greedy_threshold,
    "greedy-no-skip": _greedy_no_skip,
    "equalshares/add1": equal_shares_add1,
    "equalshares/add1-comparison": equal_shares_add1_comparison,
    # The names `pbbot tally --rule` offers.
    "equal-shares": equal_shares_add1,
}


def count(election: Election, rule: str | None = None, *, source: str | None = None) -> Outcome:
    """Count with `rule`, or with the file's own META rule when None."""
    name = rule or election.rule
    try:
        counter = RULES[name]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise PabulibError(
            f"unknown counting rule {name!r} (known: {known})", source=source
        ) from None
    return counter(election)
