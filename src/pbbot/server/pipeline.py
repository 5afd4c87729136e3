"""From a genuine update to queued replies, exactly once and in order.

A webhook hands its update to `accept`, which returns once the update is
stored, processed and its replies queued, all in one transaction: the webhook
answers 2xx only for what is safe in the database, and a crash before the
commit leaves nothing half done (the channel redelivers what got no 2xx).
Updates that arrive while a batch is being handled wait for the next one, so
under load one transaction (and one commit) serves many updates: this is what
lets one process keep up with a thousand messages a second on SQLite.

A redelivered update finds its key taken and does nothing. Each resident
belongs to one lane, a loop that handles its batches one after the other, so a
resident's messages keep their arrival order; lanes run in parallel (several
on PostgreSQL, one on SQLite, which writes one transaction at a time). Across
processes on PostgreSQL the conversation row lock keeps them from overlapping. Messages
stored but not processed (by `ConversationService.accept`, or by an older
version) are picked up by `recover`, at start and then periodically.

Under load the pipeline pushes back rather than letting a queue grow: a lane
(`pbbot.server.lanes`) holds at most `capacity` updates, two batches, so what
it takes on is answered within a few batches' time; an update that finds no
place within `queue_wait` gets `Overloaded`: nothing is stored, the webhook
answers 503 with Retry-After, and the channel sends it again later. Before
any of this the guards (`pbbot.server.guards`) turn away what should cost
nothing: SMS from other countries, a flooding resident's surplus, numbers
over their replies for the hour.

A staff command from a staff member (`pbbot.staff.chat`) goes to the staff
chat instead, before the guards and outside the lanes: it is carried out,
stored under its key and answered in its own transaction, with the same
exactly-once and failure rules. Every Telegram path (webhook, polling, the
python-telegram-bot bridge) hands its updates to `accept`, so all of them
route staff commands alike.

When the database fails, `pbbot.storage.failures` says how: an update it
refuses for good is recorded without its content and answered as handled, so
the channel does not send it forever; a batch is retried one update at a time
so that the others behind it go ahead; a temporary failure raises
`StoreFailed` (503), and so does every update of a batch when the database
cannot be reached at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import InboundUpdate
from pbbot.conversations import ConversationService
from pbbot.server.guards import Guards
from pbbot.server.lanes import Item, Lane
from pbbot.staff.chat import StaffChat
from pbbot.storage import repositories
from pbbot.storage.failures import classify, describe, record_refused

__all__ = ["InboundPipeline", "Overloaded", "StoreFailed", "retry_later"]

_log = logging.getLogger(__name__)
MAX_BATCH = 200
LANE_CAPACITY = 2 * MAX_BATCH  # the batch being handled and the next one, full
QUEUE_WAIT = 3.0  # seconds an update waits for a place in a full lane
RETRY_AFTER = 5.0  # seconds a channel is asked to wait before sending again
RECOVERY_INTERVAL = 30.0  # seconds between sweeps for stored, unprocessed messages
RECOVERY_GRACE = timedelta(seconds=60)  # younger messages belong to a live process


class StoreFailed(Exception):
    """The update is not stored (the database failed for now): the webhook must
    not answer 2xx, and asks the channel to send it again after `retry_after` s."""

    def __init__(self, reason: str, *, retry_after: float = RETRY_AFTER):
        self.retry_after = retry_after
        super().__init__(reason)


class Overloaded(StoreFailed):
    """The update's lane stayed full: nothing stored, the channel should send it later."""


def retry_later(error: StoreFailed) -> web.Response:
    """A webhook's answer to an update it could not store: 503 with Retry-After."""
    return web.Response(
        status=503,
        text="try again later",
        headers={"Retry-After": str(max(1, math.ceil(error.retry_after)))},
    )


