"""Staff's hand on a broadcast: schedule, pause, resume, cancel, each recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pbbot.broadcasts.audience import parse_segment
from pbbot.broadcasts.content import catalog_content
from pbbot.broadcasts.control import (
    BroadcastNotChanged,
    NoSuchBroadcast,
    cancel,
    create_broadcast,
    pause,
    resume,
)
from pbbot.broadcasts.progress import progress
from pbbot.broadcasts.worker import BroadcastWorker
from pbbot.storage.outbound import Claim, claim_due, settle_retry
from pbbot.storage.tables import Broadcast, OutboundMessage, StaffAction
from tests.broadcasts.fanout_support import (
    EDITION,
    NOW,
    Sessions,
    add_residents,
    copies,
    staff_broadcast,
    statuses,
    town,
)


def _worker(sessions: Sessions, *, minutes: float = 0, chunk_size: int = 4) -> BroadcastWorker:
    return BroadcastWorker(
        sessions, EDITION, chunk_size=chunk_size, clock=lambda: NOW + timedelta(minutes=minutes)
    )


async def _broadcast(sessions: Sessions, broadcast_id: int) -> Broadcast:
    async with sessions() as session:
        found = await session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


async def _actions(sessions: Sessions) -> list[tuple[str, str | None, str]]:
    async with sessions() as session:
        found = await session.scalars(select(StaffAction).order_by(StaffAction.id))
        return [(action.action, action.subject, action.done_by) for action in found]


async def test_a_broadcast_waits_for_its_time_then_reaches_every_subscriber(
    sessionmaker: Sessions,
) -> None:
    await add_residents(sessionmaker, town(10))
    broadcast_id = await staff_broadcast(sessionmaker, send_at=NOW + timedelta(hours=2))

    assert await _worker(sessionmaker, minutes=119).run_due() == 0
    assert (await _broadcast(sessionmaker, broadcast_id)).status == "scheduled"

    assert await _worker(sessionmaker, minutes=120).run_due() == 10
    broadcast = await _broadcast(sessionmaker, broadcast_id)
    assert (broadcast.status, broadcast.recipients) == ("sending", 10)
    assert await statuses(sessionmaker, broadcast_id) == {"queued": 10}
    assert await _actions(sessionmaker) == [("broadcast.create", f"broadcast {broadcast_id}", "an")]


async def test_a_key_creates_one_broadcast_however_often_it_is_used(
    sessionmaker: Sessions,
) -> None:
    ids = []
    for _ in range(2):
        async with sessionmaker.begin() as session:
            ids.append(
                await create_broadcast(
                    session,
                    EDITION,
                    catalog_content("voting", EDITION),
                    parse_segment(["state=not_voted"], EDITION),
                    by="edition file",
                    send_at=NOW,
                    now=NOW,
                    key="reminder:mechelen-2027:vote-soon",
                )
            )
    assert ids[0] == ids[1]
    async with sessionmaker() as session:
        assert len((await session.scalars(select(Broadcast))).all()) == 1
    assert len(await _actions(sessionmaker)) == 1


async def test_paused_copies_are_held_even_those_fanned_out_later_and_resume_sends_them(
    sessionmaker: Sessions,
) -> None:
    await add_residents(sessionmaker, town(10))
    broadcast_id = await staff_broadcast(sessionmaker)
    worker = _worker(sessionmaker)
    # One chunk of 4 is queued, then staff pause.
    async with sessionmaker.begin() as session:
        assert await worker._fan_out.chunk(session, now=NOW) is not None
    async with sessionmaker.begin() as session:
        assert await pause(session, broadcast_id, by="an", now=NOW) == 4

    await worker.run_due()  # the fan-out goes on, held
    assert await statuses(sessionmaker, broadcast_id) == {"held": 10}
    broadcast = await _broadcast(sessionmaker, broadcast_id)
    assert (broadcast.status, broadcast.paused_before) == ("paused", "sending")
    async with sessionmaker() as session:
        assert (await progress(session, broadcast_id)).held == 10

    async with sessionmaker.begin() as session:
        assert await resume(session, broadcast_id, by="bo", now=NOW) == 10
    assert await statuses(sessionmaker, broadcast_id) == {"queued": 10}
    assert (await _broadcast(sessionmaker, broadcast_id)).status == "sending"
    assert [action for action, _, _ in await _actions(sessionmaker)] == [
        "broadcast.create",
        "broadcast.pause",
        "broadcast.resume",
    ]
    assert (await _actions(sessionmaker))[-1][2] == "bo"


async def test_a_broadcast_paused_before_its_time_fans_out_held_and_resumes_sending(
    sessionmaker: Sessions,
) -> None:
    await add_residents(sessionmaker, town(3))
    broadcast_id = await staff_broadcast(sessionmaker, send_at=NOW + timedelta(minutes=5))
    async with sessionmaker.begin() as session:
        assert await pause(session, broadcast_id, by="an", now=NOW) == 0

    await _worker(sessionmaker, minutes=10).run_due()
    assert await statuses(sessionmaker, broadcast_id) == {"held": 3}
    async with sessionmaker.begin() as session:
        await resume(session, broadcast_id, by="an", now=NOW)
    assert (await _broadcast(sessionmaker, broadcast_id)).status == "sending"


async def test_cancel_skips_what_was_not_sent_and_is_final(sessionmaker: Sessions) -> None:
    await add_residents(sessionmaker, town(6))
    broadcast_id = await staff_broadcast(sessionmaker)
    await _worker(sessionmaker).run_due()
    async with sessionmaker.begin() as session:  # two left already
        first_two = [copy.id for copy in await copies(sessionmaker, broadcast_id)][:2]
        await session.execute(
            update(OutboundMessage).where(OutboundMessage.id.in_(first_two)).values(status="sent")
        )
    async with sessionmaker.begin() as session:
        await pause(session, broadcast_id, by="an", now=NOW)
    async with sessionmaker.begin() as session:
        assert await cancel(session, broadcast_id, by="an", now=NOW) == 4

    found = await copies(sessionmaker, broadcast_id)
    assert [copy.status for copy in found] == ["sent", "sent", *["skipped"] * 4]
    assert {copy.error for copy in found[2:]} == {"cancelled by staff"}
    broadcast = await _broadcast(sessionmaker, broadcast_id)
    assert (broadcast.status, broadcast.finished_at) == ("cancelled", NOW)

    for change in (resume, pause, cancel):
        async with sessionmaker.begin() as session:
            with pytest.raises(BroadcastNotChanged) as refused:
                await change(session, broadcast_id, by="an", now=NOW)
        assert str(refused.value).startswith(f"broadcast {broadcast_id} is cancelled: it cannot")
    await _worker(sessionmaker, minutes=1).run_due()
    assert (await _broadcast(sessionmaker, broadcast_id)).status == "cancelled"


async def _claim(sessions: Sessions, channel: str) -> Claim:
    async with sessions.begin() as session:
        return await claim_due(
            session,
            channel,
            now=NOW + timedelta(hours=1),
            limit=100,
            lease=timedelta(seconds=10),
            owner="outbox-1",
            max_attempts=5,
            verifiable=False,
        )


async def test_copies_on_the_wire_at_a_pause_or_cancel_go_no_further_when_put_back(
    sessionmaker: Sessions,
) -> None:
    """A copy being sent when staff pause (or cancel) that comes back to the queue (a 429,
    a transient error, a take-over) is held (or skipped), not sent again."""
    await add_residents(sessionmaker, town(4))
    broadcast_id = await staff_broadcast(sessionmaker)
    await _worker(sessionmaker).run_due()
    channels = {copy.channel for copy in await copies(sessionmaker, broadcast_id)}

    async def on_the_wire_then_put_back(change: Callable[..., Awaitable[int]]) -> None:
        claimed = [
            m for channel in channels for m in (await _claim(sessionmaker, channel)).messages
        ]
        assert len(claimed) == 4
        async with sessionmaker.begin() as session:
            await change(session, broadcast_id, by="an", now=NOW)
        async with sessionmaker.begin() as session:  # each answered 429: back to the queue
            for message in claimed:
                await settle_retry(session, message, at=NOW, counted=False)
        for channel in channels:
            assert (await _claim(sessionmaker, channel)).messages == []

    await on_the_wire_then_put_back(pause)
    assert await statuses(sessionmaker, broadcast_id) == {"held": 4}
    async with sessionmaker.begin() as session:
        await resume(session, broadcast_id, by="an", now=NOW)
    await on_the_wire_then_put_back(cancel)
    found = await copies(sessionmaker, broadcast_id)
    assert {(copy.status, copy.error) for copy in found} == {("skipped", "cancelled by staff")}


async def test_a_broadcast_is_done_once_nothing_is_left_to_send(sessionmaker: Sessions) -> None:
    await add_residents(sessionmaker, town(3))
    broadcast_id = await staff_broadcast(sessionmaker)
    worker = _worker(sessionmaker)
    await worker.run_due()
    async with sessionmaker.begin() as session:
        await session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.broadcast_id == broadcast_id)
            .values(status="delivered")
        )
    await worker.run_due()
    broadcast = await _broadcast(sessionmaker, broadcast_id)
    assert (broadcast.status, broadcast.finished_at) == ("done", NOW)
    async with sessionmaker.begin() as session:
        with pytest.raises(BroadcastNotChanged, match="is done: it cannot be paused"):
            await pause(session, broadcast_id, by="an", now=NOW)


async def test_a_broadcast_to_nobody_is_done_at_once(sessionmaker: Sessions) -> None:
    broadcast_id = await staff_broadcast(sessionmaker)
    await _worker(sessionmaker).run_due()
    assert (await _broadcast(sessionmaker, broadcast_id)).status == "done"


async def test_an_unknown_broadcast_is_named(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        with pytest.raises(NoSuchBroadcast, match="no broadcast 42"):
            await pause(session, 42, by="an", now=NOW)
    async with sessionmaker() as session:
        with pytest.raises(NoSuchBroadcast):
            await progress(session, 42)
