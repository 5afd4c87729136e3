"""The outbox's queries: queue messages, claim the due ones, settle each attempt.

Like `pbbot.storage.repositories`, every function takes the caller's session
and never commits, and times (`now`) come from the caller's clock.

A message's life: `queued` -> `sending` (claimed by one sender) -> `sent` ->
`delivered` | `undelivered` | `failed` (the provider's report, see
`pbbot.storage.delivery`), or `queued` -> `failed` | `skipped` without being
sent. A retry puts it back to `queued` with a later `next_attempt_at`.

Three rules make the claim safe with several senders:

- **One sender per message.** On PostgreSQL the claim locks the rows it picks
  (`FOR UPDATE SKIP LOCKED`), so a second sender skips them instead of waiting
  or taking them too; on SQLite there is a single writer anyway.
- **One message in flight per resident, in order.** A message is claimed only
  when it is its resident's next one: no message of theirs is `sending`, and
  none is queued ahead of it. "Ahead" is (priority, id): a resident's replies
  go out in the order they were queued, their bulk messages likewise, and a
  reply may overtake a broadcast still waiting for them (a resident at the end
  of a long broadcast should not wait an hour for the answer to their
  question), never the reverse.
- **A short lease, kept alive, fenced.** A message is claimed only to be sent
  at once (the outbox claims no more than its rate limits let start now), so
  a `sending` message is a provider call in progress: `started_at` says when it
  began, `lease_owner` which outbox runs it, and `next_attempt_at` is the end
  of its lease, which that outbox renews while the call lasts. Each settle
  names the attempt it settles (`attempts`), so a sender whose lease was taken
  over cannot overwrite the new attempt's outcome.

A sender that stops without an outcome (killed, or cancelled at a clean stop
after its grace) leaves the call's fate unknown: the provider may have
accepted the message. Such a message is taken over by another outbox once
its lease has run out (at once when its own outbox releases it at a clean
stop), and marked `uncertain_since` the start of that call. Where the provider
keeps a list of what it accepted (Twilio), the next attempt looks there first
and records the message sent if it is found (`verifiable`); elsewhere
(Telegram) it is sent again, once: a message uncertain twice fails rather than
risk a third copy. So a crash doubles at most the calls in flight at that
moment, and only where the provider cannot be asked.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    all_,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from pbbot.domain.messages import Channel, Outbound
from pbbot.storage.codec import choices_from_json, choices_to_json
from pbbot.storage.tables import (
    PRIORITY_BULK,
    PRIORITY_REPLY,
    Broadcast,
    OutboundMessage,
    Resident,
)

__all__ = [
    "CANCELLED_ERROR",
    "Accepted",
    "Claim",
    "ClaimedMessage",
    "SentSettled",
    "claim_due",
    "enqueue_messages",
    "mark_unreachable",
    "next_due_at",
    "outbound_rows",
    "purge_erased",
    "recorded_provider_ids",
    "release_claims",
    "renew_leases",
    "settle_blocked",
    "settle_failed",
    "settle_retry",
    "settle_sent",
    "settle_sent_many",
    "skip_queued",
]

_UNSENT = ("queued", "sending")

_UNREACHABLE = "the resident cannot be reached on this channel"
_UNSUBSCRIBED = "skipped: the resident unsubscribed"
_STOPPED = "skipped: the resident sent STOP"
# A broadcast's copy not sent because staff cancelled the broadcast.
CANCELLED_ERROR = "cancelled by staff"


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message a sender took from the queue, with everything it needs to send it.

    `attempts` counts this attempt; the settle functions only apply while the
    message is still in this attempt. `uncertain_since`: an earlier attempt,
    begun then, ended without an outcome (it may have reached the resident).
    `edits`: the channel's id of the message to show this one in place of.
    """

    id: int
    resident_id: int
    channel: Channel
    address: str
    outbound: Outbound
    priority: int
    attempts: int
    uncertain_since: datetime | None = None
    edits: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """What one claim took: messages to send now, and how many it settled without sending.

    Messages to an unreachable resident fail, and bulk messages to a resident
    who unsubscribed are skipped, right at the claim. `more`: the claim reached
    its limit, so more messages may be due.
    """

    messages: list[ClaimedMessage]
    settled: int = 0
    more: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    """An attempt the provider accepted: its id for the message, the segments it cost."""

    message: ClaimedMessage
    provider_id: str
    segments: int


