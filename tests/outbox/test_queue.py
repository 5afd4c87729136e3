"""What the outbox's queue does with each outcome of an attempt, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import SendReceipt
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.queue import OutboxQueue
from pbbot.storage.outbound import ClaimedMessage
from tests.outbox.support import START, FakeClock, message, messages, queue, resident

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox_queue(sessionmaker: Sessions, clock: FakeClock) -> OutboxQueue:
    return OutboxQueue(sessionmaker, clock=clock, policy=OutboxPolicy(max_attempts=3))


async def claim_one(outbox_queue: OutboxQueue) -> ClaimedMessage:
    [claimed] = (await outbox_queue.claim("telegram", 1)).messages
    return claimed


async def test_sent_records_the_receipt(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    await queue(sessionmaker, "1", "hello")
    claimed = await claim_one(outbox_queue)
    clock.advance(0.5)

    await outbox_queue.sent(claimed, SendReceipt(provider_id="731", segments=2))

    row = await message(sessionmaker, "hello")
    assert (row.status, row.provider_id, row.segments, row.attempts) == ("sent", "731", 2, 1)
    assert row.sent_at == START + timedelta(seconds=0.5)


async def test_a_failed_attempt_is_retried_after_a_growing_backoff_then_fails(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    await queue(sessionmaker, "1", "hello")
    retry_times = []
    for _ in range(2):
        await outbox_queue.failed_attempt(await claim_one(outbox_queue), "Telegram: Bad Gateway")
        row = await message(sessionmaker, "hello")
        assert (row.status, row.error) == ("queued", "Telegram: Bad Gateway")
        retry_times.append(row.next_attempt_at - clock.now())
        clock.advance(retry_times[-1].total_seconds())

    await outbox_queue.failed_attempt(await claim_one(outbox_queue), "Telegram: Bad Gateway")

    assert retry_times == [timedelta(seconds=2), timedelta(seconds=4)]
    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.error == "Telegram: Bad Gateway (gave up after 3 attempts)"


async def test_put_back_does_not_count_the_attempt(
    sessionmaker: Sessions, outbox_queue: OutboxQueue
) -> None:
    await queue(sessionmaker, "1", "hello")

    await outbox_queue.put_back(await claim_one(outbox_queue), delay=3.0)

    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts, row.error) == ("queued", 0, None)
    assert row.next_attempt_at == START + timedelta(seconds=3)


async def test_blocked_fails_the_residents_queue(
    sessionmaker: Sessions, outbox_queue: OutboxQueue
) -> None:
    await queue(sessionmaker, "1", "hello", "again")

    await outbox_queue.blocked(await claim_one(outbox_queue), "Forbidden: user is deactivated")

    assert (await resident(sessionmaker, "1")).unreachable
    assert [(row.status, row.error) for row in await messages(sessionmaker)] == [
        ("failed", "Forbidden: user is deactivated"),
        ("failed", "the resident cannot be reached on this channel"),
    ]
