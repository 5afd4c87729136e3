"""What the outbox tests share: a fake clock, a recording sender, a crash, and queueing helpers."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.domain.messages import Channel, Choice, Outbound
from pbbot.outbox.clock import Clock
from pbbot.storage.outbound import enqueue_messages
from pbbot.storage.tables import PRIORITY_REPLY, OutboundMessage, Resident

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class FakeClock:
    """Time that passes only when someone sleeps (or the test advances it).

    `sleep` moves time to the sleeper's wake-up time, never back: with several
    sleepers, each finds the clock at or after the time it asked for, which is
    all a rate limit needs to be checked exactly, without waiting.
    """

    def __init__(self, start: datetime = START):
        self.start = start
        self.elapsed = 0.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        wake_at = self.elapsed + max(0.0, seconds)
        await asyncio.sleep(0)
        self.elapsed = max(self.elapsed, wake_at)

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds


class ProcessDied(BaseException):
    """The process ends here: nothing after this line runs (like SIGKILL, as far as it can)."""


@dataclass(frozen=True)
class Sent:
    at: float
    address: str
    text: str
    message_id: str


class FakeSender:
    """A `ChannelSender` that records what it sends and when, or fails as told.

    `fail(text, *errors)` makes the next sends of a message with that text raise
    `errors`, one each; `segments` says what each text costs (default 1).
    """

    def __init__(
        self, channel: Channel, clock: Clock, *, segments: Callable[[str], int] | None = None
    ):
        self._channel = channel
        self.clock = clock
        self.segments = segments or (lambda text: 1)
        self.sent: list[Sent] = []
        self.attempts: list[tuple[float, str]] = []  # (when, text) of every call
        self._failures: dict[str, list[BaseException]] = {}
        self._sending: Counter[str] = Counter()
        self.most_at_once_per_address = 0

    @property
    def channel(self) -> Channel:
        return self._channel

    def fail(self, text: str, *errors: BaseException) -> None:
        self._failures.setdefault(text, []).extend(errors)

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        self.attempts.append((self.clock.monotonic(), envelope.outbound.text))
        self._sending[envelope.address] += 1
        self.most_at_once_per_address = max(
            self.most_at_once_per_address, self._sending[envelope.address]
        )
        try:
            await asyncio.sleep(0)  # a network call lets the others run
            failures = self._failures.get(envelope.outbound.text)
            if failures:
                raise failures.pop(0)
            text = envelope.outbound.text
            at = self.clock.monotonic()
            self.sent.append(Sent(at, envelope.address, text, envelope.message_id))
            return SendReceipt(provider_id=f"P{len(self.sent)}", segments=self.segments(text))
        finally:
            self._sending[envelope.address] -= 1

    async def close(self) -> None:
        pass

    def texts_to(self, address: str) -> list[str]:
        return [sent.text for sent in self.sent if sent.address == address]


async def add_resident(
    sessionmaker: async_sessionmaker[AsyncSession],
    address: str,
    *,
    channel: Channel = "telegram",
    unreachable: bool = False,
    subscribed: bool = True,
) -> int:
    async with sessionmaker.begin() as session:
        resident = Resident(
            channel=channel,
            address=address,
            created_at=START,
            unreachable=unreachable,
            subscribed=subscribed,
        )
        session.add(resident)
        await session.flush()
        return resident.id


async def queue(
    sessionmaker: async_sessionmaker[AsyncSession],
    address: str,
    *texts: str,
    channel: Channel = "telegram",
    priority: int = PRIORITY_REPLY,
    at: datetime = START,
    choices: tuple[Choice, ...] = (),
) -> int:
    """Queue `texts` for the resident at `address` (created if new); their resident id."""
    async with sessionmaker.begin() as session:
        resident_id = await session.scalar(
            select(Resident.id).where(Resident.channel == channel, Resident.address == address)
        )
    if resident_id is None:
        resident_id = await add_resident(sessionmaker, address, channel=channel)
    async with sessionmaker.begin() as session:
        await enqueue_messages(
            session,
            [Outbound(text=text, locale="en", choices=choices) for text in texts],
            resident_id=resident_id,
            channel=channel,
            address=address,
            now=at,
            priority=priority,
        )
    return resident_id


async def messages(sessionmaker: async_sessionmaker[AsyncSession]) -> list[OutboundMessage]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


async def message(sessionmaker: async_sessionmaker[AsyncSession], text: str) -> OutboundMessage:
    [row] = [row for row in await messages(sessionmaker) if row.text == text]
    return row


async def resident(sessionmaker: async_sessionmaker[AsyncSession], address: str) -> Resident:
    async with sessionmaker() as session:
        found = await session.scalar(select(Resident).where(Resident.address == address))
    assert found is not None
    return found
