"""Repository functions that the conversation service does not cover: outbox status,
reachability, edition state and how times are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.domain.messages import Inbound, Outbound
from pbbot.storage import repositories
from pbbot.storage.tables import PRIORITY_BULK, OutboundMessage, Resident

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


async def queued_message(session: AsyncSession, *, priority: int = 0) -> int:
    """A resident with one queued message; the message's id."""
    locked = await repositories.lock_conversation(session, "sms", "+32470000001", now=NOW)
    await repositories.enqueue_messages(
        session,
        [Outbound(text="Welkom!", locale="nl")],
        resident_id=locked.resident_id,
        channel="sms",
        address="+32470000001",
        now=NOW,
        priority=priority,
    )
    message_id = await session.scalar(
        select(OutboundMessage.id).order_by(OutboundMessage.id.desc())
    )
    assert message_id is not None
    return message_id


async def test_an_outbound_status_only_moves_forward(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        message_id = await queued_message(session)
        await session.execute(
            OutboundMessage.__table__.update().values(provider_id="SM123", status="sent")
        )

    async with sessionmaker.begin() as session:
        delivered = await repositories.advance_outbound_status(
            session, "delivered", provider_id="SM123"
        )
        late_sent = await repositories.advance_outbound_status(session, "sent", provider_id="SM123")
        late_failed = await repositories.advance_outbound_status(
            session, "failed", message_id=message_id, error="30003"
        )
        unknown = await repositories.advance_outbound_status(session, "sent", provider_id="SM999")

    assert (delivered, late_sent, late_failed, unknown) == (True, False, False, False)
    async with sessionmaker() as session:
        row = await session.get_one(OutboundMessage, message_id)
    assert (row.status, row.error) == ("delivered", None)


async def test_a_failure_is_recorded_with_its_reason(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        message_id = await queued_message(session, priority=PRIORITY_BULK)
        assert await repositories.advance_outbound_status(
            session, "failed", message_id=message_id, error="21610 unsubscribed"
        )

    async with sessionmaker() as session:
        row = await session.get_one(OutboundMessage, message_id)
    assert (row.status, row.error, row.priority) == ("failed", "21610 unsubscribed", PRIORITY_BULK)


async def test_advancing_needs_exactly_one_way_to_find_the_message(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        with pytest.raises(ValueError, match="exactly one"):
            await repositories.advance_outbound_status(session, "sent")
        with pytest.raises(KeyError):
            await repositories.advance_outbound_status(session, "teleported", message_id=1)


async def test_unreachable_is_recorded_per_channel_and_address(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await repositories.lock_conversation(session, "telegram", "77", now=NOW)
        await repositories.lock_conversation(session, "sms", "77", now=NOW)
        await repositories.set_unreachable(session, "telegram", "77")

    async with sessionmaker() as session:
        rows = (await session.execute(select(Resident.channel, Resident.unreachable))).all()
    assert sorted(tuple(row) for row in rows) == [("sms", False), ("telegram", True)]


async def test_edition_state_keeps_the_last_value_per_edition_and_key(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        assert await repositories.edition_value(session, "mechelen-2027", "phase", "ideation") == (
            "ideation"
        )
        await repositories.set_edition_value(session, "mechelen-2027", "phase", "voting", now=NOW)
        await repositories.set_edition_value(
            session, "mechelen-2027", "phase", {"override": "results"}, now=NOW
        )
        await repositories.set_edition_value(session, "leuven-2027", "phase", "voting", now=NOW)

    async with sessionmaker() as session:
        assert await repositories.edition_value(session, "mechelen-2027", "phase") == {
            "override": "results"
        }
        assert await repositories.edition_value(session, "leuven-2027", "phase") == "voting"


async def test_times_are_stored_in_utc_and_read_back_aware(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    brussels_summer = timezone(timedelta(hours=2))
    local = datetime(2027, 6, 1, 11, 0, tzinfo=brussels_summer)
    async with sessionmaker.begin() as session:
        await repositories.lock_conversation(session, "sms", "+32470000001", now=local)

    async with sessionmaker() as session:
        created_at = await session.scalar(select(Resident.created_at))
    assert created_at == local
    assert created_at is not None and created_at.tzinfo == UTC
    assert created_at.hour == 9


async def test_a_naive_time_is_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as session:
        with pytest.raises(StatementError, match="naive datetime"):
            await repositories.lock_conversation(session, "sms", "1", now=datetime(2027, 1, 1))


async def test_storing_many_messages_refuses_keys_seen_before_or_repeated(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    hello = Inbound(channel="sms", address="+32470000001", text="hallo")
    async with sessionmaker.begin() as session:
        first = await repositories.store_inbound_many(session, [(hello, "twilio:A")], now=NOW)
    async with sessionmaker.begin() as session:
        ids = await repositories.store_inbound_many(
            session,
            [(hello, "twilio:A"), (hello, "twilio:B"), (hello, "twilio:B"), (hello, "twilio:C")],
            now=NOW,
        )
    assert first[0] is not None
    assert ids[0] is None and ids[2] is None  # seen before; repeated in the batch
    assert ids[1] is not None and ids[3] is not None and ids[1] != ids[3]
    assert first[0] not in (ids[1], ids[3])
