"""Messages to one resident outside a conversation step (an idea's receipt, a
staff decision), through the outbox like every reply: on the channel the
resident wrote from, in their language.

Nothing goes to a resident who sent STOP, who erased their data, or who lives
in the simulator (its residents have no channel); the reason is returned so
that staff are told, and recorded with the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Outbound
from pbbot.storage import outbound, repositories
from pbbot.storage.tables import Resident

__all__ = ["QUEUED", "Recipient", "find_recipient", "send_notice"]

QUEUED = "queued"


@dataclass(frozen=True, slots=True)
class Recipient:
    resident_id: int
    channel: str
    address: str
    locale: str | None
    subscribed: bool
    erased: bool

    @property
    def unsent_reason(self) -> str | None:
        """Why nothing may be sent to them, or None."""
        if self.erased:
            return "not sent: the author erased their data"
        if not self.subscribed:
            return "not sent: the author sent STOP"
        if self.channel.startswith("sim-"):
            return "not sent: the author wrote in the simulator"
        return None


async def find_recipient(session: AsyncSession, resident_id: int | None) -> Recipient | None:
    """The resident as a recipient; None when there is no such resident (any more)."""
    if resident_id is None:
        return None
    row = (
        await session.execute(
            select(
                Resident.id,
                Resident.channel,
                Resident.address,
                Resident.locale,
                Resident.subscribed,
                Resident.erased_at,
            ).where(Resident.id == resident_id)
        )
    ).first()
    if row is None:
        return None
    return Recipient(
        resident_id=row.id,
        channel=row.channel,
        address=row.address,
        locale=row.locale,
        subscribed=row.subscribed,
        erased=row.erased_at is not None,
    )


async def send_notice(
    session: AsyncSession, recipient: Recipient | None, text: str, locale: str, *, now: datetime
) -> str:
    """Queue `text` (already in `locale`) for the recipient; "queued", or why not."""
    if recipient is None:
        return "not sent: the idea is anonymous (its author erased their data)"
    if recipient.unsent_reason is not None:
        return recipient.unsent_reason
    rows = outbound.outbound_rows(
        [Outbound(text, locale)],
        resident_id=recipient.resident_id,
        channel=recipient.channel,
        address=recipient.address,
        now=now,
    )
    await repositories.insert_rows(session, repositories.OUTBOUND, rows)
    return QUEUED
