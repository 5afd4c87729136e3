"""A resident's data rights: see everything stored about them, and have it erased.

Inbound messages are found by channel and address (they are stored before the
resident exists); everything else hangs off the resident's id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Channel
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


async def delete_resident(session: AsyncSession, channel: Channel, address: str) -> bool:
    """Remove the resident, their conversation, messages and events; False if unknown."""
    resident_id = await session.scalar(
        select(Resident.id).where(Resident.channel == channel, Resident.address == address)
    )
    if resident_id is not None:
        for entity in (ConversationEvent, OutboundMessage, Question, Conversation):
            await session.execute(
                delete(entity)
                .where(entity.resident_id == resident_id)
                .execution_options(synchronize_session=False)
            )
        await session.execute(
            delete(Resident)
            .where(Resident.id == resident_id)
            .execution_options(synchronize_session=False)
        )
    deleted_inbound = await session.execute(
        delete(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.address == address)
        .execution_options(synchronize_session=False)
    )
    return resident_id is not None or bool(deleted_inbound.rowcount)  # type: ignore[attr-defined]


async def erase_history(
    session: AsyncSession, resident_id: int, channel: Channel, address: str, *, up_to: int
) -> None:
    """Forget what a resident said and was told, keeping only what reaches them.

    Events, messages and questions go. Stored inbound messages keep their key and lose
    their content: the key is what makes a redelivery harmless. The resident
    row (channel and address) stays while they use the channel: without it no
    reply could reach them; staff delete it with `pbbot residents delete`.
    """
    for entity in (ConversationEvent, OutboundMessage, Question):
        await session.execute(
            delete(entity)
            .where(entity.resident_id == resident_id)
            .execution_options(synchronize_session=False)
        )
    await _blank_inbound(session, channel, address, up_to=up_to)


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
