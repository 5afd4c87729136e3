"""From a genuine update to queued replies, exactly once and in order.

A webhook stores the update under its unique key (`accept`) before it answers
2xx, then the update is processed in the background. A redelivered update
finds its key taken and does nothing. Messages from one resident are processed
one after the other in arrival order (an in-process chain; across processes
on PostgreSQL the conversation row lock keeps them from overlapping), while
different residents proceed in parallel. What a crash left unprocessed is
picked up by `recover`, at start and then periodically.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from pbbot.channels.base import InboundUpdate
from pbbot.conversations import ConversationService, StepFailed

__all__ = ["InboundPipeline"]

_log = logging.getLogger(__name__)
RECOVERY_INTERVAL = 30.0  # seconds between sweeps for stored, unprocessed messages


class InboundPipeline:
    def __init__(self, service: ConversationService, *, replies_queued: Callable[[], None]):
        self._service = service
        self._replies_queued = replies_queued
        self._last: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def accept(self, update: InboundUpdate) -> bool:
        """Store the update and schedule it; False if its key was seen before."""
        inbound_id = await self._service.accept(update.inbound, key=update.key)
        if inbound_id is None:
            return False
        resident = (update.inbound.channel, update.inbound.address)
        task = asyncio.create_task(self._process_after(self._last.get(resident), inbound_id))
        self._last[resident] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._forget(resident, done))
        return True

    async def _process_after(self, previous: asyncio.Task[None] | None, inbound_id: int) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own business
        try:
            replies = await self._service.process(inbound_id)
        except StepFailed:
            _log.exception("inbound message %s could not be processed", inbound_id)
            return
        except Exception:  # a database hiccup: the message stays stored, `recover` retries it
            _log.exception("inbound message %s left for recovery", inbound_id)
            return
        if replies:
            self._replies_queued()

    def _forget(self, resident: tuple[str, str], task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._last.get(resident) is task:
            del self._last[resident]

    async def recover(self) -> int:
        """Process every stored message not processed yet; how many."""
        count = await self._service.process_pending()
        if count:
            self._replies_queued()
        return count

    async def run_recovery(self, stop: asyncio.Event) -> None:
        """Sweep for unprocessed messages until `stop` is set (crash of another process)."""
        while not stop.is_set():
            try:
                await self.recover()
            except Exception:
                _log.exception("recovery sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RECOVERY_INTERVAL)

    async def drain(self) -> None:
        """Wait for the messages being processed (at shutdown, and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
