"""A broadcast against a fake Bot API that enforces Telegram's flood limit, with the real
aiogram sender, on SQLite and PostgreSQL.

The fake answers 429 with `retry_after` to a message beyond its limit in any
one second. The fake and the outbox share a fake clock, so that the window and
the pauses are measured alike, exactly, and nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.telegram.bot import aiogram_sender
from pbbot.domain.messages import Outbound
from pbbot.outbox.limits import ChannelLimits, default_limits
from pbbot.outbox.sender import Outbox
from pbbot.storage.outbound import outbound_rows
from pbbot.storage.tables import PRIORITY_BULK, Broadcast, OutboundMessage
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI, RecordedCall
from tests.outbox.support import START, FakeClock, add_resident, messages

Sessions = async_sessionmaker[AsyncSession]
TEXT = "Voting is open until 9 May. Send MENU to vote."
TELEGRAM_FLOOD_LIMIT = 30


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def queue_broadcast(sessionmaker: Sessions, residents: int) -> list[int]:
    """A broadcast's copies, one per resident, as the fan-out queues them; the chat ids."""
    chats = [500_000 + n for n in range(residents)]
    ids = [await add_resident(sessionmaker, str(chat)) for chat in chats]
    async with sessionmaker.begin() as session:
        broadcast = Broadcast(
            edition="test",
            message="voting",
            texts={},
            audience={},
            status="sending",
            send_at=START,
            created_by="staff",
            created_at=START,
        )
        session.add(broadcast)
        await session.flush()
        rows = [
            {**row, "broadcast_id": broadcast.id}
            for resident_id, chat in zip(ids, chats, strict=True)
            for row in outbound_rows(
                [Outbound(text=TEXT, locale="en")],
                resident_id=resident_id,
                channel="telegram",
                address=str(chat),
                now=START,
                priority=PRIORITY_BULK,
            )
        ]
        await session.execute(insert(OutboundMessage), rows)
    return chats


async def send_everything(
    sessionmaker: Sessions, api: FakeTelegramAPI, clock: FakeClock, limits: ChannelLimits
) -> None:
    sender = aiogram_sender(TOKEN, api_url=api.base_url)
    try:
        outbox = Outbox(
            sessionmaker, {"telegram": sender}, limits={"telegram": limits}, clock=clock
        )
        while await outbox.send_due():
            pass
    finally:
        await sender.close()


def accepted(api: FakeTelegramAPI) -> list[RecordedCall]:
    refused = {id(call) for call, _ in api.rate_limited}
    return [call for call in api.calls_to("sendMessage") if id(call) not in refused]


def most_in_a_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


@pytest.fixture
async def flood_limited(clock: FakeClock) -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(per_second=10, clock=clock.monotonic) as api:
        yield api


async def test_a_broadcast_faster_than_telegram_allows_waits_out_each_retry_after(
    sessionmaker: Sessions, flood_limited: FakeTelegramAPI, clock: FakeClock
) -> None:
    chats = await queue_broadcast(sessionmaker, 45)
    too_fast = ChannelLimits(per_second=30.0, burst=30.0, per_address_per_second=1.0)

    await send_everything(sessionmaker, flood_limited, clock, too_fast)

    refusals = flood_limited.rate_limited
    assert refusals  # the outbox did go too fast, and was told so
    calls = flood_limited.calls_to("sendMessage")
    for refused, retry_after in refusals:
        # No call while the pause lasts (the calls at its start were already on the wire).
        ends = refused.at + retry_after
        assert [call.at for call in calls if refused.at < call.at < ends] == []
    assert sorted(call.params["chat_id"] for call in accepted(flood_limited)) == chats
    rows = await messages(sessionmaker)
    # Every copy sent once; a 429 does not count as an attempt.
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1)] * len(chats)
    assert len({row.provider_id for row in rows}) == len(chats)


async def test_at_the_default_limit_telegram_never_answers_429(
    sessionmaker: Sessions, clock: FakeClock
) -> None:
    chats = await queue_broadcast(sessionmaker, 80)

    async with FakeTelegramAPI(per_second=TELEGRAM_FLOOD_LIMIT, clock=clock.monotonic) as api:
        await send_everything(sessionmaker, api, clock, default_limits()["telegram"])

    assert api.rate_limited == []
    times = [call.at for call in accepted(api)]
    assert sorted(call.params["chat_id"] for call in accepted(api)) == chats
    assert most_in_a_second(times) <= default_limits()["telegram"].per_second
    rows = await messages(sessionmaker)
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1)] * len(chats)
