"""The outbox's timings: backoff doubling to a cap, and a lease that survives a late renewal."""

from __future__ import annotations

import pytest

from pbbot.outbox.policy import OutboxPolicy


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = OutboxPolicy(backoff_base=2.0, backoff_cap=30.0)
    assert [policy.backoff(attempts) for attempts in range(1, 7)] == [2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize("options", [{"lease": 5.0}, {"renew_every": 0.0}])
def test_the_lease_must_last_two_renewals(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"the lease \(.*s\) must last at least two renewals"):
        OutboxPolicy(**options)


@pytest.mark.parametrize("options", [{"batch_size": 0}, {"max_attempts": 0}])
def test_sizes_must_be_positive(options: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        OutboxPolicy(**options)
