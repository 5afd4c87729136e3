"""The outbox on SQLite and PostgreSQL with recording senders: pace, order, retries, crashes.

Rate limits are checked on a fake clock (no sleeping); only the tests of the
`run` loop use the real clock, for a fraction of a second.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.domain.messages import Channel, Choice
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from pbbot.outbox.clock import SystemClock
from pbbot.outbox.limits import TELEGRAM_LIMITS, ChannelLimits
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.sender import Outbox
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.tables import PRIORITY_BULK
from tests.outbox.support import (
    START,
    FakeClock,
    FakeSender,
    ProcessDied,
    add_resident,
    message,
    messages,
    queue,
    resident,
)

Sessions = async_sessionmaker[AsyncSession]
TOLERANCE = 1e-6
FAST = ChannelLimits(per_second=1000.0, burst=100.0, per_address_per_second=1000.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def telegram(clock: FakeClock) -> FakeSender:
    return FakeSender("telegram", clock)


def make_outbox(
    sessionmaker: Sessions,
    *senders: FakeSender | BreaksAfterSending,
    clock: FakeClock | SystemClock,
    limits: dict[Channel, ChannelLimits] | None = None,
    **policy: float,
) -> Outbox:
    return Outbox(
        sessionmaker,
        {sender.channel: sender for sender in senders},
        limits=limits or {"telegram": TELEGRAM_LIMITS, "sms": ChannelLimits(per_second=1.0)},
        clock=clock,
        policy=OutboxPolicy(**policy),  # type: ignore[arg-type]
    )


async def drain(outbox: Outbox) -> int:
    """Passes until nothing is due; how many messages they took."""
    total = 0
    while taken := await outbox.send_due():
        total += taken
    return total


def most_in_any_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1 - TOLERANCE) for start in times)


async def test_due_messages_are_sent_with_their_receipts(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    menu = (Choice("vote", "Vote"), Choice("help", "Help"))
    await queue(sessionmaker, "100", "Welcome!", "What now?", choices=menu)
    await queue(sessionmaker, "200", "Hello")

    assert await drain(make_outbox(sessionmaker, telegram, clock=clock)) == 3

    assert telegram.texts_to("100") == ["Welcome!", "What now?"]
    assert telegram.texts_to("200") == ["Hello"]
    rows = await messages(sessionmaker)
    assert {(row.status, row.segments, row.attempts) for row in rows} == {("sent", 1, 1)}
    assert sorted(row.provider_id or "" for row in rows) == ["P1", "P2", "P3"]
    welcome = await message(sessionmaker, "What now?")
    assert welcome.sent_at == START + timedelta(seconds=1)  # a second after "Welcome!"


async def test_100_chats_get_at_most_25_messages_a_second(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    for chat in range(100):
        await queue(sessionmaker, str(1000 + chat), f"news {chat}", priority=PRIORITY_BULK)

    await drain(make_outbox(sessionmaker, telegram, clock=clock))

    times = [sent.at for sent in telegram.sent]
    assert len(times) == 100
    assert most_in_any_second(times) == 25
    assert max(times) - min(times) == pytest.approx(99 / 25)
    assert {row.status for row in await messages(sessionmaker)} == {"sent"}


async def test_messages_to_one_chat_are_a_second_apart_in_order(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    await queue(sessionmaker, "100", "one", "two", "three")

    await drain(make_outbox(sessionmaker, telegram, clock=clock))

    assert telegram.texts_to("100") == ["one", "two", "three"]
    times = [sent.at for sent in telegram.sent]
    assert [b - a for a, b in itertools.pairwise(times)] == pytest.approx([1.0, 1.0])


async def test_sms_go_at_the_senders_segments_per_second(
    sessionmaker: Sessions, clock: FakeClock
) -> None:
    sms = FakeSender("sms", clock, segments=len)  # "aaa" costs three segments
    texts = ["aaa", "a", "aa", "a"]
    for number, text in enumerate(texts):
        await queue(sessionmaker, f"+3247000000{number}", text, channel="sms")
    limits: dict[Channel, ChannelLimits] = {"sms": ChannelLimits(per_second=2.0)}

    await drain(make_outbox(sessionmaker, sms, clock=clock, limits=limits))

    sent = sorted(sms.sent, key=lambda s: s.at)
    assert [s.text for s in sent] == texts  # oldest first
    for earlier, later in itertools.pairwise(sent):
        assert later.at - earlier.at >= len(earlier.text) / 2.0 - TOLERANCE
    assert [row.segments for row in await messages(sessionmaker)] == [3, 1, 2, 1]


async def test_a_rate_limit_pauses_the_channel_and_does_not_count(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    outbox = make_outbox(sessionmaker, telegram, clock=clock)
    await queue(sessionmaker, "100", "hello")
    telegram.fail("hello", RateLimited(1.0))

    assert await outbox.send_due() == 1
    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts) == ("queued", 0)
    assert row.next_attempt_at == START + timedelta(seconds=1)

    await queue(sessionmaker, "200", "meanwhile")
    await drain(outbox)

    # "meanwhile" waited out the pause; "hello" went again once due.
    assert [(s.text, s.at) for s in telegram.sent] == [
        ("meanwhile", 1.0),
        ("hello", pytest.approx(1.04)),
    ]
    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts) == ("sent", 1)


async def test_a_long_rate_limit_stops_the_claims(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    outbox = make_outbox(sessionmaker, telegram, clock=clock)
    await queue(sessionmaker, "100", "hello")
    telegram.fail("hello", RateLimited(30.0))
    await outbox.send_due()
    await queue(sessionmaker, "200", "meanwhile")

    assert await drain(outbox) == 0
    assert (await message(sessionmaker, "meanwhile")).status == "queued"

    clock.advance(30.0)
    assert await drain(outbox) == 2
    assert sorted(s.text for s in telegram.sent) == ["hello", "meanwhile"]


async def test_channel_errors_are_retried_with_backoff_then_fail(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    outbox = make_outbox(sessionmaker, telegram, clock=clock, max_attempts=3)
    await queue(sessionmaker, "100", "hello", "next")
    telegram.fail("hello", *[ChannelError("Telegram: Bad Gateway")] * 3)

    for _ in range(3):
        await drain(outbox)
        row = await message(sessionmaker, "hello")
        if row.status == "queued":
            clock.advance((row.next_attempt_at - clock.now()).total_seconds())

    assert telegram.attempts[:3] == [(0.0, "hello"), (2.0, "hello"), (6.0, "hello")]
    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.error == "Telegram: Bad Gateway (gave up after 3 attempts)"
    assert telegram.texts_to("100") == ["next"]  # the queue moves on


async def test_a_blocked_resident_gets_nothing_more(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    outbox = make_outbox(sessionmaker, telegram, clock=clock)
    await queue(sessionmaker, "100", "hello", "second")
    await queue(sessionmaker, "200", "other")
    telegram.fail("hello", RecipientBlocked("Forbidden: bot was blocked by the user"))

    await drain(outbox)
    await queue(sessionmaker, "100", "later")
    await drain(outbox)

    assert [s.text for s in telegram.sent] == ["other"]
    assert len(telegram.attempts) == 2
    assert (await resident(sessionmaker, "100")).unreachable
    assert [(row.text, row.status, row.error) for row in await messages(sessionmaker)] == [
        ("hello", "failed", "Forbidden: bot was blocked by the user"),
        ("second", "failed", "the resident cannot be reached on this channel"),
        ("other", "sent", None),
        ("later", "failed", "the resident cannot be reached on this channel"),
    ]


async def test_bulk_skips_an_unsubscribed_resident_but_replies_reach_them(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    await add_resident(sessionmaker, "100", subscribed=False)
    await queue(sessionmaker, "100", "news", priority=PRIORITY_BULK)
    await queue(sessionmaker, "100", "You will get no more news.")

    assert await drain(make_outbox(sessionmaker, telegram, clock=clock)) == 2

    assert [s.text for s in telegram.sent] == ["You will get no more news."]
    assert (await message(sessionmaker, "news")).status == "skipped"


async def test_channels_without_a_sender_are_left_alone(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    await queue(sessionmaker, "sim-1", "in the simulator", channel="sim")
    await queue(sessionmaker, "+32470000001", "by sms", channel="sms")
    await queue(sessionmaker, "100", "on telegram")

    assert await drain(make_outbox(sessionmaker, telegram, clock=clock)) == 1

    assert [(row.text, row.status) for row in await messages(sessionmaker)] == [
        ("in the simulator", "queued"),
        ("by sms", "queued"),
        ("on telegram", "sent"),
    ]


def test_every_channel_with_a_sender_needs_limits(sessionmaker: Sessions) -> None:
    with pytest.raises(ValueError, match="no rate limits for channel"):
        Outbox(sessionmaker, {"sim": FakeSender("sim", FakeClock())}, clock=FakeClock())


# --- crashes ---------------------------------------------------------------------------


class BreaksAfterSending:
    """A sender whose message reaches the channel, and then `error` is raised."""

    def __init__(self, inner: FakeSender, error: BaseException):
        self.inner = inner
        self.error = error

    @property
    def channel(self) -> Channel:
        return self.inner.channel

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        await self.inner.send(envelope)
        raise self.error

    async def close(self) -> None:
        pass


async def test_a_sender_that_breaks_after_sending_never_doubles_the_message(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    broken = BreaksAfterSending(telegram, RuntimeError("bug after the HTTP call"))
    outbox = make_outbox(sessionmaker, broken, clock=clock)
    await queue(sessionmaker, "100", "hello", "next")

    await drain(outbox)
    clock.advance(OutboxPolicy().lease + 1)
    await drain(outbox)

    assert telegram.texts_to("100") == ["hello", "next"]
    row = await message(sessionmaker, "hello")
    assert row.status == "failed"
    assert row.error == (
        "not retried, the outcome is unknown: RuntimeError('bug after the HTTP call')"
    )


async def test_a_crash_during_the_call_resends_once_after_the_lease_and_says_so(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    """The one way a message goes out twice: the process dies after the provider took it and
    before the commit that says so. The message stays `sending` until its (short) lease runs
    out, then a restarted outbox sends it again, marked uncertain. Nothing else is held up
    meanwhile but that resident."""
    await queue(sessionmaker, "100", "hello", "after")
    await queue(sessionmaker, "200", "other")
    dying = make_outbox(sessionmaker, BreaksAfterSending(telegram, ProcessDied()), clock=clock)

    with pytest.raises(ProcessDied):
        await dying.send_due()
    assert telegram.texts_to("100") == ["hello"]

    restarted = make_outbox(sessionmaker, telegram, clock=clock)
    clock.advance(1.0)
    await drain(restarted)
    assert telegram.texts_to("100") == ["hello"]  # within the lease: not again
    assert telegram.texts_to("200") == ["other"]

    clock.advance(OutboxPolicy().lease)
    await drain(restarted)
    assert telegram.texts_to("100") == ["hello", "hello", "after"]
    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts, row.uncertain_since) == ("sent", 2, START)
    assert (await message(sessionmaker, "after")).uncertain_since is None


class WatchesTheQueue:
    """A sender that, in each call, compares the messages the database says are being sent
    with the calls begun so far."""

    def __init__(self, inner: FakeSender, sessionmaker: Sessions):
        self.inner = inner
        self.sessionmaker = sessionmaker
        self.called: set[str] = set()
        self.seen: list[tuple[set[str], set[str]]] = []  # (sending in the database, called)

    @property
    def channel(self) -> Channel:
        return self.inner.channel

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        self.called.add(envelope.message_id)
        rows = await messages(self.sessionmaker)
        sending = {str(row.id) for row in rows if row.status == "sending"}
        self.seen.append((sending, set(self.called)))
        return await self.inner.send(envelope)

    async def close(self) -> None:
        pass


async def test_a_message_is_claimed_only_to_start_at_once(
    sessionmaker: Sessions, clock: FakeClock, telegram: FakeSender
) -> None:
    """Nothing waits for its limit while marked as being sent, where a crash would strand it:
    neither a message beyond the channel's free slots nor one waiting for its chat's slot."""
    for chat in range(8):
        await queue(sessionmaker, str(100 + chat), "hello", "and then")
    watcher = WatchesTheQueue(telegram, sessionmaker)
    burst = ChannelLimits(per_second=25.0, burst=3.0, per_address_per_second=1.0)
    outbox = make_outbox(sessionmaker, watcher, clock=clock, limits={"telegram": burst})

    await drain(outbox)

    assert len(telegram.sent) == 16
    assert all(sending <= called for sending, called in watcher.seen)
    assert max(len(sending) for sending, _ in watcher.seen) == 3  # the burst, at the start


# --- two processes ---------------------------------------------------------------------


async def test_two_outboxes_never_send_a_message_twice_and_keep_each_residents_order(
    database_url: str, clock: FakeClock, telegram: FakeSender
) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    first, second = (create_sessionmaker(engine) for engine in engines)
    try:
        for chat in range(20):
            await queue(first, str(chat), *(f"{chat}: {n}" for n in range(3)))
        outboxes = [
            make_outbox(sessions, telegram, clock=clock, limits={"telegram": FAST}, batch_size=7)
            for sessions in (first, second)
        ]
        while any(row.status != "sent" for row in await messages(first)):
            await asyncio.gather(*(outbox.send_due() for outbox in outboxes))
    finally:
        for engine in engines:
            await engine.dispose()

    ids = [sent.message_id for sent in telegram.sent]
    assert len(ids) == len(set(ids)) == 60
    for chat in range(20):
        assert telegram.texts_to(str(chat)) == [f"{chat}: {n}" for n in range(3)]
    assert telegram.most_at_once_per_address == 1


# --- the loop --------------------------------------------------------------------------


async def wait_for(condition: object, timeout: float = 3.0) -> float:
    """Poll `condition()` until true; the seconds it took."""
    started = time.monotonic()
    while not await condition():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, "timed out"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def test_run_sends_at_once_when_woken(sessionmaker: Sessions) -> None:
    real = SystemClock()
    telegram = FakeSender("telegram", real)
    outbox = make_outbox(sessionmaker, telegram, clock=real, poll_interval=30.0)
    stop = asyncio.Event()
    loop = asyncio.create_task(outbox.run(stop))
    await asyncio.sleep(0.05)  # idle, and it would not look again for 30 s

    await queue(sessionmaker, "100", "hello", at=datetime.now(UTC))
    outbox.wake()

    async def sent() -> bool:
        return telegram.texts_to("100") == ["hello"]

    assert await wait_for(sent) < 1.0
    stop.set()
    await asyncio.wait_for(loop, timeout=1.0)


async def test_run_sleeps_until_the_next_message_is_due(sessionmaker: Sessions) -> None:
    real = SystemClock()
    telegram = FakeSender("telegram", real)
    outbox = make_outbox(sessionmaker, telegram, clock=real, poll_interval=30.0)
    due = datetime.now(UTC) + timedelta(seconds=0.3)
    await queue(sessionmaker, "100", "retry me", at=due)
    stop = asyncio.Event()
    loop = asyncio.create_task(outbox.run(stop))

    async def sent() -> bool:
        return bool(telegram.sent)

    await wait_for(sent)
    assert datetime.now(UTC) >= due
    stop.set()
    await asyncio.wait_for(loop, timeout=1.0)


async def test_a_message_waiting_for_its_chat_stays_queued_through_a_stop(
    sessionmaker: Sessions,
) -> None:
    real = SystemClock()
    telegram = FakeSender("telegram", real)
    slow_chat = ChannelLimits(per_second=25.0, per_address_per_second=0.2)  # one per 5 s
    outbox = make_outbox(sessionmaker, telegram, clock=real, limits={"telegram": slow_chat})
    await queue(sessionmaker, "100", "first", "second", at=datetime.now(UTC))
    stop = asyncio.Event()
    loop = asyncio.create_task(outbox.run(stop))

    async def first_is_sent() -> bool:
        return (await message(sessionmaker, "first")).status == "sent"

    await wait_for(first_is_sent)
    await asyncio.sleep(0.1)  # the loop looked again, and left "second" for its slot
    assert (await message(sessionmaker, "second")).status == "queued"
    stop.set()
    await asyncio.wait_for(loop, timeout=1.0)

    assert telegram.texts_to("100") == ["first"]
    row = await message(sessionmaker, "second")
    assert (row.status, row.attempts) == ("queued", 0)


class Slow:
    """A sender whose calls take `seconds` (or forever), as a provider under load."""

    def __init__(self, inner: FakeSender, seconds: float | None):
        self.inner = inner
        self.seconds = seconds

    @property
    def channel(self) -> Channel:
        return self.inner.channel

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        if self.seconds is None:
            await asyncio.Event().wait()
        await asyncio.sleep(self.seconds or 0.0)
        return await self.inner.send(envelope)

    async def close(self) -> None:
        pass


async def test_a_call_longer_than_the_lease_keeps_its_lease(
    database_url: str, sessionmaker: Sessions
) -> None:
    real = SystemClock()
    telegram = FakeSender("telegram", real)
    quick = {"lease": 0.6, "renew_every": 0.1, "poll_interval": 0.05}
    slow = make_outbox(sessionmaker, Slow(telegram, 1.5), clock=real, **quick)
    engine = create_engine(database_url)
    other = make_outbox(create_sessionmaker(engine), telegram, clock=real, **quick)
    await queue(sessionmaker, "100", "hello", at=datetime.now(UTC))
    stop = asyncio.Event()
    loops = [asyncio.create_task(slow.run(stop))]
    try:

        async def is_sending() -> bool:
            return (await message(sessionmaker, "hello")).status == "sending"

        await wait_for(is_sending)
        loops.append(asyncio.create_task(other.run(stop)))

        async def is_sent() -> bool:
            return (await message(sessionmaker, "hello")).status == "sent"

        assert await wait_for(is_sent) >= 1.0  # the call took 1.5 s, the lease is 0.6 s
    finally:
        stop.set()
        await asyncio.gather(*loops)
        await engine.dispose()

    assert telegram.texts_to("100") == ["hello"]  # the other outbox never took it over
    row = await message(sessionmaker, "hello")
    assert (row.attempts, row.uncertain_since) == (1, None)


async def test_a_call_cut_off_at_stop_is_handed_back_at_once(sessionmaker: Sessions) -> None:
    real = SystemClock()
    telegram = FakeSender("telegram", real)
    outbox = make_outbox(sessionmaker, Slow(telegram, None), clock=real, stop_grace=0.1)
    await queue(sessionmaker, "100", "hello", at=datetime.now(UTC))
    stop = asyncio.Event()
    loop = asyncio.create_task(outbox.run(stop))

    async def is_sending() -> bool:
        return (await message(sessionmaker, "hello")).status == "sending"

    await wait_for(is_sending)
    started = (await message(sessionmaker, "hello")).started_at
    stop.set()
    await asyncio.wait_for(loop, timeout=1.0)

    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts, row.uncertain_since) == ("queued", 1, started)
    assert row.next_attempt_at <= datetime.now(UTC)  # due now, not when the lease would end
