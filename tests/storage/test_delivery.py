"""The providers' delivery reports on SQLite and PostgreSQL: forward only, unknown ids
ignored, 21610 makes the resident unreachable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.storage import delivery, outbound, repositories
from pbbot.storage.outbound import ClaimedMessage, claim_due
from tests.outbox.support import START, message, messages, queue, resident

Sessions = async_sessionmaker[AsyncSession]


async def sent_sms(sessionmaker: Sessions, *texts: str) -> ClaimedMessage:
    """Queue `texts` by SMS and send the first."""
    await queue(sessionmaker, "+32470000001", *texts, channel="sms")
    async with sessionmaker.begin() as session:
        claim = await claim_due(
            session,
            "sms",
            now=START,
            limit=1,
            lease=timedelta(seconds=90),
            owner="test",
            max_attempts=5,
            verifiable=True,
        )
    [first] = claim.messages
    async with sessionmaker.begin() as session:
        await outbound.settle_sent(
            session, first, provider_id=f"SM{first.id}", segments=1, now=START
        )
    return first


async def record(sessionmaker: Sessions, sid: str, status: str, code: int | None = None) -> bool:
    async with sessionmaker.begin() as session:
        return await delivery.record_delivery_status(
            session, sid, status, code, now=START + timedelta(seconds=5)
        )


async def test_delivery_status_only_moves_forward(sessionmaker: Sessions) -> None:
    sms = await sent_sms(sessionmaker, "hello")
    sid = f"SM{sms.id}"

    assert not await record(sessionmaker, sid, "queued")
    assert await record(sessionmaker, sid, "delivered")
    assert not await record(sessionmaker, sid, "sent")  # late, out of order
    assert not await record(sessionmaker, sid, "failed", 30003)

    row = await message(sessionmaker, "hello")
    assert (row.status, row.error) == ("delivered", None)
    assert row.delivered_at == START + timedelta(seconds=5)


async def test_an_unknown_provider_id_is_ignored(sessionmaker: Sessions) -> None:
    await sent_sms(sessionmaker, "hello")

    assert not await record(sessionmaker, "SM-not-ours", "delivered")
    assert (await message(sessionmaker, "hello")).status == "sent"


async def test_undelivered_keeps_the_error_code(sessionmaker: Sessions) -> None:
    sms = await sent_sms(sessionmaker, "hello")

    assert await record(sessionmaker, f"SM{sms.id}", "undelivered", 30003)
    row = await message(sessionmaker, "hello")
    assert (row.status, row.error) == ("undelivered", "provider error 30003")
    assert row.delivered_at is None
    assert not (await resident(sessionmaker, "+32470000001")).unreachable


async def test_a_failure_21610_makes_the_resident_unreachable(sessionmaker: Sessions) -> None:
    sms = await sent_sms(sessionmaker, "hello", "next")

    assert await record(sessionmaker, f"SM{sms.id}", "failed", 21610)

    assert (await resident(sessionmaker, "+32470000001")).unreachable
    assert [(row.status, row.error) for row in await messages(sessionmaker)] == [
        ("failed", "provider error 21610"),
        ("failed", "the resident cannot be reached on this channel"),
    ]


async def test_a_canceled_message_failed(sessionmaker: Sessions) -> None:
    sms = await sent_sms(sessionmaker, "hello")

    assert await record(sessionmaker, f"SM{sms.id}", "canceled")
    row = await message(sessionmaker, "hello")
    assert (row.status, row.error) == ("failed", "canceled by the provider")


async def test_the_old_names_still_work(sessionmaker: Sessions) -> None:
    assert repositories.enqueue_messages is outbound.enqueue_messages
    assert repositories.advance_outbound_status is delivery.advance_outbound_status
    sms = await sent_sms(sessionmaker, "hello")
    async with sessionmaker.begin() as session:
        assert await repositories.advance_outbound_status(session, "delivered", message_id=sms.id)
        assert not await repositories.advance_outbound_status(
            session, "sent", provider_id=f"SM{sms.id}"
        )
