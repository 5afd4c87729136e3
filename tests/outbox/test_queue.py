"""What the outbox's queue does with each outcome of an attempt, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import SendReceipt
from pbbot.domain.messages import Channel
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
    return make_queue(sessionmaker, clock, "this process")


def make_queue(sessionmaker: Sessions, clock: FakeClock, owner: str) -> OutboxQueue:
    return OutboxQueue(sessionmaker, clock=clock, policy=OutboxPolicy(max_attempts=3), owner=owner)


async def claim_one(outbox_queue: OutboxQueue, channel: Channel = "telegram") -> ClaimedMessage:
    [claimed] = (await outbox_queue.claim(channel, 1, verifiable=channel == "sms")).messages
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


async def test_a_claim_leaves_busy_addresses_and_says_when_it_reached_its_limit(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    for chat in ("1", "2", "3", "4"):
        await queue(sessionmaker, chat, f"hello {chat}")

    claim = await outbox_queue.claim("telegram", 2, busy=["1", "9"], verifiable=False)

    assert [message.address for message in claim.messages] == ["2", "3"]
    assert claim.more
    rows = {row.text: row for row in await messages(sessionmaker)}
    assert [rows[f"hello {n}"].status for n in "1234"] == ["queued", "sending", "sending", "queued"]
    sending = rows["hello 2"]
    assert (sending.lease_owner, sending.started_at) == ("this process", START)
    assert sending.next_attempt_at == START + timedelta(seconds=OutboxPolicy().lease)


async def test_leases_are_renewed_and_a_live_one_is_not_taken_over(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    other = make_queue(sessionmaker, clock, "another process")
    await queue(sessionmaker, "1", "hello")
    call = await claim_one(outbox_queue)

    for _ in range(5):  # the call takes 40 s; the lease is renewed all along
        clock.advance(8.0)
        assert await outbox_queue.renew([call.id]) == 1
        assert (await other.claim("telegram", 1, verifiable=False)).messages == []

    row = await message(sessionmaker, "hello")
    assert (row.status, row.uncertain_since) == ("sending", None)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=OutboxPolicy().lease)
    assert await other.renew([call.id]) == 0  # not its lease


async def test_an_expired_lease_is_left_by_its_sender_and_taken_by_anyone_else(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    other = make_queue(sessionmaker, clock, "another process")
    await queue(sessionmaker, "1", "hello")
    call = await claim_one(outbox_queue)
    clock.advance(OutboxPolicy().lease)  # a renewal came too late

    # The process that holds the call knows it still runs; any other takes it over.
    mine = await outbox_queue.claim("telegram", 1, verifiable=False, keep=[call.id])
    [taken] = (await other.claim("telegram", 1, verifiable=False)).messages

    assert mine.messages == []
    assert (taken.outbound.text, taken.attempts, taken.uncertain_since) == ("hello", 2, START)


async def test_a_message_whose_outcome_was_not_recorded_is_taken_over_by_its_own_sender(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    await queue(sessionmaker, "1", "hello")
    await claim_one(outbox_queue)  # the call ended; the database failed to record it
    clock.advance(OutboxPolicy().lease)

    [again] = (await outbox_queue.claim("telegram", 1, verifiable=False)).messages

    assert (again.outbound.text, again.attempts, again.uncertain_since) == ("hello", 2, START)


async def test_telegram_risks_an_uncertain_message_once_sms_as_often_as_it_can_check(
    sessionmaker: Sessions, clock: FakeClock
) -> None:
    await queue(sessionmaker, "1", "hello")
    await queue(sessionmaker, "+32470000001", "hello", channel="sms")
    for crash in range(2):  # each time, the process dies during both calls
        owner = make_queue(sessionmaker, clock, f"process {crash}")
        await claim_one(owner, "telegram")
        await claim_one(owner, "sms")
        clock.advance(OutboxPolicy().lease)

    survivor = make_queue(sessionmaker, clock, "survivor")
    assert (await survivor.claim("telegram", 1, verifiable=False)).settled == 1
    sms = await claim_one(survivor, "sms")

    telegram, _ = await messages(sessionmaker)
    assert (telegram.status, telegram.attempts) == ("failed", 2)
    assert telegram.error == "not sent a third time: the sender stopped during the call twice"
    assert (sms.attempts, sms.uncertain_since) == (3, START)


async def test_a_stopping_outbox_hands_back_its_calls_at_once(
    sessionmaker: Sessions, outbox_queue: OutboxQueue, clock: FakeClock
) -> None:
    other = make_queue(sessionmaker, clock, "another process")
    await queue(sessionmaker, "1", "mine")
    await queue(sessionmaker, "2", "theirs")
    await claim_one(outbox_queue)
    await claim_one(other)
    clock.advance(1.0)

    assert await outbox_queue.release("telegram", verifiable=False) == 0

    mine, theirs = await messages(sessionmaker)
    assert (mine.status, mine.uncertain_since, mine.next_attempt_at) == (
        "queued",
        START,
        clock.now(),
    )
    assert (theirs.status, theirs.uncertain_since) == ("sending", None)


async def test_recorded_provider_ids_are_the_residents(
    sessionmaker: Sessions, outbox_queue: OutboxQueue
) -> None:
    resident_id = await queue(sessionmaker, "+32470000001", "hello", channel="sms")
    await queue(sessionmaker, "+32470000002", "hello", channel="sms")
    await outbox_queue.sent(await claim_one(outbox_queue, "sms"), SendReceipt("SM1", 1))
    await outbox_queue.sent(await claim_one(outbox_queue, "sms"), SendReceipt("SM2", 1))

    assert await outbox_queue.recorded(resident_id) == {"SM1"}
