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
- **A lease, fenced.** A claimed message's `next_attempt_at` becomes the end
  of its sender's lease. If that sender dies before settling it, the message is
  claimed again once the lease has run out. The price is a possible duplicate:
  if the provider accepted the message but the process died before the commit
  that records it, the resident gets it twice. The window is the time between
  the provider's answer and that commit (milliseconds: every message is settled
  in its own small transaction) or a stuck sender slower than the lease. Each
  settle names the attempt it settles (`attempts`), so a sender whose lease was
  taken over cannot overwrite the new attempt's outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from pbbot.domain.messages import Channel, Outbound
from pbbot.storage.codec import choices_from_json, choices_to_json
from pbbot.storage.tables import (
    PRIORITY_BULK,
    PRIORITY_REPLY,
    OutboundMessage,
    Resident,
)

__all__ = [
    "Claim",
    "ClaimedMessage",
    "claim_due",
    "enqueue_messages",
    "mark_unreachable",
    "next_due_at",
    "outbound_rows",
    "settle_blocked",
    "settle_failed",
    "settle_retry",
    "settle_sent",
]

_UNSENT = ("queued", "sending")

_UNREACHABLE = "the resident cannot be reached on this channel"
_UNSUBSCRIBED = "skipped: the resident unsubscribed"


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message a sender took from the queue, with everything it needs to send it.

    `attempts` counts this attempt; the settle functions only apply while the
    message is still in this attempt.
    """

    id: int
    resident_id: int
    channel: Channel
    address: str
    outbound: Outbound
    priority: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Claim:
    """What one claim took: messages to send now, and how many it settled without sending.

    Messages to an unreachable resident fail, and bulk messages to a resident
    who unsubscribed are skipped, right at the claim.
    """

    messages: list[ClaimedMessage]
    settled: int = 0


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
) -> list[dict[str, Any]]:
    """The `outbound_messages` rows that queue `messages`, due now, in order."""
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
        }
        for message in messages
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
    max_attempts: int,
) -> Claim:
    """Take up to `limit` due messages of `channel` for sending, most urgent first.

    Most urgent is replies before bulk, then the longest due. Each message
    taken is its resident's next one (see the module's docstring), moves to
    `sending` with one more attempt, and is leased until `now + lease`.
    """
    settled = await _requeue_abandoned(session, channel, now=now, max_attempts=max_attempts)
    if limit <= 0:
        return Claim([], settled)
    rows = (await session.execute(_due_heads(channel, now=now, limit=limit))).all()
    claimed: list[ClaimedMessage] = []
    for row in rows:
        if row.unreachable:
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
            )
            .execution_options(synchronize_session=False)
        )
    return Claim(claimed, settled)


def _due_heads(channel: Channel, *, now: datetime, limit: int) -> Any:
    """Due queued messages of `channel` that are their resident's next, locked on PostgreSQL.

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
            Resident.unreachable,
            Resident.subscribed,
        )
        .join(Resident, Resident.id == OutboundMessage.resident_id)
        .where(
            OutboundMessage.status == "queued",
            OutboundMessage.channel == channel,
            OutboundMessage.next_attempt_at <= now,
            ~exists(ahead),
        )
        .order_by(OutboundMessage.priority, OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(limit)
        .with_for_update(of=OutboundMessage, skip_locked=True)
    )


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
    )


async def _requeue_abandoned(
    session: AsyncSession, channel: Channel, *, now: datetime, max_attempts: int
) -> int:
    """Put messages whose sender's lease ran out back in the queue; how many gave up.

    A message abandoned on its last attempt fails instead: its sender died
    every time (a message that crashes the process should not do so forever).
    It may have reached the resident.
    """
    last = OutboundMessage.attempts >= max_attempts
    abandoned = (
        OutboundMessage.status == "sending",
        OutboundMessage.channel == channel,
        OutboundMessage.next_attempt_at <= now,
    )
    failed = await session.execute(
        update(OutboundMessage)
        .where(*abandoned, last)
        .values(
            status="failed",
            error=f"no outcome after {max_attempts} attempts: the sender stopped each time",
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboundMessage)
        .where(*abandoned, ~last)
        .values(status="queued")
        .execution_options(synchronize_session=False)
    )
    return int(failed.rowcount)  # type: ignore[attr-defined]


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
    return await _settle(
        session,
        message,
        status="sent",
        provider_id=provider_id,
        segments=segments,
        sent_at=now,
        error=None,
    )


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
    held (a rate limit, a stop before sending).
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
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_unreachable(session: AsyncSession, resident_id: int) -> None:
    """The channel refuses this resident: mark them, and fail what is queued for them."""
    await session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(unreachable=True)
        .execution_options(synchronize_session=False)
    )
    await _fail_unsent(session, resident_id, _UNREACHABLE)


async def _fail_unsent(session: AsyncSession, resident_id: int, error: str) -> int:
    """Fail every message still queued for the resident; how many."""
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.resident_id == resident_id, OutboundMessage.status == "queued")
        .values(status="failed", error=error)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _skip_bulk(session: AsyncSession, resident_id: int) -> int:
    """Skip every bulk message still queued for a resident who unsubscribed; how many.

    Replies still go: the confirmation of their STOP must reach them.
    """
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.resident_id == resident_id,
            OutboundMessage.status == "queued",
            OutboundMessage.priority >= PRIORITY_BULK,
        )
        .values(status="skipped", error=_UNSUBSCRIBED)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
