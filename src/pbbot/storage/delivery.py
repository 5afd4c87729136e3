"""The providers' delivery reports: a sent message's status moves on to delivered or failed.

Reports (Twilio's status callbacks) arrive late and out of order, so a status
only moves forward (`OUTBOUND_STATUS_RANK`): a late "sent" never overwrites
"delivered". Like the other storage modules, these functions take the caller's
session and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.outbound import mark_unreachable
from pbbot.storage.tables import OUTBOUND_STATUS_RANK, OutboundMessage

__all__ = ["advance_outbound_status", "record_delivery_status"]

# A provider's delivery statuses (Twilio's words) as outbox statuses. The steps
# before "sent" (accepted, scheduled, queued, sending) say nothing new: the
# outbox marks a message sent as soon as the provider has accepted it.
_DELIVERY_STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
# Twilio 21610: the recipient replied STOP to the carrier; nothing reaches them
# until they send START.
_UNREACHABLE_ERROR_CODES = frozenset({21610})


async def record_delivery_status(
    session: AsyncSession,
    provider_id: str,
    status: str,
    error_code: int | None = None,
    *,
    now: datetime,
) -> bool:
    """Record a provider's delivery report (a Twilio status callback); whether it changed anything.

    `status` is the provider's word for it (Twilio's `MessageStatus`). Reports
    arrive out of order, so a status only moves forward: a late "sent" after
    "delivered" changes nothing. An unknown `provider_id` changes nothing
    either (a message of another installation, or one whose send is not
    committed yet: its report comes a few milliseconds too early). A failure
    with error 21610 marks the resident unreachable, as a refused send does.
    """
    outbox_status = _DELIVERY_STATUSES.get(status.lower())
    if outbox_status is None:
        return False
    error = None
    if error_code is not None:
        error = f"provider error {error_code}"
    elif status.lower() == "canceled":
        error = "canceled by the provider"
    values: dict[str, Any] = {"delivered_at": now} if outbox_status == "delivered" else {}
    resident_id = await _advance(
        session, outbox_status, OutboundMessage.provider_id == provider_id, error, values
    )
    if resident_id is None:
        return False
    if outbox_status in ("failed", "undelivered") and error_code in _UNREACHABLE_ERROR_CODES:
        await mark_unreachable(session, resident_id)
    return True


async def advance_outbound_status(
    session: AsyncSession,
    status: str,
    *,
    message_id: int | None = None,
    provider_id: str | None = None,
    error: str | None = None,
) -> bool:
    """Move a message (by id or provider id) to `status`, only if that is forward.

    Returns False when the message is unknown or already further along, e.g. a
    "sent" callback that arrives after "delivered".
    """
    if (message_id is None) == (provider_id is None):
        raise ValueError("give exactly one of message_id and provider_id")
    which = (
        OutboundMessage.id == message_id
        if message_id is not None
        else OutboundMessage.provider_id == provider_id
    )
    return await _advance(session, status, which, error, {}) is not None


async def _advance(
    session: AsyncSession, status: str, which: Any, error: str | None, values: dict[str, Any]
) -> int | None:
    """Move the matching message forward to `status`; its resident, or None if it did not move."""
    rank = OUTBOUND_STATUS_RANK[status]
    current_rank = case(OUTBOUND_STATUS_RANK, value=OutboundMessage.status, else_=-1)
    values = {**values, "status": status}
    if error is not None:
        values["error"] = error
    moved = await session.execute(
        update(OutboundMessage)
        .where(which, current_rank < rank)
        .values(**values)
        .returning(OutboundMessage.resident_id)
        .execution_options(synchronize_session=False)
    )
    resident_id: int | None = moved.scalars().first()
    return resident_id
