"""A flood from one resident while many new residents arrive: the flood is cut
at the per-resident limit, so every newcomer's first reply still comes soon.

On loopback, with the fake Bot API; the channel's part is played by a client
that sends an update again after a 503, as Telegram does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from pbbot.settings import DEFAULT_INBOUND_PER_MINUTE
from pbbot.storage.tables import InboundMessage
from tests.server.harness import City, running_city

NEWCOMERS = 60
FLOOD = 400  # the flooder's messages, sent STREAMS at a time
STREAMS = 20
FLOODER = 555000111
# Measured here: without the limit the flooder's 400 messages were all taken on,
# and the slowest newcomer waited 2.4-5.3 s for a first reply; with it, 1.1-1.4 s.
FIRST_REPLY_WITHIN = 3.0


def update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    sender = {"id": chat, "is_bot": False, "first_name": "R", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": sender,
            "chat": {"id": chat, "type": "private"},
            "date": 1800000000,
            "text": text,
        },
    }


async def deliver(city: City, body: dict[str, Any]) -> int:
    """Send until the server takes it, waiting as its Retry-After says."""
    for _ in range(20):
        response = await city.telegram(body)
        if response.status != 503:
            return int(response.status)
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    raise AssertionError("the server never took the update")


async def test_a_flooding_resident_does_not_delay_anyone_elses_first_reply(
    database_url: str,
) -> None:
    async with running_city(database_url) as city:
        loop = asyncio.get_running_loop()
        first_reply: dict[int, float] = {}

        async def watch() -> None:
            seen = 0
            while True:
                calls = city.telegram_api.calls
                for call in calls[seen:]:
                    if call.method.lower() == "sendmessage":
                        first_reply.setdefault(int(call.params["chat_id"]), loop.time())
                seen = len(calls)
                await asyncio.sleep(0.005)

        async def flood(stream: int) -> list[int]:
            return [
                await deliver(city, update(10_000 + n, FLOODER, f"flood {n}"))
                for n in range(stream, FLOOD, STREAMS)
            ]

        sent_at: dict[int, float] = {}

        async def newcomer(n: int) -> int:
            await asyncio.sleep(0.1 + n * 0.01)  # they arrive while the flood goes on
            chat = 800_000 + n
            sent_at[chat] = loop.time()
            return await deliver(city, update(20_000 + n, chat, "hello"))

        watcher = asyncio.create_task(watch())
        floods, arrivals = await asyncio.gather(
            asyncio.gather(*(flood(stream) for stream in range(STREAMS))),
            asyncio.gather(*(newcomer(n) for n in range(NEWCOMERS))),
        )
        deadline = loop.time() + 20
        while len(first_reply.keys() & sent_at.keys()) < NEWCOMERS and loop.time() < deadline:
            await asyncio.sleep(0.05)
        watcher.cancel()
        async with city.runtime.sessionmaker() as session:
            flooder_stored = await session.scalar(
                select(func.count())
                .select_from(InboundMessage)
                .where(InboundMessage.address == str(FLOODER))
            )

    waits = sorted(first_reply.get(chat, float("inf")) - sent_at[chat] for chat in sent_at)
    assert arrivals == [200] * NEWCOMERS
    assert [status for statuses in floods for status in statuses] == [200] * FLOOD
    assert flooder_stored == DEFAULT_INBOUND_PER_MINUTE  # the rest answered, not taken on
    assert waits[-1] < FIRST_REPLY_WITHIN, f"slowest first replies: {waits[-5:]}"
