"""What STOP does to the outbox: nothing queued before it goes out.

A resident who sends STOP must not get the replies still waiting in the
queue (on Telegram there is no carrier to drop them). Only what is queued is
skipped; a message already handed to the provider cannot be called back. The
confirmation of the STOP itself is queued after this runs, so it still goes.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.tables import OutboundMessage

__all__ = ["skip_queued"]

_STOPPED = "skipped: the resident sent STOP"


async def skip_queued(session: AsyncSession, resident_id: int) -> int:
    """Skip every message still queued for the resident; how many."""
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.resident_id == resident_id, OutboundMessage.status == "queued")
        .values(status="skipped", error=_STOPPED)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
