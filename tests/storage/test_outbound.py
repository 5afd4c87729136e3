"""The outbox's queries on SQLite and PostgreSQL: claim order, one message in flight per
resident, leases, settling, and the provider's delivery reports."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.storage import outbound
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.outbound import Claim, ClaimedMessage, claim_due
from pbbot.storage.tables import PRIORITY_BULK
from tests.outbox.support import START, add_resident, message, messages, queue, resident

LEASE = timedelta(seconds=90)
Sessions = async_sessionmaker[AsyncSession]


async def claim(
    sessionmaker: Sessions,
    *,
    channel: str = "telegram",
    limit: int = 50,
    at: timedelta = timedelta(0),
    max_attempts: int = 5,
) -> Claim:
    async with sessionmaker.begin() as session:
        return await claim_due(
            session,
            channel,
            now=START + at,
            limit=limit,
            lease=LEASE,
            owner="test",
            max_attempts=max_attempts,
            verifiable=False,
        )


async def claimed_texts(sessionmaker: Sessions, **options: object) -> list[str]:
    return [m.outbound.text for m in (await claim(sessionmaker, **options)).messages]  # type: ignore[arg-type]


async def sent(sessionmaker: Sessions, message: ClaimedMessage) -> bool:
    async with sessionmaker.begin() as session:
        return await outbound.settle_sent(
            session, message, provider_id=f"SM{message.id}", segments=1, now=START
        )


async def test_replies_go_before_bulk_and_the_longest_due_first(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "1", "bulk to 1", priority=PRIORITY_BULK, at=START)
    await queue(sessionmaker, "3", "reply to 3", at=START + timedelta(seconds=2))
    await queue(sessionmaker, "4", "reply to 4", at=START + timedelta(seconds=1))
    await queue(sessionmaker, "2", "bulk to 2", priority=PRIORITY_BULK, at=START)

    first = await claimed_texts(sessionmaker, limit=3, at=timedelta(seconds=5))

    assert first == ["reply to 4", "reply to 3", "bulk to 1"]
    assert await claimed_texts(sessionmaker, at=timedelta(seconds=5)) == ["bulk to 2"]


async def test_a_claimed_message_is_sending_with_an_attempt_and_a_lease(
    sessionmaker: Sessions,
) -> None:
    await queue(sessionmaker, "1", "hello", choices=())

    [taken] = (await claim(sessionmaker)).messages

    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts, row.next_attempt_at) == ("sending", 1, START + LEASE)
    assert (taken.id, taken.address, taken.attempts) == (row.id, "1", 1)
    assert await claim(sessionmaker) == Claim([], 0)


async def test_messages_not_due_yet_wait(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "1", "later", at=START + timedelta(seconds=10))

    assert await claimed_texts(sessionmaker, at=timedelta(seconds=9)) == []
    assert await claimed_texts(sessionmaker, at=timedelta(seconds=10)) == ["later"]


async def test_each_channel_is_claimed_on_its_own(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "+32470000001", "by sms", channel="sms")
    await queue(sessionmaker, "1", "on telegram")
    await queue(sessionmaker, "sim-1", "in the simulator", channel="sim")

    assert await claimed_texts(sessionmaker, channel="telegram") == ["on telegram"]
    assert await claimed_texts(sessionmaker, channel="sms") == ["by sms"]
    assert [row.status for row in await messages(sessionmaker)] == ["sending", "sending", "queued"]


async def test_a_residents_messages_go_one_at_a_time_in_order(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "1", "one", "two", "three")
    await queue(sessionmaker, "2", "other")

    [first, other] = (await claim(sessionmaker)).messages
    assert (first.outbound.text, other.outbound.text) == ("one", "other")
    assert await claimed_texts(sessionmaker) == []  # "two" waits while "one" is sending

    assert await sent(sessionmaker, first)
    [second] = (await claim(sessionmaker)).messages
    assert second.outbound.text == "two"


async def test_a_reply_overtakes_a_waiting_broadcast_but_not_one_being_sent(
    sessionmaker: Sessions,
) -> None:
    await queue(sessionmaker, "1", "broadcast", priority=PRIORITY_BULK)
    await queue(sessionmaker, "1", "reply", at=START + timedelta(seconds=1))
    await queue(sessionmaker, "2", "broadcast 2", priority=PRIORITY_BULK)

    assert await claimed_texts(sessionmaker, at=timedelta(seconds=1), limit=1) == ["reply"]
    # Resident 2's broadcast is claimed; resident 1's waits for the reply.
    assert await claimed_texts(sessionmaker, at=timedelta(seconds=1)) == ["broadcast 2"]

    await queue(sessionmaker, "2", "reply 2", at=START + timedelta(seconds=2))
    assert await claimed_texts(sessionmaker, at=timedelta(seconds=2)) == []


async def test_a_message_waiting_for_a_retry_holds_back_the_next(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "1", "one", "two")
    [first] = (await claim(sessionmaker)).messages
    async with sessionmaker.begin() as session:
        await outbound.settle_retry(
            session, first, at=START + timedelta(seconds=4), error="Telegram: Bad Gateway"
        )

    assert await claimed_texts(sessionmaker, at=timedelta(seconds=3)) == []
    assert await claimed_texts(sessionmaker, at=timedelta(seconds=4)) == ["one"]
    row = await message(sessionmaker, "one")
    assert (row.attempts, row.error) == (2, "Telegram: Bad Gateway")


async def test_messages_to_an_unreachable_resident_fail_without_being_sent(
    sessionmaker: Sessions,
) -> None:
    await add_resident(sessionmaker, "1", unreachable=True)
    await queue(sessionmaker, "1", "one", "two")
    await queue(sessionmaker, "1", "news", priority=PRIORITY_BULK)

    assert await claim(sessionmaker) == Claim([], 3)
    rows = await messages(sessionmaker)
    assert {(row.status, row.attempts) for row in rows} == {("failed", 0)}
    assert {row.error for row in rows} == {"the resident cannot be reached on this channel"}


async def test_bulk_to_an_unsubscribed_resident_is_skipped_but_replies_go(
    sessionmaker: Sessions,
) -> None:
    await add_resident(sessionmaker, "1", subscribed=False)
    await queue(sessionmaker, "1", "news", "more news", priority=PRIORITY_BULK)
    await queue(sessionmaker, "1", "You will not get news any more.")

    [reply] = (await claim(sessionmaker)).messages
    assert reply.outbound.text == "You will not get news any more."
    assert await claim(sessionmaker) == Claim([], 0)  # the bulk waits while the reply is sent

    await sent(sessionmaker, reply)
    assert await claim(sessionmaker) == Claim([], 2)
    assert [(row.status, row.error) for row in await messages(sessionmaker)] == [
        ("skipped", "skipped: the resident unsubscribed"),
        ("skipped", "skipped: the resident unsubscribed"),
        ("sent", None),
    ]


async def test_an_abandoned_message_is_claimed_again_after_its_lease(
    sessionmaker: Sessions,
) -> None:
    await queue(sessionmaker, "1", "hello")
    [crashed] = (await claim(sessionmaker)).messages

    assert await claimed_texts(sessionmaker, at=LEASE - timedelta(seconds=1)) == []
    [again] = (await claim(sessionmaker, at=LEASE)).messages

    assert (again.id, again.attempts) == (crashed.id, 2)
    # The first sender, back from the dead, cannot settle the new attempt.
    assert not await sent(sessionmaker, crashed)
    assert await sent(sessionmaker, again)
    assert (await message(sessionmaker, "hello")).status == "sent"


async def test_an_abandoned_message_on_its_last_attempt_fails(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "1", "poison")
    await claim(sessionmaker, max_attempts=2)
    await claim(sessionmaker, at=LEASE, max_attempts=2)

    assert await claim(sessionmaker, at=LEASE * 2, max_attempts=2) == Claim([], 1)
    row = await message(sessionmaker, "poison")
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.error == "no outcome after 2 attempts: the sender stopped each time"


async def test_two_senders_never_claim_the_same_message(database_url: str, backend: str) -> None:
    """On PostgreSQL the second claim skips the rows the first holds, without waiting for it;
    on SQLite it waits for the first (one writer) and finds them sending."""
    engines = [create_engine(database_url), create_engine(database_url)]
    first, second = (create_sessionmaker(engine) for engine in engines)
    try:
        for number in range(6):
            await queue(first, str(number), f"to {number}")
        async with first.begin() as session:
            mine = await claim_due(
                session,
                "telegram",
                now=START,
                limit=4,
                lease=LEASE,
                owner="first",
                max_attempts=5,
                verifiable=False,
            )
            if backend == "postgres":
                theirs = await asyncio.wait_for(claim(second), timeout=10)
        if backend == "sqlite":
            theirs = await claim(second)
    finally:
        for engine in engines:
            await engine.dispose()

    assert [m.outbound.text for m in mine.messages] == ["to 0", "to 1", "to 2", "to 3"]
    assert [m.outbound.text for m in theirs.messages] == ["to 4", "to 5"]


async def test_next_due_at_is_the_earliest_later_time(sessionmaker: Sessions) -> None:
    await queue(sessionmaker, "1", "now")
    await queue(sessionmaker, "2", "soon", at=START + timedelta(seconds=3))
    await queue(sessionmaker, "3", "later", at=START + timedelta(seconds=7))
    await queue(sessionmaker, "4", "other channel", channel="sms", at=START + timedelta(seconds=1))

    async with sessionmaker() as session:
        due = await outbound.next_due_at(session, ["telegram"], after=START)
        none = await outbound.next_due_at(session, ["telegram"], after=START + timedelta(seconds=7))

    assert (due, none) == (START + timedelta(seconds=3), None)


async def test_a_blocked_resident_is_unreachable_and_their_queue_fails(
    sessionmaker: Sessions,
) -> None:
    await queue(sessionmaker, "1", "one", "two")
    await queue(sessionmaker, "2", "other")
    [one, _other] = (await claim(sessionmaker)).messages

    async with sessionmaker.begin() as session:
        assert await outbound.settle_blocked(session, one, error="Forbidden: bot was blocked")

    assert (await resident(sessionmaker, "1")).unreachable
    assert not (await resident(sessionmaker, "2")).unreachable
    assert [(row.text, row.status, row.error) for row in await messages(sessionmaker)] == [
        ("one", "failed", "Forbidden: bot was blocked"),
        ("two", "failed", "the resident cannot be reached on this channel"),
        ("other", "sending", None),
    ]
