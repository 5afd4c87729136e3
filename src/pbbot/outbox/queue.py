"""The outbox's transactions: claim a channel's due messages, then settle each attempt.

Every claim is its own short transaction, and none is open while a message is
on the wire: on SQLite the server's inbound messages share the one
connection. Outcomes are settled by group commit (`pbbot.outbox.grouping`):
those that arrive while a settle transaction runs go together into the next,
so a broadcast's thousands of outcomes a second take a few transactions, and
a lone reply's outcome is committed at once. A message stays in its outbox's
flight (its lease renewed, its slot taken) until its outcome is committed, so
a crash still loses nothing but the calls whose outcome was not yet committed,
at most the in-flight batch. What to do with an outcome (retry after a
backoff, or give up) is decided here, from the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import SendReceipt
from pbbot.domain.messages import Channel
from pbbot.outbox.clock import Clock
from pbbot.outbox.grouping import Grouped
from pbbot.outbox.policy import OutboxPolicy
from pbbot.storage import outbound
from pbbot.storage.outbound import Accepted, Claim, ClaimedMessage

__all__ = ["OutboxQueue"]

_log = logging.getLogger(__name__)

# Settles one outcome other than "sent" in the group's transaction, at its time.
_Settle = Callable[[AsyncSession, datetime], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One attempt's outcome: accepted with `receipt` (settled in bulk with the others),
    or anything else, which `settle` records."""

    message: ClaimedMessage
    receipt: SendReceipt | None = None
    settle: _Settle | None = None


class OutboxQueue:
    """The `outbound_messages` table as one outbox's senders see it.

    `owner` names this outbox in the leases it takes; it is unique per
    process, so that a restarted process takes over what its predecessor left.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        policy: OutboxPolicy,
        owner: str,
    ):
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._policy = policy
        self.owner = owner
        self._settling = Grouped(self._settle)
        # When each channel's claim next looks for leases that ran out.
        self._next_take_over: dict[Channel, float] = {}

    async def claim(
        self,
        channel: Channel,
        limit: int,
        *,
        verifiable: bool,
        busy: Collection[str] = (),
        keep: Collection[int] = (),
    ) -> Claim:
        """Up to `limit` due messages of `channel`, not to `busy` addresses, now leased to us.

        `verifiable`: the channel's sender can look up what the provider
        accepted, so an uncertain message may be tried again however often.
        `keep`: the messages we are sending, whose leases we never take over.
        """
        now = self._clock.monotonic()
        take_over = now >= self._next_take_over.get(channel, now)
        async with self._sessionmaker.begin() as session:
            claim = await outbound.claim_due(
                session,
                channel,
                now=self._clock.now(),
                limit=limit,
                lease=self._lease(),
                owner=self.owner,
                max_attempts=self._policy.max_attempts,
                verifiable=verifiable,
                busy=busy,
                keep=keep,
                take_over=take_over,
            )
        if take_over:
            self._next_take_over[channel] = now + self._policy.take_over_every
        return claim

    async def renew(self, ids: Collection[int]) -> int:
        """Extend our leases on the messages `ids` (those we are sending); how many we held."""
        async with self._sessionmaker.begin() as session:
            return await outbound.renew_leases(
                session, owner=self.owner, ids=ids, until=self._clock.now() + self._lease()
            )

    async def release(self, channel: Channel, *, verifiable: bool) -> int:
        """On stop: what this outbox holds on `channel` goes back, uncertain, due now.

        That is the calls cut off, and any message whose outcome could not be
        recorded (the database failed then); how many failed instead.
        """
        async with self._sessionmaker.begin() as session:
            return await outbound.release_claims(
                session,
                channel,
                owner=self.owner,
                now=self._clock.now(),
                max_attempts=self._policy.max_attempts,
                verifiable=verifiable,
            )

    async def recorded(self, resident_id: int) -> set[str]:
        """The provider ids already recorded for the resident's messages."""
        async with self._sessionmaker() as session:
            return await outbound.recorded_provider_ids(session, resident_id)

    async def next_due_at(self, channels: Collection[Channel]) -> datetime | None:
        async with self._sessionmaker() as session:
            return await outbound.next_due_at(session, channels, after=self._clock.now())

    async def sent(self, message: ClaimedMessage, receipt: SendReceipt) -> None:
        """The provider accepted the message: record it (returns once committed)."""
        await self._settling.submit(_Outcome(message, receipt=receipt))

    async def put_back(self, message: ClaimedMessage, *, delay: float = 0.0) -> None:
        """Return a message that was not sent (a rate limit), without counting the attempt."""
        await self._retry(message, delay=delay, error=None, counted=False)

    async def failed_attempt(self, message: ClaimedMessage, error: str) -> None:
        """A transient failure: retry after a backoff, or fail after the last attempt."""
        if message.attempts >= self._policy.max_attempts:
            await self.failed(message, f"{error} (gave up after {message.attempts} attempts)")
        else:
            delay = self._policy.backoff(message.attempts)
            await self._retry(message, delay=delay, error=error, counted=True)

    async def failed(self, message: ClaimedMessage, error: str) -> None:
        async def settle(session: AsyncSession, now: datetime) -> object:
            return await outbound.settle_failed(session, message, error=error)

        await self._settling.submit(_Outcome(message, settle=settle))

    async def blocked(self, message: ClaimedMessage, error: str) -> None:
        async def settle(session: AsyncSession, now: datetime) -> object:
            return await outbound.settle_blocked(session, message, error=error)

        await self._settling.submit(_Outcome(message, settle=settle))

    async def settled(self) -> None:
        """Wait until every outcome given so far is committed (or failed to be)."""
        await self._settling.idle()

    async def _retry(
        self, message: ClaimedMessage, *, delay: float, error: str | None, counted: bool
    ) -> None:
        at = self._clock.now() + timedelta(seconds=delay)

        async def settle(session: AsyncSession, now: datetime) -> object:
            return await outbound.settle_retry(
                session, message, at=at, error=error, counted=counted
            )

        await self._settling.submit(_Outcome(message, settle=settle))

    async def _settle(self, outcomes: list[_Outcome]) -> None:
        """One transaction for a group of outcomes."""
        accepted = [
            Accepted(one.message, one.receipt.provider_id, one.receipt.segments)
            for one in outcomes
            if one.receipt is not None
        ]
        now = self._clock.now()
        async with self._sessionmaker.begin() as session:
            recorded = await outbound.settle_sent_many(session, accepted, now=now)
            for outcome in outcomes:
                if outcome.settle is not None:
                    await outcome.settle(session, now)
        for sent in accepted:
            if sent.message.id in recorded.gone:
                _log.info(
                    "message %s was sent while its resident's data was being erased",
                    sent.message.id,
                )
            elif sent.message.id not in recorded.settled:
                # Its lease ran out and another sender took it over: it went out twice.
                _log.warning("message %s was sent after its lease had run out", sent.message.id)

    def _lease(self) -> timedelta:
        return timedelta(seconds=self._policy.lease)
