"""A broadcast leaves many addresses busy (each chat's own limit): the outbox looks again
when the first of them frees, and a claim leaves them all out (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.outbox.limits import ChannelLimiter, ChannelLimits
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.queue import OutboxQueue
from tests.outbox.support import FakeClock, queue

Sessions = async_sessionmaker[AsyncSession]


def test_the_soonest_busy_address_is_the_least_delay() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(ChannelLimits(per_second=1e6, per_address_per_second=1.0), clock)
    for chat in range(3000):
        limiter.take_address(str(chat))
        clock.advance(0.0001)

    busy, free_at = limiter.held()

    assert busy == limiter.busy()
    soonest = limiter.delay_until(free_at)
    assert soonest == pytest.approx(min(limiter.delay(a) for a in busy))
    assert soonest == pytest.approx(0.7)  # chat 0, charged 0.3 s ago


async def test_a_claim_leaves_out_thousands_of_busy_addresses(sessionmaker: Sessions) -> None:
    for chat in range(20):
        await queue(sessionmaker, str(chat), f"hello {chat}")
    busy = [str(chat) for chat in range(0, 20, 2)] + [f"+3247{n:07d}" for n in range(3000)]
    outbox_queue = OutboxQueue(
        sessionmaker, clock=FakeClock(), policy=OutboxPolicy(), owner="this process"
    )

    claim = await outbox_queue.claim("telegram", 50, busy=busy, verifiable=False)

    assert [message.address for message in claim.messages] == [str(n) for n in range(1, 20, 2)]
