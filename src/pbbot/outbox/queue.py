"""The outbox's transactions: claim a channel's due messages, then settle each attempt.

Every claim and every settle is its own short transaction, and none is open
while a message is on the wire: on SQLite the server's inbound messages share
the one connection, and committing each outcome at once keeps the window in
which a crash could cause a duplicate send to milliseconds. What to do with an
outcome (retry after a backoff, or give up) is decided here, from the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import SendReceipt
from pbbot.domain.messages import Channel
from pbbot.outbox.clock import Clock
from pbbot.outbox.policy import OutboxPolicy
from pbbot.storage import outbound
from pbbot.storage.outbound import Claim, ClaimedMessage

__all__ = ["OutboxQueue"]

_log = logging.getLogger(__name__)


class OutboxQueue:
    """The `outbound_messages` table as the outbox's senders see it."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        policy: OutboxPolicy,
    ):
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._policy = policy

    async def claim(self, channel: Channel, limit: int) -> Claim:
        """Up to `limit` due messages of `channel`, now leased to this process."""
        async with self._sessionmaker.begin() as session:
            return await outbound.claim_due(
                session,
                channel,
                now=self._clock.now(),
                limit=limit,
                lease=timedelta(seconds=self._policy.lease),
                max_attempts=self._policy.max_attempts,
            )

    async def next_due_at(self, channels: Collection[Channel]) -> datetime | None:
        async with self._sessionmaker() as session:
            return await outbound.next_due_at(session, channels, after=self._clock.now())

    async def sent(self, message: ClaimedMessage, receipt: SendReceipt) -> None:
        async with self._sessionmaker.begin() as session:
            settled = await outbound.settle_sent(
                session,
                message,
                provider_id=receipt.provider_id,
                segments=receipt.segments,
                now=self._clock.now(),
            )
        if not settled:
            # Its lease ran out and another sender took it over: it went out twice.
            _log.warning("message %s was sent after its lease had run out", message.id)

    async def put_back(self, message: ClaimedMessage, *, delay: float = 0.0) -> None:
        """Return a message that was not sent (rate limit, stop), without counting the attempt."""
        await self._retry(message, delay=delay, error=None, counted=False)

    async def failed_attempt(self, message: ClaimedMessage, error: str) -> None:
        """A transient failure: retry after a backoff, or fail after the last attempt."""
        if message.attempts >= self._policy.max_attempts:
            await self.failed(message, f"{error} (gave up after {message.attempts} attempts)")
        else:
            delay = self._policy.backoff(message.attempts)
            await self._retry(message, delay=delay, error=error, counted=True)

    async def failed(self, message: ClaimedMessage, error: str) -> None:
        async with self._sessionmaker.begin() as session:
            await outbound.settle_failed(session, message, error=error)

    async def blocked(self, message: ClaimedMessage, error: str) -> None:
        async with self._sessionmaker.begin() as session:
            await outbound.settle_blocked(session, message, error=error)

    async def _retry(
        self, message: ClaimedMessage, *, delay: float, error: str | None, counted: bool
    ) -> None:
        at = self._clock.now() + timedelta(seconds=delay)
        async with self._sessionmaker.begin() as session:
            await outbound.settle_retry(session, message, at=at, error=error, counted=counted)
