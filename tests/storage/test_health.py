"""The backlog /healthz reports: how long the oldest waiting message has waited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.storage.health import Backlog, backlog
from pbbot.storage.tables import PRIORITY_BULK, InboundMessage, OutboundMessage, Resident

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


async def test_nothing_waiting_is_no_backlog(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert await backlog(session, now=NOW) == Backlog(0.0, 0.0)


async def test_the_oldest_unprocessed_update_and_due_reply_are_measured(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        resident = Resident(channel="sms", address="+32470999999", created_at=NOW)
        session.add(resident)
        await session.flush()
        for minutes, processed in ((5, None), (9, NOW)):  # only the unprocessed one counts
            session.add(
                InboundMessage(
                    key=f"test:{minutes}", channel="sms", address="+32470999999", body={},
                    received_at=NOW - timedelta(minutes=minutes), processed_at=processed,
                )
            )  # fmt: skip
        for minutes, priority, status in (
            (2, 0, "queued"),
            (7, 0, "sent"),  # gone: not waiting
            (30, PRIORITY_BULK, "queued"),  # a broadcast may take hours by design
        ):
            session.add(
                OutboundMessage(
                    resident_id=resident.id, channel="sms", address="+32470999999",
                    text="hi", choices=[], locale="nl", priority=priority, status=status,
                    next_attempt_at=NOW - timedelta(minutes=minutes),
                    created_at=NOW - timedelta(minutes=minutes),
                )
            )  # fmt: skip
    async with sessionmaker() as session:
        assert await backlog(session, now=NOW) == Backlog(300.0, 120.0)
