"""A resident's data rights: see everything stored about them, and have it erased.

Inbound messages are found by channel and address (they are stored before the
resident exists); everything else hangs off the resident's id. Erasing keeps
only the hashed keys of their messages (`pbbot.storage.erasure`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Channel
from pbbot.storage import erasure
from pbbot.storage.tables import (
    Base,
    Conversation,
    ConversationEvent,
    InboundMessage,
    OutboundMessage,
    Question,
    Resident,
)

__all__ = ["delete_resident", "erase_history", "export_resident", "forget_content"]


async def export_resident(
    session: AsyncSession, channel: Channel, address: str
) -> dict[str, Any] | None:
    """Everything stored about one resident, as JSON-ready data; None if unknown."""
    resident = await session.scalar(
        select(Resident).where(Resident.channel == channel, Resident.address == address)
    )
    if resident is None:
        return None
    conversation = await session.get(Conversation, resident.id)
    inbound = await session.scalars(
        select(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.address == address)
        .order_by(InboundMessage.id)
    )
    outbound = await session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.resident_id == resident.id)
        .order_by(OutboundMessage.id)
    )
    questions = await session.scalars(
        select(Question).where(Question.resident_id == resident.id).order_by(Question.id)
    )
    events = await session.scalars(
        select(ConversationEvent)
        .where(ConversationEvent.resident_id == resident.id)
        .order_by(ConversationEvent.id)
    )
    return {
        "resident": _as_json(resident),
        "conversation": _as_json(conversation) if conversation else None,
        "inbound_messages": [_as_json(row) for row in inbound],
        "outbound_messages": [_as_json(row) for row in outbound],
        "questions": [_as_json(row) for row in questions],
        "events": [_as_json(row) for row in events],
    }


def _as_json(row: Base) -> dict[str, Any]:
    data = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        data[column.key] = value
    return data


async def delete_resident(
    session: AsyncSession, channel: Channel, address: str, *, key: bytes, now: datetime
) -> bool:
    """Remove the resident with everything that hangs off them; False if unknown.

    Their messages' keys stay, hashed under `key` (`pbbot.storage.erasure`): a
    redelivery, or a replayed webhook, must not bring a deleted message back.
    """
    had_inbound = await session.scalar(
        select(InboundMessage.id)
        .where(InboundMessage.channel == channel, InboundMessage.address == address)
        .limit(1)
    )
    await erasure.forget_inbound(session, key, channel, address, now=now)
    # The conversation, messages, questions and events go with it (ON DELETE CASCADE).
    deleted = await session.execute(
        delete(Resident)
        .where(Resident.channel == channel, Resident.address == address)
        .execution_options(synchronize_session=False)
    )
    return bool(deleted.rowcount) or had_inbound is not None  # type: ignore[attr-defined]


async def erase_history(
    session: AsyncSession,
    resident_id: int,
    channel: Channel,
    address: str,
    *,
    up_to: int,
    key: bytes,
    now: datetime,
) -> None:
    """A resident erased everything in the chat: all goes but what must reach them.

    Events, questions, messages and their stored messages go (the keys stay,
    hashed). The resident row (the caller marks it `erased_at`) stays only
    until the confirmation has left, since that needs their address: the
    outbox then deletes it (`outbound.purge_erased`), unless they write again
    first. Replies being sent at this moment cannot be called back; they
    settle, then go too.
    """
    for entity in (ConversationEvent, Question):
        await session.execute(
            delete(entity)
            .where(entity.resident_id == resident_id)
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        delete(OutboundMessage)
        .where(OutboundMessage.resident_id == resident_id, OutboundMessage.status != "sending")
        .execution_options(synchronize_session=False)
    )
    await erasure.forget_inbound(session, key, channel, address, now=now, up_to=up_to)


async def forget_content(
    session: AsyncSession, resident_id: int, channel: Channel, address: str, *, up_to: int
) -> None:
    """Blank what a resident wrote up to the message just processed, and what the
    bot answered that has left (it may quote them: "District: Nekkerspoel"), for a
    resident who declined to have it kept or deleted their answers. The keys
    stay (a redelivery must still be recognized); replies still queued still
    have to go."""
    await _blank_inbound(session, channel, address, up_to=up_to)
    await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.resident_id == resident_id,
            OutboundMessage.status.not_in(("queued", "sending")),
        )
        .values(text="", choices=[])
        .execution_options(synchronize_session=False)
    )


async def _blank_inbound(
    session: AsyncSession, channel: Channel, address: str, *, up_to: int
) -> None:
    """The content of a resident's stored messages goes, their keys stay. Only up
    to the message that asked for it: later ones still wait to be processed."""
    await session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.channel == channel,
            InboundMessage.address == address,
            InboundMessage.id <= up_to,
        )
        .values(body={})
        .execution_options(synchronize_session=False)
    )