class InboundPipeline:
    def __init__(
        self,
        service: ConversationService,
        *,
        replies_queued: Callable[[], None],
        lanes: int = 1,
        guards: Guards | None = None,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        staff: StaffChat | None = None,
        capacity: int = LANE_CAPACITY,
        queue_wait: float = QUEUE_WAIT,
        retry_after: float = RETRY_AFTER,
    ):
        """`guards`: by default, the per-resident limit and no SMS. `sessionmaker`:
        where updates the database refused are recorded (without it, only logged).
        `staff`: the staff chat, if there is one."""
        self._service = service
        self._staff = staff
        self._replies_queued = replies_queued
        self._lanes = [Lane(capacity) for _ in range(lanes)]
        self._guards = guards or Guards()
        self._sessionmaker = sessionmaker
        self._queue_wait = queue_wait
        self._retry_after = retry_after

    async def accept(self, update: InboundUpdate) -> bool:
        """Store and process the update (with whatever else is waiting); False if
        nothing was done: its key was seen before, a guard turned it away, or the
        database refused it for good (recorded). Raises `StoreFailed` when the
        database fails for now, `Overloaded` when its lane stayed full."""
        if self._staff is not None and self._staff.claims(update):
            return await self._staff_command(self._staff, update)
        if not self._guards.admit(update.inbound):
            return False
        item = Item(update, asyncio.get_running_loop().create_future())
        lane = self._lanes[hash(item.resident) % len(self._lanes)]
        if not await lane.enter(item, wait=self._queue_wait):
            raise Overloaded("the inbound lanes are full", retry_after=self._retry_after)
        return await item.done

    async def _staff_command(self, staff: StaffChat, update: InboundUpdate) -> bool:
        try:
            done = await staff.handle(update)
        except Exception as error:
            if _from_database(error) and classify(error) != "refused":
                _log.error("could not store a staff command: %s", describe(error))
                raise StoreFailed(describe(error)) from error
            # Refused for good, or a bug: sending it again would fail the same way.
            _log.exception("staff command failed; answered as handled")
            await self._record_refused(update, describe(error))
            return False
        if done:
            self._replies_queued()
        return done

    async def run(self, stop: asyncio.Event) -> None:
        """Handle updates until `stop` is set, then finish what is waiting."""
        await asyncio.gather(
            *(self._handle_waiting(lane, stop) for lane in self._lanes),
            self._recover_periodically(stop),
            self._wake_on_stop(stop),
        )

    async def _wake_on_stop(self, stop: asyncio.Event) -> None:
        # An idle lane sleeps until it is wanted; stopping must wake it, or
        # shutdown would wait for the next update.
        await stop.wait()
        for lane in self._lanes:
            lane.wanted.set()

    async def _handle_waiting(self, lane: Lane, stop: asyncio.Event) -> None:
        while True:
            if not lane.waiting:
                if stop.is_set():
                    return
                lane.wanted.clear()
                await lane.wanted.wait()
                continue
            batch = lane.take(MAX_BATCH)
            lane.busy = True
            try:
                await self._handle(batch)
            finally:
                lane.busy = False

    async def _handle(self, batch: list[Item]) -> None:
        try:
            silenced = await self._guards.silenced([item.update.inbound for item in batch])
            if silenced:  # over their replies for the hour: not processed, no reply
                _resolve([item for item in batch if item.resident in silenced], False)
                batch = [item for item in batch if item.resident not in silenced]
                if not batch:
                    return
            new, outcome = await self._service.handle_many(
                [(item.update.inbound, item.update.key) for item in batch]
            )
        except Exception as error:
            failure = classify(error)
            if len(batch) > 1 and failure != "unreachable":
                # One bad update must not fail the others: one by one. Not when the
                # database is unreachable: each would only wait for it in turn.
                for item in batch:
                    await self._handle([item])
                return
            if failure == "refused":
                await self._record_refused(batch[0].update, describe(error))
                _resolve(batch, False)
                return
            _log.error("could not store %d update(s): %s", len(batch), describe(error))
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(StoreFailed(describe(error)))
            return
        for item, is_new in zip(batch, new, strict=True):
            _resolve([item], is_new)
        if outcome.replies:
            self._replies_queued()

    async def _record_refused(self, update: InboundUpdate, reason: str) -> None:
        """Keep the key and the verdict, so that a redelivery does nothing; the
        webhook answers as for a handled update either way, since sending it
        again would fail the same way."""
        if self._sessionmaker is None:
            _log.error("the database refused an update for good (%s); answered as handled", reason)
            return
        try:
            async with self._sessionmaker.begin() as session:
                inbound_id = await record_refused(
                    session,
                    update.inbound,
                    update.key,
                    now=datetime.now(UTC),
                    error=f"refused by the database: {reason}",
                )
        except Exception as again:  # e.g. the key itself was what did not fit
            _log.error(
                "the database refused an update for good (%s) and its record (%s); "
                "answered as handled",
                reason,
                describe(again),
            )
            return
        _log.error(
            "inbound message %s: refused by the database for good (%s); recorded, "
            "answered as handled",
            inbound_id,
            reason,
        )

    async def recover(self, *, grace: timedelta = timedelta(0)) -> int:
        """Process stored messages not processed yet, older than `grace`; how many.

        A message the database refuses for good is marked processed with the
        error, found by going one at a time, so that it does not fail every
        sweep (and every start) and the messages behind it go ahead.
        """
        received_before = datetime.now(UTC) - grace
        count = 0
        while True:  # each round one by one settles at least the oldest message
            try:
                count += await self._service.process_pending(received_before=received_before)
                break
            except Exception as error:
                if classify(error) == "unreachable" or self._sessionmaker is None:
                    raise
                settled = await self._recover_one_by_one(self._sessionmaker, received_before)
                if not settled:  # nothing pending, yet the sweep failed: not a message's fault
                    raise
                count += settled
        if count:
            self._replies_queued()
        return count

    async def _recover_one_by_one(
        self, sessionmaker: async_sessionmaker[AsyncSession], received_before: datetime
    ) -> int:
        async with sessionmaker() as session:
            ids = await repositories.pending_inbound_ids(
                session, limit=MAX_BATCH, received_before=received_before
            )
        for inbound_id in ids:  # oldest first; a temporary failure stops the sweep, in order
            try:
                await self._service.process_many([inbound_id])
            except Exception as error:
                if classify(error) != "refused":
                    raise
                async with sessionmaker.begin() as session:
                    await repositories.finish_inbound(
                        session,
                        inbound_id,
                        now=datetime.now(UTC),
                        error=f"refused by the database: {describe(error)}",
                    )
                _log.error(
                    "inbound message %s: refused by the database for good (%s); marked processed",
                    inbound_id,
                    describe(error),
                )
        return len(ids)

    async def _recover_periodically(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RECOVERY_INTERVAL)
            if stop.is_set():
                return
            try:
                await self.recover(grace=RECOVERY_GRACE)
            except Exception:
                _log.exception("recovery sweep failed")

    async def drain(self) -> None:
        """Wait until every update accepted so far is handled."""
        while not all(lane.idle for lane in self._lanes):
            await asyncio.sleep(0.005)


def _from_database(error: Exception) -> bool:
    """Whether the database (or the way to it) failed, rather than pbbot's own code."""
    return isinstance(error, OSError | TimeoutError | exc.SQLAlchemyError)


def _resolve(items: list[Item], result: bool) -> None:
    for item in items:
        if not item.done.done():
            item.done.set_result(result)
