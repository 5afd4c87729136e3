"""The fan-out: a due broadcast becomes one outbox copy per recipient, a chunk at a time.

Each chunk is one transaction: it locks the broadcast, lists the next
recipients after `fanned_to` in resident-id order, inserts their copies and
moves `fanned_to` on. A fan-out cut short (a crash, a database away) resumes
where its last committed chunk stopped; and should a chunk run twice anyway
(two workers, SQLite without row locks), the unique key (broadcast_id,
resident_id) leaves the second one's copies out, so nobody gets two.

A recipient is whoever is in the audience when their chunk runs (subscribed,
reachable, see `pbbot.broadcasts.audience`); a resident who sends STOP after
that has their copy skipped by the outbox, which looks again at the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.broadcasts.audience import Recipient, Segment, recipients
from pbbot.broadcasts.content import Content, render
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Outbound
from pbbot.storage.broadcasts import insert_copies, lock_next_to_fan_out
from pbbot.storage.outbound import outbound_rows
from pbbot.storage.tables import PRIORITY_BULK, Broadcast

__all__ = ["CHUNK_SIZE", "Chunk", "FanOut"]

# Recipients per transaction: big enough that 100,000 take a few seconds, small
# enough that on SQLite (one writer) a resident's reply waits only milliseconds.
CHUNK_SIZE = 500


@dataclass(frozen=True, slots=True)
class Chunk:
    """What one chunk did: `queued` new copies of the broadcast; `last`: its
    fan-out is over (every recipient has a copy)."""

    broadcast_id: int
    queued: int
    last: bool


class FanOut:
    """Fans out the edition's due broadcasts; keeps each broadcast's text per
    language, rendered once."""

    def __init__(self, edition: Edition, *, size: int = CHUNK_SIZE):
        if size < 1:
            raise ValueError("a chunk has at least one recipient")
        self._edition = edition
        self._size = size
        self._texts: dict[tuple[int, str], str] = {}

    async def chunk(self, session: AsyncSession, *, now: datetime) -> Chunk | None:
        """Fan out the next chunk of the broadcast due soonest, in the caller's
        transaction (commit it before the next); None: no broadcast is due."""
        broadcast = await lock_next_to_fan_out(session, self._edition.id, now=now)
        if broadcast is None:
            return None
        found = await recipients(
            session,
            self._edition,
            Segment.from_json(broadcast.audience),
            after_id=broadcast.fanned_to,
            limit=self._size,
        )
        queued = await insert_copies(session, self._copies(broadcast, found, now=now))
        if found:
            broadcast.fanned_to = found[-1].resident_id
        broadcast.recipients += queued
        last = len(found) < self._size
        _advance(broadcast, last=last)
        if last:  # its texts are not needed again
            for key in [key for key in self._texts if key[0] == broadcast.id]:
                del self._texts[key]
        return Chunk(broadcast.id, queued, last)

    def _copies(
        self, broadcast: Broadcast, found: Sequence[Recipient], *, now: datetime
    ) -> list[dict[str, Any]]:
        content = Content(broadcast.message, broadcast.texts)
        status = "held" if broadcast.status == "paused" else "queued"
        rows = []
        for recipient in found:
            key = (broadcast.id, recipient.locale)
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = render(content, self._edition, recipient.locale, now=now)
            (row,) = outbound_rows(
                [Outbound(text, recipient.locale)],
                resident_id=recipient.resident_id,
                channel=recipient.channel,
                address=recipient.address,
                now=now,
                priority=PRIORITY_BULK,
            )
            row.update(broadcast_id=broadcast.id, status=status)
            rows.append(row)
        return rows


def _advance(broadcast: Broadcast, *, last: bool) -> None:
    """scheduled -> fanning -> (the last chunk) sending; a paused broadcast
    resumes to where its fan-out got to."""
    status = "sending" if last else "fanning"
    if broadcast.status == "paused":
        broadcast.paused_before = status
    else:
        broadcast.status = status
