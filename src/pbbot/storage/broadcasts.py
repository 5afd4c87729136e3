"""The broadcasts' queries: the `broadcasts` rows, their copies in the outbox, staff's record.

Like `pbbot.storage.repositories`, every function takes the caller's session
and never commits, and times (`now`) come from the caller's clock. What the
statuses mean, and when they change, is `pbbot.broadcasts.control` (staff) and
`pbbot.broadcasts.fanout` (the worker).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.repositories import insert_new
from pbbot.storage.tables import Broadcast, OutboundMessage, Resident

__all__ = [
    "FANNING_OUT",
    "UNFINISHED",
    "copy_counts",
    "find_broadcast",
    "finish_sent",
    "insert_broadcast",
    "insert_copies",
    "list_broadcasts",
    "lock_broadcast",
    "lock_next_to_fan_out",
    "move_copies",
]

# The copies a broadcast still has to send; it is done once it has none.
UNFINISHED: tuple[str, ...] = ("queued", "sending", "held")
# The statuses of a broadcast whose recipients are still being listed.
FANNING_OUT: tuple[str, ...] = ("scheduled", "fanning")

_OUTBOUND = cast(Table, OutboundMessage.__table__)
_BROADCASTS = cast(Table, Broadcast.__table__)


async def insert_broadcast(session: AsyncSession, values: dict[str, Any]) -> tuple[int, bool]:
    """Store a broadcast: its id, and whether it is new.

    With a `key` already stored, nothing new: that broadcast's id. ON CONFLICT
    on the key, so two workers creating the same reminder at once both get
    the one broadcast.
    """
    key = values.get("key")
    if key is not None:
        assert session.bind is not None
        statement = insert_new(
            session.bind.dialect.name, _BROADCASTS, ("key",), (_BROADCASTS.c.id,)
        )
        inserted = await session.scalar(statement, values)
        if inserted is not None:
            return int(inserted), True
        found = await session.scalar(select(Broadcast.id).where(Broadcast.key == key))
        assert found is not None
        return int(found), False
    broadcast = Broadcast(**values)
    session.add(broadcast)
    await session.flush()
    return broadcast.id, True


async def find_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def lock_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    """The broadcast, locked until the transaction ends (PostgreSQL; SQLite has one writer).

    Staff's changes lock it before they move its copies, so that a fan-out
    chunk, which holds the lock while it inserts copies, is either wholly
    before the change (its copies are moved) or wholly after (it sees the new
    status).
    """
    return await session.scalar(
        select(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def lock_next_to_fan_out(
    session: AsyncSession, edition: str, *, now: datetime
) -> Broadcast | None:
    """The edition's broadcast due soonest whose recipients are not all listed, locked.

    A paused one counts too (its copies are held). SKIP LOCKED: a second
    worker on PostgreSQL takes the next broadcast, or none, rather than wait
    for the chunk the first is writing.
    """
    pending = or_(
        Broadcast.status.in_(FANNING_OUT),
        and_(Broadcast.status == "paused", Broadcast.paused_before.in_(FANNING_OUT)),
    )
    return await session.scalar(
        select(Broadcast)
        .where(Broadcast.edition == edition, Broadcast.send_at <= now, pending)
        .order_by(Broadcast.send_at, Broadcast.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


async def insert_copies(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Queue broadcast copies (outbox rows with a `broadcast_id`); how many were new.

    A resident who has a copy of the broadcast already is skipped by the
    unique key (broadcast_id, resident_id), whoever inserted it and when.
    """
    if not rows:
        return 0
    assert session.bind is not None
    statement = insert_new(
        session.bind.dialect.name, _OUTBOUND, ("broadcast_id", "resident_id"), (_OUTBOUND.c.id,)
    )
    return len((await session.execute(statement, list(rows))).all())


async def move_copies(
    session: AsyncSession,
    broadcast_id: int,
    *,
    before: Collection[str],
    after: str,
    error: str | None = None,
) -> int:
    """Give the broadcast's copies in a status of `before` the status `after`; how many."""
    values: dict[str, Any] = {"status": after}
    if error is not None:
        values["error"] = error
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.broadcast_id == broadcast_id, OutboundMessage.status.in_(before))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def finish_sent(session: AsyncSession, edition: str, *, now: datetime) -> int:
    """Mark done the edition's sending broadcasts that have no copy left to send; how many."""
    unfinished = exists().where(
        OutboundMessage.broadcast_id == Broadcast.id, OutboundMessage.status.in_(UNFINISHED)
    )
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.edition == edition, Broadcast.status == "sending", ~unfinished)
        .values(status="done", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def copy_counts(session: AsyncSession, broadcast_id: int) -> Counter[str]:
    """The broadcast's copies by status, with "blocked" apart from "failed": failed
    copies whose resident the channel refuses (blocked the bot, Twilio 21610)."""
    label = case(
        (and_(OutboundMessage.status == "failed", Resident.unreachable.is_(True)), "blocked"),
        else_=OutboundMessage.status,
    )
    rows = await session.execute(
        select(label, func.count())
        .select_from(OutboundMessage)
        .join(Resident, Resident.id == OutboundMessage.resident_id)
        .where(OutboundMessage.broadcast_id == broadcast_id)
        .group_by(label)
    )
    return Counter({str(name): int(count) for name, count in rows.all()})


async def list_broadcasts(
    session: AsyncSession, edition: str, *, limit: int = 20
) -> list[Broadcast]:
    """The edition's latest broadcasts, newest first."""
    found = await session.scalars(
        select(Broadcast)
        .where(Broadcast.edition == edition)
        .order_by(Broadcast.id.desc())
        .limit(limit)
    )
    return list(found)