@dataclass(frozen=True, slots=True)
class SentSettled:
    """What `settle_sent_many` recorded: the ids whose attempt it settled, and those no
    longer stored (erasure deletes a message even while it is being sent). The rest
    were taken over by another sender after their lease ran out."""

    settled: set[int]
    gone: set[int]


# --- queueing ------------------------------------------------------------------------


def outbound_rows(
    messages: Sequence[Outbound],
    *,
    resident_id: int,
    channel: Channel,
    address: str,
    now: datetime,
    priority: int = PRIORITY_REPLY,
    inbound_id: int | None = None,
    edits: str | None = None,
) -> list[dict[str, Any]]:
    """The `outbound_messages` rows that queue `messages`, due now, in order.

    `edits`: the channel's id of the message whose button the resident tapped.
    The first message that `replaces` it is queued to be shown in its place;
    any other is sent as a new message (one message cannot show two).
    """
    first = next((i for i, message in enumerate(messages) if message.replaces), None)
    return [
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
            "edits_message_id": edits if index == first else None,
            "secret": message.secret,
        }
        for index, message in enumerate(messages)
    ]


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
    rows = outbound_rows(
        messages,
        resident_id=resident_id,
        channel=channel,
        address=address,
        now=now,
        priority=priority,
        inbound_id=inbound_id,
    )
    if rows:
        await session.execute(insert(OutboundMessage), rows)


# --- claiming ------------------------------------------------------------------------


async def claim_due(
    session: AsyncSession,
    channel: Channel,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    owner: str,
    max_attempts: int,
    verifiable: bool,
    busy: Collection[str] = (),
    keep: Collection[int] = (),
    take_over: bool = True,
) -> Claim:
    """Take up to `limit` due messages of `channel` for `owner` to send now, most urgent first.

    Most urgent is replies before bulk, then the longest due. Each message
    taken is its resident's next one (see the module's docstring), not to an
    address in `busy` (whose own rate limit is used up), moves to `sending`
    with one more attempt, and is leased to `owner` until `now + lease`. First,
    if `take_over`, messages whose lease ran out are taken over, except those
    in `keep`: the caller's own calls still under way (a renewal came late;
    the call lives).
    """
    settled = 0
    if take_over:
        settled = await _take_over(
            session,
            channel,
            OutboundMessage.next_attempt_at <= now,
            OutboundMessage.id.not_in(list(keep)),
            max_attempts=max_attempts,
            verifiable=verifiable,
        )
    not_busy = _not_among(OutboundMessage.address, busy, session.get_bind().dialect.name)
    rows = (
        await session.execute(_due_heads(channel, now=now, limit=limit, not_busy=not_busy))
    ).all()
    claimed: list[ClaimedMessage] = []
    for row in rows:
        if row.broadcast_status in ("paused", "cancelled"):
            # Back in the queue after its broadcast was paused or cancelled (a retry,
            # a take-over, a clean stop put it back): it goes no further than its
            # broadcast lets it.
            settled += await _stop_copy(session, row.id, row.broadcast_status)
        elif row.unreachable:
            settled += await _fail_unsent(session, row.resident_id, _UNREACHABLE)
        elif row.priority >= PRIORITY_BULK and not row.subscribed:
            settled += await _skip_bulk(session, row.resident_id)
        else:
            claimed.append(_claimed(row, channel))
    if claimed:
        await session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_([message.id for message in claimed]))
            .values(
                status="sending",
                attempts=OutboundMessage.attempts + 1,
                next_attempt_at=now + lease,
                lease_owner=owner,
                started_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    return Claim(claimed, settled, more=len(rows) == limit)


async def renew_leases(
    session: AsyncSession, *, owner: str, ids: Collection[int], until: datetime
) -> int:
    """Extend to `until` the leases `owner` holds on the messages `ids`; how many it still held."""
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id.in_(list(ids)),
            OutboundMessage.status == "sending",
            OutboundMessage.lease_owner == owner,
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def release_claims(
    session: AsyncSession,
    channel: Channel,
    *,
    owner: str,
    now: datetime,
    max_attempts: int,
    verifiable: bool,
) -> int:
    """Give back what `owner` is still sending on `channel` (it stops); how many failed.

    Their calls were cut off, so they are uncertain, and due at once: the
    next outbox need not wait for the lease.
    """
    return await _take_over(
        session,
        channel,
        OutboundMessage.lease_owner == owner,
        max_attempts=max_attempts,
        verifiable=verifiable,
        due=now,
    )


def _not_among(column: Any, values: Collection[str], dialect: str) -> Any:
    """`column NOT IN values`, as one parameter however many the values.

    A broadcast leaves a thousand addresses busy (their own limit, a second):
    bound one by one, a thousand parameters cost more than the rest of the
    claim (about 10 ms a claim, in SQLAlchemy and the driver); as one array
    (PostgreSQL) or one JSON text (SQLite), next to nothing.
    """
    if dialect == "postgresql":
        return column != all_(bindparam("busy", list(values), type_=ARRAY(String)))
    listed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam("busy", json.dumps(list(values))))
    )
    return column.not_in(listed.scalar_subquery())


