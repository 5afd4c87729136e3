"""Small async functions over the tables, one group per aggregate.

Each takes the caller's `AsyncSession` and never commits: the caller owns the
transaction (see `pbbot.conversations`), so a message, the state it changed and
the replies it caused are stored together or not at all. Times (`now`) come from
the caller's clock. The outbox's queries live in `pbbot.storage.outbound` and
`pbbot.storage.delivery`; `enqueue_messages` and `advance_outbound_status` are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Channel, Inbound
from pbbot.engine.events import Event
from pbbot.engine.state import ConversationState
from pbbot.errors import PbbotError
from pbbot.storage.codec import event_record, inbound_from_json, inbound_to_json
from pbbot.storage.delivery import advance_outbound_status
from pbbot.storage.outbound import enqueue_messages
from pbbot.storage.tables import (
    Base,
    Conversation,
    ConversationEvent,
    EditionState,
    InboundMessage,
    OutboundMessage,
    Resident,
)

__all__ = [
    "ConversationChanged",
    "LockedConversation",
    "advance_outbound_status",
    "delete_resident",
    "edition_value",
    "enqueue_messages",
    "export_resident",
    "finish_inbound",
    "lock_conversation",
    "lock_pending_inbound",
    "pending_inbound_ids",
    "record_events",
    "save_conversation",
    "set_edition_value",
    "set_unreachable",
    "store_inbound",
    "update_resident",
]


class ConversationChanged(PbbotError):
    """A conversation was saved by someone else since it was read (version mismatch).

    Cannot happen while the conversation is locked as `lock_conversation` does;
    raised so that a bug there shows up instead of losing an answer.
    """


def _upsert(session: AsyncSession, entity: type[Base]) -> Any:
    """INSERT with ON CONFLICT support, in the dialect of the session's database."""
    assert session.bind is not None
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)


# --- inbound messages ---------------------------------------------------------------


async def store_inbound(
    session: AsyncSession, inbound: Inbound, *, key: str, now: datetime
) -> int | None:
    """Store `inbound` under `key`; its id, or None if that key was stored before."""
    statement = (
        _upsert(session, InboundMessage)
        .values(
            key=key,
            channel=inbound.channel,
            address=inbound.address,
            body=inbound_to_json(inbound),
            received_at=inbound.received_at or now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(InboundMessage.id)
    )
    inbound_id: int | None = (await session.execute(statement)).scalar_one_or_none()
    return inbound_id


async def pending_inbound_ids(session: AsyncSession, *, limit: int) -> list[int]:
    """Stored messages not processed yet (e.g. after a crash), oldest first."""
    statement = (
        select(InboundMessage.id)
        .where(InboundMessage.processed_at.is_(None))
        .order_by(InboundMessage.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def lock_pending_inbound(session: AsyncSession, inbound_id: int) -> Inbound | None:
    """The stored message, locked for processing; None if it is already processed."""
    statement = (
        select(InboundMessage.body)
        .where(InboundMessage.id == inbound_id, InboundMessage.processed_at.is_(None))
        .with_for_update()
    )
    body = (await session.execute(statement)).scalar_one_or_none()
    return None if body is None else inbound_from_json(body)


async def finish_inbound(
    session: AsyncSession, inbound_id: int, *, now: datetime, error: str | None = None
) -> None:
    """Mark a message processed (`error`: it failed, and will not be retried)."""
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id)
        .values(processed_at=now, error=error)
        .execution_options(synchronize_session=False)
    )


# --- residents and conversations -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockedConversation:
    """A resident and their conversation, locked until the transaction ends."""

    resident_id: int
    locale: str | None
    subscribed: bool
    start_param: str | None
    state: ConversationState
    version: int


async def lock_conversation(
    session: AsyncSession, channel: Channel, address: str, *, now: datetime
) -> LockedConversation:
    """Find or create the resident and their conversation, and lock it.

    On PostgreSQL the conversation row stays locked (`FOR UPDATE`) until commit,
    so a second message from the same resident waits here: no lost update. On
    SQLite the engine's single connection already runs transactions one by one.
    Creating uses ON CONFLICT DO NOTHING, so two first messages do not collide.
    """
    found = await _select_locked(session, channel, address)
    if found is not None:
        return found
    await session.execute(
        _upsert(session, Resident)
        .values(channel=channel, address=address, created_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "address"])
    )
    resident_id = await session.scalar(
        select(Resident.id).where(Resident.channel == channel, Resident.address == address)
    )
    await session.execute(
        _upsert(session, Conversation)
        .values(
            resident_id=resident_id,
            state=ConversationState().to_json(),
            updated_at=now,
            version=0,
        )
        .on_conflict_do_nothing(index_elements=["resident_id"])
    )
    found = await _select_locked(session, channel, address)
    assert found is not None, "the resident and conversation were just created"
    return found


