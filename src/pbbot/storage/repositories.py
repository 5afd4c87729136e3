"""Small async functions over the tables, one group per aggregate.

Each takes the caller's `AsyncSession` and never commits: the caller owns the
transaction (see `pbbot.conversations`), so a message, the state it changed and
the replies it caused are stored together or not at all. Times (`now`) come from
the caller's clock.

The statements that run for every message are Core statements built once, with
bind parameters: building and caching a statement costs more than running it on
SQLite, and these run a thousand times a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Channel, Inbound, Outbound
from pbbot.engine.events import Event
from pbbot.engine.state import ConversationState
from pbbot.errors import PbbotError
from pbbot.storage.codec import choices_to_json, event_record, inbound_from_json, inbound_to_json
from pbbot.storage.tables import (
    OUTBOUND_STATUS_RANK,
    PRIORITY_REPLY,
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
    "edition_value",
    "enqueue_messages",
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


def _table(entity: type[Base]) -> Table:
    return cast(Table, entity.__table__)


RESIDENTS = _table(Resident)
CONVERSATIONS = _table(Conversation)
INBOUND = _table(InboundMessage)
OUTBOUND = _table(OutboundMessage)
EVENTS = _table(ConversationEvent)


def _dialect(session: AsyncSession) -> str:
    assert session.bind is not None
    return session.bind.dialect.name


def _upsert(session: AsyncSession, entity: type[Base] | Table) -> Any:
    """INSERT with ON CONFLICT support, in the dialect of the session's database."""
    if _dialect(session) == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)


# --- inbound messages ---------------------------------------------------------------


@cache
def _store_inbound_statement(dialect: str) -> Any:
    insert_ = postgresql.insert(INBOUND) if dialect == "postgresql" else sqlite.insert(INBOUND)
    return insert_.on_conflict_do_nothing(index_elements=["key"]).returning(INBOUND.c.id)


async def store_inbound(
    session: AsyncSession,
    inbound: Inbound,
    *,
    key: str,
    now: datetime,
    processed: bool = False,
) -> int | None:
    """Store `inbound` under `key`; its id, or None if that key was stored before.

    `processed=True` stores it as processed already, for a caller that processes
    it in the same transaction (saves an UPDATE per message).
    """
    result = await session.execute(
        _store_inbound_statement(_dialect(session)),
        {
            "key": key,
            "channel": inbound.channel,
            "address": inbound.address,
            "body": inbound_to_json(inbound),
            "received_at": inbound.received_at or now,
            "processed_at": now if processed else None,
        },
    )
    inbound_id: int | None = result.scalar_one_or_none()
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


_FINISH_INBOUND = update(INBOUND).where(INBOUND.c.id == bindparam("where_id"))


async def finish_inbound(
    session: AsyncSession, inbound_id: int, *, now: datetime, error: str | None = None
) -> None:
    """Mark a message processed (`error`: it failed, and will not be retried)."""
    await session.execute(
        _FINISH_INBOUND, {"where_id": inbound_id, "processed_at": now, "error": error}
    )


# --- residents and conversations -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockedConversation:
    """A resident and their conversation, locked until the transaction ends."""

    resident_id: int
    locale: str | None
    subscribed: bool
    unreachable: bool
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


_SELECT_LOCKED = (
    select(
        RESIDENTS.c.id,
        RESIDENTS.c.locale,
        RESIDENTS.c.subscribed,
        RESIDENTS.c.unreachable,
        RESIDENTS.c.start_param,
        CONVERSATIONS.c.state,
        CONVERSATIONS.c.version,
    )
    .select_from(RESIDENTS.join(CONVERSATIONS))
    .where(RESIDENTS.c.channel == bindparam("channel"), RESIDENTS.c.address == bindparam("address"))
    .with_for_update(of=CONVERSATIONS)
)


async def _select_locked(
    session: AsyncSession, channel: Channel, address: str
) -> LockedConversation | None:
    result = await session.execute(_SELECT_LOCKED, {"channel": channel, "address": address})
    row = result.one_or_none()
    if row is None:
        return None
    return LockedConversation(
        resident_id=row.id,
        locale=row.locale,
        subscribed=row.subscribed,
        unreachable=row.unreachable,
        start_param=row.start_param,
        state=ConversationState.from_json(row.state),
        version=row.version,
    )


_SAVE_CONVERSATION = update(CONVERSATIONS).where(
    CONVERSATIONS.c.resident_id == bindparam("where_resident_id"),
    CONVERSATIONS.c.version == bindparam("where_version"),
)


async def save_conversation(
    session: AsyncSession, locked: LockedConversation, state: ConversationState, *, now: datetime
) -> None:
    """Store the new state; raises `ConversationChanged` if the version moved meanwhile."""
    result = await session.execute(
        _SAVE_CONVERSATION,
        {
            "where_resident_id": locked.resident_id,
            "where_version": locked.version,
            "state": state.to_json(),
            "version": locked.version + 1,
            "updated_at": now,
        },
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
        await session.execute(insert(EVENTS), rows)


# --- outbound messages ---------------------------------------------------------------


async def enqueue_messages(
    session: AsyncSession,
    messages: Sequence[Outbound],
    *,
    resident_id: int,
    channel: Channel,
    address: str,
    now: datetime,
    priority: int = PRIORITY_REPLY,
    inbound_id: int | None = None,
) -> None:
    """Queue messages for the outbox, due now, in the order given."""
    rows = [
        {
            "resident_id": resident_id,
            "channel": channel,
            "address": address,
            "text": message.text,
            "choices": choices_to_json(message.choices),
            "locale": message.locale,
            "request": message.request,
            "image": message.image,
            "priority": priority,
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "inbound_id": inbound_id,
        }
        for message in messages
    ]
    if rows:
        await session.execute(insert(OUTBOUND), rows)


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
    rank = OUTBOUND_STATUS_RANK[status]
    current_rank = case(OUTBOUND_STATUS_RANK, value=OutboundMessage.status, else_=-1)
    which = (
        OutboundMessage.id == message_id
        if message_id is not None
        else OutboundMessage.provider_id == provider_id
    )
    values: dict[str, Any] = {"status": status}
    if error is not None:
        values["error"] = error
    result = await session.execute(
        update(OutboundMessage)
        .where(which, current_rank < rank)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
