"""One fast count of Equal Shares against the exact method, and the horizon it claims."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from pbbot.counting._mes_count import Approvals, Count
from pbbot.counting.election import Election
from tests.counting.conftest import election_from
from tests.counting.exact_mes import exact_equal_shares, random_election


def _share(rng: random.Random, election: Election) -> Fraction:
    """Somewhere from a tenth of the budget per voter to several times the dearest project."""
    low = Fraction(election.budget) / election.voters / 10
    high = max(Fraction(p.cost) for p in election.projects) * 3
    return low + (high - low) * Fraction(rng.randint(0, 1000), 1000)


@pytest.mark.parametrize("seed", range(20))
def test_a_count_buys_what_the_exact_method_buys_with_or_without_tracking(seed: int):
    rng = random.Random(seed)
    for _ in range(25):
        election = random_election(rng)
        share = _share(rng, election)
        approvals = Approvals(election)
        expected = exact_equal_shares(election, share)

        for track in (False, True):
            bought = Count(approvals, float(share), track=track).run()
            assert [approvals.ids[p] for p in bought] == expected


@pytest.mark.parametrize("seed", range(10))
def test_every_share_inside_the_horizon_buys_the_same_projects(seed: int):
    # The horizon's proof has several parts (the winner's poor stay poor, the dropped
    # stay unaffordable, the others stay dearer); leaving out any one of them fails
    # here about a dozen times over these 2000 counts.
    rng = random.Random(1000 + seed)
    for _ in range(10):
        election = random_election(rng)
        approvals = Approvals(election)
        start = float(election.budget) / election.voters
        for step in range(0, 60, 3):  # across the completion's range of shares
            count = Count(approvals, start + step, track=True)
            bought = count.run()
            reach = min(count.horizon, 60.0)

            # The plain count (checked against the exact method above) at 20 later shares.
            for part in range(1, 21):
                later = Count(approvals, start + step + reach * part / 21).run()
                assert later == bought, (election, start + step, reach * part / 21)


def test_a_horizon_stops_where_the_outcome_changes():
    # A (60) wanted by v1-v3, B (40) by v4: B becomes affordable when v4's share reaches 40.
    election = election_from("A;60;A;\nB;40;B;", "v1;A\nv2;A\nv3;A\nv4;B", budget=100)
    count = Count(Approvals(election), 25.0, track=True)

    assert [count.a.ids[p] for p in count.run()] == ["A"]
    assert count.horizon == pytest.approx(15.0)
    assert exact_equal_shares(election, Fraction(40)) == ["A", "B"]