async def _select_locked(
    session: AsyncSession, channel: Channel, address: str
) -> LockedConversation | None:
    statement = (
        select(
            Resident.id,
            Resident.locale,
            Resident.subscribed,
            Resident.start_param,
            Conversation.state,
            Conversation.version,
        )
        .join(Conversation, Conversation.resident_id == Resident.id)
        .where(Resident.channel == channel, Resident.address == address)
        .with_for_update(of=Conversation)
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        return None
    return LockedConversation(
        resident_id=row.id,
        locale=row.locale,
        subscribed=row.subscribed,
        start_param=row.start_param,
        state=ConversationState.from_json(row.state),
        version=row.version,
    )


async def save_conversation(
    session: AsyncSession, locked: LockedConversation, state: ConversationState, *, now: datetime
) -> None:
    """Store the new state; raises `ConversationChanged` if the version moved meanwhile."""
    result = await session.execute(
        update(Conversation)
        .where(
            Conversation.resident_id == locked.resident_id,
            Conversation.version == locked.version,
        )
        .values(state=state.to_json(), version=locked.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConversationChanged(f"conversation of resident {locked.resident_id} changed")


async def update_resident(session: AsyncSession, resident_id: int, **values: Any) -> None:
    """Change a resident's columns (locale, subscribed, start_param, ...)."""
    await session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def set_unreachable(
    session: AsyncSession, channel: Channel, address: str, *, unreachable: bool = True
) -> None:
    """Record that the channel refuses (or accepts again) messages to this resident."""
    await session.execute(
        update(Resident)
        .where(Resident.channel == channel, Resident.address == address)
        .values(unreachable=unreachable)
        .execution_options(synchronize_session=False)
    )


async def record_events(
    session: AsyncSession, resident_id: int, events: Sequence[Event], *, now: datetime
) -> None:
    rows = [
        {"resident_id": resident_id, "type": record[0], "data": record[1], "created_at": now}
        for record in map(event_record, events)
        if record is not None
    ]
    if rows:
        await session.execute(ConversationEvent.__table__.insert(), rows)


# --- edition state -------------------------------------------------------------------


async def edition_value(session: AsyncSession, edition: str, key: str, default: Any = None) -> Any:
    value = await session.scalar(
        select(EditionState.value).where(EditionState.edition == edition, EditionState.key == key)
    )
    return default if value is None else value


async def set_edition_value(
    session: AsyncSession, edition: str, key: str, value: Any, *, now: datetime
) -> None:
    statement = _upsert(session, EditionState).values(
        edition=edition, key=key, value=value, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["edition", "key"],
            set_={"value": statement.excluded.value, "updated_at": now},
        )
    )


# --- a resident's data rights --------------------------------------------------------


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
        for entity in (ConversationEvent, OutboundMessage, Conversation):
            await session.execute(
                delete(entity)
                .where(entity.resident_id == resident_id)  # type: ignore[attr-defined]
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
