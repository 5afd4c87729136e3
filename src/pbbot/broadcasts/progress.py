"""How far a broadcast has got: its copies counted by what became of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.broadcasts.control import NoSuchBroadcast
from pbbot.storage.broadcasts import copy_counts, find_broadcast

__all__ = ["Progress", "progress", "progress_bar"]


@dataclass(frozen=True, slots=True)
class Progress:
    """A broadcast's status and its copies, each counted once.

    `queued` includes the copies being sent; `failed` includes SMS the carrier
    reported undelivered; `blocked` are failed copies to residents the channel
    refuses (they blocked the bot, or their number opted out at the carrier);
    `skipped` were not sent (STOP after the fan-out, or cancelled).
    `recipients` grows while the fan-out runs.
    """

    broadcast_id: int
    status: str
    recipients: int
    queued: int
    held: int
    sent: int
    delivered: int
    failed: int
    blocked: int
    skipped: int

    @property
    def finished(self) -> int:
        """Copies whose fate is known: sent, delivered, failed, blocked or skipped."""
        return self.recipients - self.queued - self.held

    @property
    def over(self) -> bool:
        """Nothing more will happen to it."""
        return self.status in ("done", "cancelled")


async def progress(session: AsyncSession, broadcast_id: int) -> Progress:
    """The broadcast's progress now; `NoSuchBroadcast` if there is none."""
    broadcast = await find_broadcast(session, broadcast_id)
    if broadcast is None:
        raise NoSuchBroadcast(broadcast_id, "show")
    counts = await copy_counts(session, broadcast_id)
    return Progress(
        broadcast_id=broadcast_id,
        status=broadcast.status,
        # Counted, not `broadcast.recipients`: an erased resident's copy goes with them.
        recipients=sum(counts.values()),
        queued=counts["queued"] + counts["sending"],
        held=counts["held"],
        sent=counts["sent"],
        delivered=counts["delivered"],
        failed=counts["failed"] + counts["undelivered"],
        blocked=counts["blocked"],
        skipped=counts["skipped"],
    )


def progress_bar(progress: Progress, width: int = 30) -> str:
    """`[#########.....................]  30%`: the share of copies whose fate is known.

    A broadcast without recipients is 100% once done; 100% shows only when
    every copy is finished.
    """
    if progress.recipients:
        share = progress.finished / progress.recipients
    else:
        share = 1.0 if progress.over else 0.0
    filled = int(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {int(share * 100):3d}%"
