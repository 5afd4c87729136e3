"""From a genuine update to queued replies, exactly once and in order.

A webhook hands its update to `accept`, which returns once the update is
stored under its unique key, so the webhook answers 2xx only for what is safe
in the database. Updates that arrive while a store is under way are stored
together in the next transaction (group commit), and stored updates are
processed in batches, one transaction each: this is what lets one process
keep up with a thousand messages a second on SQLite.

A redelivered update finds its key taken and does nothing. One processing
loop per process keeps a resident's messages in arrival order; across
processes on PostgreSQL the conversation row lock keeps them from overlapping.
What a crash left unprocessed is picked up by `recover`, at start and then
periodically for messages older than a grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
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


class InboundPipeline:
    def __init__(self, service: ConversationService, *, replies_queued: Callable[[], None]):
        self._service = service
        self._replies_queued = replies_queued
        self._to_store: list[tuple[InboundUpdate, asyncio.Future[bool]]] = []
        self._to_process: list[int] = []
        self._store_wanted = asyncio.Event()
        self._process_wanted = asyncio.Event()
        self._busy = 0

    async def accept(self, update: InboundUpdate) -> bool:
        """Store the update (with whatever else is waiting); False if its key was seen.

        Raises `StoreFailed` when the database is not reachable.
        """
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._to_store.append((update, future))
        self._store_wanted.set()
        return await future

    async def run(self, stop: asyncio.Event) -> None:
        """Store, process and recover until `stop` is set; then finish what is queued."""
        await asyncio.gather(
            self._loop(stop, self._store_wanted, self._store_batch, lambda: bool(self._to_store)),
            self._loop(
                stop, self._process_wanted, self._process_batch, lambda: bool(self._to_process)
            ),
            self._recover_periodically(stop),
        )

    async def _loop(
        self,
        stop: asyncio.Event,
        wanted: asyncio.Event,
        work: Callable[[], Awaitable[None]],
        pending: Callable[[], bool],
    ) -> None:
        while True:
            if not pending():
                if stop.is_set():
                    return
                wanted.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wanted.wait(), 0.5)
                continue
            await work()

    async def _store_batch(self) -> None:
        batch, self._to_store = self._to_store[:MAX_BATCH], self._to_store[MAX_BATCH:]
        self._busy += 1
        try:
            ids = await self._service.accept_many(
                [(update.inbound, update.key) for update, _ in batch]
            )
        except Exception as error:
            _log.exception("could not store %d updates", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(StoreFailed(str(error)))
            return
        finally:
            self._busy -= 1
        for (_, future), inbound_id in zip(batch, ids, strict=True):
            if inbound_id is not None:
                self._to_process.append(inbound_id)
            if not future.done():
                future.set_result(inbound_id is not None)
        self._process_wanted.set()

    async def _process_batch(self) -> None:
        batch, self._to_process = self._to_process[:MAX_BATCH], self._to_process[MAX_BATCH:]
        self._busy += 1
        try:
            outcome = await self._service.process_many(batch)
        except Exception:  # a database hiccup: the messages stay stored for recovery
            _log.exception("%d stored messages left for recovery", len(batch))
            return
        finally:
            self._busy -= 1
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
        """Wait until everything accepted so far is stored and processed."""
        while self._to_store or self._to_process or self._busy:
            await asyncio.sleep(0.005)
