"""Small async functions over the tables, one group per aggregate.

Each takes the caller's `AsyncSession` and never commits: the caller owns the
transaction (see `pbbot.conversations`), so a message, the state it changed and
the replies it caused are stored together or not at all. Times (`now`) come from
the caller's clock. The outbox's queries live in `pbbot.storage.outbound` and
`pbbot.storage.delivery`; `enqueue_messages` and `advance_outbound_status` are
re-exported here.

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

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
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
    "edition_value",
    "enqueue_messages",
    "event_rows",
    "finish_inbound",
    "finish_inbound_many",
    "insert_new",
    "insert_new_rows",
    "insert_rows",
    "lock_conversation",
    "lock_conversations",
    "lock_pending_inbound_many",
    "pending_inbound_ids",
    "save_conversations",
    "set_edition_value",
    "set_unreachable",
    "store_inbound_many",
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


@cache
def _insert(table: Table) -> Any:
    return insert(table)


def _dialect_insert(dialect: str, table: Table) -> Any:
    """INSERT with ON CONFLICT support, in the given dialect."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@cache
def insert_new(
    dialect: str, table: Table, unique: tuple[str, ...], returning: tuple[Any, ...]
) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING [RETURNING], built once per dialect."""
    insert_ = _dialect_insert(dialect, table).on_conflict_do_nothing(index_elements=list(unique))
    return insert_.returning(*returning) if returning else insert_


async def insert_new_rows(
    session: AsyncSession, entity: type[Base], unique: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Insert the rows whose `unique` columns are not taken yet; the others are skipped."""
    if rows:
        await session.execute(insert_new(_dialect(session), _table(entity), unique, ()), rows)


# --- inbound messages ---------------------------------------------------------------


async def store_inbound_many(
    session: AsyncSession,
    items: Sequence[tuple[Inbound, str]],
    *,
    now: datetime,
    processed: bool = False,
    channel_prefix: str = "",
) -> list[int | None]:
    """Store messages under their keys; each one's id, or None where the key was
    stored before (also for a key repeated within `items`). `processed=True`
    is for a caller that processes them in the same transaction;
    `channel_prefix` files them apart (the simulator's "sim-").

    One statement whatever the number of messages (SQLAlchemy sends the rows
    as one multi-row INSERT ... RETURNING): a key stored before, by this or
    another process, is skipped by ON CONFLICT and so returns no id.
    """
    rows = [
        {
            "key": key,
            "channel": channel_prefix + inbound.channel,
            "address": inbound.address,
            "body": inbound_to_json(inbound),
            "received_at": inbound.received_at or now,
            "processed_at": now if processed else None,
        }
        for inbound, key in items
    ]
    statement = insert_new(_dialect(session), INBOUND, ("key",), (INBOUND.c.key, INBOUND.c.id))
    ids = {key: inbound_id for key, inbound_id in await session.execute(statement, rows)}
    # A key repeated within `items` gets its id the first time, None after.
    return [ids.pop(key, None) for _, key in items]


async def pending_inbound_ids(
    session: AsyncSession, *, limit: int, received_before: datetime | None = None
) -> list[int]:
    """Stored messages not processed yet (e.g. after a crash), oldest first.

    `received_before` leaves out the newest ones, which a live server is
    still processing itself; taking them would risk answering out of order.
    """
    statement = (
        select(InboundMessage.id)
        .where(InboundMessage.processed_at.is_(None))
        .order_by(InboundMessage.id)
        .limit(limit)
    )
    if received_before is not None:
        statement = statement.where(InboundMessage.received_at < received_before)
    return list((await session.scalars(statement)).all())


async def lock_pending_inbound_many(
    session: AsyncSession, inbound_ids: Sequence[int]
) -> list[tuple[int, Inbound]]:
    """The stored messages among `inbound_ids` not processed yet, locked, oldest first."""
    statement = (
        select(InboundMessage.id, InboundMessage.body)
        .where(InboundMessage.id.in_(inbound_ids), InboundMessage.processed_at.is_(None))
        .order_by(InboundMessage.id)
        .with_for_update()
    )
    rows = (await session.execute(statement)).all()
    return [(row.id, inbound_from_json(row.body)) for row in rows]


async def finish_inbound_many(
    session: AsyncSession, inbound_ids: Sequence[int], *, now: datetime
) -> None:
    """Mark messages processed without error, in one statement."""
    if inbound_ids:
        await session.execute(
            update(INBOUND).where(INBOUND.c.id.in_(inbound_ids)).values(processed_at=now)
        )


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
    erased: bool = False  # they erased everything; the row waits for the confirmation to leave


async def lock_conversation(
    session: AsyncSession, channel: Channel, address: str, *, now: datetime
) -> LockedConversation:
    """`lock_conversations` for one resident."""
    return (await lock_conversations(session, [(channel, address)], now=now))[(channel, address)]