def _due_heads(channel: Channel, *, now: datetime, limit: int, not_busy: Any) -> Any:
    """Due queued messages of `channel` that are their resident's next, `not_busy`
    (not to an address whose own limit is used up), locked on PostgreSQL.

    Served by the (status, channel, priority, next_attempt_at) index in its
    order; the "nothing ahead" test by the (resident_id, status) index.
    """
    other = aliased(OutboundMessage)
    ahead = select(other.id).where(
        other.resident_id == OutboundMessage.resident_id,
        other.status.in_(_UNSENT),
        other.id != OutboundMessage.id,
        or_(
            other.status == "sending",
            other.priority < OutboundMessage.priority,
            and_(other.priority == OutboundMessage.priority, other.id < OutboundMessage.id),
        ),
    )
    return (
        select(
            OutboundMessage.id,
            OutboundMessage.resident_id,
            OutboundMessage.address,
            OutboundMessage.text,
            OutboundMessage.choices,
            OutboundMessage.locale,
            OutboundMessage.request,
            OutboundMessage.image,
            OutboundMessage.priority,
            OutboundMessage.attempts,
            OutboundMessage.uncertain_since,
            OutboundMessage.edits_message_id,
            Resident.unreachable,
            Resident.subscribed,
            Broadcast.status.label("broadcast_status"),
        )
        .join(Resident, Resident.id == OutboundMessage.resident_id)
        .outerjoin(Broadcast, Broadcast.id == OutboundMessage.broadcast_id)
        .where(
            OutboundMessage.status == "queued",
            OutboundMessage.channel == channel,
            OutboundMessage.next_attempt_at <= now,
            not_busy,
            ~exists(ahead),
        )
        .order_by(OutboundMessage.priority, OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(limit)
        .with_for_update(of=OutboundMessage, skip_locked=True)
    )


async def _stop_copy(session: AsyncSession, message_id: int, broadcast_status: str) -> int:
    """Hold a paused broadcast's copy, skip a cancelled one's: 1, for the claim's count."""
    values = (
        {"status": "held"}
        if broadcast_status == "paused"
        else {"status": "skipped", "error": CANCELLED_ERROR}
    )
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return 1


def _claimed(row: Any, channel: Channel) -> ClaimedMessage:
    outbound = Outbound(
        text=row.text,
        locale=row.locale,
        choices=choices_from_json(row.choices),
        request=row.request,
        image=row.image,
    )
    return ClaimedMessage(
        id=row.id,
        resident_id=row.resident_id,
        channel=channel,
        address=row.address,
        outbound=outbound,
        priority=row.priority,
        attempts=row.attempts + 1,
        uncertain_since=row.uncertain_since,
        edits=row.edits_message_id,
    )


async def _take_over(
    session: AsyncSession,
    channel: Channel,
    *which: Any,
    max_attempts: int,
    verifiable: bool,
    due: datetime | None = None,
) -> int:
    """Put `sending` messages of `channel` matching `which` back in the queue, uncertain.

    Returns how many failed instead: one abandoned on its last attempt (its
    sender died every time: a message that crashes the process should not do
    so forever), and, unless `verifiable`, one already uncertain before (sent
    again once, it is not risked a third time). Either may have reached the
    resident. `due`: when the others may go again (default: as they are, their
    lease's end).
    """
    taken = (OutboundMessage.status == "sending", OutboundMessage.channel == channel, *which)
    gave_up = OutboundMessage.attempts >= max_attempts
    failed = await _fail_taken(
        session,
        (*taken, gave_up),
        f"no outcome after {max_attempts} attempts: the sender stopped each time",
    )
    if not verifiable:
        failed += await _fail_taken(
            session,
            (*taken, OutboundMessage.uncertain_since.is_not(None)),
            "not sent a third time: the sender stopped during the call twice",
        )
    values: dict[str, Any] = {
        "status": "queued",
        "uncertain_since": func.coalesce(
            OutboundMessage.uncertain_since, OutboundMessage.started_at
        ),
    }
    if due is not None:
        values["next_attempt_at"] = due
    await session.execute(
        update(OutboundMessage)
        .where(*taken)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return failed


async def _fail_taken(session: AsyncSession, where: tuple[Any, ...], error: str) -> int:
    result = await session.execute(
        update(OutboundMessage)
        .where(*where)
        .values(status="failed", error=error)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def next_due_at(
    session: AsyncSession, channels: Collection[Channel], *, after: datetime
) -> datetime | None:
    """When the next unsent message of `channels` falls due after `after` (None: none does).

    Includes the leases of messages being sent, which is when an abandoned one
    can be claimed again.
    """
    due: datetime | None = await session.scalar(
        select(func.min(OutboundMessage.next_attempt_at)).where(
            OutboundMessage.status.in_(_UNSENT),
            OutboundMessage.channel.in_(list(channels)),
            OutboundMessage.next_attempt_at > after,
        )
    )
    return due


async def recorded_provider_ids(session: AsyncSession, resident_id: int) -> set[str]:
    """The provider ids recorded for the resident's messages (they name what reached them)."""
    found = await session.scalars(
        select(OutboundMessage.provider_id).where(
            OutboundMessage.resident_id == resident_id,
            OutboundMessage.provider_id.is_not(None),
        )
    )
    return {str(provider_id) for provider_id in found}


# --- settling one attempt ------------------------------------------------------------


async def settle_sent(
    session: AsyncSession,
    message: ClaimedMessage,
    *,
    provider_id: str,
    segments: int,
    now: datetime,
) -> bool:
    """The provider accepted the message; False if this attempt was no longer the message's."""
    accepted = Accepted(message, provider_id, segments)
    return message.id in (await settle_sent_many(session, [accepted], now=now)).settled


_OUTBOUND = cast(Table, OutboundMessage.__table__)
# One row per accepted attempt, fenced like `_settle` (the rows are locked first).
_RECORD_SENT = (
    update(_OUTBOUND)
    .where(
        _OUTBOUND.c.id == bindparam("where_id"),
        _OUTBOUND.c.status == "sending",
        _OUTBOUND.c.attempts == bindparam("where_attempts"),
    )
    .values(status="sent", error=None)
)


async def settle_sent_many(
    session: AsyncSession, accepted: Sequence[Accepted], *, now: datetime
) -> SentSettled:
    """Record the attempts the provider accepted, in a few statements whatever their number.

    As `settle_sent` for each, fenced by attempt: the rows are read and locked
    first (in id order, so that two settles cannot deadlock), and only the
    attempts still current are recorded, in one executemany. Then, for those,
    what any final status brings: secret texts blanked, erased residents
    deleted once nothing is left to send them (statements only for those
    there are: a broadcast's copies have neither).
    """
    if not accepted:
        return SentSettled(set(), set())
    rows = (
        await session.execute(
            select(
                OutboundMessage.id,
                OutboundMessage.status,
                OutboundMessage.attempts,
                OutboundMessage.secret,
                Resident.erased_at,
            )
            .join(Resident, Resident.id == OutboundMessage.resident_id)
            .where(OutboundMessage.id.in_([one.message.id for one in accepted]))
            .order_by(OutboundMessage.id)
            .with_for_update(of=OutboundMessage)
        )
    ).all()
    found = {row.id: row for row in rows}
    current = [
        one
        for one in accepted
        if (row := found.get(one.message.id)) is not None
        and row.status == "sending"
        and row.attempts == one.message.attempts
    ]
    if current:
        await session.execute(
            _RECORD_SENT,
            [
                {
                    "where_id": one.message.id,
                    "where_attempts": one.message.attempts,
                    "provider_id": one.provider_id,
                    "segments": one.segments,
                    "sent_at": now,
                }
                for one in current
            ],
        )
        secret = [one.message.id for one in current if found[one.message.id].secret]
        if secret:
            await _blank_secret(session, OutboundMessage.id.in_(secret))
        # A resident erased after the read is purged by the settle of the confirmation
        # their erasure queued, which goes after this one (one message in flight each).
        erased = {one.message.resident_id for one in current if found[one.message.id].erased_at}
        if erased:
            await _purge_erased(session, erased)
    gone = {one.message.id for one in accepted} - set(found)
    return SentSettled({one.message.id for one in current}, gone)


async def settle_retry(
    session: AsyncSession,
    message: ClaimedMessage,
    *,
    at: datetime,
    error: str | None = None,
    counted: bool = True,
) -> bool:
    """Back to the queue until `at`, noting `error` if given.

    `counted=False` gives the attempt back: the message was not refused, only
    held (the provider's rate limit).
    """
    values: dict[str, Any] = {"status": "queued", "next_attempt_at": at}
    values["attempts"] = message.attempts if counted else message.attempts - 1
    if error is not None:
        values["error"] = error
    return await _settle(session, message, **values)


async def settle_failed(session: AsyncSession, message: ClaimedMessage, *, error: str) -> bool:
    """The message will not be sent again."""
    return await _settle(session, message, status="failed", error=error)


async def settle_blocked(session: AsyncSession, message: ClaimedMessage, *, error: str) -> bool:
    """The channel refuses this resident: the message fails, and so does all that waits for them.

    The resident is marked unreachable, so that nothing more is queued for
    them in vain (the conversation service clears it when they come back).
    """
    settled = await _settle(session, message, status="failed", error=error)
    if settled:
        await mark_unreachable(session, message.resident_id)
    return settled


async def _settle(session: AsyncSession, message: ClaimedMessage, **values: Any) -> bool:
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == message.id,
            OutboundMessage.status == "sending",
            OutboundMessage.attempts == message.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    settled = bool(result.rowcount)  # type: ignore[attr-defined]
    if settled and values["status"] != "queued":
        await _blank_secret(session, OutboundMessage.id == message.id)
        await purge_erased(session, message.resident_id)
    return settled


async def _blank_secret(session: AsyncSession, *where: Any) -> None:
    """A message that showed how someone votes keeps no text once it has left
    (or never will): its row stays for the delivery record."""
    await session.execute(
        update(OutboundMessage)
        .where(*where, OutboundMessage.secret.is_(True))
        .values(text="", choices=[], image=None)
        .execution_options(synchronize_session=False)
    )


async def purge_erased(session: AsyncSession, resident_id: int) -> bool:
    """Delete a resident who erased everything, once nothing is left to send them.

    Their confirmation ("Everything is deleted") needed their address until
    it left; with it goes the last of them (ON DELETE CASCADE).
    """
    return bool(await _purge_erased(session, [resident_id]))


async def _purge_erased(session: AsyncSession, resident_ids: Collection[int]) -> int:
    """`purge_erased` for several residents in one statement; how many it deleted."""
    unsent = exists().where(
        OutboundMessage.resident_id == Resident.id,
        OutboundMessage.status.in_(_UNSENT),
    )
    result = await session.execute(
        delete(Resident)
        .where(Resident.id.in_(list(resident_ids)), Resident.erased_at.is_not(None), ~unsent)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def mark_unreachable(session: AsyncSession, resident_id: int) -> None:
    """The channel refuses this resident: mark them, and fail what is queued for them."""
    await session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(unreachable=True)
        .execution_options(synchronize_session=False)
    )
    await _fail_unsent(session, resident_id, _UNREACHABLE)


async def skip_queued(session: AsyncSession, resident_id: int) -> int:
    """The resident sent STOP: skip every message still queued for them; how many.

    On Telegram no carrier drops them. A message already handed to the provider
    cannot be called back; the STOP confirmation is queued after this runs.
    """
    return await _settle_queued(session, resident_id, status="skipped", error=_STOPPED)


async def _fail_unsent(session: AsyncSession, resident_id: int, error: str) -> int:
    """Fail every message still queued for the resident; how many."""
    return await _settle_queued(session, resident_id, status="failed", error=error)


async def _skip_bulk(session: AsyncSession, resident_id: int) -> int:
    """Skip every bulk message still queued for a resident who unsubscribed; how many.

    Replies still go: the confirmation of their STOP must reach them.
    """
    return await _settle_queued(
        session, resident_id, status="skipped", error=_UNSUBSCRIBED, only_bulk=True
    )


async def _settle_queued(
    session: AsyncSession, resident_id: int, *, status: str, error: str, only_bulk: bool = False
) -> int:
    """Give the resident's queued messages (only bulk ones, if asked) a final status."""
    statement = update(OutboundMessage).where(
        OutboundMessage.resident_id == resident_id, OutboundMessage.status == "queued"
    )
    if only_bulk:
        statement = statement.where(OutboundMessage.priority >= PRIORITY_BULK)
    result = await session.execute(
        statement.values(status=status, error=error).execution_options(synchronize_session=False)
    )
    await _blank_secret(
        session, OutboundMessage.resident_id == resident_id, OutboundMessage.status == status
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
