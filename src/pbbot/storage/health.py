"""How far behind the server is: the oldest message still waiting on each side.

A webhook stores an update and processes it before answering, and the outbox
sends replies within seconds, so an old unprocessed inbound message or an old
due reply means something is stuck (a held lock, a dead sender), even while
the database itself answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.tables import PRIORITY_REPLY, InboundMessage, OutboundMessage

__all__ = ["Backlog", "backlog"]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Seconds the oldest waiting message has waited (0 when none waits)."""

    inbound_seconds: float
    reply_seconds: float


async def backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    oldest_inbound = await session.scalar(
        select(func.min(InboundMessage.received_at)).where(InboundMessage.processed_at.is_(None))
    )
    oldest_reply = await session.scalar(
        select(func.min(OutboundMessage.created_at)).where(
            OutboundMessage.status.in_(("queued", "sending")),
            OutboundMessage.priority <= PRIORITY_REPLY,
            OutboundMessage.next_attempt_at <= now,
        )
    )
    return Backlog(_age(oldest_inbound, now), _age(oldest_reply, now))


def _age(since: datetime | None, now: datetime) -> float:
    if since is None:
        return 0.0
    if since.tzinfo is None:  # func.min bypasses the column type on SQLite
        since = since.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - since).total_seconds())
