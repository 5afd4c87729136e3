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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pbbot.channels.base import InboundUpdate
from pbbot.conversations import ConversationService

__all__ = ["InboundPipeline", "StoreFailed"]

_log = logging.getLogger(__name__)
MAX_BATCH = 200
RECOVERY_INTERVAL = 30.0  # seconds between sweeps for stored, unprocessed messages
RECOVERY_GRACE = timedelta(seconds=60)  # younger messages belong to a live process


class StoreFailed(Exception):
    """The database did not store the update: the webhook must not answer 2xx."""


class _Lane:
    def __init__(self) -> None:
        self.waiting: list[tuple[InboundUpdate, asyncio.Future[bool]]] = []
        self.wanted = asyncio.Event()
        self.busy = False


class InboundPipeline:
    def __init__(
        self,
        service: ConversationService,
        *,
        replies_queued: Callable[[], None],
        lanes: int = 1,
    ):
        self._service = service
        self._replies_queued = replies_queued
        self._lanes = [_Lane() for _ in range(lanes)]

    async def accept(self, update: InboundUpdate) -> bool:
        """Store and process the update (with whatever else is waiting); False if
        its key was seen before. Raises `StoreFailed` when the database fails."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        resident = (update.inbound.channel, update.inbound.address)
        lane = self._lanes[hash(resident) % len(self._lanes)]
        lane.waiting.append((update, future))
        lane.wanted.set()
        return await future

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

    async def _handle_waiting(self, lane: _Lane, stop: asyncio.Event) -> None:
        while True:
            if not lane.waiting:
                if stop.is_set():
                    return
                lane.wanted.clear()
                await lane.wanted.wait()
                continue
            batch, lane.waiting = lane.waiting[:MAX_BATCH], lane.waiting[MAX_BATCH:]
            lane.busy = True
            try:
                await self._handle(batch)
            finally:
                lane.busy = False

    async def _handle(self, batch: list[tuple[InboundUpdate, asyncio.Future[bool]]]) -> None:
        try:
            new, outcome = await self._service.handle_many(
                [(update.inbound, update.key) for update, _ in batch]
            )
        except Exception as error:
            if len(batch) > 1:  # one bad update must not fail the others: one by one
                for item in batch:
                    await self._handle([item])
                return
            _log.error("could not store an update: %s", type(error).__name__)
            _, future = batch[0]
            if not future.done():
                future.set_exception(StoreFailed(type(error).__name__))
            return
        for (_, future), is_new in zip(batch, new, strict=True):
            if not future.done():
                future.set_result(is_new)
        if outcome.replies:
            self._replies_queued()

    async def recover(self, *, grace: timedelta = timedelta(0)) -> int:
        """Process stored messages not processed yet, older than `grace`; how many."""
        count = await self._service.process_pending(received_before=datetime.now(UTC) - grace)
        if count:
            self._replies_queued()
        return count

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
        while any(lane.waiting or lane.busy for lane in self._lanes):
            await asyncio.sleep(0.005)
