from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from pbbot.counting._mes_count import Approvals, Count
from pbbot.counting.equal_shares import (
    compare_with_greedy,
    equal_shares,
    equal_shares_add1,
    equal_shares_add1_comparison,
)
from pbbot.counting.pabulib import write_pabulib
from pbbot.counting.rules import count
from tests.counting.conftest import election_from
from tests.counting.exact_mes import exact_completion, random_city, random_election

# Budget 100, four voters, 25 each. v1-v3 want A (60); v4 wants B (40); v1 also wants C (30).
COMPLETION_PROJECTS = """
A;60;A;
B;40;B;
C;30;C;
"""
COMPLETION_VOTES = """
v1;A,C
v2;A
v3;A
v4;B
"""


def test_plain_equal_shares_buys_what_supporters_can_pay():
    election = election_from(COMPLETION_PROJECTS, COMPLETION_VOTES, budget=100)

    # A: 3 x 25 >= 60. B: v4 alone has 25 < 40. C: v1 has 25 - 20 = 5 left.
    assert equal_shares(election).selected == ("A",)


def test_completion_keeps_the_last_outcome_that_fits_the_budget():
    election = election_from(
        COMPLETION_PROJECTS, COMPLETION_VOTES, budget=100, rule="equalshares/add1"
    )

    outcome = count(election)

    # From a share of 40, v4 buys B. At 50, v1 keeps 30 after A and buys C too:
    # 130 > 100, so the share stops at 49 with {A, B}.
    assert outcome.selected == ("A", "B")
    assert outcome.voter_budget == Decimal(49)
    assert outcome.spent == Decimal(100)


def test_ties_in_price_go_to_the_lowest_project_id():
    # Both cost 10 and have 2 supporters: the same price per unit of cost.
    election = election_from("b;10;b;\na;10;a;", "v1;a,b\nv2;a,b", budget=10)

    assert equal_shares(election).selected == ("a",)


# Budget 10, five voters. v1-v3 want X (9); v4, v5 want Y (2) and W (8).
COMPARISON_PROJECTS = """
X;9;X;
Y;2;Y;
W;8;W;
"""
COMPARISON_VOTES = """
v1;X
v2;X
v3;X
v4;Y,W
v5;Y,W
"""


def test_completion_alone_can_leave_the_majority_without_a_project():
    election = election_from(COMPARISON_PROJECTS, COMPARISON_VOTES, budget=10)

    # At a share of 2, only Y is affordable; at 3, X and Y together cost 11 > 10.
    assert equal_shares_add1(election).selected == ("Y",)


def test_comparison_step_switches_to_greedy_when_more_voters_prefer_it():
    election = election_from(
        COMPARISON_PROJECTS, COMPARISON_VOTES, budget=10, rule="equalshares/add1-comparison"
    )

    outcome = equal_shares_add1_comparison(election)

    assert compare_with_greedy(election, ("Y",), ("X",)).prefer_greedy == 3
    assert outcome.selected == ("X",)
    assert "3 prefer greedy" in outcome.note


def test_comparison_step_keeps_equal_shares_on_a_draw_or_better():
    election = election_from(
        COMPLETION_PROJECTS, COMPLETION_VOTES, budget=100, rule="equalshares/add1-comparison"
    )

    outcome = count(election)

    # Greedy funds A and then B (B and C tie on votes, B first): a draw keeps Equal Shares.
    assert outcome.selected == ("A", "B")
    assert "Equal Shares stays" in outcome.note


def test_an_election_without_ballots_funds_nothing():
    election = election_from("A;1;A;", "", budget=10)

    assert equal_shares_add1(election).selected == ()


def test_completion_agrees_with_pabutools_raising_each_share_by_one(tmp_path):
    pabutools = pytest.importorskip("pabutools.election")
    rules = pytest.importorskip("pabutools.rules")
    election = election_from(COMPLETION_PROJECTS, COMPLETION_VOTES, budget=100)
    path = tmp_path / "completion.pb"
    write_pabulib(election, path)
    instance, profile = pabutools.parse_pabulib(str(path))

    reference = rules.exhaustion_by_budget_increase(
        instance,
        profile,
        rules.method_of_equal_shares,
        {"sat_class": pabutools.Cost_Sat},
        budget_step=len(profile),
        exhaustive_stop=False,
    )

    assert set(equal_shares_add1(election).selected) == {p.name for p in reference}


@pytest.mark.parametrize("seed", range(10))
def test_completion_keeps_what_rerunning_at_every_share_keeps(seed: int):
    rng = random.Random(seed)
    for _ in range(30):
        election = random_election(rng)

        outcome = equal_shares_add1(election)

        expected = exact_completion(election)
        assert outcome.selected == expected.selected
        if not expected.everything_bought:  # else any later share buys them all too
            assert outcome.voter_budget == Decimal(expected.share.numerator) / Decimal(
                expected.share.denominator
            )


@pytest.mark.parametrize("seed", range(6))
def test_completion_on_city_like_elections_matches_a_count_at_every_share(seed: int):
    # 500 voters: many counts cannot skip a share, and most of those go untracked.
    election = random_city(random.Random(seed))
    approvals = Approvals(election)
    start = Fraction(election.budget) / election.voters
    costs = {p.id: p.cost for p in election.projects}
    kept: tuple[str, ...] = ()
    for step in range(10_000):
        bought = tuple(approvals.ids[p] for p in Count(approvals, float(start + step)).run())
        if sum(costs[p] for p in bought) > election.budget:
            break
        kept = bought
        if len(bought) == len(approvals.free) + len(approvals.priced):
            break

    assert equal_shares_add1(election).selected == kept


@pytest.mark.parametrize("seed", range(3))
def test_the_exact_reference_is_what_pabutools_computes(seed: int, tmp_path):
    pabutools = pytest.importorskip("pabutools.election")
    rules = pytest.importorskip("pabutools.rules")
    rng = random.Random(seed)
    for case in range(20):
        election = random_election(rng, voters=12, projects=6)
        chosen = {p for ballot in election.ballots for p in ballot.projects}
        if sum(election.project_by_id[p].cost for p in chosen) <= election.budget:
            continue  # pabutools would raise the share up to budget x (voters + 1)
        path = tmp_path / f"{case}.pb"
        write_pabulib(election, path)
        instance, profile = pabutools.parse_pabulib(str(path))

        reference = rules.exhaustion_by_budget_increase(
            instance,
            profile,
            rules.method_of_equal_shares,
            {"sat_class": pabutools.Cost_Sat},
            budget_step=len(profile),
            exhaustive_stop=False,
        )

        assert set(exact_completion(election).selected) == {p.name for p in reference}
