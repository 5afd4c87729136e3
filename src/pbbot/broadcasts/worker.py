"""The broadcast worker: creates the edition file's reminders when they fall due,
fans out due broadcasts, and marks done those that have nothing left to send.

It runs next to the outbox in `pbbot serve` and in `pbbot worker`; any number
of them may share a PostgreSQL database (the fan-out locks the broadcast it
writes, and the unique keys make a repeat harmless). The outbox sends the
copies: the worker only queues them, and wakes the outbox after each chunk.

A reminder is created once (key `reminder:<edition>:<id>`) when its time has
come and its phase runs (staff's hand moves count), but not when that was more
than a day ago: a server started a week late should not tell residents that
voting opens "today".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.broadcasts.audience import Segment, parse_segment
from pbbot.broadcasts.content import Content, catalog_content
from pbbot.broadcasts.control import create_broadcast
from pbbot.broadcasts.fanout import CHUNK_SIZE, FanOut
from pbbot.domain.edition import Edition, Reminder
from pbbot.errors import ConfigurationError, EditionError
from pbbot.storage.broadcasts import finish_sent
from pbbot.storage.phases import current_phase

__all__ = ["REMINDER_BY", "REMINDER_LATE", "BroadcastWorker", "reminder_key"]

_log = logging.getLogger(__name__)

# A reminder this late is not sent at all (see the module's docstring).
REMINDER_LATE = timedelta(days=1)
# Who created a reminder's broadcast, in `broadcasts.created_by` and `staff_actions`.
REMINDER_BY = "edition file"
POLL_INTERVAL = 1.0  # seconds between looks when nothing is due


def reminder_key(edition: Edition, reminder_id: str) -> str:
    return f"reminder:{edition.id}:{reminder_id}"


class BroadcastWorker:
    """Does the broadcasts' work for one edition: `run_due()` once, `run(stop)` as a loop.

    `queued` is called after each chunk whose copies are committed (the
    server wakes its outbox). `clock` gives the current time, aware.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        edition: Edition,
        *,
        queued: Callable[[], None] = lambda: None,
        chunk_size: int = CHUNK_SIZE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_interval: float = POLL_INTERVAL,
    ):
        self._sessionmaker = sessionmaker
        self._edition = edition
        self._queued = queued
        self._clock = clock
        self._poll_interval = poll_interval
        self._fan_out = FanOut(edition, size=chunk_size)
        self._reminders = _reminders(edition)
        self._looked_at: set[str] = set()  # reminders created, or skipped as too late
        self._held_back: set[str] = set()  # due while their phase did not run (logged once)

    async def run_due(self) -> int:
        """Do all that is due now; how many copies were queued."""
        queued = 0
        while (chunk := await self._step()) is not None:
            queued += chunk
        return queued

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; a failed pass (the database briefly away) is
        logged and tried again after the poll interval."""
        while not stop.is_set():
            try:
                busy = await self._step() is not None
            except Exception:
                _log.exception("the broadcast worker failed; trying again")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._poll_interval)

    async def _step(self) -> int | None:
        """Create due reminders and fan out one chunk: its new copies; None when
        no broadcast waits to be fanned out (then the finished ones are marked done)."""
        now = self._clock()
        await self._remind(now)
        async with self._sessionmaker.begin() as session:
            chunk = await self._fan_out.chunk(session, now=now)
        if chunk is not None:
            if chunk.queued:
                self._queued()
            return chunk.queued
        async with self._sessionmaker.begin() as session:
            await finish_sent(session, self._edition.id, now=now)
        return None

    async def _remind(self, now: datetime) -> None:
        for reminder, content, segment, due in self._reminders:
            if reminder.id in self._looked_at or due > now:
                continue
            if now - due > REMINDER_LATE:
                self._looked_at.add(reminder.id)
                _log.warning(
                    "reminder %s was due at %s, more than a day ago: not sent",
                    reminder.id,
                    due.isoformat(),
                )
                continue
            async with self._sessionmaker.begin() as session:
                if not await self._phase_runs(session, reminder, now):
                    continue  # looked at again: staff may open the phase within the day
                await create_broadcast(
                    session,
                    self._edition,
                    content,
                    segment,
                    by=REMINDER_BY,
                    send_at=due,
                    now=now,
                    key=reminder_key(self._edition, reminder.id),
                )
            self._looked_at.add(reminder.id)  # only once stored: a failure tries again

    async def _phase_runs(self, session: AsyncSession, reminder: Reminder, now: datetime) -> bool:
        """Whether the reminder's phase runs now: staff who closed voting early by
        hand (or hold it back) do not want "voting is open" sent on the file's date."""
        current = await current_phase(session, self._edition, now)
        if current is not None and current.kind == reminder.phase:
            return True
        if reminder.id not in self._held_back:
            self._held_back.add(reminder.id)
            _log.info(
                "reminder %s is due, but the %s phase does not run now (%s): held back",
                reminder.id,
                reminder.phase,
                current.kind if current else "between phases",
            )
        return False


def _reminders(edition: Edition) -> list[tuple[Reminder, Content, Segment, datetime]]:
    """The edition file's reminders with their content, audience and time, checked
    now so that a wrong one stops the server at start-up, with its line."""
    checked = []
    for reminder in edition.reminders:
        try:
            content = catalog_content(reminder.message, edition)
            segment = parse_segment(reminder.audience, edition, message=reminder.message)
        except ConfigurationError as error:
            raise EditionError(
                f"reminder {reminder.id}: {error.message}",
                source=edition.source,
                line=reminder.line,
            ) from error
        checked.append((reminder, content, segment, reminder.due_at(edition)))
    return checked
