"""Counts behind the guards on cost: how many replies a number was sent lately.

Counted from the outbox itself rather than in memory, so that the limit holds
across restarts and across processes sharing one database.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Channel
from pbbot.storage.tables import OutboundMessage, Resident

__all__ = ["replies_since"]


async def replies_since(
    session: AsyncSession, channel: Channel, addresses: Collection[str], *, since: datetime
) -> dict[str, int]:
    """Replies queued since `since` for each of `addresses` that had any, whatever
    became of them; broadcasts and staff's answers (no inbound message) do not count."""
    if not addresses:
        return {}
    # Through the resident, whose (channel, address) is unique and indexed, to
    # the outbox rows by resident: a few rows per resident, never a table scan.
    rows = await session.execute(
        select(Resident.address, func.count(OutboundMessage.id))
        .join(OutboundMessage, OutboundMessage.resident_id == Resident.id)
        .where(
            Resident.channel == channel,
            Resident.address.in_(sorted(addresses)),
            OutboundMessage.inbound_id.is_not(None),
            OutboundMessage.created_at >= since,
        )
        .group_by(Resident.address)
    )
    return {address: count for address, count in rows}
