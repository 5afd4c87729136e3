"""The broadcast worker: the edition file's reminders, and broadcasts carried to the end,
alone with the outbox and inside `pbbot serve`."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from pbbot.broadcasts.audience import parse_segment
from pbbot.broadcasts.content import staff_content
from pbbot.broadcasts.control import create_broadcast
from pbbot.broadcasts.progress import Progress, progress
from pbbot.broadcasts.worker import BroadcastWorker, reminder_key
from pbbot.domain.edition import Reminder
from pbbot.errors import EditionError, RecipientBlocked
from pbbot.outbox.limits import ChannelLimits
from pbbot.outbox.sender import Outbox
from pbbot.storage.phases import move_phase
from pbbot.storage.tables import Broadcast, Resident
from tests.broadcasts.fanout_support import (
    EDITION,
    NOW,
    REMINDERS,
    TEXTS,
    Person,
    Sessions,
    add_residents,
    staff_broadcast,
)
from tests.outbox.support import FakeClock, FakeSender
from tests.server.harness import running_city

FAST = ChannelLimits(per_second=1000.0, burst=100.0, per_address_per_second=1000.0)


async def _broadcasts(sessions: Sessions) -> list[Broadcast]:
    async with sessions() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


def _reminder(reminder_id: str) -> Reminder:
    (found,) = [reminder for reminder in REMINDERS.reminders if reminder.id == reminder_id]
    return found


async def test_a_reminder_is_created_once_when_due_for_its_audience(
    sessionmaker: Sessions,
) -> None:
    due = _reminder("vote-soon").due_at(REMINDERS)
    for _ in range(2):  # a restarted worker, or a second one, finds it made
        worker = BroadcastWorker(sessionmaker, REMINDERS, clock=lambda: due + timedelta(hours=1))
        await worker.run_due()

    (broadcast,) = await _broadcasts(sessionmaker)
    assert (
        broadcast.key == reminder_key(REMINDERS, "vote-soon") == "reminder:mechelen-2027:vote-soon"
    )
    assert (broadcast.message, broadcast.send_at, broadcast.created_by) == (
        "voting_reminder",
        due,
        "edition file",
    )
    assert broadcast.audience["specs"] == ["state=not_voted"]


async def test_a_reminder_more_than_a_day_late_is_not_sent(
    sessionmaker: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    due = _reminder("voting-opens").due_at(REMINDERS)
    late = BroadcastWorker(
        sessionmaker, REMINDERS, clock=lambda: due + timedelta(days=1, minutes=1)
    )
    await late.run_due()

    keys = [broadcast.key for broadcast in await _broadcasts(sessionmaker)]
    assert reminder_key(REMINDERS, "voting-opens") not in keys
    assert "reminder voting-opens was due at 2027-04-12T10:00:00+02:00" in caplog.text


async def test_a_reminder_waits_while_staff_hold_its_phase_back(sessionmaker: Sessions) -> None:
    due = _reminder("vote-soon").due_at(REMINDERS)
    async with sessionmaker.begin() as session:  # voting closed early by hand
        await move_phase(session, REMINDERS, "results", by="An", now=due - timedelta(days=1))
    later = {"now": due + timedelta(minutes=5)}
    worker = BroadcastWorker(sessionmaker, REMINDERS, clock=lambda: later["now"])
    await worker.run_due()
    assert await _broadcasts(sessionmaker) == []
    # Reopened within the day: the reminder goes after all.
    async with sessionmaker.begin() as session:
        await move_phase(session, REMINDERS, "voting", by="An", now=due + timedelta(minutes=10))
    later["now"] = due + timedelta(minutes=15)
    await worker.run_due()
    assert [b.key for b in await _broadcasts(sessionmaker)] == [
        reminder_key(REMINDERS, "vote-soon")
    ]


async def test_a_reminder_not_yet_due_waits(sessionmaker: Sessions) -> None:
    due = _reminder("voting-opens").due_at(REMINDERS)
    await BroadcastWorker(
        sessionmaker, REMINDERS, clock=lambda: due - timedelta(seconds=1)
    ).run_due()
    assert reminder_key(REMINDERS, "voting-opens") not in {
        broadcast.key for broadcast in await _broadcasts(sessionmaker)
    }


def test_a_reminder_with_a_wrong_audience_stops_the_start_with_its_line(
    sessionmaker: Sessions,
) -> None:
    wrong = replace(_reminder("vote-soon"), audience=("language=de",), line=70)
    edition = replace(REMINDERS, reminders=(wrong,))
    with pytest.raises(EditionError) as refused:
        BroadcastWorker(sessionmaker, edition)
    assert str(refused.value) == (
        f"{REMINDERS.source}:70: reminder vote-soon: language=de is not one of nl, fr, en, tr, ar"
    )


async def test_stop_after_the_fan_out_skips_and_a_block_is_counted_then_it_is_done(
    sessionmaker: Sessions,
) -> None:
    ids = await add_residents(
        sessionmaker,
        [Person("telegram", "nl"), Person("telegram", "fr"), Person("telegram", "en")],
    )
    broadcast_id = await staff_broadcast(sessionmaker)
    worker = BroadcastWorker(sessionmaker, EDITION, clock=lambda: NOW)
    assert await worker.run_due() == 3
    async with sessionmaker.begin() as session:  # the English resident sends STOP
        await session.execute(
            update(Resident).where(Resident.id == ids[2]).values(subscribed=False)
        )
    clock = FakeClock(NOW)
    telegram = FakeSender("telegram", clock)
    telegram.fail(TEXTS["fr"], RecipientBlocked("Forbidden: bot was blocked by the user"))
    outbox = Outbox(sessionmaker, {"telegram": telegram}, limits={"telegram": FAST}, clock=clock)
    while await outbox.send_due():
        pass
    await worker.run_due()

    assert [sent.text for sent in telegram.sent] == [TEXTS["nl"]]
    async with sessionmaker() as session:
        assert await progress(session, broadcast_id) == Progress(
            broadcast_id=broadcast_id,
            status="done",
            recipients=3,
            queued=0,
            held=0,
            sent=1,
            delivered=0,
            failed=0,
            blocked=1,
            skipped=1,
        )


async def test_the_server_sends_a_broadcast_on_both_channels(database_url: str) -> None:
    async with running_city(database_url) as city:
        sessions = city.runtime.sessionmaker
        async with sessions.begin() as session:
            now = datetime.now(UTC)
            await session.execute(
                insert(Resident),
                [
                    {"channel": "telegram", "address": "7001", "locale": "fr", "created_at": now},
                    {
                        "channel": "sms",
                        "address": "+32470000001",
                        "locale": "nl",
                        "created_at": now,
                    },
                    {
                        "channel": "sms",
                        "address": "+32470000002",
                        "locale": "en",
                        "created_at": now,
                        "subscribed": False,
                    },
                ],
            )
            broadcast_id = await create_broadcast(
                session,
                city.runtime.edition,
                staff_content(TEXTS, city.runtime.edition),
                parse_segment((), city.runtime.edition),
                by="an",
                send_at=now,
                now=now,
            )
        # The server's worker fans it out and its outbox sends it, unasked.
        for _ in range(400):
            async with sessions() as session:
                if (await progress(session, broadcast_id)).over:
                    break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the broadcast was not done within 20 seconds")

        assert city.sent_texts() == [TEXTS["fr"]]
        assert city.sms_bodies() == [TEXTS["nl"]]
        async with sessions() as session:
            done = await progress(session, broadcast_id)
        assert (done.recipients, done.sent) == (2, 2)
