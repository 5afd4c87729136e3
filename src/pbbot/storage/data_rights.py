"""A resident's data rights: see everything stored about them, and have it erased.

Inbound messages are found by channel and address (they are stored before the
resident exists); everything else hangs off the resident's id. Erasing keeps
only the hashed keys of their messages (`pbbot.storage.erasure`).

Feature packages keep personal data in tables of their own (ideas, later
ballots): each registers a `PersonalData` part with `personal_data(...)`, and
export and both kinds of erasure go through every registered part, so the
feature decides what of its data goes with the resident, and storage never
imports a feature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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

__all__ = [
    "PERSONAL_DATA",
    "PersonalData",
    "as_json",
    "delete_resident",
    "erase_history",
    "export_resident",
    "forget_content",
    "personal_data",
]


@dataclass(frozen=True, slots=True)
class PersonalData:
    """A feature's part of a resident's data: what `export` shows of it (JSON-ready)
    and what `erase` does to it, both given the session and the resident's id."""

    export: Callable[[AsyncSession, int], Awaitable[Any]]
    erase: Callable[[AsyncSession, int], Awaitable[None]]


# Part name (the key in the export) -> the part.
PERSONAL_DATA: dict[str, PersonalData] = {}


def personal_data(
    name: str,
    *,
    export: Callable[[AsyncSession, int], Awaitable[Any]],
    erase: Callable[[AsyncSession, int], Awaitable[None]],
) -> None:
    """Register a feature's part of residents' data (once per name)."""
    if name in PERSONAL_DATA:
        raise ValueError(f"personal data part {name!r} is registered twice")
    PERSONAL_DATA[name] = PersonalData(export=export, erase=erase)


async def _erase_parts(session: AsyncSession, resident_id: int) -> None:
    for part in PERSONAL_DATA.values():
        await part.erase(session, resident_id)


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
    data = {
        "resident": as_json(resident),
        "conversation": as_json(conversation) if conversation else None,
        "inbound_messages": [as_json(row) for row in inbound],
        "outbound_messages": [as_json(row) for row in outbound],
        "questions": [as_json(row) for row in questions],
        "events": [as_json(row) for row in events],
    }
    for name, part in PERSONAL_DATA.items():
        data[name] = await part.export(session, resident.id)
    return data


def as_json(row: Base) -> dict[str, Any]:
    """A row's columns as JSON-ready values (for the parts' exports too)."""
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
    resident_id = await session.scalar(
        select(Resident.id).where(Resident.channel == channel, Resident.address == address)
    )
    if resident_id is not None:
        # Lock as the conversation service does, conversation first: a message of
        # theirs being processed finishes first, and neither side deadlocks.
        await session.execute(
            select(Conversation.resident_id)
            .where(Conversation.resident_id == resident_id)
            .with_for_update()
        )
    had_inbound = await session.scalar(
        select(InboundMessage.id)
        .where(InboundMessage.channel == channel, InboundMessage.address == address)
        .limit(1)
    )
    await erasure.forget_inbound(session, key, channel, address, now=now)
    if resident_id is not None:
        await _erase_parts(session, resident_id)
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
    settle, then go too. Each feature's part is erased now, not with the row.
    """
    await _erase_parts(session, resident_id)
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