async def lock_conversations(
    session: AsyncSession, residents: Sequence[tuple[Channel, str]], *, now: datetime
) -> dict[tuple[Channel, str], LockedConversation]:
    """Find or create residents and their conversations, and lock them.

    On PostgreSQL the conversation rows stay locked (`FOR UPDATE`, taken in
    resident order so that two processes cannot deadlock) until commit, so a
    message from the same resident in another process waits: no lost update.
    On SQLite the engine's single connection runs transactions one by one.
    Creating uses ON CONFLICT DO NOTHING, so two first messages do not collide.
    """
    wanted = sorted(set(residents))
    found = await _select_locked(session, wanted)
    missing = [resident for resident in wanted if resident not in found]
    if missing:
        found.update(await _create(session, missing, now=now))
    assert len(found) == len(wanted), "the residents and conversations were just created"
    return found


async def _create(
    session: AsyncSession, residents: Sequence[tuple[Channel, str]], *, now: datetime
) -> dict[tuple[Channel, str], LockedConversation]:
    """New residents with empty conversations (locked: this transaction inserted them)."""
    statement = insert_new(
        _dialect(session),
        RESIDENTS,
        ("channel", "address"),
        (RESIDENTS.c.id, RESIDENTS.c.channel, RESIDENTS.c.address),
    )
    created = await session.execute(
        statement,
        [
            {"channel": channel, "address": address, "created_at": now}
            for channel, address in residents
        ],
    )
    ids = {(row.channel, row.address): row.id for row in created}
    empty = ConversationState()
    if ids:
        await session.execute(
            _insert(CONVERSATIONS),
            [
                {
                    "resident_id": resident_id,
                    "state": empty.to_json(),
                    "updated_at": now,
                    "version": 0,
                }
                for resident_id in ids.values()
            ],
        )
    found = {
        resident: LockedConversation(
            resident_id=resident_id,
            locale=None,
            subscribed=True,
            unreachable=False,
            start_param=None,
            state=empty,
            version=0,
        )
        for resident, resident_id in ids.items()
    }
    others = [resident for resident in residents if resident not in ids]
    if others:  # created meanwhile by another process: wait for its lock, then read
        found.update(await _select_locked(session, others))
    return found


_SELECT_LOCKED = (
    select(
        RESIDENTS.c.id,
        RESIDENTS.c.channel,
        RESIDENTS.c.address,
        RESIDENTS.c.locale,
        RESIDENTS.c.subscribed,
        RESIDENTS.c.unreachable,
        RESIDENTS.c.start_param,
        RESIDENTS.c.erased_at,
        CONVERSATIONS.c.state,
        CONVERSATIONS.c.version,
    )
    .select_from(RESIDENTS.join(CONVERSATIONS))
    .where(
        tuple_(RESIDENTS.c.channel, RESIDENTS.c.address).in_(bindparam("residents", expanding=True))
    )
    .order_by(RESIDENTS.c.id)
    .with_for_update(of=CONVERSATIONS)
)


async def _select_locked(
    session: AsyncSession, residents: Sequence[tuple[Channel, str]]
) -> dict[tuple[Channel, str], LockedConversation]:
    rows = await session.execute(_SELECT_LOCKED, {"residents": list(residents)})
    return {
        (row.channel, row.address): LockedConversation(
            resident_id=row.id,
            locale=row.locale,
            subscribed=row.subscribed,
            unreachable=row.unreachable,
            start_param=row.start_param,
            state=ConversationState.from_json(row.state),
            version=row.version,
            erased=row.erased_at is not None,
        )
        for row in rows
    }


_SAVE_CONVERSATION = update(CONVERSATIONS).where(
    CONVERSATIONS.c.resident_id == bindparam("where_resident_id"),
    CONVERSATIONS.c.version == bindparam("where_version"),
)


async def save_conversations(
    session: AsyncSession,
    saves: Sequence[tuple[LockedConversation, ConversationState]],
    *,
    now: datetime,
) -> None:
    """Store new states; raises `ConversationChanged` if a version moved meanwhile."""
    if not saves:
        return
    result = await session.execute(
        _SAVE_CONVERSATION,
        [
            {
                "where_resident_id": locked.resident_id,
                "where_version": locked.version,
                "state": state.to_json(),
                "version": locked.version + 1,
                "updated_at": now,
            }
            for locked, state in saves
        ],
    )
    assert session.bind is not None
    if session.bind.dialect.supports_sane_multi_rowcount and result.rowcount != len(saves):  # type: ignore[attr-defined]
        raise ConversationChanged("a conversation changed while it was locked")


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


def event_rows(resident_id: int, events: Sequence[Event], *, now: datetime) -> list[dict[str, Any]]:
    """The `conversation_events` rows for a step's events (see `codec.event_record`)."""
    return [
        {"resident_id": resident_id, "type": record[0], "data": record[1], "created_at": now}
        for record in map(event_record, events)
        if record is not None
    ]


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany INSERT; nothing when there are no rows."""
    if rows:
        await session.execute(_insert(table), rows)


# --- edition state -------------------------------------------------------------------


async def edition_value(session: AsyncSession, edition: str, key: str, default: Any = None) -> Any:
    value = await session.scalar(
        select(EditionState.value).where(EditionState.edition == edition, EditionState.key == key)
    )
    return default if value is None else value


async def set_edition_value(
    session: AsyncSession, edition: str, key: str, value: Any, *, now: datetime
) -> None:
    statement = _dialect_insert(_dialect(session), _table(EditionState)).values(
        edition=edition, key=key, value=value, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["edition", "key"],
            set_={"value": statement.excluded.value, "updated_at": now},
        )
    )
