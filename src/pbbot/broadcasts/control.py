"""Staff's hand on a broadcast: create it, pause, resume or cancel it.

Each change is recorded in `staff_actions` (who, when). The worker
(`pbbot.broadcasts.worker`) does the rest: it lists the recipients once
`send_at` has come and the outbox sends their copies. A paused broadcast's
copies are "held", out of the outbox's way; a cancelled one's unsent copies
are "skipped". A copy already handed to the provider cannot be called back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.broadcasts.audience import Segment
from pbbot.broadcasts.content import Content
from pbbot.domain.edition import Edition
from pbbot.errors import PbbotError
from pbbot.storage.broadcasts import insert_broadcast, lock_broadcast, move_copies
from pbbot.storage.outbound import CANCELLED_ERROR
from pbbot.storage.staff_actions import record_staff_action
from pbbot.storage.tables import Broadcast

__all__ = [
    "CANCELLED_ERROR",
    "BroadcastNotChanged",
    "NoSuchBroadcast",
    "cancel",
    "create_broadcast",
    "pause",
    "resume",
]


# What each action may start from.
_PAUSABLE = ("scheduled", "fanning", "sending")
_CANCELLABLE = (*_PAUSABLE, "paused")


class BroadcastNotChanged(PbbotError):
    """There is no such broadcast, or its status does not allow the action.

    `status` is the broadcast's (None: there is none), so that the staff chat
    can say it in staff's language.
    """

    def __init__(self, broadcast_id: int, action: str, status: str | None):
        self.broadcast_id = broadcast_id
        self.action = action
        self.status = status
        super().__init__(
            f"no broadcast {broadcast_id}"
            if status is None
            else f"broadcast {broadcast_id} is {status}: it cannot be {_PAST[action]}"
        )


_PAST = {"pause": "paused", "resume": "resumed", "cancel": "cancelled", "show": "shown"}


class NoSuchBroadcast(BroadcastNotChanged):
    """No broadcast has this id."""

    def __init__(self, broadcast_id: int, action: str):
        super().__init__(broadcast_id, action, None)


async def create_broadcast(
    session: AsyncSession,
    edition: Edition,
    content: Content,
    segment: Segment,
    *,
    by: str,
    send_at: datetime,
    now: datetime,
    key: str | None = None,
) -> int:
    """Schedule `content` for `segment` at `send_at` (now or later); the broadcast's id.

    A `key` names an automatic broadcast: with a key already used, nothing is
    created or recorded, and the existing broadcast's id is returned.
    """
    broadcast_id, created = await insert_broadcast(
        session,
        {
            "edition": edition.id,
            "key": key,
            "message": content.message,
            "texts": dict(content.texts),
            "audience": segment.to_json(),
            "status": "scheduled",
            "send_at": send_at,
            "created_by": by,
            "created_at": now,
        },
    )
    if created:
        await _record(
            session,
            edition.id,
            broadcast_id,
            "create",
            by=by,
            now=now,
            message=content.message,
            languages=sorted(content.texts),
            audience=segment.to_json(),
            send_at=send_at.isoformat(),
            key=key,
        )
    return broadcast_id


async def pause(session: AsyncSession, broadcast_id: int, *, by: str, now: datetime) -> int:
    """Hold the broadcast: nothing more of it is sent until `resume`; how many copies wait.

    The fan-out goes on (its copies are held), so that `status` still shows
    whom it will reach.
    """
    broadcast = await _locked(session, broadcast_id, "pause", _PAUSABLE)
    broadcast.paused_before = broadcast.status
    broadcast.status = "paused"
    held = await move_copies(session, broadcast_id, before=("queued",), after="held")
    await _record(session, broadcast.edition, broadcast_id, "pause", by=by, now=now, held=held)
    return held


async def resume(session: AsyncSession, broadcast_id: int, *, by: str, now: datetime) -> int:
    """Send the paused broadcast's held copies, and go on where it stopped; how many."""
    broadcast = await _locked(session, broadcast_id, "resume", ("paused",))
    broadcast.status = broadcast.paused_before or "sending"
    broadcast.paused_before = None
    queued = await move_copies(session, broadcast_id, before=("held",), after="queued")
    await _record(session, broadcast.edition, broadcast_id, "resume", by=by, now=now, queued=queued)
    return queued


async def cancel(session: AsyncSession, broadcast_id: int, *, by: str, now: datetime) -> int:
    """Stop the broadcast for good: its unsent copies are skipped; how many."""
    broadcast = await _locked(session, broadcast_id, "cancel", _CANCELLABLE)
    broadcast.status = "cancelled"
    broadcast.paused_before = None
    broadcast.finished_at = now
    skipped = await move_copies(
        session, broadcast_id, before=("queued", "held"), after="skipped", error=CANCELLED_ERROR
    )
    await _record(
        session, broadcast.edition, broadcast_id, "cancel", by=by, now=now, skipped=skipped
    )
    return skipped


async def _locked(
    session: AsyncSession, broadcast_id: int, action: str, allowed: tuple[str, ...]
) -> Broadcast:
    broadcast = await lock_broadcast(session, broadcast_id)
    if broadcast is None:
        raise NoSuchBroadcast(broadcast_id, action)
    if broadcast.status not in allowed:
        raise BroadcastNotChanged(broadcast_id, action, broadcast.status)
    return broadcast


async def _record(
    session: AsyncSession,
    edition: str,
    broadcast_id: int,
    action: str,
    *,
    by: str,
    now: datetime,
    **detail: object,
) -> None:
    record_staff_action(
        session,
        edition=edition,
        action=f"broadcast.{action}",
        subject=f"broadcast {broadcast_id}",
        detail=dict(detail),
        by=by,
        now=now,
    )
