"""The fan-out: one copy per recipient, in their language, whatever interrupts it."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import update

from pbbot.broadcasts.content import catalog_content, render
from pbbot.broadcasts.control import pause
from pbbot.broadcasts.fanout import FanOut
from pbbot.broadcasts.worker import BroadcastWorker
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.tables import PRIORITY_BULK, Broadcast
from tests.broadcasts.fanout_support import (
    EDITION,
    NOW,
    TEXTS,
    Person,
    Sessions,
    add_residents,
    catalog_broadcast,
    copies,
    staff_broadcast,
    town,
)


class Interrupted(Exception):
    """The process stopped in the middle of a chunk's transaction."""


def _worker(sessions: Sessions, *, chunk_size: int = 4) -> BroadcastWorker:
    return BroadcastWorker(sessions, EDITION, chunk_size=chunk_size, clock=lambda: NOW)


async def _broadcast(sessions: Sessions, broadcast_id: int) -> Broadcast:
    async with sessions() as session:
        found = await session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


async def test_an_interrupted_fan_out_resumes_where_it_stopped_without_doubles(
    sessionmaker: Sessions,
) -> None:
    ids = await add_residents(sessionmaker, town(10))
    broadcast_id = await staff_broadcast(sessionmaker)
    fan_out = FanOut(EDITION, size=4)
    async with sessionmaker.begin() as session:
        first = await fan_out.chunk(session, now=NOW)
    assert first is not None and (first.queued, first.last) == (4, False)
    with pytest.raises(Interrupted):
        async with sessionmaker.begin() as session:
            await fan_out.chunk(session, now=NOW)
            raise Interrupted
    assert (await _broadcast(sessionmaker, broadcast_id)).fanned_to == ids[3]

    assert await _worker(sessionmaker).run_due() == 6  # a new worker, as after a restart

    found = await copies(sessionmaker, broadcast_id)
    assert [copy.resident_id for copy in found] == ids
    broadcast = await _broadcast(sessionmaker, broadcast_id)
    assert (broadcast.status, broadcast.recipients, broadcast.fanned_to) == ("sending", 10, ids[-1])


async def test_a_fan_out_run_again_from_the_start_adds_no_copy(sessionmaker: Sessions) -> None:
    ids = await add_residents(sessionmaker, town(9))
    broadcast_id = await staff_broadcast(sessionmaker)
    await _worker(sessionmaker).run_due()
    async with sessionmaker.begin() as session:  # as if its progress had been lost
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(status="fanning", fanned_to=0)
        )

    assert await _worker(sessionmaker).run_due() == 0

    assert [copy.resident_id for copy in await copies(sessionmaker, broadcast_id)] == ids
    broadcast = await _broadcast(sessionmaker, broadcast_id)
    assert (broadcast.status, broadcast.recipients) == ("sending", 9)


async def test_two_workers_fanning_out_together_queue_each_copy_once(
    sessionmaker: Sessions, database_url: str
) -> None:
    ids = await add_residents(sessionmaker, town(60))
    broadcast_id = await staff_broadcast(sessionmaker)
    other = create_engine(database_url)
    try:
        queued = await asyncio.gather(
            _worker(sessionmaker, chunk_size=5).run_due(),
            _worker(create_sessionmaker(other), chunk_size=5).run_due(),
        )
    finally:
        await other.dispose()

    assert sum(queued) == 60
    found = await copies(sessionmaker, broadcast_id)
    assert sorted(copy.resident_id for copy in found) == ids
    assert (await _broadcast(sessionmaker, broadcast_id)).recipients == 60


async def test_residents_who_sent_stop_or_blocked_the_bot_get_no_copy(
    sessionmaker: Sessions,
) -> None:
    ids = await add_residents(
        sessionmaker,
        [
            Person("telegram", "nl"),
            Person("sms", "fr", subscribed=False),  # sent STOP
            Person("telegram", "en", unreachable=True),  # blocked the bot
            Person("sms", "nl", subscribed=False, unreachable=True),
            Person("sms", "en"),
        ],
    )
    broadcast_id = await staff_broadcast(sessionmaker)
    await _worker(sessionmaker).run_due()

    found = await copies(sessionmaker, broadcast_id)
    assert [copy.resident_id for copy in found] == [ids[0], ids[4]]
    assert (await _broadcast(sessionmaker, broadcast_id)).recipients == 2


async def test_each_copy_is_in_its_residents_language_and_goes_after_replies(
    sessionmaker: Sessions,
) -> None:
    await add_residents(
        sessionmaker,
        [
            Person("telegram", "tr"),
            Person("sms", None),  # never chose: the edition's default
            Person("sms", "de"),  # not a language of the edition
            Person("telegram", "fr"),
        ],
    )
    catalog = await catalog_broadcast(sessionmaker, "voting")
    staff = await staff_broadcast(sessionmaker)
    await _worker(sessionmaker).run_due()

    content = catalog_content("voting", EDITION)
    found = await copies(sessionmaker, catalog)
    assert [(copy.locale, copy.text) for copy in found] == [
        (locale, render(content, EDITION, locale, now=NOW)) for locale in ("tr", "nl", "nl", "fr")
    ]
    assert {copy.priority for copy in found} == {PRIORITY_BULK}
    assert {(copy.channel, copy.address) for copy in found} >= {("telegram", "1000")}
    # Staff wrote no Turkish: the Turkish resident reads Dutch, the default.
    assert [copy.text for copy in await copies(sessionmaker, staff)] == [
        TEXTS["nl"],
        TEXTS["nl"],
        TEXTS["nl"],
        TEXTS["fr"],
    ]


async def test_a_segment_limits_the_recipients(sessionmaker: Sessions) -> None:
    await add_residents(sessionmaker, town(12))
    broadcast_id = await staff_broadcast(sessionmaker, segment=("channel=sms", "language=fr,en"))
    await _worker(sessionmaker, chunk_size=2).run_due()

    found = await copies(sessionmaker, broadcast_id)
    assert Counter((copy.channel, copy.locale) for copy in found) == {
        ("sms", "fr"): 2,
        ("sms", "en"): 2,
    }


async def test_a_pause_during_a_chunk_holds_that_chunks_copies_too(
    sessionmaker: Sessions, database_url: str
) -> None:
    await add_residents(sessionmaker, town(6))
    broadcast_id = await staff_broadcast(sessionmaker)
    other = create_engine(database_url)
    try:
        async with sessionmaker.begin() as session:
            chunk = await FanOut(EDITION, size=4).chunk(session, now=NOW)
            assert chunk is not None and chunk.queued == 4
            # Staff pause from another connection while the chunk is not committed yet.
            pausing = asyncio.create_task(_pause(create_sessionmaker(other), broadcast_id))
            await asyncio.sleep(0.2)
            assert not pausing.done()  # it waits for the chunk's lock
        assert await pausing == 4
    finally:
        await other.dispose()

    await _worker(sessionmaker).run_due()
    assert Counter(copy.status for copy in await copies(sessionmaker, broadcast_id)) == {"held": 6}


async def _pause(sessions: Sessions, broadcast_id: int) -> int:
    async with sessions.begin() as session:
        return await pause(session, broadcast_id, by="an", now=NOW)
